package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/citebot/citebot/rag/historytest"
	"github.com/citebot/citebot/rag/sqlite"
)

func TestHistory(t *testing.T) {
	historytest.Run(t, func(t *testing.T) historytest.Opener {
		path := filepath.Join(t.TempDir(), "history.db")
		return func(t *testing.T) historytest.History {
			return mustOpen(t, path)
		}
	})
}

// mustOpen opens the history at path or fails t.
func mustOpen(t testing.TB, path string) *sqlite.History {
	t.Helper()
	h, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return h
}

func BenchmarkAddTurn(b *testing.B) {
	h := mustOpen(b, filepath.Join(b.TempDir(), "history.db"))
	defer h.Close()
	historytest.BenchAddTurn(b, h)
}
