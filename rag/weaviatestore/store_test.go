package weaviatestore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/storetest"
)

// The tests in this file and in integration_test.go need a Weaviate server:
// start one with testdata/weaviate.sh start and set
// CITEBOT_WEAVIATE_URL=http://127.0.0.1:8089. Without it they are skipped,
// except in CI (CI=true), where they fail.

const urlEnv = "CITEBOT_WEAVIATE_URL"

// serverURL returns the URL of the Weaviate server to test against, or
// skips t when there is none.
func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv(urlEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the Weaviate tests (start a server with rag/weaviatestore/testdata/weaviate.sh start)", urlEnv)
		}
		t.Skipf("%s not set: no Weaviate server to test against", urlEnv)
	}
	return u
}

var nonName = regexp.MustCompile(`[^0-9A-Za-z]+`)

// testCollection returns a collection name of t's own.
func testCollection(t *testing.T) string {
	t.Helper()
	name := nonName.ReplaceAllString(t.Name(), "_")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	b := make([]byte, 4)
	rand.Read(b)
	return "Test_" + name + "_" + hex.EncodeToString(b)
}

// mustNew returns a store on a collection of t's own (unless opts names
// one), and drops the collection when t ends.
func mustNew(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.URL == "" {
		opts.URL = serverURL(t)
	}
	if opts.Collection == "" {
		opts.Collection = testCollection(t)
	}
	s, err := New(t.Context(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.drop(context.Background()); err != nil {
			t.Errorf("drop collection: %v", err)
		}
		s.Close()
	})
	return s
}

func TestStoreSuite(t *testing.T) {
	serverURL(t)
	storetest.TestStore(t, func(t *testing.T) rag.Store { return mustNew(t, Options{}) })
}

func TestLexicalIndexSuite(t *testing.T) {
	serverURL(t)
	storetest.TestLexicalIndex(t, func(t *testing.T) rag.LexicalIndex { return mustNew(t, Options{}).Lexical() })
}

// chunk returns a chunk of source with the ID rag.Chunk documents.
func chunk(source string, ordinal int, text string) rag.Chunk {
	return rag.Chunk{
		ID: source + "#" + strconv.Itoa(ordinal), Source: source, Title: "Title of " + source,
		Ordinal: ordinal, Start: 10 * ordinal, End: 10*ordinal + len(text), Text: text,
	}
}

// TestStoreAndLexical checks the way a rag.Index uses one collection as
// both: Lexical.Add after Store.Add keeps the vectors, and a Lexical.Add of
// changed chunks keeps them too.
func TestStoreAndLexical(t *testing.T) {
	s := mustNew(t, Options{})
	lex := s.Lexical()
	ctx := t.Context()
	chunks := []rag.Chunk{chunk("a.md", 0, "zebra okapi"), chunk("a.md", 1, "giraffe")}
	vectors := [][]float32{{1, 0, 0}, {0, 1, 0}}
	if err := s.Add(ctx, chunks, vectors); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := lex.Add(ctx, chunks); err != nil {
		t.Fatalf("Lexical.Add: %v", err)
	}
	checkHits(t, "Query", query(t, s, []float32{1, 0.1, 0}, 10), "a.md#0", "a.md#1")
	checkHits(t, "Search", search(t, lex, "okapi", 10), "a.md#0")

	// A changed text through the lexical index alone: found by its new
	// words, and still by its vector.
	changed := chunk("a.md", 0, "capybara")
	if err := lex.Add(ctx, []rag.Chunk{changed}); err != nil {
		t.Fatalf("Lexical.Add: %v", err)
	}
	checkHits(t, "Search capybara", search(t, lex, "capybara", 10), "a.md#0")
	checkHits(t, "Search okapi", search(t, lex, "okapi", 10))
	checkHits(t, "Query after Lexical.Add", query(t, s, []float32{1, 0.1, 0}, 10), "a.md#0", "a.md#1")

	hy, err := s.Hybrid(ctx, "giraffe", []float32{0, 1, 0}, 10)
	if err != nil {
		t.Fatalf("Hybrid: %v", err)
	}
	if len(hy) == 0 || hy[0].ChunkID != "a.md#1" {
		t.Errorf("Hybrid(giraffe) = %v, want a.md#1 first", hy)
	}
	if n, err := s.Count(ctx); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	if err := lex.DeleteSource(ctx, "a.md"); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	checkHits(t, "Query after delete", query(t, s, []float32{1, 0, 0}, 10))
}

// TestNewExistingCollection checks that New adopts a collection it made,
// and refuses one with another replication factor or shard count.
func TestNewExistingCollection(t *testing.T) {
	s := mustNew(t, Options{ReplicationFactor: 1})
	if err := s.Add(t.Context(), []rag.Chunk{chunk("a.md", 0, "kept")}, [][]float32{{1, 0}}); err != nil {
		t.Fatal(err)
	}
	again, err := New(t.Context(), Options{URL: s.opts.URL, Collection: s.Collection()})
	if err != nil {
		t.Fatalf("New on an existing collection: %v", err)
	}
	defer again.Close()
	checkHits(t, "Query", query(t, again, []float32{1, 0}, 10), "a.md#0")

	_, err = New(t.Context(), Options{URL: s.opts.URL, Collection: s.Collection(), ReplicationFactor: 3})
	if err == nil || !regexp.MustCompile(`replication factor is 1, the options ask for 3`).MatchString(err.Error()) {
		t.Errorf("New with another replication factor: %v, want an error naming it", err)
	}
	if errors.Is(err, rag.ErrUnavailable) {
		t.Errorf("a mismatched collection is reported as unavailable: %v", err)
	}
	// On one node Weaviate cuts a collection into one shard.
	if _, err = New(t.Context(), Options{URL: s.opts.URL, Collection: s.Collection(), Shards: 2}); err == nil ||
		!regexp.MustCompile(`it has 1 shards, the options ask for 2`).MatchString(err.Error()) {
		t.Errorf("New with another shard count: %v, want an error naming it", err)
	}
	if again, err := New(t.Context(), Options{URL: s.opts.URL, Collection: s.Collection(), Shards: 1}); err != nil {
		t.Errorf("New with the collection's shard count: %v", err)
	} else {
		again.Close()
	}
}

// query runs s.Query or fails t.
func query(t *testing.T, s *Store, v []float32, k int) []rag.Hit {
	t.Helper()
	hits, err := s.Query(t.Context(), v, k)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	return hits
}

// search runs x.Search or fails t.
func search(t *testing.T, x *Lexical, q string, k int) []rag.Hit {
	t.Helper()
	hits, err := x.Search(t.Context(), q, k)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return hits
}

// checkHits fails t unless hits are exactly the chunks want, in order.
func checkHits(t *testing.T, what string, hits []rag.Hit, want ...string) {
	t.Helper()
	got := make([]string, len(hits))
	for i, h := range hits {
		got[i] = h.ChunkID
	}
	if len(got) != len(want) {
		t.Errorf("%s: hits %q, want %q", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: hits %q, want %q", what, got, want)
			return
		}
	}
}
