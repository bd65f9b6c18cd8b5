package langchain_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag/langchain"
)

// embedderKinds are the two kinds of Embedder with their fakes.
var embedderKinds = []struct {
	name string
	fake func(*testing.T, fakeConfig) *fakeServer
	new  func(langchain.EmbedderOptions) (*langchain.Embedder, error)
	base string // appended to the fake's URL
	path string
}{
	{"openai", newOpenAIFake, langchain.NewOpenAIEmbedder, "/v1", "/v1/embeddings"},
	{"ollama", newOllamaFake, langchain.NewOllamaEmbedder, "", "/api/embed"},
}

func mustEmbedder(t *testing.T, newEmb func(langchain.EmbedderOptions) (*langchain.Embedder, error), opts langchain.EmbedderOptions) *langchain.Embedder {
	t.Helper()
	e, err := newEmb(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func norm(v []float32) float64 {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	return math.Sqrt(ss)
}

// sameDirection reports whether unit vector u points the way v does.
func sameDirection(u, v []float32) bool {
	n := norm(v)
	for i := range v {
		if math.Abs(float64(u[i])-float64(v[i])/n) > 1e-6 {
			return false
		}
	}
	return len(u) == len(v)
}

func TestEmbedder(t *testing.T) {
	for _, kind := range embedderKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := kind.fake(t, fakeConfig{})
			e := mustEmbedder(t, kind.new, langchain.EmbedderOptions{BaseURL: f.URL + kind.base, Model: "nomic-embed-text", APIKey: "k"})
			if want := kind.name + "/nomic-embed-text"; e.ID() != want {
				t.Errorf("ID() = %q, want %q", e.ID(), want)
			}
			texts := []string{"alpha beta", "zero", "gamma\ndelta epsilon"}
			orig := slices.Clone(texts)
			vecs, err := e.EmbedDocuments(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(texts, orig) {
				t.Errorf("EmbedDocuments changed its argument to %q", texts)
			}
			if len(vecs) != len(texts) {
				t.Fatalf("%d vectors for %d texts", len(vecs), len(texts))
			}
			// langchaingo sends newlines as spaces.
			for i, sent := range []string{"alpha beta", "zero", "gamma delta epsilon"} {
				want := testVector(sent)
				if sent == "zero" {
					if !slices.Equal(vecs[i], want) {
						t.Errorf("zero vector came back as %v", vecs[i])
					}
					continue
				}
				if math.Abs(norm(vecs[i])-1) > 1e-6 || !sameDirection(vecs[i], want) {
					t.Errorf("vector %d = %v (norm %v), want %v normalised", i, vecs[i], norm(vecs[i]), want)
				}
			}
			q, err := e.EmbedQuery(context.Background(), "alpha beta")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(q, vecs[0]) {
				t.Errorf("EmbedQuery = %v, want %v as for the document", q, vecs[0])
			}
			var inputs []string
			for _, r := range f.requests() {
				if r.Method != http.MethodPost || r.Path != kind.path || r.Header.Get("Authorization") != "Bearer k" {
					t.Errorf("request %s %s with Authorization %q, want POST %s with the key", r.Method, r.Path, r.Header.Get("Authorization"), kind.path)
				}
				var req apiRequest
				if err := json.Unmarshal(r.Body, &req); err != nil {
					t.Fatal(err)
				}
				if req.Model != "nomic-embed-text" {
					t.Errorf("request model %q", req.Model)
				}
				inputs = append(inputs, req.inputs()...)
			}
			if want := []string{"alpha beta", "zero", "gamma delta epsilon", "alpha beta"}; !slices.Equal(inputs, want) {
				t.Errorf("server embedded %q, want %q", inputs, want)
			}
			if got, err := e.EmbedDocuments(context.Background(), nil); err != nil || len(got) != 0 {
				t.Errorf("EmbedDocuments(nil) = %v, %v; want no vectors", got, err)
			}
		})
	}
}

