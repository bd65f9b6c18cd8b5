// Package storetest checks implementations of rag.Store and rag.LexicalIndex
// against the contracts documented on those interfaces, in the manner of
// testing/slogtest: an implementation's own test calls TestStore or
// TestLexicalIndex with a constructor.
//
// TestStore and TestLexicalIndex test only what the interfaces promise, so
// that every implementation (in memory or behind a server) can pass them:
// they use no stemming, stop words or particular score scale. TestInProcess
// adds what citebot's in-process lexical indexes share beyond that.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/citebot/citebot/rag"
)

// chunk returns a chunk of source with the ID rag.Chunk documents.
func chunk(source string, ordinal int, text string) rag.Chunk {
	return rag.Chunk{
		ID:      fmt.Sprintf("%s#%d", source, ordinal),
		Source:  source,
		Title:   "Title of " + source,
		Ordinal: ordinal,
		Text:    text,
	}
}

// hitIDs returns the chunk IDs of hits, in order.
func hitIDs(hits []rag.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ChunkID
	}
	return ids
}

// checkDescending fails t unless hits are ordered by descending score.
func checkDescending(t *testing.T, hits []rag.Hit) {
	t.Helper()
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("hit %d (%s, %g) scores above hit %d (%s, %g)",
				i, hits[i].ChunkID, hits[i].Score, i-1, hits[i-1].ChunkID, hits[i-1].Score)
		}
	}
}

// checkIDs fails t unless hits are exactly the chunks want, in order.
func checkIDs(t *testing.T, hits []rag.Hit, want ...string) {
	t.Helper()
	got := hitIDs(hits)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hits = %q, want %q", got, want)
	}
}

// checkSet fails t unless hits are the chunks want, in any order, each once.
func checkSet(t *testing.T, hits []rag.Hit, want ...string) {
	t.Helper()
	seen := make(map[string]int)
	for _, h := range hits {
		seen[h.ChunkID]++
	}
	ok := len(hits) == len(want)
	for _, id := range want {
		if seen[id] != 1 {
			ok = false
		}
	}
	if !ok {
		t.Errorf("hits = %q, want %q in any order", hitIDs(hits), want)
	}
}

// concurrently runs each of fs in its own goroutine n times and waits.
func concurrently(n int, fs ...func(i int)) {
	var wg sync.WaitGroup
	for _, f := range fs {
		for i := range n {
			wg.Go(func() { f(i) })
		}
	}
	wg.Wait()
}

// ctx is the context of every call: the suites test no cancellation.
var ctx = context.Background()
