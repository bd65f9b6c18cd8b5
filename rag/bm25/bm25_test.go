package bm25_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bm25"
	"github.com/citebot/citebot/rag/storetest"
	"github.com/citebot/citebot/rag/textanalyzer"
)

var ctx = context.Background()

// mustNew returns a new index that is closed when t ends.
func mustNew(tb testing.TB) *bm25.Index {
	tb.Helper()
	x := bm25.New()
	tb.Cleanup(func() { x.Close() })
	return x
}

func mustAdd(tb testing.TB, x *bm25.Index, chunks []rag.Chunk) {
	tb.Helper()
	if err := x.Add(ctx, chunks); err != nil {
		tb.Fatal(err)
	}
}

func mustSearch(tb testing.TB, x *bm25.Index, q string, k int) []rag.Hit {
	tb.Helper()
	hits, err := x.Search(ctx, q, k)
	if err != nil {
		tb.Fatalf("Search(%q): %v", q, err)
	}
	return hits
}

func TestLexicalIndex(t *testing.T) {
	storetest.TestLexicalIndex(t, func(t *testing.T) rag.LexicalIndex { return mustNew(t) })
}

func TestInProcess(t *testing.T) {
	storetest.TestInProcess(t, func(t *testing.T) storetest.CountedIndex { return mustNew(t) })
}

// corpus returns n chunks of 20 to 120 words, ten to a source.
func corpus(r *rand.Rand, w *storetest.Words, n int) []rag.Chunk {
	chunks := make([]rag.Chunk, n)
	for i := range chunks {
		src := "doc" + strconv.Itoa(i/10)
		chunks[i] = rag.Chunk{ID: fmt.Sprintf("%s#%d", src, i%10), Source: src, Ordinal: i % 10, Text: w.Text(20 + r.IntN(100))}
	}
	return chunks
}

// reference scores chunks for question as the package documents, from
// scratch: every statistic counted over chunks, in float64.
func reference(chunks []rag.Chunk, question string, k int) []rag.Hit {
	an := textanalyzer.New()
	tfs := make([]map[string]int, len(chunks))
	df := map[string]int{}
	total := 0
	for i, c := range chunks {
		tfs[i] = map[string]int{}
		for _, tok := range an.Analyze([]byte(c.Text)) {
			tfs[i][string(tok.Term)]++
			total++
		}
		for t := range tfs[i] {
			df[t]++
		}
	}
	avg := float64(total) / float64(len(chunks))
	qtf := map[string]int{}
	for _, tok := range an.Analyze([]byte(question)) {
		qtf[string(tok.Term)]++
	}
	var hits []rag.Hit
	for i, c := range chunks {
		n := 0
		for _, f := range tfs[i] {
			n += f
		}
		var s float64
		for t, q := range qtf {
			tf := float64(tfs[i][t])
			if tf == 0 {
				continue
			}
			idf := math.Log(1 + (float64(len(chunks))-float64(df[t])+0.5)/(float64(df[t])+0.5))
			s += float64(q) * idf * tf * 2.2 / (tf + 1.2*(0.25+0.75*float64(n)/avg))
		}
		if s > 0 {
			hits = append(hits, rag.Hit{ChunkID: c.ID, Score: float32(s)})
		}
	}
	slices.SortFunc(hits, func(a, b rag.Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ChunkID, b.ChunkID)
	})
	return hits[:min(k, len(hits))]
}

// near reports whether two lists hold the same chunks in the same order
// with scores equal to float32 rounding; where scores are that close, the
// order is free.
func near(got, want []rag.Hit) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(float64(got[i].Score-want[i].Score)) > 1e-4*float64(want[i].Score) {
			return false
		}
		if got[i].ChunkID != want[i].ChunkID && math.Abs(float64(want[i].Score-want[min(i+1, len(want)-1)].Score)) > 1e-4 &&
			(i == 0 || math.Abs(float64(want[i].Score-want[i-1].Score)) > 1e-4) {
			return false
		}
	}
	return true
}

// TestScoresAreBM25 compares the index with BM25 computed from scratch,
// after adds, replacements and deletions (which the index keeps as dead
// chunks, then compacts away).
func TestScoresAreBM25(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w := storetest.NewWords(r, 400)
	chunks := corpus(r, w, 500)
	x := mustNew(t)
	mustAdd(t, x, chunks)
	questions := make([]string, 30)
	for i := range questions {
		questions[i] = "What is the " + w.Text(1+r.IntN(4)) + "?"
	}
	check := func(when string, chunks []rag.Chunk) {
		t.Helper()
		if x.Count() != len(chunks) {
			t.Errorf("%s: Count = %d, want %d", when, x.Count(), len(chunks))
		}
		for _, q := range questions {
			if got, want := mustSearch(t, x, q, 10), reference(chunks, q, 10); !near(got, want) {
				t.Fatalf("%s: Search(%q)\n got %v\nwant %v", when, q, got, want)
			}
		}
	}
	check("added", chunks)

	// Replace a few chunks and delete a source: a few dead chunks, not
	// yet compacted.
	repl := []rag.Chunk{chunks[3], chunks[17]}
	for i := range repl {
		repl[i].Text = w.Text(50)
	}
	mustAdd(t, x, repl)
	chunks[3], chunks[17] = repl[0], repl[1]
	if err := x.DeleteSource(ctx, "doc7"); err != nil {
		t.Fatal(err)
	}
	chunks = slices.DeleteFunc(chunks, func(c rag.Chunk) bool { return c.Source == "doc7" })
	check("with dead chunks", chunks)

	// Enough deletions to compact.
	for s := range 10 {
		if err := x.DeleteSource(ctx, "doc"+strconv.Itoa(20+s)); err != nil {
			t.Fatal(err)
		}
	}
	chunks = slices.DeleteFunc(chunks, func(c rag.Chunk) bool {
		n, _ := strconv.Atoi(strings.TrimPrefix(c.Source, "doc"))
		return n >= 20 && n < 30
	})
	check("compacted", chunks)
	again := corpus(r, w, 30)[20:30] // doc2's IDs, new text
	mustAdd(t, x, again)
	chunks = append(slices.DeleteFunc(chunks, func(c rag.Chunk) bool { return c.Source == "doc2" }), again...)
	check("replaced", chunks)
}

