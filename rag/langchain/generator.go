package langchain

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/citebot/citebot/rag"
)

// DefaultOllamaURL is where an Ollama server listens unless told otherwise.
const DefaultOllamaURL = "http://127.0.0.1:11434"

// GeneratorOptions configure a Generator.
type GeneratorOptions struct {
	// BaseURL is the server's address. For an OpenAI-compatible server it is
	// the root that /chat/completions is under, /v1 included: empty means
	// https://api.openai.com/v1; e.g. http://localhost:8000/v1 for vLLM,
	// http://localhost:8080/v1 for llama.cpp's server, http://localhost:1234/v1
	// for LM Studio, http://localhost:11434/v1 for Ollama. For Ollama's own
	// API it is the server's root; empty means DefaultOllamaURL.
	BaseURL string
	// Model names the model. Required.
	Model string
	// APIKey is sent as a bearer token; empty sends none. The caller reads
	// it from the environment; it is never logged or put in an error.
	APIKey string
	// Temperature is the sampling temperature; 0 is the most repeatable.
	Temperature float64
	// MaxTokens bounds the length of a reply; 0 leaves it to the server.
	MaxTokens int
	// HTTPClient sends the requests; nil means one over
	// http.DefaultTransport. It is not modified: a copy whose transport is
	// wrapped with the retries is used.
	HTTPClient *http.Client
	// Retries bounds how often a request answered with 429 or a 5xx status
	// is retried; 0 means 3 and a negative number none (see RetryTransport).
	Retries int
}

// Generator is a rag.Generator over one of langchaingo's chat models: its
// OpenAI client, which speaks to any OpenAI-compatible server, or its
// Ollama client. It is safe for concurrent use.
type Generator struct {
	provider string // "openai" or "ollama", for errors
	llm      llms.Model
	call     []llms.CallOption
}

var _ rag.Generator = (*Generator)(nil)

// NewOpenAIGenerator returns a Generator that posts to an OpenAI-compatible
// server's /chat/completions. The length bound is sent as max_tokens, which
// such servers understand, except to api.openai.com itself, which gets
// max_completion_tokens (its reasoning models refuse max_tokens).
func NewOpenAIGenerator(opts GeneratorOptions) (*Generator, error) {
	if err := checkServer(opts.BaseURL, opts.Model); err != nil {
		return nil, fmt.Errorf("openai generator: %w", err)
	}
	llm, err := openai.New(openaiOptions(opts.BaseURL, opts.Model,
		newHTTPClient(opts.HTTPClient, opts.APIKey, opts.Retries, false))...)
	if err != nil {
		return nil, fmt.Errorf("openai generator: %w", err)
	}
	call := []llms.CallOption{llms.WithTemperature(opts.Temperature)}
	if opts.MaxTokens > 0 {
		call = append(call, llms.WithMaxTokens(opts.MaxTokens))
		if !isOpenAI(opts.BaseURL) {
			call = append(call, openai.WithLegacyMaxTokensField())
		}
	}
	return &Generator{provider: "openai", llm: llm, call: call}, nil
}

// NewOllamaGenerator returns a Generator that posts to an Ollama server's
// /api/chat.
func NewOllamaGenerator(opts GeneratorOptions) (*Generator, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultOllamaURL
	}
	if err := checkServer(opts.BaseURL, opts.Model); err != nil {
		return nil, fmt.Errorf("ollama generator: %w", err)
	}
	llm, err := ollama.New(
		ollama.WithServerURL(opts.BaseURL),
		ollama.WithModel(opts.Model),
		ollama.WithHTTPClient(newHTTPClient(opts.HTTPClient, opts.APIKey, opts.Retries, true)),
	)
	if err != nil {
		return nil, fmt.Errorf("ollama generator: %w", err)
	}
	call := []llms.CallOption{llms.WithTemperature(opts.Temperature)}
	if opts.MaxTokens > 0 {
		call = append(call, llms.WithMaxTokens(opts.MaxTokens))
	}
	return &Generator{provider: "ollama", llm: llm, call: call}, nil
}

// Generate sends system and user as a system and a user message and returns
// the reply. With onToken not nil the reply is streamed and each piece of
// text is passed to it as it arrives; the pieces add up to the reply. A
// reply with no text is an error, and so is one cut short by ctx.
func (g *Generator) Generate(ctx context.Context, system, user string, onToken func(string)) (string, error) {
	msgs := []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, system),
		llms.TextParts(llms.ChatMessageTypeHuman, user),
	}
	call := g.call
	if onToken != nil {
		call = append(slices.Clip(call), llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
			// langchaingo also calls this with the empty chunks that carry
			// only a role or a finish reason.
			if len(chunk) > 0 {
				onToken(string(chunk))
			}
			return nil
		}))
	}
	resp, err := g.llm.GenerateContent(ctx, msgs, call...)
	if err == nil {
		// Both clients end a stream the context cut short without an
		// error, returning the text so far.
		err = ctx.Err()
	}
	if err != nil {
		return "", g.fail(ctx, err)
	}
	if len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Content) == "" {
		return "", fmt.Errorf("%s generate: empty reply", g.provider)
	}
	return resp.Choices[0].Content, nil
}

// fail wraps err with the provider's name. langchaingo's OpenAI client
// replaces context errors with text of its own ("request timeout: API call
// exceeded deadline"); the context's error is put back so that callers can
// match it.
func (g *Generator) fail(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s generate: %w (%w)", g.provider, cerr, err)
	}
	return fmt.Errorf("%s generate: %w", g.provider, err)
}

// openaiOptions configure langchaingo's OpenAI client with every setting it
// would otherwise read from OPENAI_* environment variables. The token is a
// placeholder: the client refuses to start without one, and the bearer
// transport sends the real key, or none.
func openaiOptions(baseURL, model string, client *http.Client) []openai.Option {
	return []openai.Option{
		openai.WithBaseURL(baseURL),
		openai.WithModel(model),
		openai.WithEmbeddingModel(model),
		openai.WithToken("set-by-transport"),
		openai.WithOrganization(""),
		openai.WithHTTPClient(client),
	}
}

// newHTTPClient returns a copy of c (or a new client) whose transport sets
// the bearer token and retries, and for Ollama turns error statuses into
// errors.
func newHTTPClient(c *http.Client, apiKey string, retries int, ollama bool) *http.Client {
	out := &http.Client{}
	if c != nil {
		cc := *c
		out = &cc
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	var rt http.RoundTripper = &RetryTransport{Next: bearer{next: next, token: apiKey}, Retries: retries}
	if ollama {
		rt = statusErrors{next: rt}
	}
	out.Transport = rt
	return out
}

// checkServer reports a missing model or a base URL that is not an absolute
// http(s) URL.
func checkServer(baseURL, model string) error {
	var errs []error
	if strings.TrimSpace(model) == "" {
		errs = append(errs, errors.New("no model"))
	}
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("base URL: %w", err))
		case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
			errs = append(errs, fmt.Errorf("base URL %q is not an http(s) URL", baseURL))
		}
	}
	return errors.Join(errs...)
}

// isOpenAI reports whether baseURL is OpenAI's own API.
func isOpenAI(baseURL string) bool {
	if baseURL == "" {
		return true
	}
	u, err := url.Parse(baseURL)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}
