package postgres

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// versions lists the versions schema_migrations records.
func versions(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func rawPool(t *testing.T, dbURL string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestOpenAppliesMissingMigrations(t *testing.T) {
	dbURL := freshSchema(t)
	old := rawPool(t, dbURL)
	if err := migrate(ctx, old, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(ctx, `INSERT INTO turns (id, conversation, at, grounded, front, doc)
		VALUES ('a1', 'c1', '2026-03-14T12:00:00Z', true, 'http', '{"question":"Q?","answer":{"question":"Q?","answer":"A [1].","grounded":true,"citations":[{"n":1,"source":"s.md","title":"S","date":"","chunk":0,"score":0.5,"text":"A."}],"confidence":0.7}}')`); err != nil {
		t.Fatal(err)
	}
	h := mustOpen(t, dbURL)
	defer h.Close()
	want := make([]int, len(migrations))
	for i := range want {
		want[i] = i + 1
	}
	if got := versions(t, old); !slices.Equal(got, want) {
		t.Errorf("versions after Open = %v, want %v", got, want)
	}
	var index string
	if err := old.QueryRow(ctx, `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'turns_at'`).Scan(&index); err != nil {
		t.Errorf("migration 2's index turns_at: %v", err)
	}
	got, err := h.Turn(ctx, "a1")
	if err != nil || got.Answer.Citations[0].Source != "s.md" || got.Question != "Q?" {
		t.Errorf("Turn(a1) of the old database = %+v, %v", got, err)
	}
	// Replicas opening at once take turns; nothing is applied twice.
	openAtOnce(t, dbURL, 4)
	if got := versions(t, old); !slices.Equal(got, want) {
		t.Errorf("versions after more Opens = %v, want %v", got, want)
	}
}

func TestOpenMigratesAFreshSchemaAtOnce(t *testing.T) {
	openAtOnce(t, freshSchema(t), 4)
}

// openAtOnce opens and closes n histories on dbURL at once, as replicas
// starting together do.
func openAtOnce(t *testing.T, dbURL string, n int) {
	t.Helper()
	errs := make(chan error, n)
	for range n {
		go func() {
			h, err := Open(ctx, dbURL)
			if err == nil {
				_ = h.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Open by %d at once: %v", n, err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dbURL := freshSchema(t)
	h := mustOpen(t, dbURL)
	_ = h.Close()
	pool := rawPool(t, dbURL)
	newer := len(migrations) + 1
	if _, err := pool.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, newer); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, dbURL)
	if err == nil {
		t.Fatal("Open of a schema from a newer citebot: no error")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema: err = %q, want it to say it is newer", err)
	}
	if errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("Open of a newer schema: err = %v, want it not to read as unavailable", err)
	}
	if got := versions(t, pool); len(got) != newer {
		t.Errorf("versions after a refused Open = %v", got)
	}
}
