package sqlite

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/rag"
)

const insertFeedback = `INSERT INTO feedback (answer, vote, comment, at) VALUES (?, ?, ?, ?)`

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
	_, err := h.addFeedback.ExecContext(ctx, f.Answer, f.Vote, f.Comment, micros(now(f.At)))
	if isConstraint(err, constraintForeignKey) {
		return fmt.Errorf("feedback on answer %q: %w", f.Answer, rag.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("feedback on answer %q: %w", f.Answer, h.fail(err))
	}
	return nil
}
