package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
)

// Questions the bundled corpus answers, and one it does not.
const (
	salafism     = "Which religious movement were the Aktobe attackers followers of?"
	salafismDoc  = "002_126ef14e62b6afb1.txt"
	unanswerable = "Who won the 2018 FIFA World Cup?"
	notesDoc     = "field/notes.md"
	notesText    = "# Skerry Island field notes\n\nThe lighthouse keeper on Skerry Island counted 412 passing ships in the winter of 1923.\n\nShare this\n"
)

// shared is an index of the test corpus that tests only read, built once.
var shared struct {
	once sync.Once
	dir  string
	idx  *rag.Index
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// sharedIndex returns the read-only index of the test corpus.
func sharedIndex(t testing.TB) *rag.Index {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "citebot-httpapi-")
		if shared.err != nil {
			return
		}
		if shared.err = writeCorpus(shared.dir); shared.err != nil {
			return
		}
		shared.idx, shared.err = buildIndex(context.Background(), shared.dir)
	})
	if shared.err != nil {
		t.Fatalf("shared index: %v", shared.err)
	}
	return shared.idx
}

// testCorpus returns a temp dir holding the bundled corpus and one more
// document in a sub-directory.
func testCorpus(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := writeCorpus(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeCorpus(dir string) error {
	files, err := filepath.Glob("../../corpus/*.txt")
	if err != nil || len(files) == 0 {
		return &os.PathError{Op: "glob", Path: "../../corpus/*.txt", Err: os.ErrNotExist}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "field"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, filepath.FromSlash(notesDoc)), []byte(notesText), 0o644)
}

// newIndex builds and syncs the real index of dir, wired as cmd/citebot
// wires it (GloVe, chromem, bleve, langchaingo), in memory.
func newIndex(t testing.TB, dir string) *rag.Index {
	t.Helper()
	idx, err := buildIndex(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func buildIndex(ctx context.Context, dir string) (*rag.Index, error) {
	return ragtest.Build(ctx, dir)
}

// newHandler returns a handler over idx with its own registry and, unless
// o says otherwise, no rate limit.
func newHandler(t testing.TB, idx Index, o Options) *Handler {
	t.Helper()
	if o.RateLimit == 0 {
		o.RateLimit = rate.Inf
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	h, err := New(idx, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// request describes one test request.
type request struct {
	method, target, body string
	// header is sent as is; without a Content-Type key, a POST or a
	// request with a body says application/json, as the page and API
	// clients do.
	header   http.Header
	host     string // the Host header; default localhost
	remote   string // RemoteAddr; default 192.0.2.1:1234
	allow5xx bool   // the test expects a 5xx
}

// do serves req with h and checks what every response must satisfy: a
// route's status is one routes.go declares (and so openapi.json
// documents), an error is a JSON {"error": "..."}, and there is a request
// id.
func do(t *testing.T, h *Handler, req request) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	}
	r := httptest.NewRequest(req.method, req.target, body)
	for k, vs := range req.header {
		r.Header[k] = vs
	}
	if _, set := req.header["Content-Type"]; !set && (req.body != "" || req.method == http.MethodPost) {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Host = "localhost"
	if req.host != "" {
		r.Host = req.host
	}
	if req.remote != "" {
		r.RemoteAddr = req.remote
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	checkResponse(t, h, r, w.Code, w.Header(), w.Body.Bytes(), req.allow5xx)
	return w
}

// newRequest is an httptest request as a local client sends it: for
// localhost, and with a body, as JSON.
func newRequest(method, target, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.Host = "localhost"
	if body != "" || method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// checkResponse checks a response against the contract of its route.
func checkResponse(t *testing.T, h *Handler, r *http.Request, code int, hdr http.Header, body []byte, allow5xx bool) {
	t.Helper()
	if hdr.Get("X-Request-Id") == "" {
		t.Errorf("%s %s: no X-Request-Id", r.Method, r.URL)
	}
	if code >= 400 {
		var e map[string]any
		if err := json.Unmarshal(body, &e); err != nil || len(e) != 1 || e["error"] == nil || e["error"] == "" {
			t.Errorf("%s %s: %d body %q is not {\"error\": \"...\"}", r.Method, r.URL, code, body)
		}
		if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: %d Content-Type %q", r.Method, r.URL, code, ct)
		}
	}
	if code >= 500 && !allow5xx {
		t.Errorf("%s %s: unexpected %d: %s", r.Method, r.URL, code, body)
	}
	if r.Method == http.MethodOptions {
		return
	}
	_, pattern := h.mux.Handler(r)
	for _, rt := range h.routes(prometheus.NewRegistry()) {
		if rt.pattern() == pattern || rt.method == http.MethodGet && "HEAD "+rt.path == pattern {
			if !slices.Contains(rt.statuses, code) {
				t.Errorf("%s %s answered %d, which route %q does not declare (%v)", r.Method, r.URL, code, pattern, rt.statuses)
			}
			return
		}
	}
	if code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
		t.Errorf("%s %s matched no route but answered %d", r.Method, r.URL, code)
	}
}

// decode unmarshals a response body into a value of type T.
func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	return v
}

// faultIndex wraps an index to fail or panic on Ask and Search.
type faultIndex struct {
	Index
	err   error
	panic bool
	calls *int
}

func (f faultIndex) Ask(ctx context.Context, q string, k int) (rag.Answer, error) {
	if f.calls != nil {
		*f.calls++
	}
	if f.panic {
		panic("index exploded")
	}
	if f.err != nil {
		return rag.Answer{}, f.err
	}
	return f.Index.Ask(ctx, q, k)
}

func (f faultIndex) Search(ctx context.Context, q string, k int) ([]rag.Passage, error) {
	if f.panic {
		panic("index exploded")
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.Index.Search(ctx, q, k)
}

// logBuffer collects JSON log lines; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// lines returns the log lines decoded.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
