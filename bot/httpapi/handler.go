package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/corpusdir"
)

// Index is what the HTTP API needs of an index. *rag.Index implements it.
// Implementations are safe for concurrent use.
type Index interface {
	// Ask answers question from the k best passages. It returns an error
	// wrapping rag.ErrEmptyQuestion for a question with nothing to search
	// for and one wrapping rag.ErrUnavailable when the index cannot be
	// reached for now.
	Ask(ctx context.Context, question string, k int) (rag.Answer, error)
	// Search returns the k passages that best match question, best first,
	// with the same errors as Ask.
	Search(ctx context.Context, question string, k int) ([]rag.Passage, error)
	// Documents lists the indexed documents by source.
	Documents() []rag.DocumentInfo
	// Document returns the indexed document with this source, if any.
	Document(source string) (rag.Document, bool)
	// Size returns the number of indexed documents and chunks.
	Size() (docs, chunks int)
}

// Defaults of Options' zero values.
const (
	DefaultK                 = 5
	MaxK                     = 50
	DefaultMaxQuestionLength = 1000 // characters
	DefaultRateLimit         = rate.Limit(10)
	DefaultRateBurst         = 20
	DefaultCacheSize         = 1024
	DefaultCacheTTL          = time.Minute
	// MaxBodyBytes bounds a request body; a longer one is refused with 413.
	MaxBodyBytes = 1 << 20
)

// Options configure a Handler. The zero value is usable: no API keys, no
// CORS, DefaultRateLimit per client, an always-ready index and no reindex
// route.
type Options struct {
	// Logger receives one line per request; nil discards them.
	Logger *slog.Logger
	// Registry receives the handler's metrics and is served on /metrics. Pass
	// the registry other front ends use to share one /metrics; nil gives the
	// handler a registry of its own (with Go and process collectors).
	Registry *prometheus.Registry
	// Ready reports whether the index is loaded; until it is, /readyz and
	// the routes that read the index answer 503. nil means always ready.
	Ready func() bool
	// Reindex brings the index up to date with the corpus for POST
	// /v1/reindex; nil answers that route with 501.
	Reindex func(ctx context.Context) (rag.SyncReport, error)
	// APIKeys, when not empty, are the bearer tokens /v1/* accepts; the
	// page, /healthz, /readyz, /metrics and /openapi.json stay open.
	APIKeys []string
	// AllowedHosts are the names (no port) the server answers for, in the
	// Host header, besides loopback names, ListenAddr's host and the IP
	// address a connection was made to; ".example.com" allows the domain
	// and its sub-domains, "*" any name. Without APIKeys a request for any
	// other host is refused with 421, against DNS rebinding; with APIKeys
	// hosts are checked only when AllowedHosts is set.
	AllowedHosts []string
	// ListenAddr is the host:port the server is configured to listen on;
	// its host is accepted in the Host header.
	ListenAddr string
	// CORSOrigins are the origins (scheme://host[:port]) whose pages may
	// call the API from a browser; "*" allows any. Empty allows none.
	CORSOrigins []string
	// RateLimit is how many requests per second one client (an API key, or
	// an IP address — an IPv6 /64 — without one) may make to /v1/*, with
	// bursts of RateBurst. 0 means DefaultRateLimit with DefaultRateBurst;
	// rate.Inf turns limiting off. RateBurst 0 means one second's worth.
	RateLimit rate.Limit
	RateBurst int
	// MaxQuestionLength is the longest question accepted, in characters;
	// 0 means DefaultMaxQuestionLength.
	MaxQuestionLength int
	// DefaultK is how many passages an answer is chosen from when a request
	// does not say; 0 means DefaultK.
	DefaultK int
	// CacheSize is how many answers are kept to serve repeated questions;
	// 0 means DefaultCacheSize and a negative size turns the cache off.
	// Call Handler.Invalidate after the index changes; entries also expire
	// after CacheTTL (0 means DefaultCacheTTL).
	CacheSize int
	CacheTTL  time.Duration
	// AllowWrites turns on POST, PUT and DELETE /v1/documents, which write
	// files into Corpus and then call Reindex (so both must be set);
	// without it they answer 403. With APIKeys a write needs a key;
	// without, it must come from loopback. Every write must carry
	// WriteHeader.
	AllowWrites bool
	// Corpus is the corpus directory written files go to (its top level).
	Corpus string
	// Supports reports whether the index reads files of this name's type;
	// other uploads are refused with 415. nil takes every type.
	Supports func(name string) bool
	// MaxFileBytes bounds an uploaded file (413 over it); 0 means
	// DefaultMaxFileBytes.
	MaxFileBytes int64
	// History keeps conversations and feedback (rag/sqlite's or
	// rag/postgres's history); the handler does not close it (call
	// Handler.Close first, then close it). nil turns the history off:
	// conversations are kept in memory only (see MemoryConversations),
	// feedback is only counted in the metrics, and the /v1/admin routes
	// answer 501.
	History History
	// Now is the clock of the turns' times; nil means time.Now.
	Now func() time.Time

	corpus corpusdir.Dir // filled in by validate
}

