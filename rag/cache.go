package rag

import (
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
