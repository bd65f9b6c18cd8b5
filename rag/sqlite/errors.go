package sqlite

import (
	"errors"
	"fmt"

	"github.com/citebot/citebot/rag"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// unavailable are the primary result codes of a database that cannot
// take the call now, whatever the call: a full disk, an I/O error, a
// lock held past busyTimeout, a file that cannot be opened or written, a
// damaged file.
var unavailable = map[int]bool{
	sqlite3.SQLITE_FULL:     true,
	sqlite3.SQLITE_IOERR:    true,
	sqlite3.SQLITE_BUSY:     true,
	sqlite3.SQLITE_LOCKED:   true,
	sqlite3.SQLITE_CANTOPEN: true,
	sqlite3.SQLITE_READONLY: true,
	sqlite3.SQLITE_CORRUPT:  true,
	sqlite3.SQLITE_NOTADB:   true,
	sqlite3.SQLITE_NOMEM:    true,
}

// classify wraps err with rag.ErrHistoryUnavailable when SQLite says it
// cannot take calls now.
func classify(err error) error {
	var e *msqlite.Error
	if errors.As(err, &e) && unavailable[e.Code()&0xff] {
		return fmt.Errorf("%w: %w", rag.ErrHistoryUnavailable, err)
	}
	return err
}

// isBusy reports err as SQLite's "database is locked".
func isBusy(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Extended result codes of the constraints the schema declares.
const (
	constraintUnique     = sqlite3.SQLITE_CONSTRAINT_UNIQUE
	constraintForeignKey = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
)

// isConstraint reports err as a violation of a constraint of this
// extended code.
func isConstraint(err error, code int) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code() == code
}
