package storetest

import (
	"fmt"
	"testing"

	"github.com/citebot/citebot/rag"
)

// TestLexicalIndex runs the rag.LexicalIndex conformance suite. newIndex
// must return an empty index for each call and arrange its own cleanup with
// t.Cleanup.
func TestLexicalIndex(t *testing.T, newIndex func(t *testing.T) rag.LexicalIndex) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, x rag.LexicalIndex)
	}{
		{"SearchOrdersByRelevance", testSearchOrder},
		{"SearchClampsK", testSearchClampsK},
		{"SearchEmpty", testSearchEmpty},
		{"SearchNoMatch", testSearchNoMatch},
		{"SearchPunctuation", testSearchPunctuation},
		{"SearchSyntaxNoError", testSearchSyntaxNoError},
		{"AddReplacesByID", testIndexReplace},
		{"DeleteSource", testIndexDelete},
		{"DeleteUnknownSource", testIndexDeleteUnknown},
		{"Concurrent", testIndexConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newIndex(t)) })
	}
}

// mustAdd adds chunks or fails t.
func mustAdd(t *testing.T, x rag.LexicalIndex, chunks ...rag.Chunk) {
	t.Helper()
	if err := x.Add(ctx, chunks); err != nil {
		t.Fatalf("Add: %v", err)
	}
}

// mustSearch searches x or fails t.
func mustSearch(t *testing.T, x rag.LexicalIndex, q string, k int) []rag.Hit {
	t.Helper()
	hits, err := x.Search(ctx, q, k)
	if err != nil {
		t.Fatalf("Search(%q, %d): %v", q, k, err)
	}
	return hits
}

// corpus is five chunks of two sources. Their words are chosen so that
// "zebra okapi" matches them in a clear order whatever the tokenizer:
// both words and more often, then both words, then one, then one in a
// longer text, then none.
var corpus = []rag.Chunk{
	chunk("b.md", 0, "zebra zebra okapi okapi"),
	chunk("a.md", 0, "giraffe and elephant herds"),
	chunk("b.md", 1, "zebra okapi and giraffe"),
	chunk("a.md", 1, "zebra crossing ahead"),
	chunk("a.md", 2, "zebra crossing ahead near the elephant house and the giraffe enclosure"),
}

var corpusOrder = []string{"b.md#0", "b.md#1", "a.md#1", "a.md#2"}

func testSearchOrder(t *testing.T, x rag.LexicalIndex) {
	mustAdd(t, x, corpus...)
	hits := mustSearch(t, x, "zebra okapi", 10)
	checkIDs(t, hits, corpusOrder...)
	checkDescending(t, hits)
	for _, h := range hits {
		if h.Score <= 0 {
			t.Errorf("%s scores %g, want > 0", h.ChunkID, h.Score)
		}
	}
	// Case does not matter.
	checkIDs(t, mustSearch(t, x, "ZEBRA Okapi", 10), corpusOrder...)
}

func testSearchClampsK(t *testing.T, x rag.LexicalIndex) {
	mustAdd(t, x, corpus...)
	for _, k := range []int{1, 2, 4, 5, 100} {
		n := min(k, len(corpusOrder))
		checkIDs(t, mustSearch(t, x, "zebra okapi", k), corpusOrder[:n]...)
	}
}

func testSearchEmpty(t *testing.T, x rag.LexicalIndex) {
	if hits := mustSearch(t, x, "zebra", 10); len(hits) != 0 {
		t.Errorf("empty index: hits = %q, want none", hitIDs(hits))
	}
}

func testSearchNoMatch(t *testing.T, x rag.LexicalIndex) {
	mustAdd(t, x, corpus...)
	for _, q := range []string{"", "   ", "?!", "...", "wombat", "wombat platypus?"} {
		if hits := mustSearch(t, x, q, 10); len(hits) != 0 {
			t.Errorf("Search(%q): hits = %q, want none", q, hitIDs(hits))
		}
	}
}

