package langchain

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/citebot/citebot/rag"
)

// EmbedderOptions configure an Embedder.
type EmbedderOptions struct {
	// BaseURL is the server's address, as in GeneratorOptions.
	BaseURL string
	// Model names the embedding model. Required.
	Model string
	// APIKey is sent as a bearer token; empty sends none.
	APIKey string
	// HTTPClient sends the requests; nil means one over
	// http.DefaultTransport. It is not modified.
	HTTPClient *http.Client
	// Retries bounds how often a request answered with 429 or a 5xx status
	// is retried; 0 means 3 and a negative number none.
	Retries int
	// BatchSize is how many texts go in one request to an OpenAI-compatible
	// server; 0 means langchaingo's 512. (langchaingo's Ollama client sends
	// one text per request.)
	BatchSize int
	// Timeout bounds one request, its retries included, unless HTTPClient
	// has a Timeout of its own; 0 means 60s.
	Timeout time.Duration
}

const defaultEmbedTimeout = 60 * time.Second

// Embedder is a rag.Embedder over langchaingo's embeddings with its OpenAI
// or Ollama client. Every vector it returns is L2-normalised (a zero vector
// stays zero), and all have the dimension of the first one it saw; a vector
// of another dimension is an error. It is safe for concurrent use.
type Embedder struct {
	provider string
	id       string
	emb      *embeddings.EmbedderImpl
	dim      atomic.Int64
}

var _ rag.Embedder = (*Embedder)(nil)

// NewOpenAIEmbedder returns an Embedder that posts to an OpenAI-compatible
// server's /embeddings.
func NewOpenAIEmbedder(opts EmbedderOptions) (*Embedder, error) {
	if err := checkServer(opts.BaseURL, opts.Model); err != nil {
		return nil, fmt.Errorf("openai embedder: %w", err)
	}
	llm, err := openai.New(openaiOptions(opts.BaseURL, opts.Model, embedHTTPClient(opts, false))...)
	if err != nil {
		return nil, fmt.Errorf("openai embedder: %w", err)
	}
	return newEmbedder("openai", opts, llm)
}

// NewOllamaEmbedder returns an Embedder that posts to an Ollama server's
// /api/embed, one text per request.
func NewOllamaEmbedder(opts EmbedderOptions) (*Embedder, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultOllamaURL
	}
	if err := checkServer(opts.BaseURL, opts.Model); err != nil {
		return nil, fmt.Errorf("ollama embedder: %w", err)
	}
	llm, err := ollama.New(
		ollama.WithServerURL(opts.BaseURL),
		ollama.WithModel(opts.Model),
		ollama.WithHTTPClient(embedHTTPClient(opts, true)),
	)
	if err != nil {
		return nil, fmt.Errorf("ollama embedder: %w", err)
	}
	return newEmbedder("ollama", opts, llm)
}

func embedHTTPClient(opts EmbedderOptions, ollama bool) *http.Client {
	c := newHTTPClient(opts.HTTPClient, opts.APIKey, opts.Retries, ollama)
	if c.Timeout == 0 {
		c.Timeout = opts.Timeout
		if c.Timeout <= 0 {
			c.Timeout = defaultEmbedTimeout
		}
	}
	return c
}

func newEmbedder(provider string, opts EmbedderOptions, client embeddings.EmbedderClient) (*Embedder, error) {
	var eo []embeddings.Option
	if opts.BatchSize > 0 {
		eo = append(eo, embeddings.WithBatchSize(opts.BatchSize))
	}
	emb, err := embeddings.NewEmbedder(client, eo...)
	if err != nil {
		return nil, fmt.Errorf("%s embedder: %w", provider, err)
	}
	return &Embedder{provider: provider, id: provider + "/" + opts.Model, emb: emb}, nil
}

// ID names the provider and the model, e.g. "openai/text-embedding-3-small"
// or "ollama/nomic-embed-text", for the snapshot to record.
func (e *Embedder) ID() string { return e.id }

// EmbedDocuments returns one unit vector per text, in order.
func (e *Embedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return [][]float32{}, nil
	}
	// langchaingo replaces newlines in the slice it is given: give it a copy.
	vecs, err := e.emb.EmbedDocuments(ctx, slices.Clone(texts))
	if err != nil {
		return nil, fmt.Errorf("%s embed: %w", e.provider, err)
	}
	if len(vecs) != len(texts) {
		return nil, fmt.Errorf("%s embed: %d vectors for %d texts", e.provider, len(vecs), len(texts))
	}
	for _, v := range vecs {
		if err := e.check(v); err != nil {
			return nil, err
		}
		normalize(v)
	}
	return vecs, nil
}

// EmbedQuery returns the unit vector of text.
func (e *Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	v, err := e.emb.EmbedQuery(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("%s embed: %w", e.provider, err)
	}
	if err := e.check(v); err != nil {
		return nil, err
	}
	normalize(v)
	return v, nil
}

// check reports an empty vector or one whose dimension differs from the
// first vector's.
func (e *Embedder) check(v []float32) error {
	if len(v) == 0 {
		return fmt.Errorf("%s embed: %w", e.provider, errors.New("empty vector"))
	}
	n := int64(len(v))
	if e.dim.CompareAndSwap(0, n) {
		return nil
	}
	if want := e.dim.Load(); n != want {
		return fmt.Errorf("%s embed: vector of dimension %d, want %d", e.provider, n, want)
	}
	return nil
}

// normalize scales v to unit length in place; a zero vector stays zero.
func normalize(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return
	}
	inv := 1 / math.Sqrt(ss)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
}
