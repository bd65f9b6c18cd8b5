package storetest

import (
	"testing"

	"github.com/citebot/citebot/rag"
)

// CountedIndex is a lexical index that counts its chunks, as the
// in-process ones do.
type CountedIndex interface {
	rag.LexicalIndex
	// Count returns the number of chunks indexed, after every write made
	// before it.
	Count() int
}

// TestInProcess checks what citebot's in-process lexical indexes
// (bleveindex, bm25) do beyond the rag.LexicalIndex contract: text
// analysed as rag/textanalyzer does (stemming, folded diacritics, stop
// words), and their count of chunks through replacements, deletions and a
// chunk moved to another source. newIndex must return an empty index for
// each call and arrange its own cleanup with t.Cleanup.
func TestInProcess(t *testing.T, newIndex func(t *testing.T) CountedIndex) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, x CountedIndex)
	}{
		{"English", testEnglish},
		{"Count", testCount},
		{"MovedChunk", testMovedChunk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newIndex(t)) })
	}
}

func testEnglish(t *testing.T, x CountedIndex) {
	mustAdd(t, x,
		rag.Chunk{ID: "a#0", Source: "a", Text: "The committee approved the migration policies."},
		rag.Chunk{ID: "a#1", Source: "a", Text: "Security threats were discussed at length."},
		rag.Chunk{ID: "b#0", Source: "b", Text: "Nobody mentioned anything relevant here."},
		rag.Chunk{ID: "c#0", Source: "c", Text: "Temür Khan ruled from Khanbaliq."},
	)
	tests := []struct {
		q    string
		want string // "" for no hits
	}{
		{"What policy on migrating?", "a#0"}, // stemming
		{"When did Temur rule?", "c#0"},      // diacritics folded
		{"Where was Témür?", "c#0"},
		{"Which threat was DISCUSSED?", "a#1"},
		{"what is the and of it?", ""}, // stop words only
		{"", ""},
	}
	for _, tt := range tests {
		hits := mustSearch(t, x, tt.q, 5)
		switch {
		case tt.want == "" && len(hits) != 0:
			t.Errorf("Search(%q) = %v, want no hits", tt.q, hits)
		case tt.want != "" && (len(hits) != 1 || hits[0].ChunkID != tt.want):
			t.Errorf("Search(%q) = %v, want only %s", tt.q, hits, tt.want)
		}
	}
}

// checkCount fails t unless x counts want chunks.
func checkCount(t *testing.T, x CountedIndex, when string, want int) {
	t.Helper()
	if got := x.Count(); got != want {
		t.Errorf("Count %s = %d, want %d", when, got, want)
	}
}

func mustDelete(t *testing.T, x rag.LexicalIndex, source string) {
	t.Helper()
	if err := x.DeleteSource(ctx, source); err != nil {
		t.Fatalf("DeleteSource(%q): %v", source, err)
	}
}

func testCount(t *testing.T, x CountedIndex) {
	checkCount(t, x, "of an empty index", 0)
	chunks := []rag.Chunk{chunk("a", 0, "one"), chunk("a", 1, "two"), chunk("b", 0, "three")}
	mustAdd(t, x, chunks...)
	mustAdd(t, x, chunks[0])
	checkCount(t, x, "after a chunk is added again", 3)
	mustDelete(t, x, "a")
	checkCount(t, x, "after DeleteSource", 1)
}

// testMovedChunk: a chunk re-added under another source belongs to that
// source only.
func testMovedChunk(t *testing.T, x CountedIndex) {
	mustAdd(t, x, rag.Chunk{ID: "c#0", Source: "a", Text: "zebra"})
	mustAdd(t, x, rag.Chunk{ID: "c#0", Source: "b", Text: "zebra"})
	mustDelete(t, x, "a")
	checkCount(t, x, "after deleting the old source", 1)
	if hits := mustSearch(t, x, "zebra", 3); len(hits) != 1 {
		t.Errorf("Search after deleting the old source = %v, want c#0", hits)
	}
	mustDelete(t, x, "b")
	checkCount(t, x, "after deleting the new source", 0)
	if hits := mustSearch(t, x, "zebra", 3); len(hits) != 0 {
		t.Errorf("Search after deleting both sources = %v, want none", hits)
	}
}
