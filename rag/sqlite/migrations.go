package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema's versions, in order: migrations[i] makes
// version i+1 of version i. Append a new one; never edit one that has
// shipped.
var migrations = []string{
	// 1: turns, and feedback on them.
	`CREATE TABLE turns (
		seq          INTEGER PRIMARY KEY, -- the order turns were added in
		id           TEXT NOT NULL UNIQUE,
		conversation TEXT NOT NULL,
		at           INTEGER NOT NULL, -- Unix microseconds
		grounded     INTEGER NOT NULL, -- 0: declined
		front        TEXT NOT NULL,
		doc          TEXT NOT NULL -- JSON: {"question": ..., "answer": rag.Answer}
	) STRICT;
	CREATE INDEX turns_conversation ON turns (conversation, at, seq);
	CREATE TABLE feedback (
		seq     INTEGER PRIMARY KEY,
		answer  TEXT NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
		vote    TEXT NOT NULL CHECK (vote IN ('up', 'down')),
		comment TEXT NOT NULL,
		at      INTEGER NOT NULL
	) STRICT;
	CREATE INDEX feedback_answer ON feedback (answer, at, seq);`,

	// 2: the operators' view and pruning select turns by time.
	`CREATE INDEX turns_at ON turns (at, seq);`,
}

// migrate brings db's schema to len(list), applying the missing
// migrations of list in one transaction, and refuses a schema newer than
// list. Two processes opening one file at once take turns: the
// transaction takes the write lock first.
func migrate(ctx context.Context, db *sql.DB, list []string) (err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: see dsn
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return err
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return err
	}
	if have > len(list) {
		return fmt.Errorf("the history's schema is version %d, newer than this citebot's %d: run a newer citebot, or move the file aside", have, len(list))
	}
	for v := have + 1; v <= len(list); v++ {
		if _, err := tx.ExecContext(ctx, list[v-1]); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			v, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
	}
	return tx.Commit()
}
