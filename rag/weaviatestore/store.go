package weaviatestore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"

	"github.com/citebot/citebot/rag"
)

// Store is a rag.Store and rag.HybridSearcher on one Weaviate collection.
// It is safe for concurrent use.
type Store struct {
	opts    resolved
	client  *weaviate.Client
	http    *http.Client
	headers map[string]string // sent with every request
}

var (
	_ rag.Store          = (*Store)(nil)
	_ rag.HybridSearcher = (*Store)(nil)
)

// New connects to the Weaviate server at opts.URL and creates the
// collection unless it exists. It fails with an error naming the URL, and
// wrapping rag.ErrUnavailable, when the server cannot be reached or is not
// ready; and with an error naming the setting when the options are invalid
// or an existing collection cannot be used.
func New(ctx context.Context, opts Options) (*Store, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: min(o.Timeout, 2*time.Second), KeepAlive: 30 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = 64
	// The request contexts carry the timeout; this bounds the requests the
	// client makes on its own (it reads the server version lazily).
	var rt http.RoundTripper = tr
	if len(o.failover) > 0 {
		rt = newFailover(tr, u0host(o), o.failover)
	}
	hc := &http.Client{Transport: rt, Timeout: o.Timeout}
	headers := map[string]string{}
	if o.APIKey != "" {
		headers["Authorization"] = "Bearer " + o.APIKey
	}
	// ConnectionClient rather than AuthConfig: the latter makes requests
	// (OIDC discovery) before the readiness check below.
	client, err := weaviate.NewClient(weaviate.Config{Host: o.host, Scheme: o.scheme, ConnectionClient: hc, Headers: headers})
	if err != nil {
		return nil, fmt.Errorf("weaviate client for %s: %w", o.URL, err)
	}
	s := &Store{opts: o, client: client, http: hc, headers: headers}

	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	ready, err := client.Misc().ReadyChecker().Do(rctx)
	cancel()
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("weaviate at %s: %w", o.URL, ctx.Err())
	case err != nil:
		detail := fmt.Sprintf("no answer within %v", o.Timeout)
		if !errors.Is(rctx.Err(), context.DeadlineExceeded) {
			_, detail, _ = classify(err)
		}
		return nil, fmt.Errorf("weaviate at %s is not reachable: %w: %s", o.URL, rag.ErrUnavailable, detail)
	case !ready:
		return nil, fmt.Errorf("weaviate at %s is not ready: %w", o.URL, rag.ErrUnavailable)
	}
	if err := s.ensureCollection(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Collection returns the name of the store's collection.
func (s *Store) Collection() string { return s.opts.Collection }

// Close releases the store's idle connections. The store must not be used
// afterwards.
func (s *Store) Close() error {
	s.http.CloseIdleConnections()
	return nil
}

// idSpace is the namespace of the UUIDs that ObjectID derives.
var idSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/citebot/citebot/rag/weaviatestore"))

// ObjectID returns the UUID of the object that holds the chunk with ID
// chunkID: a version 5 (SHA-1, name-based) UUID, the same in every process.
func ObjectID(chunkID string) string {
	return uuid.NewSHA1(idSpace, []byte(chunkID)).String()
}
