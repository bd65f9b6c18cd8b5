package postgres

import (
	"context"
	"fmt"
	"time"
)

// pruneBatch is how many turns one statement of Prune deletes, so that
// pruning a large history never holds its locks for long.
const pruneBatch = 500

// Prune deletes the turns older than before, and their feedback, and
// returns how many turns it deleted.
func (h *History) Prune(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		if err := h.check(); err != nil {
			return total, err
		}
		tag, err := h.pool.Exec(ctx, `DELETE FROM turns WHERE id IN (SELECT id FROM turns WHERE at < $1 LIMIT $2)`, before, pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune: %w", h.fail(err))
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
}
