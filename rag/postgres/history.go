package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
	"github.com/jackc/pgx/v5/pgxpool"
)

// connectTimeout bounds a connection attempt when the URL sets none
// (connect_timeout), so that a database that does not answer fails a
// call instead of holding it.
const connectTimeout = 5 * time.Second

// History is the history in one PostgreSQL database (or schema). Its
// methods are safe for concurrent use; several processes may share the
// database.
type History struct {
	pool   *pgxpool.Pool
	closed atomic.Bool
}

// Open connects to the database at url (postgres://user:pass@host:port/db?...,
// or key=value pairs; see pgx's ParseConfig; pool_max_conns sets the
// pool's size) and brings its schema up to date. A database that cannot
// be reached is an error wrapping rag.ErrHistoryUnavailable; a schema
// written by a newer citebot is refused. The error never holds the
// password.
func Open(ctx context.Context, url string) (*History, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message leaves the password out.
		return nil, fmt.Errorf("history database: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	where := fmt.Sprintf("history database %s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, classify(err))
	}
	if err := migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%s: %w", where, classify(err))
	}
	return &History{pool: pool}, nil
}

// Close closes the pool. Calls after it fail with an error wrapping
// rag.ErrHistoryUnavailable.
func (h *History) Close() error {
	if !h.closed.Swap(true) {
		h.pool.Close()
	}
	return nil
}

// errClosed is the error of a call after Close.
var errClosed = fmt.Errorf("%w: closed", rag.ErrHistoryUnavailable)

// check reports a call that cannot be made: after Close.
func (h *History) check() error {
	if h.closed.Load() {
		return errClosed
	}
	return nil
}

// fail is the error of a call that failed with err.
func (h *History) fail(err error) error {
	if h.closed.Load() {
		return errClosed
	}
	return classify(err)
}

// storable reports whether PostgreSQL's text can hold s: UTF-8 without
// NUL. No ID that is not can have been stored.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// now is the time of a turn or feedback given none.
func now(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
