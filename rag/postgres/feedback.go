package postgres

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/rag"
)

// AddFeedback stores a vote on an answer: rag.ErrInvalidFeedback when
// f.Validate refuses it, rag.ErrNotFound for an answer not stored (or
// pruned). A zero f.At is now.
func (h *History) AddFeedback(ctx context.Context, f rag.Feedback) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := h.check(); err != nil {
		return err
	}
	if !storable(f.Answer) {
		return fmt.Errorf("feedback on answer %q: %w", f.Answer, rag.ErrNotFound)
	}
	_, err := h.pool.Exec(ctx, `INSERT INTO feedback (answer, vote, comment, at) VALUES ($1, $2, $3, $4)`,
		f.Answer, f.Vote, f.Comment, now(f.At))
	if isViolation(err, foreignKeyViolation) {
		return fmt.Errorf("feedback on answer %q: %w", f.Answer, rag.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("feedback on answer %q: %w", f.Answer, h.fail(err))
	}
	return nil
}
