package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
)

// feedbackRequest is the body of POST /v1/feedback.
type feedbackRequest struct {
	// Answer is the ID of the answer voted on (its "id").
	Answer  string `json:"answer"`
	Vote    string `json:"vote"` // "up" or "down"
	Comment string `json:"comment"`
}

// feedback answers POST /v1/feedback: a vote on an answer, with an
// optional comment. It is 204 once stored, 400 for a vote the history
// would refuse, 404 for an answer the history does not hold and 503 while
// the history cannot take it (answers go on meanwhile). Every vote taken
// is counted in the metrics; without a history that is all that is done
// with it (204).
func (h *Handler) feedback(w http.ResponseWriter, r *http.Request) {
	var req feedbackRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	f := rag.Feedback{Answer: strings.TrimSpace(req.Answer), Vote: req.Vote, Comment: strings.TrimSpace(req.Comment), At: h.now()}
	if f.Answer == "" {
		writeError(w, r, http.StatusBadRequest, `answer is required: the "id" of the answer voted on`)
		return
	}
	if err := f.Validate(); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if h.hist == nil {
		h.metrics.voted(f.Vote)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// An answer given a moment ago may still wait to be written.
	if err := h.writer.wait(r.Context(), f.Answer); err != nil {
		h.historyFailed(w, r, err)
		return
	}
	err := h.hist.AddFeedback(r.Context(), f)
	switch {
	case err == nil:
		h.metrics.voted(f.Vote)
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, rag.ErrInvalidFeedback):
		writeError(w, r, http.StatusBadRequest, err.Error())
	case errors.Is(err, rag.ErrNotFound):
		writeError(w, r, http.StatusNotFound, "no such answer: "+clip(f.Answer, maxIDLength))
	default:
		if r.Context().Err() == nil {
			h.metrics.historyError("feedback")
			if historyDown(err) {
				h.metrics.voted(f.Vote) // taken, if not kept
			}
		}
		h.historyFailed(w, r, err)
	}
}

// clip cuts s to at most n bytes (on a rune boundary), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