func TestEmbedderBatches(t *testing.T) {
	f := newOpenAIFake(t, fakeConfig{})
	e := mustEmbedder(t, langchain.NewOpenAIEmbedder, langchain.EmbedderOptions{BaseURL: f.URL + "/v1", Model: "m", BatchSize: 2})
	vecs, err := e.EmbedDocuments(context.Background(), []string{"a", "b c", "d e f", "g"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 4 || len(f.requests()) != 2 {
		t.Errorf("%d vectors in %d requests, want 4 in 2", len(vecs), len(f.requests()))
	}
	if !sameDirection(vecs[2], testVector("d e f")) {
		t.Errorf("vectors out of order: %v", vecs)
	}
}

func TestEmbedderDimensions(t *testing.T) {
	wide := func(text string) []float32 {
		if strings.HasPrefix(text, "wide") {
			return []float32{1, 2, 3, 4, 5}
		}
		return testVector(text)
	}
	for _, kind := range embedderKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := kind.fake(t, fakeConfig{vector: wide})
			e := mustEmbedder(t, kind.new, langchain.EmbedderOptions{BaseURL: f.URL + kind.base, Model: "m"})
			if _, err := e.EmbedDocuments(context.Background(), []string{"narrow", "wide"}); err == nil {
				t.Error("EmbedDocuments mixed dimensions 4 and 5 without an error")
			}
			if _, err := e.EmbedQuery(context.Background(), "narrow"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.EmbedQuery(context.Background(), "wide query"); err == nil {
				t.Error("EmbedQuery returned a vector of another dimension than the documents'")
			}
		})
	}
}

func TestEmbedderRetries(t *testing.T) {
	for _, kind := range embedderKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := kind.fake(t, fakeConfig{before: status(http.StatusServiceUnavailable, "0", 1)})
			e := mustEmbedder(t, kind.new, langchain.EmbedderOptions{BaseURL: f.URL + kind.base, Model: "m"})
			if _, err := e.EmbedQuery(context.Background(), "alpha"); err != nil {
				t.Fatal(err)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("server got %d requests, want 2", n)
			}
		})
	}
}

func TestEmbedderErrors(t *testing.T) {
	reply := func(body string) func(int, http.ResponseWriter, *http.Request) bool {
		return func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
			return true
		}
	}
	for _, kind := range embedderKinds {
		for name, before := range map[string]func(int, http.ResponseWriter, *http.Request) bool{
			"invalid json":  reply(`{"data": [{"embedding": [1, 2`),
			"no vectors":    reply(`{"data": [], "embeddings": []}`),
			"empty vector":  reply(`{"data": [{"embedding": []}], "embeddings": [[]]}`),
			"one too many":  reply(`{"data": [{"embedding": [1]}, {"embedding": [2]}], "embeddings": [[1], [2]]}`),
			"status 500":    status(http.StatusInternalServerError, "", 1000),
			"wrong content": reply(`{"data": [{"embedding": "one, two"}], "embeddings": "one, two"}`),
		} {
			t.Run(kind.name+"/"+name, func(t *testing.T) {
				f := kind.fake(t, fakeConfig{before: before})
				e := mustEmbedder(t, kind.new, langchain.EmbedderOptions{BaseURL: f.URL + kind.base, Model: "m", Retries: -1})
				if v, err := e.EmbedQuery(context.Background(), "alpha"); err == nil {
					t.Errorf("EmbedQuery = %v, want an error", v)
				}
				if v, err := e.EmbedDocuments(context.Background(), []string{"alpha"}); err == nil {
					t.Errorf("EmbedDocuments = %v, want an error", v)
				} else if !strings.HasPrefix(err.Error(), kind.name+" embed: ") {
					t.Errorf("error %q does not name the provider", err)
				}
			})
		}
	}
}

func TestEmbedderTimeout(t *testing.T) {
	for _, kind := range embedderKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := kind.fake(t, fakeConfig{before: stall})
			e := mustEmbedder(t, kind.new, langchain.EmbedderOptions{BaseURL: f.URL + kind.base, Model: "m", Timeout: 100 * time.Millisecond})
			start := time.Now()
			if _, err := e.EmbedQuery(context.Background(), "alpha"); err == nil {
				t.Error("EmbedQuery succeeded against a server that never answers")
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("EmbedQuery took %v with a 100ms timeout", took)
			}
		})
	}
}

func TestEmbedderOptions(t *testing.T) {
	for _, kind := range embedderKinds {
		for _, opts := range []langchain.EmbedderOptions{
			{BaseURL: "http://localhost:1/v1"},
			{BaseURL: "localhost:1", Model: "m"},
		} {
			if _, err := kind.new(opts); err == nil {
				t.Errorf("%s embedder with %+v: no error", kind.name, opts)
			}
		}
	}
}
