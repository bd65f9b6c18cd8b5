package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/historytest"
)

var ctx = context.Background()

func mustOpen(t *testing.T, path string) *History {
	t.Helper()
	h, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// rawDB opens path as the writer does, without migrating it.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// versions lists the versions schema_migrations records.
func versions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func TestOpenAppliesMissingMigrations(t *testing.T) {
	if len(migrations) < 2 {
		t.Fatal("this test wants a schema of two versions or more")
	}
	path := filepath.Join(t.TempDir(), "history.db")
	// A database of version 1, holding a turn, as the first citebot with
	// a history left it.
	old := rawDB(t, path)
	if err := migrate(ctx, old, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`INSERT INTO turns (id, conversation, at, grounded, front, doc)
		VALUES ('a1', 'c1', 1700000000000000, 1, 'http', '{"question":"Q?","answer":{"question":"Q?","answer":"A [1].","grounded":true,"citations":[{"n":1,"source":"s.md","title":"S","date":"","chunk":0,"score":0.5,"text":"A."}],"confidence":0.7}}')`); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, old); len(got) != 1 {
		t.Fatalf("versions of the old database = %v, want [1]", got)
	}
	_ = old.Close()

	h := mustOpen(t, path)
	want := make([]int, len(migrations))
	for i := range want {
		want[i] = i + 1
	}
	if got := versions(t, h.r); !slices.Equal(got, want) {
		t.Errorf("versions after Open = %v, want %v", got, want)
	}
	var index string
	if err := h.r.QueryRow(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'turns_at'`).Scan(&index); err != nil {
		t.Errorf("migration 2's index turns_at: %v", err)
	}
	got, err := h.Turn(ctx, "a1")
	if err != nil || got.Answer.Citations[0].Source != "s.md" || got.Question != "Q?" {
		t.Errorf("Turn(a1) of the old database = %+v, %v", got, err)
	}
	// Opening again applies nothing.
	_ = h.Close()
	h = mustOpen(t, path)
	if got := versions(t, h.r); !slices.Equal(got, want) {
		t.Errorf("versions after a second Open = %v, want %v", got, want)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	h := mustOpen(t, path)
	historyAdd(t, h, "a1")
	_ = h.Close()
	db := rawDB(t, path)
	newer := len(migrations) + 1
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'later')`, newer); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	_, err := Open(ctx, path)
	if err == nil {
		t.Fatal("Open of a database from a newer citebot: no error")
	}
	if !strings.Contains(err.Error(), "newer") || !strings.Contains(err.Error(), path) {
		t.Errorf("Open of a newer database: err = %q, want it to say the file and that it is newer", err)
	}
	if errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("Open of a newer database: err = %v, want it not to read as unavailable (retrying will not help)", err)
	}
	// Refused, not touched.
	db = rawDB(t, path)
	if got := versions(t, db); len(got) != newer || got[newer-1] != newer {
		t.Errorf("versions after a refused Open = %v", got)
	}
}

func TestOpenUnusableFile(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{garbage, filepath.Join(dir, "missing", "history.db")} {
		if h, err := Open(ctx, path); err == nil {
			_ = h.Close()
			t.Errorf("Open(%s): no error", path)
		} else if !errors.Is(err, rag.ErrHistoryUnavailable) {
			t.Errorf("Open(%s): err = %v, want rag.ErrHistoryUnavailable", path, err)
		}
	}
}

func historyAdd(t *testing.T, h *History, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := h.AddTurn(ctx, historytest.SampleTurn(id, "c1", time.Time{})); err != nil {
			t.Fatalf("AddTurn(%s): %v", id, err)
		}
	}
}

// TestOpenAtOnce opens a new file from four goroutines at once, as
// processes starting together would: they take turns to migrate it.
func TestOpenAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			h, err := Open(ctx, path)
			if err == nil {
				err = h.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("Open by four at once: %v", err)
		}
	}
	db := rawDB(t, path)
	if got := versions(t, db); len(got) != len(migrations) {
		t.Errorf("versions = %v, want each of 1..%d once", got, len(migrations))
	}
}