// validate fills in defaults and returns every problem, each naming its
// option.
func (o *Options) validate() error {
	var errs []error
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Ready == nil {
		o.Ready = func() bool { return true }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	for i, k := range o.APIKeys {
		if k == "" || strings.ContainsFunc(k, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			// Never echo a key, not even a bad one.
			errs = append(errs, fmt.Errorf("APIKeys[%d]: empty or contains whitespace or control characters", i))
		}
	}
	for _, a := range o.AllowedHosts {
		if err := checkAllowedHost(a); err != nil {
			errs = append(errs, fmt.Errorf("AllowedHosts: %w", err))
		}
	}
	for _, origin := range o.CORSOrigins {
		if err := checkOrigin(origin); err != nil {
			errs = append(errs, fmt.Errorf("CORSOrigins: %w", err))
		}
	}
	switch {
	case o.RateLimit < 0:
		errs = append(errs, fmt.Errorf("RateLimit: %v is negative", o.RateLimit))
	case o.RateLimit == 0:
		o.RateLimit = DefaultRateLimit
		if o.RateBurst == 0 {
			o.RateBurst = DefaultRateBurst
		}
	}
	if o.RateBurst < 0 {
		errs = append(errs, fmt.Errorf("RateBurst: %d is negative", o.RateBurst))
	} else if o.RateBurst == 0 {
		o.RateBurst = 1
		if o.RateLimit != rate.Inf {
			o.RateBurst = int(min(max(1, math.Ceil(float64(o.RateLimit))), 1<<20))
		}
	}
	if o.MaxQuestionLength < 0 {
		errs = append(errs, fmt.Errorf("MaxQuestionLength: %d is negative", o.MaxQuestionLength))
	} else if o.MaxQuestionLength == 0 {
		o.MaxQuestionLength = DefaultMaxQuestionLength
	}
	if o.DefaultK == 0 {
		o.DefaultK = DefaultK
	} else if o.DefaultK < 1 || o.DefaultK > MaxK {
		errs = append(errs, fmt.Errorf("DefaultK: %d is outside 1..%d", o.DefaultK, MaxK))
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.CacheTTL < 0 {
		errs = append(errs, fmt.Errorf("CacheTTL: %v is negative", o.CacheTTL))
	} else if o.CacheTTL == 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.MaxFileBytes < 0 {
		errs = append(errs, fmt.Errorf("MaxFileBytes: %d is negative", o.MaxFileBytes))
	} else if o.MaxFileBytes == 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.AllowWrites && (o.Corpus == "" || o.Reindex == nil) {
		errs = append(errs, errors.New("AllowWrites: needs Corpus and Reindex"))
	}
	o.corpus = corpusdir.Dir{Root: o.Corpus, MaxBytes: o.MaxFileBytes, Supports: o.Supports}
	return errors.Join(errs...)
}

// checkOrigin accepts "*" and scheme://host[:port] (with at most a
// trailing slash).
func checkOrigin(origin string) error {
	if origin == "*" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not * or scheme://host[:port]", origin)
	}
	return nil
}

// Handler serves citebot's HTTP API and page. Create it with New.
type Handler struct {
	idx     Index
	opts    Options
	log     *slog.Logger
	metrics *metrics
	cache   *answerCache
	keys    *apiKeys
	limits  *limiter
	cors    *cors
	hosts   *hosts
	hist    History              // nil: the history is off
	writer  *turnWriter          // writes turns to hist; nil without one
	convs   *memoryConversations // recent conversations, in memory
	mux     *http.ServeMux
	// paths routes a request by path alone, to tell a wrong method (405)
	// from an unknown route (404).
	paths *http.ServeMux
	h     http.Handler // the whole chain
}

// New returns a handler serving idx. It fails when an option is invalid or
// the metrics cannot be registered. With a History, call Close when done.
func New(idx Index, opts Options) (*Handler, error) {
	if idx == nil {
		return nil, errors.New("httpapi: index is required")
	}
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	reg := opts.Registry
	if reg == nil {
		reg = newRegistry()
	}
	m, err := newMetrics(reg, idx)
	if err != nil {
		return nil, fmt.Errorf("httpapi: metrics: %w", err)
	}
	h := &Handler{
		idx:     idx,
		opts:    opts,
		log:     opts.Logger,
		metrics: m,
		cache:   newAnswerCache(opts.CacheSize, opts.CacheTTL),
		keys:    newAPIKeys(opts.APIKeys),
		limits:  newLimiter(opts.RateLimit, opts.RateBurst),
		cors:    newCORS(opts.CORSOrigins),
		hosts:   newHosts(opts.AllowedHosts, opts.ListenAddr, len(opts.APIKeys) > 0),
		hist:    opts.History,
		convs:   newMemoryConversations(),
		mux:     http.NewServeMux(),
		paths:   http.NewServeMux(),
	}
	if h.hist != nil {
		h.writer = newTurnWriter(h.hist, h.log, m)
	}
	h.register(reg)
	h.h = h.observe(h.recover(h.hosts.wrap(h.cors.wrap(h.cleanPaths(h.mux)))))
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// Invalidate drops the cached answers. Call it after the index changes (a
// Sync that reports Changed); POST /v1/reindex calls it itself.
func (h *Handler) Invalidate() { h.cache.invalidate() }
