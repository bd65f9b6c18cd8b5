package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/rag"
)

func TestHealthz(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{Ready: func() bool { return false }})
	w := do(t, h, request{method: "GET", target: "/healthz"})
	if w.Code != http.StatusOK || decode[status](t, w).Status != "ok" {
		t.Errorf("healthz = %d %s", w.Code, w.Body)
	}
}

// Until the index is loaded, /readyz and the routes that read the index
// answer 503; the rest serve.
func TestReadiness(t *testing.T) {
	var ready atomic.Bool
	h := newHandler(t, sharedIndex(t), Options{Ready: ready.Load})
	for _, req := range []request{
		{method: "GET", target: "/readyz", allow5xx: true},
		{method: "POST", target: "/v1/ask", body: `{"question": "hello"}`, allow5xx: true},
		{method: "GET", target: "/v1/ask?q=hello", allow5xx: true},
		{method: "POST", target: "/v1/search", body: `{"question": "hello"}`, allow5xx: true},
		{method: "GET", target: "/v1/documents", allow5xx: true},
		{method: "GET", target: "/v1/documents/" + salafismDoc, allow5xx: true},
	} {
		if w := do(t, h, req); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("not ready: %s %s = %d %s", req.method, req.target, w.Code, w.Body)
		}
	}
	for _, target := range []string{"/healthz", "/metrics", "/openapi.json", "/"} {
		if w := do(t, h, request{method: "GET", target: target}); w.Code != http.StatusOK {
			t.Errorf("not ready: GET %s = %d", target, w.Code)
		}
	}
	ready.Store(true)
	w := do(t, h, request{method: "GET", target: "/readyz"})
	st := decode[status](t, w)
	if w.Code != http.StatusOK || st.Status != "ready" || st.Documents == nil || *st.Documents != 6 || *st.Chunks == 0 {
		t.Errorf("ready: readyz = %d %s", w.Code, w.Body)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := newHandler(t, sharedIndex(t), Options{Registry: reg})
	do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism})})
	do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism})})
	do(t, h, request{method: "GET", target: "/v1/ask?q=" + strings.ReplaceAll(unanswerable, " ", "+")})
	do(t, h, request{method: "POST", target: "/v1/ask", body: `{`})
	do(t, h, request{method: "GET", target: "/nope"})

	w := do(t, h, request{method: "GET", target: "/metrics"})
	if w.Code != http.StatusOK {
		t.Fatalf("metrics = %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`citebot_http_requests_total{code="200",route="POST /v1/ask"} 2`,
		`citebot_http_requests_total{code="400",route="POST /v1/ask"} 1`,
		`citebot_http_requests_total{code="200",route="GET /v1/ask"} 1`,
		`citebot_http_requests_total{code="404",route="unmatched"} 1`,
		`citebot_http_request_duration_seconds_count{route="POST /v1/ask"} 3`,
		`citebot_http_request_duration_seconds_bucket{route="GET /v1/ask",le="+Inf"} 1`,
		`citebot_http_answers_total{result="grounded"} 2`,
		`citebot_http_answers_total{result="abstained"} 1`,
		`citebot_http_answer_cache_total{result="hit"} 1`,
		`citebot_http_answer_cache_total{result="miss"} 2`,
		`citebot_index_documents 6`,
		`citebot_index_chunks `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// Two handlers (say HTTP and a second listener) can share one registry.
func TestMetricsSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := newHandler(t, sharedIndex(t), Options{Registry: reg})
	b := newHandler(t, sharedIndex(t), Options{Registry: reg})
	do(t, a, request{method: "GET", target: "/healthz"})
	do(t, b, request{method: "GET", target: "/healthz"})
	w := do(t, b, request{method: "GET", target: "/metrics"})
	if want := `citebot_http_requests_total{code="200",route="GET /healthz"} 2`; !strings.Contains(w.Body.String(), want) {
		t.Errorf("shared registry lacks %s", want)
	}
	// A foreign collector under one of the names is an error, not a panic.
	reg = prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "citebot_http_requests_total", Help: "x"}))
	if _, err := New(sharedIndex(t), Options{Registry: reg}); err == nil {
		t.Error("New registered over a conflicting metric")
	}
}