func testSearchPunctuation(t *testing.T, x rag.LexicalIndex) {
	mustAdd(t, x, corpus...)
	// Query syntax of common engines, which a question must not trigger.
	for _, q := range []string{
		"okapi?",
		"What is an okapi?",
		"okapi: zebra-like?",
		`"okapi`,
		"+okapi -zebra",
		"okapi AND NOT zebra",
		"(okapi) [okapi] {okapi}",
		`okapi~ okapi^2 okap* o?api \okapi /okapi/`,
		"okapi && || !",
		"source: okapi",
	} {
		hits, err := x.Search(ctx, q, 10)
		if err != nil {
			t.Errorf("Search(%q): %v", q, err)
			continue
		}
		if len(hits) == 0 || !containsID(hits, "b.md#0") {
			t.Errorf("Search(%q): hits = %q, want b.md#0 among them", q, hitIDs(hits))
		}
	}
}

func testSearchSyntaxNoError(t *testing.T, x rag.LexicalIndex) {
	mustAdd(t, x, corpus...)
	// Whether these match depends on the tokenizer; they must not fail.
	for _, q := range []string{"source:okapi", "text:zebra", "okapi:", "*", "~", `"`, "\\", "/", "((", "-", "+"} {
		if _, err := x.Search(ctx, q, 10); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
}

func testIndexReplace(t *testing.T, x rag.LexicalIndex) {
	mustAdd(t, x, corpus...)
	mustAdd(t, x, chunk("b.md", 0, "capybara"))
	checkIDs(t, mustSearch(t, x, "capybara", 10), "b.md#0")
	checkIDs(t, mustSearch(t, x, "okapi", 10), "b.md#1")
}

func testIndexDelete(t *testing.T, x rag.LexicalIndex) {
	mustAdd(t, x, corpus...)
	if err := x.DeleteSource(ctx, "b.md"); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	if hits := mustSearch(t, x, "okapi", 10); len(hits) != 0 {
		t.Errorf("after deleting b.md: okapi hits = %q, want none", hitIDs(hits))
	}
	checkIDs(t, mustSearch(t, x, "zebra", 10), "a.md#1", "a.md#2")
	if err := x.DeleteSource(ctx, "a.md"); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	if hits := mustSearch(t, x, "zebra giraffe", 10); len(hits) != 0 {
		t.Errorf("after deleting every source: hits = %q, want none", hitIDs(hits))
	}
	mustAdd(t, x, corpus[0])
	checkIDs(t, mustSearch(t, x, "okapi", 10), "b.md#0")
}

func testIndexDeleteUnknown(t *testing.T, x rag.LexicalIndex) {
	if err := x.DeleteSource(ctx, "nowhere.md"); err != nil {
		t.Errorf("DeleteSource on an empty index: %v", err)
	}
	mustAdd(t, x, corpus...)
	for _, src := range []string{"nowhere.md", "a", "A.md", "md"} {
		if err := x.DeleteSource(ctx, src); err != nil {
			t.Errorf("DeleteSource(%q): %v", src, err)
		}
	}
	checkIDs(t, mustSearch(t, x, "zebra okapi", 10), corpusOrder...)
}

func testIndexConcurrent(t *testing.T, x rag.LexicalIndex) {
	const writers, perSource = 8, 4
	mustAdd(t, x, chunk("doomed.md", 0, "marmot"), chunk("doomed.md", 1, "marmot marmot"))

	add := func(i int) {
		src := fmt.Sprintf("w%d.md", i)
		chunks := make([]rag.Chunk, perSource)
		for j := range chunks {
			chunks[j] = chunk(src, j, fmt.Sprintf("lemur %s", src))
		}
		if err := x.Add(ctx, chunks); err != nil {
			t.Errorf("Add %s: %v", src, err)
		}
	}
	search := func(int) {
		hits, err := x.Search(ctx, "lemur marmot", 1000)
		if err != nil {
			t.Errorf("Search: %v", err)
		}
		checkDescending(t, hits)
	}
	deleteDoomed := func(int) {
		if err := x.DeleteSource(ctx, "doomed.md"); err != nil {
			t.Errorf("DeleteSource: %v", err)
		}
	}
	concurrently(writers, add, search, deleteDoomed)

	var want []string
	for i := range writers {
		for j := range perSource {
			want = append(want, fmt.Sprintf("w%d.md#%d", i, j))
		}
	}
	checkSet(t, mustSearch(t, x, "lemur marmot", 1000), want...)
}

// containsID reports whether hits include the chunk id.
func containsID(hits []rag.Hit, id string) bool {
	for _, h := range hits {
		if h.ChunkID == id {
			return true
		}
	}
	return false
}
