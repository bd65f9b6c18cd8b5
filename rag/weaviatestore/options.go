package weaviatestore

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of Options.
const (
	DefaultCollection = "CitebotChunk"
	DefaultTimeout    = 5 * time.Second
	DefaultBatchSize  = 100
	DefaultAlpha      = 0.5
)

// Consistency levels of reads and writes.
const (
	One    = "ONE"
	Quorum = "QUORUM"
	All    = "ALL"
)

// Options configure a Store. Only URL is required.
type Options struct {
	// URL is the Weaviate REST endpoint, e.g. "http://127.0.0.1:8080".
	URL string
	// APIKey is sent as a bearer token when set; leave it empty for a
	// server with anonymous access. It should come from the environment.
	APIKey string
	// Collection is the Weaviate collection (class) name: a capital letter
	// then letters, digits and underscores. Default DefaultCollection.
	Collection string
	// ReplicationFactor is the number of copies of each chunk, set when the
	// collection is created. 0 creates it with 1 and accepts an existing
	// collection's factor; any other value must match an existing one.
	ReplicationFactor int
	// Shards is the number of shards the collection is cut into, set when
	// it is created: 0 leaves it to Weaviate (one for each node of the
	// cluster) and accepts an existing collection's; any other value must
	// match an existing one. Weaviate scores BM25 with each shard's own
	// statistics, so on several shards a chunk's score, and the order of
	// the candidates citebot reads, depends on the shard it falls in, which
	// differs from one collection to the next; one shard (replicated on
	// every node by ReplicationFactor) scores every chunk alike, as long as
	// the corpus fits one node.
	Shards int
	// AsyncReplication turns on Weaviate's background repair between
	// replicas when the collection is created (with ReplicationFactor > 1).
	AsyncReplication bool
	// ConsistencyLevel of every write and delete, and of the reads by ID
	// that Lexical.Add makes: One, Quorum or All. Default Quorum. Searches
	// read one replica of each shard (see the package documentation).
	ConsistencyLevel string
	// Timeout bounds each request to Weaviate, so that a lost node makes
	// requests fail fast. Default DefaultTimeout.
	Timeout time.Duration
	// BatchSize is the number of objects sent per import request. Default
	// DefaultBatchSize.
	BatchSize int
	// Alpha weighs Hybrid's vector search against its BM25 search: 1 is
	// vector only, 0 BM25 only. Nil means DefaultAlpha.
	Alpha *float32
	// Failover lists other nodes of the same cluster (http://host:port).
	// When the node in use cannot be reached, requests go to the next one,
	// so losing one node fails no question once the loss is noticed.
	Failover []string
}

var collectionName = regexp.MustCompile(`^[A-Z][_0-9A-Za-z]*$`)

// resolved is Options after defaults and validation.
type resolved struct {
	Options
	scheme, host string
	failover     []string // hosts of Failover
	alpha        float32
}

// resolve applies defaults and reports every invalid setting by name.
func (o Options) resolve() (resolved, error) {
	r := resolved{Options: o, alpha: DefaultAlpha}
	var errs []error
	if o.Collection == "" {
		r.Collection = DefaultCollection
	}
	if o.ConsistencyLevel == "" {
		r.ConsistencyLevel = Quorum
	}
	r.ConsistencyLevel = strings.ToUpper(r.ConsistencyLevel)
	if o.Timeout == 0 {
		r.Timeout = DefaultTimeout
	}
	if o.BatchSize == 0 {
		r.BatchSize = DefaultBatchSize
	}
	if o.Alpha != nil {
		r.alpha = *o.Alpha
	}

	u, err := url.Parse(o.URL)
	switch {
	case o.URL == "":
		errs = append(errs, errors.New("url: required"))
	case err != nil:
		errs = append(errs, fmt.Errorf("url: %w", err))
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		errs = append(errs, fmt.Errorf("url %q: want http://host:port or https://host:port", o.URL))
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		errs = append(errs, fmt.Errorf("url %q: no user, query or fragment allowed", o.URL))
	default:
		r.scheme = u.Scheme
		// The client appends /v1 to scheme://host, so a path prefix
		// (Weaviate behind a proxy) goes with the host.
		r.host = u.Host + strings.TrimSuffix(u.Path, "/")
	}
	for _, f := range o.Failover {
		fu, err := url.Parse(f)
		if err != nil || (fu.Scheme != "http" && fu.Scheme != "https") || fu.Host == "" || fu.Path != "" && fu.Path != "/" {
			errs = append(errs, fmt.Errorf("failover url %q: want http://host:port or https://host:port", f))
			continue
		}
		r.failover = append(r.failover, fu.Host)
	}
	if !collectionName.MatchString(r.Collection) {
		errs = append(errs, fmt.Errorf("collection %q: want a capital letter then letters, digits or underscores", r.Collection))
	}
	if o.ReplicationFactor < 0 {
		errs = append(errs, fmt.Errorf("replication factor %d: must not be negative", o.ReplicationFactor))
	}
	if o.Shards < 0 {
		errs = append(errs, fmt.Errorf("shards %d: must not be negative", o.Shards))
	}
	switch r.ConsistencyLevel {
	case One, Quorum, All:
	default:
		errs = append(errs, fmt.Errorf("consistency level %q: want ONE, QUORUM or ALL", o.ConsistencyLevel))
	}
	if r.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %v: must be positive", o.Timeout))
	}
	if r.BatchSize < 0 {
		errs = append(errs, fmt.Errorf("batch size %d: must be positive", o.BatchSize))
	}
	if r.alpha < 0 || r.alpha > 1 {
		errs = append(errs, fmt.Errorf("alpha %g: want 0 to 1", r.alpha))
	}
	if err := errors.Join(errs...); err != nil {
		return resolved{}, fmt.Errorf("weaviate options: %w", err)
	}
	return r, nil
}
