package sqlite

import (
	"context"
	"fmt"
	"time"
)

// pruneBatch is how many turns one write of Prune deletes, so that
// pruning a large history never holds the write lock for long.
const pruneBatch = 500

// Prune deletes the turns older than before, and their feedback, and
// returns how many turns it deleted.
func (h *History) Prune(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		if err := h.check(); err != nil {
			return total, err
		}
		res, err := h.w.ExecContext(ctx, `DELETE FROM turns WHERE seq IN (SELECT seq FROM turns WHERE at < ? LIMIT ?)`,
			micros(before), pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune: %w", h.fail(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("prune: %w", h.fail(err))
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}
