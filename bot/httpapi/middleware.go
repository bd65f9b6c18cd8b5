package httpapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// state is what a request's handlers tell its log line.
type state struct {
	id    string
	route string // the matched route's pattern, or "unmatched"
	err   error  // an internal error, logged with the request
	// warn is a problem the request was answered despite (the history
	// could not be read or written): logged with it, at WARN.
	warn  error
	stack []byte // the stack of a recovered panic
	// loading is set when the request was answered 503 because the index
	// is loading: expected while serve starts, so not an error.
	loading bool
	// answer is what the request answered, if it asked a question, so
	// that its request id leads to a bad answer.
	answer *answerNote
}

// answerNote is what a request's log line says of its answer.
type answerNote struct {
	grounded   bool
	confidence float64
}

// answered notes the answer a request was given.
func (st *state) answered(grounded bool, confidence float64) {
	st.answer = &answerNote{grounded: grounded, confidence: confidence}
}

// probes are the routes monitors and load balancers call every few
// seconds; their lines are DEBUG, so that they do not drown the others.
var probes = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true}

// level is the level of a request's log line: ERROR for a failure of the
// server, DEBUG for a probe (one answered 503 while the index loads too),
// WARN for another route's 503 while the index loads and for a request
// answered despite a warning, INFO otherwise.
func (st *state) level(status int) slog.Level {
	switch {
	case st.stack != nil:
		return slog.LevelError
	case probes[st.route] && (status < 500 || st.loading):
		return slog.LevelDebug
	case st.loading:
		return slog.LevelWarn
	case status >= 500:
		return slog.LevelError
	case st.warn != nil:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

type stateKey struct{}

// stateOf returns the request's state; requests that did not pass through
// observe (a handler called directly) get a throwaway one.
func stateOf(r *http.Request) *state {
	if st, ok := r.Context().Value(stateKey{}).(*state); ok {
		return st
	}
	return &state{}
}

// statusClientClosed is logged (never sent) when the client went away before
// its answer was ready, as nginx does.
const statusClientClosed = 499

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushing).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush implements http.Flusher for handlers that stream.
func (w *recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// observe gives each request an id, and after it is served counts it, times
// it and writes its one log line.
func (h *Handler) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &state{id: requestID(r), route: "unmatched"}
		w.Header().Set("X-Request-Id", st.id)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			d := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK // a handler that wrote nothing
			}
			h.metrics.observe(st.route, status, d)
			attrs := []slog.Attr{
				slog.String("request_id", st.id),
				slog.String("method", r.Method),
				slog.String("route", st.route),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.Int64("bytes", rec.bytes),
				slog.String("client", clientIP(r)),
			}
			if st.answer != nil {
				attrs = append(attrs, slog.Bool("grounded", st.answer.grounded),
					slog.Float64("confidence", math.Round(st.answer.confidence*1000)/1000))
			}
			if st.err != nil {
				attrs = append(attrs, slog.String("error", st.err.Error()))
			}
			if st.warn != nil {
				attrs = append(attrs, slog.String("warning", st.warn.Error()))
			}
			if st.stack != nil {
				attrs = append(attrs, slog.String("stack", string(st.stack)))
			}
			h.log.LogAttrs(r.Context(), st.level(status), "request", attrs...)
		}()
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		var body *bodyReader
		if r.Body != nil {
			body = &bodyReader{ReadCloser: r.Body}
			r.Body = body
		}
		next.ServeHTTP(rec, r)
		linger(rec, r, body)
	})
}

// Lingering. When a handler answers without reading the whole body (a 413,
// a 415, a 401), net/http closes the connection with the rest unread, and
// the kernel resets it: a client that writes its whole body before it
// reads the answer (Python's urllib, many SDKs) then fails in its write and
// never sees the answer. So, as nginx's lingering close does, the rest of
// the body is read and dropped, up to lingerBytes or for lingerTime, after
// the answer is sent. A body read to its end also lets the connection be
// reused.
const (
	lingerBytes = 8 << 20
	lingerTime  = 5 * time.Second
)

// bodyReader notes when a request body has been read to its end or has
// failed.
type bodyReader struct {
	io.ReadCloser
	done bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done = true
	}
	return n, err
}

// linger sends the answer and reads what it can of the rest of the body.
// A client that asked to be told before it sends (Expect: 100-continue)
// and was answered sends nothing more, so it is not waited for.
func linger(w *recorder, r *http.Request, body *bodyReader) {
	if body == nil || body.done || r.ContentLength == 0 || w.status == 0 ||
		strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	_ = rc.SetReadDeadline(time.Now().Add(lingerTime))
	_, _ = io.CopyN(io.Discard, body, lingerBytes)
}

// recover turns a panic in a handler into a 500 and logs its stack with the
// request; the server goes on serving. A panic after the response has begun
// aborts the connection, so the client sees a truncated response rather
// than a complete-looking one.
func (h *Handler) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			st := stateOf(r)
			st.err = fmt.Errorf("panic: %v", v)
			st.stack = debug.Stack()
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				panic(http.ErrAbortHandler)
			}
			writeError(w, r, http.StatusInternalServerError, "internal error")
		}()
		next.ServeHTTP(w, r)
	})
}

// named records which route a request matched.
func named(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stateOf(r).route = route
		next.ServeHTTP(w, r)
	})
}

// guard rate-limits a client, identified by its API key or else its IP
// address, and then, when API keys are set, requires one. Limiting first
// means guessing keys is limited too.
func (h *Handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, status := h.keys.check(r)
		client := "ip:" + clientNet(clientIP(r))
		if status == keyValid {
			client = "key:" + strconv.Itoa(key)
		}
		if wait, ok := h.limits.allow(client, time.Now()); !ok {
			secs := int(wait.Seconds() + 0.999)
			w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
			writeError(w, r, http.StatusTooManyRequests, "too many requests; retry later")
			return
		}
		if status != keyValid && status != keysOff {
			h.keys.challenge(w, status)
			writeError(w, r, http.StatusUnauthorized, status.message())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireReady answers 503 until the index is loaded.
func (h *Handler) requireReady(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.opts.Ready() {
			stateOf(r).loading = true
			w.Header().Set("Retry-After", "5")
			writeError(w, r, http.StatusServiceUnavailable, "the index is loading; retry shortly")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireJSON answers 415 to a request whose Content-Type is not
// application/json (parameters allowed; a charset must be UTF-8, as JSON
// is).
func requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		mt, params, err := mime.ParseMediaType(ct)
		switch {
		case ct == "":
			writeError(w, r, http.StatusUnsupportedMediaType, "send Content-Type: application/json")
		case err != nil || mt != "application/json":
			writeError(w, r, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q is not JSON; send Content-Type: application/json", ct))
		case params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8"):
			writeError(w, r, http.StatusUnsupportedMediaType, "JSON must be UTF-8; send Content-Type: application/json")
		default:
			next.ServeHTTP(w, r)
			return
		}
	})
}

// requestID returns the client's X-Request-Id when it is short and plain,
// else a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && plainID(id) {
		return id
	}
	return rand.Text()
}

func plainID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// clientIP is the address the request came from. Behind a reverse proxy
// every client shares the proxy's address; give clients API keys there.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// slogPrinter adapts a slog.Logger to promhttp's error log.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.log.Error("metrics", "error", fmt.Sprint(v...)) }