func TestPage(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	w := do(t, h, request{method: "GET", target: "/"})
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("page = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	body := w.Body.String()
	for _, want := range []string{`<html lang="en">`, `<label for="question">`, `role="status"`, `id="confidence"`, `/assets/app.js`, `/assets/style.css`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for name, ct := range map[string]string{"app.js": "text/javascript", "style.css": "text/css"} {
		w := do(t, h, request{method: "GET", target: "/assets/" + name})
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), ct) || w.Body.Len() == 0 {
			t.Errorf("%s = %d %q", name, w.Code, w.Header().Get("Content-Type"))
		}
	}
	for _, target := range []string{"/assets/index.html", "/assets/app.go", "/index.html"} {
		if w := do(t, h, request{method: "GET", target: target}); w.Code != http.StatusNotFound {
			t.Errorf("%s = %d", target, w.Code)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	const key = "k-3f9a1c"
	h := newHandler(t, sharedIndex(t), Options{APIKeys: []string{"other-key-that-is-longer", key}})
	ask := request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism})}
	tests := []struct {
		name, auth string
		status     int
		challenge  string
	}{
		{"no key", "", 401, `Bearer realm="citebot"`},
		{"wrong key", "Bearer nope", 401, `error="invalid_token"`},
		{"prefix of a key", "Bearer k-3f9", 401, `error="invalid_token"`},
		{"not bearer", "Basic " + key, 401, `error="invalid_request"`},
		{"bearer without token", "Bearer ", 401, `error="invalid_request"`},
		{"right key", "Bearer " + key, 200, ""},
		{"scheme is case-insensitive", "bearer " + key, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ask
			if tt.auth != "" {
				req.header = http.Header{"Authorization": {tt.auth}}
			}
			w := do(t, h, req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("WWW-Authenticate"); !strings.Contains(got, tt.challenge) || tt.challenge == "" && got != "" {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
		})
	}
	for _, target := range []string{"/v1/ask?q=x", "/v1/documents", "/v1/documents/" + salafismDoc} {
		if w := do(t, h, request{method: "GET", target: target}); w.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without a key = %d", target, w.Code)
		}
	}
	if w := do(t, h, request{method: "POST", target: "/v1/reindex"}); w.Code != http.StatusUnauthorized {
		t.Errorf("POST /v1/reindex without a key = %d", w.Code)
	}
	for _, target := range []string{"/", "/assets/app.js", "/healthz", "/readyz", "/metrics", "/openapi.json"} {
		if w := do(t, h, request{method: "GET", target: target}); w.Code != http.StatusOK {
			t.Errorf("open route %s without a key = %d", target, w.Code)
		}
	}
}

