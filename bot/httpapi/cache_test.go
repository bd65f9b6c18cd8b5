package httpapi

import (
	"testing"
	"time"
)

func TestAnswerCacheLRU(t *testing.T) {
	now := time.Unix(1000, 0)
	entry := func(s string) cacheEntry { return cacheEntry{body: []byte(s)} }
	key := func(q string) cacheKey { return cacheKey{question: q, k: 5} }

	c := newAnswerCache(2, time.Minute)
	c.put(key("a"), c.generation(), entry("A"), now)
	c.put(key("b"), c.generation(), entry("B"), now)
	c.get(key("a"), now) // a is now the most recent
	c.put(key("c"), c.generation(), entry("C"), now)
	if _, ok := c.get(key("b"), now); ok {
		t.Error("the least recently used entry was not evicted")
	}
	if e, ok := c.get(key("a"), now); !ok || string(e.body) != "A" {
		t.Error("a recently used entry was evicted")
	}
	if _, ok := c.get(key("c"), now.Add(time.Minute+time.Nanosecond)); ok {
		t.Error("an expired entry was served")
	}

	// An answer computed before an invalidation is not stored after it.
	gen := c.generation()
	c.invalidate()
	c.put(key("d"), gen, entry("stale"), now)
	if _, ok := c.get(key("d"), now); ok {
		t.Error("an answer from before the invalidation was stored")
	}
	if _, ok := c.get(key("a"), now); ok {
		t.Error("invalidate kept an entry")
	}

	off := newAnswerCache(-1, time.Minute)
	off.put(key("a"), off.generation(), entry("A"), now)
	if _, ok := off.get(key("a"), now); ok {
		t.Error("a cache that is off stored an answer")
	}
}
