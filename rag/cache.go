package rag

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// sharedCache is a bounded map from words to what is known of them, for
// caches that every question reads many times a word and rarely adds to:
// the stems of words, the vectors of words. It is a map per shard behind a
// read-write lock, which a lookup takes in a few tens of nanoseconds; a
// sync.Map, whose keys are interfaces in a hash trie, took ten times that
// on these caches and was a third of the time a question spends
// measuring its passages. It stops adding past max entries, so that the
// first words, the common ones, stay. It is safe for concurrent use; the
// zero value is not usable (see newSharedCache).
type sharedCache[V any] struct {
	seed   maphash.Seed
	n      atomic.Int64
	max    int64
	shards [cacheShards]cacheShard[V]
}

const cacheShards = 64

type cacheShard[V any] struct {
	mu sync.RWMutex
	m  map[string]V
	_  [64]byte // apart from the next shard's lock
}

func newSharedCache[V any](max int) *sharedCache[V] {
	c := &sharedCache[V]{seed: maphash.MakeSeed(), max: int64(max)}
	for i := range c.shards {
		c.shards[i].m = map[string]V{}
	}
	return c
}

func (c *sharedCache[V]) shard(k string) *cacheShard[V] {
	return &c.shards[maphash.String(c.seed, k)%cacheShards]
}

// load returns k's value, if cached.
func (c *sharedCache[V]) load(k string) (V, bool) {
	s := c.shard(k)
	s.mu.RLock()
	v, ok := s.m[k]
	s.mu.RUnlock()
	return v, ok
}

// store caches v for k unless k is cached or the cache is full. The key is
// copied: k may be a substring of a whole document.
func (c *sharedCache[V]) store(k string, v V) {
	if c.n.Load() >= c.max {
		return
	}
	s := c.shard(k)
	s.mu.Lock()
	if _, ok := s.m[k]; !ok {
		s.m[strings.Clone(k)] = v
		c.n.Add(1)
	}
	s.mu.Unlock()
}

// cachedSentenceVectors is the index's embedder for the sentences a
// question chooses its answer among: it remembers their vectors, for all
// questions. Those sentences are of the few passages that rank first, and
// questions about a corpus come back to the same passages; embedding them
// was a fifth of answering a question on the bundled corpus. A vector
// depends only on its text (Embedder's contract), so a remembered one is
// the one the embedder would give. It stops adding past
// maxCachedSentences (about 1.5 KB each, 3 MB), keeping the first.
type cachedSentenceVectors struct {
	Embedder
	cache *sharedCache[[]float32]
}

// cachedSentenceVectorsDims is a cachedSentenceVectors over an embedder
// that tells the length of its vectors, and tells it too.
type cachedSentenceVectorsDims struct {
	*cachedSentenceVectors
	dims interface{ Dimensions() int }
}

func (c cachedSentenceVectorsDims) Dimensions() int { return c.dims.Dimensions() }

const maxCachedSentences = 1 << 11

// newCachedSentenceVectors returns e with its EmbedDocuments cached.
func newCachedSentenceVectors(e Embedder) Embedder {
	c := &cachedSentenceVectors{Embedder: e, cache: newSharedCache[[]float32](maxCachedSentences)}
	if d, ok := e.(interface{ Dimensions() int }); ok {
		return cachedSentenceVectorsDims{c, d}
	}
	return c
}

// EmbedDocuments returns the vectors of texts, embedding in one batch
// those it does not remember. The vectors are shared: callers must not
// change them.
func (c *cachedSentenceVectors) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var missing []string
	var at []int
	for i, t := range texts {
		if v, ok := c.cache.load(t); ok {
			out[i] = v
			continue
		}
		missing, at = append(missing, t), append(at, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	vs, err := c.Embedder.EmbedDocuments(ctx, missing)
	if err != nil {
		return nil, err
	}
	if len(vs) != len(missing) {
		return nil, fmt.Errorf("%d vectors for %d texts", len(vs), len(missing))
	}
	for j, i := range at {
		out[i] = vs[j]
		c.cache.store(missing[j], vs[j])
	}
	return out, nil
}
