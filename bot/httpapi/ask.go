package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
)

// askRequest is the body of POST /v1/ask and POST /v1/search.
type askRequest struct {
	Question string `json:"question"`
	// K is how many passages to choose from (1..MaxK); absent means
	// Options.DefaultK.
	K *int `json:"k"`
	// Stream asks for server-sent events: the answer's text as it is
	// written, then the checked answer with its citations.
	Stream bool `json:"stream"`
	// Conversation is the ID of the conversation the question follows
	// (an earlier answer's "conversation"); empty starts a new one. Only
	// POST /v1/ask reads it.
	Conversation string `json:"conversation"`
}

// askResponse is the body of a POST /v1/ask answer: the answer (the JSON
// of `citebot ask --json`) with its ID, for feedback, and its
// conversation's, for a follow-up.
type askResponse struct {
	ID           string `json:"id"`
	Conversation string `json:"conversation"`
	rag.Answer
}

// searchResponse is the body of a POST /v1/search answer.
type searchResponse struct {
	Question string        `json:"question"`
	Passages []rag.Passage `json:"passages"`
}

// Conversant is implemented by indexes that answer a follow-up in the
// context of the earlier questions of its conversation (*rag.Index,
// rag.Generative). An index without it answers every question on its own.
type Conversant interface {
	// AskIn is Ask for a question asked after earlier (oldest first).
	AskIn(ctx context.Context, question string, earlier []string, k int) (rag.Answer, error)
}

// askPost answers POST /v1/ask {"question": "...", "k": 5, "conversation":
// "..."} with the answer, its ID and its conversation's.
func (h *Handler) askPost(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	q, k, ok := h.readRequest(w, r, &req)
	if !ok {
		return
	}
	th, ok := h.thread(w, r, req.Conversation)
	switch {
	case !ok:
	case req.Stream:
		h.askStream(w, r, q, k, th)
	default:
		h.ask(w, r, q, k, th)
	}
}

// askGet answers GET /v1/ask?q=...&k=5&conversation=... like askPost.
func (h *Handler) askGet(w http.ResponseWriter, r *http.Request) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "the query string is malformed: "+err.Error())
		return
	}
	k := h.opts.DefaultK
	if s := query.Get("k"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "k must be an integer")
			return
		}
		k = n
	}
	q, ok := h.checkQuestion(w, r, query.Get("q"), k)
	if !ok {
		return
	}
	if th, ok := h.thread(w, r, query.Get("conversation")); ok {
		h.ask(w, r, q, k, th)
	}
}

// thread is the conversation a question is asked in.
type thread struct {
	id      string
	earlier []string // the earlier turns' questions, oldest first
}

// thread opens the conversation a request names, or starts one when it
// names none, answering the request itself when it cannot: 400 for an ID
// no server gives, 404 for one neither the history nor memory knows (a
// typo shows, rather than starting a conversation quietly). A history
// that cannot be read is no failure: the question is answered with the
// earlier turns memory has, and the request's log line warns.
func (h *Handler) thread(w http.ResponseWriter, r *http.Request, id string) (thread, bool) {
	if id == "" {
		return thread{id: newID()}, true
	}
	if len(id) > maxIDLength || !plainID(id) {
		writeError(w, r, http.StatusBadRequest, "conversation must be the ID of an earlier answer's conversation, or absent to start one")
		return thread{}, false
	}
	turns, warn, err := h.turns(r.Context(), id)
	switch {
	case errors.Is(err, errNoConversation):
		writeError(w, r, http.StatusNotFound, "no such conversation: "+id+"; leave conversation out to start one")
		return thread{}, false
	case err != nil:
		h.historyFailed(w, r, err)
		return thread{}, false
	}
	stateOf(r).warn = warn
	return thread{id: id, earlier: questions(turns)}, true
}

// ask answers q in its conversation, from the cache or the index, and
// records the turn. Only a question without earlier turns is cached: a
// follow-up's answer depends on what it follows.
func (h *Handler) ask(w http.ResponseWriter, r *http.Request, q string, k int, th thread) {
	key := cacheKey{question: q, k: k}
	cacheable := len(th.earlier) == 0
	e, hit := cacheEntry{}, false
	if cacheable {
		e, hit = h.cache.get(key, time.Now())
		h.metrics.cacheHit(hit)
	}
	if !hit {
		gen := h.cache.generation()
		ans, err := h.askIndex(r.Context(), q, th.earlier, k)
		if err != nil {
			h.indexError(w, r, fmt.Errorf("ask: %w", err))
			return
		}
		ans.Passages = nil // not in the JSON, and not kept
		body, err := json.Marshal(ans)
		if err != nil {
			internalError(w, r, fmt.Errorf("encode answer: %w", err))
			return
		}
		e = cacheEntry{answer: ans, body: body}
		if cacheable {
			h.cache.put(key, gen, e, time.Now())
		}
	}
	h.metrics.answered(e.answer.Grounded)
	stateOf(r).answered(e.answer.Grounded, e.answer.Confidence)
	t := h.turn(th, q, e.answer)
	h.record(r, t)
	writeBody(w, http.StatusOK, "application/json; charset=utf-8", withIDs(e.body, t.ID, t.Conversation))
}

// askIndex answers q after the earlier questions, when the index can.
func (h *Handler) askIndex(ctx context.Context, q string, earlier []string, k int) (rag.Answer, error) {
	if c, ok := h.idx.(Conversant); ok && len(earlier) > 0 {
		return c.AskIn(ctx, q, earlier, k)
	}
	return h.idx.Ask(ctx, q, k)
}