func TestRateLimit(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{RateLimit: 0.5, RateBurst: 2, APIKeys: []string{"alpha", "beta"}})
	get := func(remote, key string) *httpResult {
		req := request{method: "GET", target: "/v1/documents", remote: remote}
		if key != "" {
			req.header = http.Header{"Authorization": {"Bearer " + key}}
		}
		w := do(t, h, req)
		return &httpResult{w.Code, w.Header().Get("Retry-After")}
	}
	// A client's burst, then 429 with Retry-After.
	for i := range 2 {
		if r := get("192.0.2.1:1000", "alpha"); r.code != http.StatusOK {
			t.Fatalf("request %d = %d", i, r.code)
		}
	}
	if r := get("192.0.2.1:1000", "alpha"); r.code != http.StatusTooManyRequests || r.retryAfter != "2" {
		t.Errorf("over the limit: %d Retry-After %q, want 429 and 2", r.code, r.retryAfter)
	}
	// Another key from the same address has its own bucket, and the same
	// key from another address shares its bucket: a key is the identity.
	if r := get("192.0.2.1:1000", "beta"); r.code != http.StatusOK {
		t.Errorf("another key = %d", r.code)
	}
	if r := get("198.51.100.7:1000", "alpha"); r.code != http.StatusTooManyRequests {
		t.Errorf("the same key from another address = %d", r.code)
	}
	// Without a valid key the address is the identity, and guesses are
	// limited before they are checked.
	for range 2 {
		if r := get("203.0.113.9:1000", "wrong"); r.code != http.StatusUnauthorized {
			t.Errorf("wrong key = %d", r.code)
		}
	}
	if r := get("203.0.113.9:1000", "wrong"); r.code != http.StatusTooManyRequests {
		t.Errorf("third wrong key = %d, want 429", r.code)
	}
	// IPv6 clients are one client per /64.
	get("[2001:db8::1]:1000", "")
	get("[2001:db8::2]:1000", "")
	if r := get("[2001:db8::3]:1000", ""); r.code != http.StatusTooManyRequests {
		t.Errorf("third address of a /64 = %d, want 429", r.code)
	}
	// Probes and the page are never limited.
	for range 5 {
		if w := do(t, h, request{method: "GET", target: "/healthz", remote: "192.0.2.1:1000"}); w.Code != http.StatusOK {
			t.Errorf("/healthz = %d", w.Code)
		}
	}
}

type httpResult struct {
	code       int
	retryAfter string
}

func TestCORS(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{CORSOrigins: []string{"https://docs.example.org"}})
	// An allowed origin.
	w := do(t, h, request{method: "GET", target: "/v1/documents", header: http.Header{"Origin": {"https://docs.example.org"}}})
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "https://docs.example.org" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin = %q", got)
	}
	if !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("X-Request-Id not exposed")
	}
	// Its preflight.
	w = do(t, h, request{method: "OPTIONS", target: "/v1/ask", header: http.Header{
		"Origin": {"https://docs.example.org"}, "Access-Control-Request-Method": {"POST"},
		"Access-Control-Request-Headers": {"authorization, content-type"},
	}})
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "https://docs.example.org" ||
		!strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(w.Header().Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight = %d %v", w.Code, w.Header())
	}
	// Another origin gets no CORS headers, and its preflight is not answered.
	w = do(t, h, request{method: "GET", target: "/v1/documents", header: http.Header{"Origin": {"https://evil.example"}}})
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" || w.Header().Get("Vary") != "Origin" {
		t.Errorf("other origin: Access-Control-Allow-Origin = %q, Vary %q", got, w.Header().Get("Vary"))
	}
	w = do(t, h, request{method: "OPTIONS", target: "/v1/ask", header: http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"POST"}}})
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin's preflight = %d %v", w.Code, w.Header())
	}
	// "*" allows any origin.
	h = newHandler(t, sharedIndex(t), Options{CORSOrigins: []string{"*"}})
	w = do(t, h, request{method: "GET", target: "/v1/documents", header: http.Header{"Origin": {"https://anywhere.example"}}})
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("*: Access-Control-Allow-Origin = %q", got)
	}
	// No origins configured: no CORS at all.
	h = newHandler(t, sharedIndex(t), Options{})
	w = do(t, h, request{method: "GET", target: "/v1/documents", header: http.Header{"Origin": {"https://docs.example.org"}}})
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("no CORS: Access-Control-Allow-Origin = %q", got)
	}
}

