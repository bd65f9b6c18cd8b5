package httpapi

import (
	"container/list"
	"sync"
	"time"

	"github.com/citebot/citebot/rag"
)

// answerCache keeps the encoded answers to recent questions, least recently
// used out first. Answering takes milliseconds of CPU (or a language model's
// seconds) while a repeated question is common — a page reloaded, a bot and
// a script asking the same thing — and is served from here in microseconds.
//
// Entries belong to a generation; invalidate starts a new one, so an answer
// computed from the index before a change is never served after it, even
// when it is stored after the change.
type answerCache struct {
	size int // 0: off
	ttl  time.Duration

	mu    sync.Mutex
	gen   uint64
	lru   *list.List // of *cacheItem, most recent first
	items map[cacheKey]*list.Element
}

type cacheKey struct {
	question string
	k        int
}

type cacheEntry struct {
	answer rag.Answer // without its Passages
	body   []byte     // answer encoded
}

type cacheItem struct {
	key     cacheKey
	gen     uint64
	expires time.Time
	entry   cacheEntry
}

// newAnswerCache returns a cache of size entries; size < 0 turns it off.
func newAnswerCache(size int, ttl time.Duration) *answerCache {
	return &answerCache{size: max(size, 0), ttl: ttl, lru: list.New(), items: map[cacheKey]*list.Element{}}
}

func (c *answerCache) get(key cacheKey, now time.Time) (cacheEntry, bool) {
	if c.size == 0 {
		return cacheEntry{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return cacheEntry{}, false
	}
	it := el.Value.(*cacheItem)
	if it.gen != c.gen || now.After(it.expires) {
		c.lru.Remove(el)
		delete(c.items, key)
		return cacheEntry{}, false
	}
	c.lru.MoveToFront(el)
	return it.entry, true
}

// generation is to be read before computing an answer and passed to put.
func (c *answerCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put stores an answer computed in generation gen, unless the cache has
// been invalidated since.
func (c *answerCache) put(key cacheKey, gen uint64, e cacheEntry, now time.Time) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	it := &cacheItem{key: key, gen: gen, expires: now.Add(c.ttl), entry: e}
	if el, ok := c.items[key]; ok {
		el.Value = it
		c.lru.MoveToFront(el)
		return
	}
	c.items[key] = c.lru.PushFront(it)
	for c.lru.Len() > c.size {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.items, last.Value.(*cacheItem).key)
	}
}

// invalidate drops every entry and starts a new generation.
func (c *answerCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.lru.Init()
	clear(c.items)
}