// turn is the turn an answer makes in its conversation.
func (h *Handler) turn(th thread, q string, ans rag.Answer) rag.Turn {
	return rag.Turn{ID: newID(), Conversation: th.id, Question: q, Answer: ans, Front: "http", At: h.now()}
}

// withIDs is an encoded answer (a JSON object) as an askResponse: the
// same object with "id" and "conversation" first.
func withIDs(answer []byte, id, conversation string) []byte {
	ids, _ := json.Marshal(struct {
		ID           string `json:"id"`
		Conversation string `json:"conversation"`
	}{id, conversation})
	out := make([]byte, 0, len(ids)+len(answer)+1)
	out = append(out, ids[:len(ids)-1]...) // without its }
	out = append(out, ',')
	out = append(out, answer[1:]...) // without its {
	return append(out, '\n')
}

// search answers POST /v1/search with the ranked passages, best first.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q, k, ok := h.readQuestion(w, r)
	if !ok {
		return
	}
	ps, err := h.idx.Search(r.Context(), q, k)
	if err != nil {
		h.indexError(w, r, fmt.Errorf("search: %w", err))
		return
	}
	if ps == nil {
		ps = []rag.Passage{}
	}
	writeJSON(w, r, http.StatusOK, searchResponse{Question: q, Passages: ps})
}

// readQuestion decodes and checks an askRequest body, answering the
// request itself when it is unusable.
func (h *Handler) readQuestion(w http.ResponseWriter, r *http.Request) (string, int, bool) {
	var req askRequest
	return h.readRequest(w, r, &req)
}

// readRequest is readQuestion into a caller's askRequest.
func (h *Handler) readRequest(w http.ResponseWriter, r *http.Request, req *askRequest) (string, int, bool) {
	if !decodeJSON(w, r, req) {
		return "", 0, false
	}
	k := h.opts.DefaultK
	if req.K != nil {
		k = *req.K
	}
	q, ok := h.checkQuestion(w, r, req.Question, k)
	return q, k, ok
}

// checkQuestion trims q and checks it and k. Invalid UTF-8 is read as
// U+FFFD, as encoding/json reads it in a body.
func (h *Handler) checkQuestion(w http.ResponseWriter, r *http.Request, q string, k int) (string, bool) {
	q = strings.TrimSpace(strings.ToValidUTF8(q, "\uFFFD"))
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		writeError(w, r, http.StatusBadRequest, "the question is empty")
		return "", false
	case n > h.opts.MaxQuestionLength:
		writeError(w, r, http.StatusBadRequest,
			fmt.Sprintf("the question is %d characters long; the limit is %d", n, h.opts.MaxQuestionLength))
		return "", false
	case k < 1 || k > MaxK:
		writeError(w, r, http.StatusBadRequest, fmt.Sprintf("k must be between 1 and %d", MaxK))
		return "", false
	}
	return q, true
}

// decodeJSON reads one JSON object of at most MaxBodyBytes into v and
// nothing after it, answering the request itself when it cannot.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength > MaxBodyBytes {
		tooLarge(w, r)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// Exactly one value: anything after it but space is an error.
		if _, err = dec.Token(); err == io.EOF {
			return true
		} else if err == nil {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	var maxErr *http.MaxBytesError
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &netErr) && netErr.Timeout():
		// The connection's read deadline (the server's ReadTimeout) passed
		// before the body arrived; what is left of it cannot be trusted.
		w.Header().Set("Connection", "close")
		writeError(w, r, http.StatusRequestTimeout, "the request body did not arrive in time")
	case errors.As(err, &maxErr):
		tooLarge(w, r)
	case errors.As(err, &opErr):
		w.Header().Set("Connection", "close")
		writeError(w, r, http.StatusBadRequest, "the request body could not be read")
	case errors.Is(err, io.EOF):
		writeError(w, r, http.StatusBadRequest, `the request body is empty; send a JSON object such as {"question": "..."}`)
	default:
		writeError(w, r, http.StatusBadRequest, "invalid JSON: "+jsonProblem(err))
	}
	return false
}

// tooLarge answers 413 and closes the connection after it; observe reads
// and drops some of the rest of the body first (see linger).
func tooLarge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	writeError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", MaxBodyBytes))
}

// jsonProblem says what is wrong with a request body, in JSON's terms
// rather than Go's.
func jsonProblem(err error) string {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends early"
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("%s (at byte %d)", syntaxErr, syntaxErr.Offset)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		kind := "a " + typeErr.Type.Kind().String()
		switch typeErr.Type.Kind() {
		case reflect.String:
			kind = "a string"
		case reflect.Int:
			kind = "an integer"
		}
		return typeErr.Field + " must be " + kind
	case errors.As(err, &typeErr):
		return "the body must be a JSON object"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// indexError answers a failed index call: a question with no words is the
// client's mistake, an unavailable index is 503, a client that went away
// gets nothing, and anything else is a logged 500.
func (h *Handler) indexError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, rag.ErrEmptyQuestion):
		writeError(w, r, http.StatusBadRequest, "the question has no words to search for")
	case errors.Is(err, rag.ErrUnavailable):
		stateOf(r).err = err
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "the index is temporarily unavailable; retry shortly")
	case r.Context().Err() != nil:
		stateOf(r).err = err
		w.WriteHeader(statusClientClosed)
	default:
		internalError(w, r, err)
	}
}
