package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/historytest"
	"github.com/jackc/pgx/v5"
)

var ctx = context.Background()

// serverURL is the PostgreSQL the tests use, or skips t.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("CITEBOT_POSTGRES_URL")
	if u == "" {
		t.Skip("CITEBOT_POSTGRES_URL is not set: start a throwaway server with rag/postgres/testdata/postgres.sh start and set it to what `postgres.sh url` prints")
	}
	return u
}

// freshSchema makes a schema of its own for one test on the server,
// dropped when the test ends, and returns the server's URL with it as the
// search path: runs and tests never see each other's tables.
func freshSchema(t testing.TB) string {
	t.Helper()
	server := serverURL(t)
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to CITEBOT_POSTGRES_URL: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "citebot_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withParam(t, server, "search_path", schema)
}

// withParam sets a parameter of a URL or of key=value pairs.
func withParam(t testing.TB, server, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(server, "postgres://") && !strings.HasPrefix(server, "postgresql://") {
		return server + " " + key + "=" + value
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("CITEBOT_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func mustOpen(t testing.TB, dbURL string) *History {
	t.Helper()
	h, err := Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return h
}

func TestHistory(t *testing.T) {
	serverURL(t)
	historytest.Run(t, func(t *testing.T) historytest.Opener {
		dbURL := freshSchema(t)
		return func(t *testing.T) historytest.History { return mustOpen(t, dbURL) }
	})
}

func BenchmarkAddTurn(b *testing.B) {
	h := mustOpen(b, freshSchema(b))
	defer h.Close()
	historytest.BenchAddTurn(b, h)
}