// Each request writes one log line with its route, status, duration and
// request id, and the id is the response's X-Request-Id.
func TestRequestLog(t *testing.T) {
	log := &logBuffer{}
	h := newHandler(t, sharedIndex(t), Options{Logger: log.logger()})
	w1 := do(t, h, request{method: "GET", target: "/v1/documents/" + salafismDoc, header: http.Header{"X-Request-Id": {"req-42"}}})
	w2 := do(t, h, request{method: "GET", target: "/healthz", header: http.Header{"X-Request-Id": {"bad id\n"}}})
	w3 := do(t, h, request{method: "GET", target: "/v1/ask?q=secret+question"})
	if w1.Header().Get("X-Request-Id") != "req-42" {
		t.Errorf("X-Request-Id = %q, want the client's", w1.Header().Get("X-Request-Id"))
	}
	id2 := w2.Header().Get("X-Request-Id")
	if id2 == "" || strings.Contains(id2, " ") {
		t.Errorf("a bad client id was kept: %q", id2)
	}
	lines := log.lines(t)
	if len(lines) != 3 {
		t.Fatalf("%d log lines for 3 requests", len(lines))
	}
	l := lines[0]
	if l["msg"] != "request" || l["route"] != "GET /v1/documents/{source...}" || l["status"] != float64(200) ||
		l["request_id"] != "req-42" || l["method"] != "GET" || l["duration"] == nil || l["level"] != "INFO" {
		t.Errorf("log line = %v", l)
	}
	if lines[1]["request_id"] != id2 || lines[2]["request_id"] != w3.Header().Get("X-Request-Id") {
		t.Errorf("log ids %v %v do not match the responses'", lines[1]["request_id"], lines[2]["request_id"])
	}
	if strings.Contains(log.buf.String(), "secret") {
		t.Errorf("the log holds a question from the query string: %v", lines[2])
	}
}

// A request's line is DEBUG for the probes, WARN for a 503 while the
// index loads (DEBUG for /readyz, which monitors call every few seconds),
// ERROR for a failure of the server and INFO otherwise; an answer's line
// says whether it is grounded and its confidence, from the cache too.
func TestRequestLogLevels(t *testing.T) {
	log := &logBuffer{}
	var ready atomic.Bool
	h := newHandler(t, sharedIndex(t), Options{Logger: log.logger(), Ready: ready.Load})
	broken := newHandler(t, faultIndex{Index: sharedIndex(t), err: errors.New("disk on fire")}, Options{Logger: log.logger()})
	ask := request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism})}
	unanswerable := request{method: "GET", target: "/v1/ask?q=" + strings.ReplaceAll("What colour is the moon's cheese?", " ", "+")}
	for _, tt := range []struct {
		h     *Handler
		req   request
		level string
	}{
		{h, request{method: "GET", target: "/readyz", allow5xx: true}, "DEBUG"},
		{h, request{method: "GET", target: "/v1/documents", allow5xx: true}, "WARN"},
		{h, request{method: "POST", target: "/v1/search", body: `{"question": "hello"}`, allow5xx: true}, "WARN"},
		{h, request{method: "GET", target: "/healthz"}, "DEBUG"},
		{h, request{method: "HEAD", target: "/healthz"}, "DEBUG"},
		{h, request{method: "GET", target: "/metrics"}, "DEBUG"},
		{h, request{method: "GET", target: "/"}, "INFO"},
		{h, request{method: "GET", target: "/nope"}, "INFO"},
		{nil, request{method: "GET", target: "/readyz"}, "DEBUG"}, // ready from here on
		{h, ask, "INFO"},
		{h, ask, "INFO"}, // from the cache
		{h, unanswerable, "INFO"},
		{broken, request{method: "GET", target: "/v1/search", allow5xx: true}, "INFO"}, // 405
		{broken, request{method: "POST", target: "/v1/ask", body: `{"question": "hello"}`, allow5xx: true}, "ERROR"},
	} {
		if tt.h == nil {
			ready.Store(true)
			tt.h = h
		}
		do(t, tt.h, tt.req)
		lines := log.lines(t)
		l := lines[len(lines)-1]
		if l["level"] != tt.level || l["path"] != strings.Split(tt.req.target, "?")[0] {
			t.Errorf("%s %s (%v): line %v, want %s", tt.req.method, tt.req.target, l["status"], l, tt.level)
		}
	}
	lines := log.lines(t)
	fresh, cached, declined := lines[len(lines)-5], lines[len(lines)-4], lines[len(lines)-3]
	if fresh["grounded"] != true || fresh["confidence"] == nil || fresh["confidence"].(float64) <= 0 {
		t.Errorf("answer's line %v, want grounded=true and its confidence", fresh)
	}
	if cached["grounded"] != true || cached["confidence"] != fresh["confidence"] {
		t.Errorf("cached answer's line %v, want %v and %v", cached, fresh["grounded"], fresh["confidence"])
	}
	if declined["grounded"] != false || declined["confidence"] == nil {
		t.Errorf("declined answer's line %v, want grounded=false and a confidence", declined)
	}
	for _, l := range lines[:len(lines)-5] {
		if _, ok := l["grounded"]; ok {
			t.Errorf("a request that answered nothing has grounded in its line: %v", l)
		}
	}
}

