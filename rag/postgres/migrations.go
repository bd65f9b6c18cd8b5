package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's versions, in order: migrations[i] makes
// version i+1 of version i. Append a new one; never edit one that has
// shipped.
var migrations = []string{
	// 1: turns, and feedback on them.
	`CREATE TABLE turns (
		seq          bigint GENERATED ALWAYS AS IDENTITY, -- the order turns were added in
		id           text PRIMARY KEY,
		conversation text NOT NULL,
		at           timestamptz NOT NULL,
		grounded     boolean NOT NULL,
		front        text NOT NULL,
		doc          json NOT NULL -- {"question": ..., "answer": rag.Answer}; json, not jsonb, keeps \u0000
	);
	CREATE INDEX turns_conversation ON turns (conversation, at, seq);
	CREATE TABLE feedback (
		seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		answer  text NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
		vote    text NOT NULL CHECK (vote IN ('up', 'down')),
		comment text NOT NULL,
		at      timestamptz NOT NULL
	);
	CREATE INDEX feedback_answer ON feedback (answer, at, seq);`,

	// 2: the operators' view and pruning select turns by time.
	`CREATE INDEX turns_at ON turns (at, seq);`,
}

// migrateLock is the key of the advisory lock that migrations hold:
// "citebot" in ASCII.
const migrateLock = 0x63697465626f74

// migrate brings the schema to len(list), applying the missing
// migrations in one transaction, and refuses a schema newer than list.
// Processes migrating one database at once take turns.
func migrate(ctx context.Context, pool *pgxpool.Pool, list []string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return err
		}
		if have > len(list) {
			return fmt.Errorf("the history's schema is version %d, newer than this citebot's %d: run a newer citebot", have, len(list))
		}
		for v := have + 1; v <= len(list); v++ {
			if _, err := tx.Exec(ctx, list[v-1]); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
		}
		return nil
	})
}
