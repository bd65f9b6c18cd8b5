package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/citebot/citebot/rag"
)

// Streamer is implemented by indexes that generate answers with a model
// (rag.Generative); for them a streamed answer arrives as it is written.
type Streamer interface {
	AskStream(ctx context.Context, question string, k int, onToken func(string)) (rag.Answer, error)
}

// askStream answers POST /v1/ask with "stream": true as server-sent events:
// "token" events carrying {"text": "..."} as the model writes, then one
// "answer" event with the checked answer — the same object as a plain
// POST /v1/ask, whose text may differ from the streamed one (invalid
// markers dropped, citations renumbered) — or one "error" event. An
// extractive index sends its whole answer as one token.
func (h *Handler) askStream(w http.ResponseWriter, r *http.Request, q string, k int) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		internalError(w, r, fmt.Errorf("stream: %T cannot flush", w))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			data = []byte(`{"error":"encode event"}`)
		}
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		flusher.Flush()
	}
	token := func(text string) { send("token", map[string]string{"text": text}) }

	var ans rag.Answer
	var err error
	if s, ok := h.idx.(Streamer); ok {
		ans, err = s.AskStream(r.Context(), q, k, token)
	} else if ans, err = h.idx.Ask(r.Context(), q, k); err == nil {
		token(ans.Answer)
	}
	if err != nil {
		// The status is sent; the error goes to the request's log line.
		stateOf(r).err = fmt.Errorf("stream ask: %w", err)
		msg := "internal error"
		switch {
		case errors.Is(err, rag.ErrEmptyQuestion):
			msg = "the question has no words to search for"
		case errors.Is(err, rag.ErrUnavailable):
			msg = "the index is temporarily unavailable; retry shortly"
		}
		send("error", errorBody{Error: msg})
		return
	}
	h.metrics.answered(ans.Grounded)
	stateOf(r).answered(ans.Grounded, ans.Confidence)
	send("answer", ans)
}
