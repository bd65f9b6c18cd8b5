package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/citebot/citebot/rag"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATEs the schema's constraints raise.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// isViolation reports err as the server's error of this SQLSTATE.
func isViolation(err error, code string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code
}

// classify wraps err with rag.ErrHistoryUnavailable when the database
// cannot take calls now: it cannot be reached or the connection was lost,
// or the server says so (SQLSTATE classes 08 connection exception, 53
// insufficient resources such as a full disk, 57P operator intervention
// such as a shutdown, 58 system error such as an I/O error).
func classify(err error) error {
	if unavailable(err) {
		return fmt.Errorf("%w: %w", rag.ErrHistoryUnavailable, err)
	}
	return err
}

func unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		for _, class := range []string{"08", "53", "57P", "58"} {
			if strings.HasPrefix(pgErr.Code, class) {
				return true
			}
		}
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The caller's deadline, not the database's state; pgconn.Timeout
		// below catches a connection attempt that timed out by itself.
		var connErr *pgconn.ConnectError
		return errors.As(err, &connErr)
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}