func TestReindex(t *testing.T) {
	// Not configured.
	h := newHandler(t, sharedIndex(t), Options{})
	if w := do(t, h, request{method: "POST", target: "/v1/reindex", allow5xx: true}); w.Code != http.StatusNotImplemented {
		t.Errorf("reindex without Reindex = %d", w.Code)
	}

	// A changed corpus: the new document is answered after a reindex, not
	// from the cache.
	dir := testCorpus(t)
	idx := newIndex(t, dir)
	h = newHandler(t, idx, Options{Reindex: func(ctx context.Context) (rag.SyncReport, error) {
		return idx.Sync(ctx, dir, nil)
	}})
	q := jsonBody(map[string]any{"question": "Which composer wrote the Lumen Quartet?"})
	if ans := decode[rag.Answer](t, do(t, h, request{method: "POST", target: "/v1/ask", body: q})); ans.Grounded {
		t.Fatalf("answered before the document exists: %+v", ans)
	}
	quartet := "# The Lumen Quartet\n\nThe Lumen Quartet was written by the composer Ilse Varga in 1931.\n"
	if err := os.WriteFile(filepath.Join(dir, "field", "quartet.txt"), []byte(quartet), 0o644); err != nil {
		t.Fatal(err)
	}
	w := do(t, h, request{method: "POST", target: "/v1/reindex"})
	rep := decode[rag.SyncReport](t, w)
	if w.Code != http.StatusOK || rep.Added != 1 || rep.Documents != 7 {
		t.Fatalf("reindex = %d %s", w.Code, w.Body)
	}
	ans := decode[rag.Answer](t, do(t, h, request{method: "POST", target: "/v1/ask", body: q}))
	if !ans.Grounded || !strings.Contains(ans.Answer, "Ilse Varga") {
		t.Errorf("after reindex: %+v", ans)
	}

	// Failures.
	for err, want := range map[error]int{
		fmt.Errorf("weaviate down: %w", rag.ErrUnavailable): http.StatusServiceUnavailable,
		errors.New("corpus directory not found"):            http.StatusInternalServerError,
	} {
		h := newHandler(t, idx, Options{Reindex: func(context.Context) (rag.SyncReport, error) { return rag.SyncReport{}, err }})
		if w := do(t, h, request{method: "POST", target: "/v1/reindex", allow5xx: true}); w.Code != want {
			t.Errorf("reindex failing with %v = %d, want %d", err, w.Code, want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	_, err := New(sharedIndex(t), Options{
		APIKeys:           []string{"good", "", "has space"},
		CORSOrigins:       []string{"*", "https://ok.example", "ftp://x", "https://x.example/path", "example.org"},
		RateLimit:         -1,
		RateBurst:         -2,
		MaxQuestionLength: -3,
		DefaultK:          51,
		CacheTTL:          -1,
		Registry:          prometheus.NewRegistry(),
	})
	if err == nil {
		t.Fatal("New accepted invalid options")
	}
	for _, want := range []string{"APIKeys[1]", "APIKeys[2]", `"ftp://x"`, `"https://x.example/path"`, `"example.org"`,
		"RateLimit", "RateBurst", "MaxQuestionLength", "DefaultK", "CacheTTL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "has space") {
		t.Errorf("error shows an API key: %v", err)
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New accepted a nil index")
	}
}