// TestBatchesDoNotMatter: a corpus added at once, a chunk at a time, or in
// uneven batches with some chunks added twice scores the same.
func TestBatchesDoNotMatter(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	w := storetest.NewWords(r, 300)
	chunks := corpus(r, w, 400)
	whole := mustNew(t)
	mustAdd(t, whole, chunks)
	single := mustNew(t)
	for _, c := range chunks {
		mustAdd(t, single, []rag.Chunk{c})
	}
	uneven := mustNew(t)
	for lo := 0; lo < len(chunks); {
		hi := min(lo+1+r.IntN(90), len(chunks))
		mustAdd(t, uneven, chunks[lo:hi])
		mustAdd(t, uneven, chunks[lo:lo+1]) // again: replaced by itself
		lo = hi
	}
	for range 20 {
		q := w.Text(1 + r.IntN(5))
		want := mustSearch(t, whole, q, 20)
		for name, x := range map[string]*bm25.Index{"one at a time": single, "uneven": uneven} {
			if got := mustSearch(t, x, q, 20); !slices.Equal(got, want) {
				t.Errorf("%s: Search(%q)\n got %v\nwant %v", name, q, got, want)
			}
		}
	}
}

// TestTiesByID: chunks of equal score come in ID order, whatever order
// they were added in, and the cut at k keeps the first IDs.
func TestTiesByID(t *testing.T) {
	x := mustNew(t)
	for _, id := range []string{"e#0", "b#0", "d#0", "a#0", "c#0"} {
		mustAdd(t, x, []rag.Chunk{{ID: id, Source: id[:1], Text: "okapi zebra"}})
	}
	mustAdd(t, x, []rag.Chunk{{ID: "z#0", Source: "z", Text: "giraffe"}})
	hits := mustSearch(t, x, "okapi", 3)
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ChunkID)
	}
	if !slices.Equal(ids, []string{"a#0", "b#0", "c#0"}) {
		t.Errorf("hits = %v, want a#0 b#0 c#0", hits)
	}
}

// TestDuplicateInOneAdd: an ID given twice in one Add is indexed with its
// last text.
func TestDuplicateInOneAdd(t *testing.T) {
	x := mustNew(t)
	mustAdd(t, x, []rag.Chunk{{ID: "a#0", Source: "a", Text: "zebra"}, {ID: "a#0", Source: "a", Text: "okapi"}})
	if x.Count() != 1 {
		t.Errorf("Count = %d, want 1", x.Count())
	}
	if hits := mustSearch(t, x, "zebra", 3); len(hits) != 0 {
		t.Errorf("Search(zebra) = %v, want none", hits)
	}
	if hits := mustSearch(t, x, "okapi", 3); len(hits) != 1 {
		t.Errorf("Search(okapi) = %v, want a#0", hits)
	}
}

func TestClosed(t *testing.T) {
	x := bm25.New()
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(ctx, "anything", 3); err == nil {
		t.Error("Search after Close: no error")
	}
	if err := x.Add(ctx, []rag.Chunk{{ID: "a#0", Source: "a", Text: "x"}}); err == nil {
		t.Error("Add after Close: no error")
	}
	if err := x.SaveTo(filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("SaveTo after Close: no error")
	}
	if x.Close() == nil {
		t.Error("second Close: no error")
	}
}

func BenchmarkSearch(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	w := storetest.NewWords(r, 20000)
	x := mustNew(b)
	mustAdd(b, x, corpus(r, w, 20000))
	questions := make([]string, 64)
	for i := range questions {
		questions[i] = "What is the " + w.Text(3) + " of " + w.Text(2) + "?"
	}
	i := 0
	for b.Loop() {
		mustSearch(b, x, questions[i%len(questions)], 20)
		i++
	}
}

func BenchmarkAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	chunks := corpus(r, storetest.NewWords(r, 20000), 20000)
	for b.Loop() {
		x := bm25.New()
		mustAdd(b, x, chunks)
		x.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(chunks)), "ns/chunk")
}
