package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/citebot/citebot/rag"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeout is how long a write waits for another process's write
// before it fails as unavailable (a variable for the tests).
var busyTimeout = 5 * time.Second

// History is the history in one SQLite file. Its methods are safe for
// concurrent use.
type History struct {
	path   string
	w      *sql.DB // one connection: the only writer
	r      *sql.DB // readers
	closed atomic.Bool

	addTurn, addFeedback *sql.Stmt
}

// Open opens the history in the SQLite file at path, creating it if there
// is none (its directory must exist), and brings its schema up to date. A
// file written by a newer citebot is refused.
func Open(ctx context.Context, path string) (*History, error) {
	h := &History{path: path}
	var err error
	h.w, err = sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	h.w.SetMaxOpenConns(1)
	h.w.SetMaxIdleConns(1)
	h.w.SetConnMaxLifetime(0)
	h.w.SetConnMaxIdleTime(0)
	if err := migrateAtOnce(ctx, h.w); err != nil {
		_ = h.w.Close()
		return nil, fmt.Errorf("history %s: %w", path, classify(err))
	}
	h.r, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		_ = h.w.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	h.r.SetMaxOpenConns(n)
	h.r.SetMaxIdleConns(n)
	h.r.SetConnMaxIdleTime(0)
	if h.addTurn, err = h.w.PrepareContext(ctx, insertTurn); err == nil {
		h.addFeedback, err = h.w.PrepareContext(ctx, insertFeedback)
	}
	if err != nil {
		_ = h.Close()
		return nil, fmt.Errorf("history %s: %w", path, classify(err))
	}
	return h, nil
}

// migrateAtOnce migrates db, trying again while another process that opens
// the same new file at the same moment holds it. SQLite answers that
// SQLITE_BUSY at once, without waiting out busy_timeout, when the other
// connection is making the file WAL as it opens (TestOpenAtOnce, 2 runs of
// 300 under -race before): the tries wait up to busyTimeout in all.
func migrateAtOnce(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := migrate(ctx, db, migrations)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// dsn is the data source name of path's writer or readers: WAL, a busy
// timeout, foreign keys (pruning cascades to feedback), write
// transactions that take the write lock at BEGIN (no deadlock between
// two processes upgrading read locks), and readers that cannot write.
func dsn(path string, reader bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if reader {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Close closes the database. Calls after it fail with an error wrapping
// rag.ErrHistoryUnavailable.
func (h *History) Close() error {
	if h.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, s := range []*sql.Stmt{h.addTurn, h.addFeedback} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	if h.r != nil {
		errs = append(errs, h.r.Close())
	}
	errs = append(errs, h.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("history %s: %w", h.path, err)
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

// micros is t as stored: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is a stored time, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// now is the time of a turn or feedback given none.
func now(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
