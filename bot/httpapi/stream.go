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

// ConversantStreamer is a Streamer that answers a follow-up in the context
// of its conversation's earlier questions (rag.Generative).
type ConversantStreamer interface {
	AskStreamIn(ctx context.Context, question string, earlier []string, k int, onToken func(string)) (rag.Answer, error)
}

// askStream answers POST /v1/ask with "stream": true as server-sent events:
// "token" events carrying {"text": "..."} as the model writes, then one
// "answer" event with the checked answer — the same object as a plain
// POST /v1/ask (with its id and conversation), whose text may differ from the streamed one (invalid
// markers dropped, citations renumbered) — or one "error" event. An
// extractive index sends its whole answer as one token.
func (h *Handler) askStream(w http.ResponseWriter, r *http.Request, q string, k int, th thread) {
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
	streamIn, canStreamIn := h.idx.(ConversantStreamer)
	stream, canStream := h.idx.(Streamer)
	_, conversant := h.idx.(Conversant)
	followUp := len(th.earlier) > 0
	switch {
	case followUp && canStreamIn:
		ans, err = streamIn.AskStreamIn(r.Context(), q, th.earlier, k, token)
	case canStream && !(followUp && conversant):
		ans, err = stream.AskStream(r.Context(), q, k, token)
	default:
		// A follow-up is answered in its context rather than streamed
		// without it.
		if ans, err = h.askIndex(r.Context(), q, th.earlier, k); err == nil {
			token(ans.Answer)
		}
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
	ans.Passages = nil
	h.metrics.answered(ans.Grounded)
	stateOf(r).answered(ans.Grounded, ans.Confidence)
	t := h.turn(th, q, ans)
	h.record(r, t)
	send("answer", askResponse{ID: t.ID, Conversation: t.Conversation, Answer: ans})
}
