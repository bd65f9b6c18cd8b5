package httpapi

import (
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
}

// searchResponse is the body of a POST /v1/search answer.
type searchResponse struct {
	Question string        `json:"question"`
	Passages []rag.Passage `json:"passages"`
}

// askPost answers POST /v1/ask {"question": "...", "k": 5} with the same
// JSON object as `citebot ask --json`.
func (h *Handler) askPost(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	q, k, ok := h.readRequest(w, r, &req)
	switch {
	case !ok:
	case req.Stream:
		h.askStream(w, r, q, k)
	default:
		h.ask(w, r, q, k)
	}
}

// askGet answers GET /v1/ask?q=...&k=5 like askPost.
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
	if ok {
		h.ask(w, r, q, k)
	}
}

// ask answers q from the cache or the index.
func (h *Handler) ask(w http.ResponseWriter, r *http.Request, q string, k int) {
	key := cacheKey{question: q, k: k}
	if e, ok := h.cache.get(key, time.Now()); ok {
		h.metrics.cacheHit(true)
		h.metrics.answered(e.grounded)
		stateOf(r).answered(e.grounded, e.confidence)
		writeBody(w, http.StatusOK, "application/json; charset=utf-8", e.body)
		return
	}
	h.metrics.cacheHit(false)
	gen := h.cache.generation()
	ans, err := h.idx.Ask(r.Context(), q, k)
	if err != nil {
		h.indexError(w, r, fmt.Errorf("ask: %w", err))
		return
	}
	body, err := json.Marshal(ans)
	if err != nil {
		internalError(w, r, fmt.Errorf("encode answer: %w", err))
		return
	}
	body = append(body, '\n')
	h.cache.put(key, gen, cacheEntry{body: body, grounded: ans.Grounded, confidence: ans.Confidence}, time.Now())
	h.metrics.answered(ans.Grounded)
	stateOf(r).answered(ans.Grounded, ans.Confidence)
	writeBody(w, http.StatusOK, "application/json; charset=utf-8", body)
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
