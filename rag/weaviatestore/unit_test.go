package weaviatestore

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/citebot/citebot/rag"
)

// These tests need no Weaviate server: they use a fake one that speaks
// just enough of its REST and GraphQL API.

func TestOptions(t *testing.T) {
	alpha := float32(1.5)
	tests := []struct {
		name string
		opts Options
		want []string // in the error; none for valid options
	}{
		{"defaults", Options{URL: "http://127.0.0.1:8080"}, nil},
		{"https with path", Options{URL: "https://example.com/weaviate/", Collection: "Chunks_2"}, nil},
		{"no url", Options{}, []string{"url: required"}},
		{"bad scheme", Options{URL: "ftp://x"}, []string{`url "ftp://x"`}},
		{"no host", Options{URL: "http://"}, []string{"url"}},
		{"query", Options{URL: "http://x?a=b"}, []string{"no user, query or fragment"}},
		{"collection", Options{URL: "http://x", Collection: "chunks"}, []string{`collection "chunks"`}},
		{"everything", Options{URL: "http://x", Collection: "A-B", ReplicationFactor: -1, ConsistencyLevel: "most",
			Timeout: -time.Second, BatchSize: -1, Alpha: &alpha},
			[]string{"collection", "replication factor -1", `consistency level "most"`, "timeout", "batch size", "alpha 1.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.opts.resolve()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("resolve: %v", err)
				}
				if r.Collection == "" || r.ConsistencyLevel != Quorum || r.Timeout != DefaultTimeout || r.BatchSize != DefaultBatchSize || r.alpha != DefaultAlpha {
					t.Errorf("defaults not applied: %+v", r)
				}
				return
			}
			if err == nil {
				t.Fatal("resolve: no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	r, err := Options{URL: "https://example.com/weaviate/"}.resolve()
	if err != nil || r.scheme != "https" || r.host != "example.com/weaviate" {
		t.Errorf("https://example.com/weaviate/: scheme %q host %q, %v", r.scheme, r.host, err)
	}
}

func TestObjectID(t *testing.T) {
	id := ObjectID("a.txt#3")
	u, err := uuid.Parse(id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Version() != 5 {
		t.Errorf("version %d, want 5", u.Version())
	}
	// The IDs of stored objects depend on it: it must never change.
	if want := "0f172884-8709-544e-b6b4-d8555fd2a830"; id != want {
		t.Errorf("ObjectID(a.txt#3) = %s, want %s", id, want)
	}
	if ObjectID("a.txt#3") != id || ObjectID("a.txt#4") == id || ObjectID("A.txt#3") == id {
		t.Error("ObjectID is not a function of the chunk ID alone")
	}
}

func TestQueryWords(t *testing.T) {
	tests := map[string]string{
		"What is an okapi?":                         "what okapi",
		`okapi~ okapi^2 okap* o?api \okapi /okapi/`: "okapi okapi 2 okap o api okapi okapi",
		`"okapi`:                      "okapi",
		"+okapi -zebra AND NOT":       "okapi zebra",
		"the and of":                  "",
		"?!":                          "",
		"Kul-Mukhammed's 2012 Алматы": "kul mukhammed s 2012 алматы",
	}
	for q, want := range tests {
		if got := queryWords(q); got != want {
			t.Errorf("queryWords(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestHashes(t *testing.T) {
	c := rag.Chunk{ID: "a#0", Source: "a", Title: "T", Date: "2020-01-02", Ordinal: 0, Start: 0, End: 4, Text: "text"}
	h := contentHash(c)
	for _, d := range []rag.Chunk{
		{ID: "a#1", Source: "a", Title: "T", Date: "2020-01-02", End: 4, Text: "text"},
		{ID: "a#0", Source: "b", Title: "T", Date: "2020-01-02", End: 4, Text: "text"},
		{ID: "a#0", Source: "a", Title: "U", Date: "2020-01-02", End: 4, Text: "text"},
		{ID: "a#0", Source: "a", Title: "T", Date: "", End: 4, Text: "text"},
		{ID: "a#0", Source: "a", Title: "T", Date: "2020-01-02", Ordinal: 1, End: 4, Text: "text"},
		{ID: "a#0", Source: "a", Title: "T", Date: "2020-01-02", Start: 1, End: 4, Text: "text"},
		{ID: "a#0", Source: "a", Title: "T", Date: "2020-01-02", End: 5, Text: "text"},
		{ID: "a#0", Source: "a", Title: "T", Date: "2020-01-02", End: 4, Text: "texts"},
		{ID: "a#0", Source: "a", Title: "T2", Date: "020-01-02", End: 4, Text: "text"},
	} {
		if contentHash(d) == h {
			t.Errorf("%+v hashes like %+v", d, c)
		}
	}
	if vectorHash(nil) != "" || vectorHash([]float32{1, 2}) == vectorHash([]float32{2, 1}) {
		t.Error("vectorHash does not tell vectors apart")
	}
}

func TestNewUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	start := time.Now()
	_, err = New(t.Context(), Options{URL: url})
	if err == nil || !errors.Is(err, rag.ErrUnavailable) || !strings.Contains(err.Error(), url) {
		t.Errorf("New(%s): %v, want an error naming the URL and wrapping rag.ErrUnavailable", url, err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("New took %v to fail", took)
	}
	t.Log(err)
}

// fake is a Weaviate server: ready, without the collection until New
// creates it, and answering GraphQL and batch requests with graphql and
// batch, which tests set.
type fake struct {
	*httptest.Server
	graphql, batch atomic.Pointer[func(w http.ResponseWriter, r *http.Request)]
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/.well-known/ready":
		case r.URL.Path == "/v1/meta":
			io.WriteString(w, `{"version":"1.29.0"}`)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/schema/"):
			w.WriteHeader(http.StatusNotFound)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/schema":
			io.WriteString(w, `{}`)
		case r.URL.Path == "/v1/graphql" && f.graphql.Load() != nil:
			(*f.graphql.Load())(w, r)
		case r.URL.Path == "/v1/batch/objects" && f.batch.Load() != nil:
			(*f.batch.Load())(w, r)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func reply(status int, body string) *func(w http.ResponseWriter, r *http.Request) {
	fn := func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
	return &fn
}

// TestErrors checks which failures wrap rag.ErrUnavailable.
func TestErrors(t *testing.T) {
	f := newFake(t)
	s, err := New(t.Context(), Options{URL: f.URL, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	vec := []float32{1, 0}
	query := func(ctx context.Context) error { _, err := s.Query(ctx, vec, 3); return err }
	search := func(ctx context.Context) error { _, err := s.Lexical().Search(ctx, "okapi", 3); return err }
	add := func(ctx context.Context) error {
		return s.Add(ctx, []rag.Chunk{{ID: "a#0", Source: "a", Text: "x"}}, [][]float32{vec})
	}
	del := func(ctx context.Context) error { return s.DeleteSource(ctx, "a") }
	noneStored := reply(200, `{"data":{"Get":{}}}`)

	tests := []struct {
		name           string
		graphql, batch *func(w http.ResponseWriter, r *http.Request)
		call           func(context.Context) error
		unavailable    bool
		cancel         bool
	}{
		{"query 503", reply(503, `{"error":[{"message":"shutting down"}]}`), nil, query, true, false},
		{"query 500", reply(500, `oops`), nil, query, true, false},
		{"search 429", reply(429, `slow down`), nil, search, true, false},
		{"query 422", reply(422, `{"error":[{"message":"bad vector"}]}`), nil, query, false, false},
		{"query replica error", reply(200, `{"errors":[{"message":"cannot achieve consistency level QUORUM: read error"}]}`), nil, query, true, false},
		{"query graphql error", reply(200, `{"errors":[{"message":"vector lengths don't match: 2 vs 3"}]}`), nil, query, false, false},
		{"query slow", func() *func(http.ResponseWriter, *http.Request) {
			fn := func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
			return &fn
		}(), nil, query, true, false},
		{"query cancelled", reply(200, `{"data":{"Get":{}}}`), nil, query, false, true},
		{"add 500", noneStored, reply(500, `oops`), add, true, false},
		{"add object error", noneStored, reply(200, `[{"result":{"errors":{"error":[{"message":"invalid text property"}]}}}]`), add, false, false},
		{"add object replica error", noneStored, reply(200, `[{"result":{"errors":{"error":[{"message":"put object: cannot reach enough replicas"}]}}}]`), add, true, false},
		{"delete 503", nil, reply(503, ``), del, true, false},
		{"delete failed", nil, reply(200, `{"results":{"failed":1,"matches":1,"limit":10000,"successful":0,"objects":[{"errors":{"error":[{"message":"disk full"}]}}]}}`), del, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.graphql.Store(tt.graphql)
			f.batch.Store(tt.batch)
			ctx := t.Context()
			if tt.cancel {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			start := time.Now()
			err := tt.call(ctx)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, rag.ErrUnavailable); got != tt.unavailable {
				t.Errorf("%v: wraps rag.ErrUnavailable: %v, want %v", err, got, tt.unavailable)
			}
			if tt.cancel && !errors.Is(err, context.Canceled) {
				t.Errorf("%v: want context.Canceled", err)
			}
			if !strings.Contains(err.Error(), f.URL) && !tt.cancel {
				t.Errorf("%v: does not name the server", err)
			}
			if took := time.Since(start); took > 800*time.Millisecond {
				t.Errorf("took %v, want the 300ms timeout", took)
			}
		})
	}
}

// TestChecksBeforeSending checks the requests that are refused without a
// round trip.
func TestChecksBeforeSending(t *testing.T) {
	f := newFake(t)
	s, err := New(t.Context(), Options{URL: f.URL})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	ctx := t.Context()
	c := []rag.Chunk{{ID: "a#0", Source: "a"}, {ID: "a#1", Source: "a"}}
	for name, err := range map[string]error{
		"mismatched lengths": s.Add(ctx, c, [][]float32{{1}}),
		"no ID":              s.Add(ctx, []rag.Chunk{{Source: "a"}}, [][]float32{{1}}),
		"zero vector":        s.Add(ctx, c, [][]float32{{1, 0}, {0, 0}}),
		"NaN":                s.Add(ctx, c[:1], [][]float32{{float32(nanValue())}}),
		"dimensions":         s.Add(ctx, c, [][]float32{{1, 0}, {1}}),
		"zero query":         func() error { _, err := s.Query(ctx, []float32{0, 0}, 3); return err }(),
		"lexical no ID":      s.Lexical().Add(ctx, []rag.Chunk{{Source: "a"}}),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if errors.Is(err, rag.ErrUnavailable) {
			t.Errorf("%s: %v wraps rag.ErrUnavailable", name, err)
		}
	}
	for name, call := range map[string]func() (int, error){
		"Query k=0":         func() (int, error) { h, err := s.Query(ctx, []float32{1}, 0); return len(h), err },
		"Hybrid k=0":        func() (int, error) { h, err := s.Hybrid(ctx, "x", []float32{1}, 0); return len(h), err },
		"Search k=0":        func() (int, error) { h, err := s.Lexical().Search(ctx, "x", 0); return len(h), err },
		"Search no words":   func() (int, error) { h, err := s.Lexical().Search(ctx, "?! the", 5); return len(h), err },
		"DeleteSource \"\"": func() (int, error) { return 0, s.DeleteSource(ctx, " ") },
	} {
		if n, err := call(); n != 0 || err != nil {
			t.Errorf("%s: %d hits, %v; want none and no error", name, n, err)
		}
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

// TestClassifyTransport checks the failures of a request that got no
// answer at all, some of which net/http does not export.
func TestClassifyTransport(t *testing.T) {
	for _, inner := range []error{
		errors.New("http: server closed idle connection"),
		io.EOF,
		&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")},
	} {
		err := &url.Error{Op: "Post", URL: "http://127.0.0.1:8101/v1/graphql", Err: inner}
		if _, _, transient := classify(err); !transient {
			t.Errorf("classify(%v): not transient", err)
		}
	}
	if _, _, transient := classify(&url.Error{Op: "Post", URL: "x", Err: errors.New("unsupported protocol scheme")}); transient {
		t.Error("unsupported protocol scheme: transient")
	}
}
