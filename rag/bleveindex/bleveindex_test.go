package bleveindex_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bleveindex"
	"github.com/citebot/citebot/rag/storetest"
)

// mustNew returns a new index that is closed when t ends.
func mustNew(tb testing.TB) *bleveindex.Index {
	tb.Helper()
	x, err := bleveindex.New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := x.Close(); err != nil {
			tb.Error(err)
		}
	})
	return x
}

func TestLexicalIndex(t *testing.T) {
	storetest.TestLexicalIndex(t, func(t *testing.T) rag.LexicalIndex { return mustNew(t) })
}

func TestInProcess(t *testing.T) {
	storetest.TestInProcess(t, func(t *testing.T) storetest.CountedIndex { return mustNew(t) })
}

func TestClosed(t *testing.T) {
	x, err := bleveindex.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(context.Background(), "anything", 3); err == nil {
		t.Error("Search after Close: no error")
	}
}

// benchCorpus returns n chunks of about 100 words, ten to a source.
func benchCorpus(w *storetest.Words, n int) []rag.Chunk {
	chunks := make([]rag.Chunk, n)
	for i := range chunks {
		src := "doc" + strconv.Itoa(i/10)
		chunks[i] = rag.Chunk{
			ID:      fmt.Sprintf("%s#%d", src, i%10),
			Source:  src,
			Ordinal: i % 10,
			Text:    w.Text(100),
		}
	}
	return chunks
}

func BenchmarkSearch(b *testing.B) {
	// batches: how many Add calls built the index. In-memory scorch never
	// merges its segments, one per batch.
	for _, batches := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("n=1000/batches=%d", batches), func(b *testing.B) {
			ctx := context.Background()
			r := rand.New(rand.NewPCG(1, 2))
			w := storetest.NewWords(r, 5000)
			chunks := benchCorpus(w, 1000)
			x := mustNew(b)
			per := len(chunks) / batches
			for i := 0; i < len(chunks); i += per {
				if err := x.Add(ctx, chunks[i:i+per]); err != nil {
					b.Fatal(err)
				}
			}
			questions := make([]string, 64)
			for i := range questions {
				questions[i] = "What is the " + w.Text(3) + " of " + w.Text(2) + "?"
			}
			i := 0
			for b.Loop() {
				if _, err := x.Search(ctx, questions[i%len(questions)], 10); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func BenchmarkAdd(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) { benchmarkAdd(b, n) })
	}
}

func benchmarkAdd(b *testing.B, n int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	chunks := benchCorpus(storetest.NewWords(r, 5000), n)
	for b.Loop() {
		x, err := bleveindex.New()
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Add(ctx, chunks); err != nil {
			b.Fatal(err)
		}
		x.Count() // Add queues; Count waits for the indexing
		b.StopTimer()
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/chunk")
}

// TestWritesInOrder checks that queued writes apply in the order they were
// made and that searches see all of them.
func TestWritesInOrder(t *testing.T) {
	ctx := context.Background()
	x := mustNew(t)
	for round := range 20 {
		text := "zebra"
		if round%2 == 1 {
			text = "okapi"
		}
		if err := x.Add(ctx, []rag.Chunk{{ID: "a#0", Source: "a", Text: text}, {ID: "a#1", Source: "a", Text: "filler"}}); err != nil {
			t.Fatal(err)
		}
		if round%3 == 2 {
			if err := x.DeleteSource(ctx, "a"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Round 19 added okapi; the last delete was in round 17.
	hits, err := x.Search(ctx, "okapi zebra", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ChunkID != "a#0" {
		t.Fatalf("hits = %v, want a#0 only", hits)
	}
	if hits, _ := x.Search(ctx, "zebra", 5); len(hits) != 0 {
		t.Errorf("zebra hits = %v, want none (replaced)", hits)
	}
	if got := x.Count(); got != 2 {
		t.Errorf("Count = %d, want 2", got)
	}
}

// TestLargeAdd checks an add big enough to be indexed in parallel batches,
// with an ID given twice.
func TestLargeAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 9,000 chunks")
	}
	ctx := context.Background()
	x := mustNew(t)
	const n = 9000
	chunks := make([]rag.Chunk, n)
	for i := range chunks {
		chunks[i] = rag.Chunk{ID: "d" + strconv.Itoa(i/10) + "#" + strconv.Itoa(i%10), Source: "d" + strconv.Itoa(i/10), Text: "word" + strconv.Itoa(i) + " common"}
	}
	// The first chunk again at the end, with new text: the last wins.
	chunks = append(chunks, rag.Chunk{ID: chunks[0].ID, Source: chunks[0].Source, Text: "replaced common"})
	if err := x.Add(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	if got := x.Count(); got != n {
		t.Fatalf("Count = %d, want %d", got, n)
	}
	for _, tt := range []struct{ q, want string }{{"word1", "d0#1"}, {"word8999", "d899#9"}, {"replaced", "d0#0"}} {
		hits, err := x.Search(ctx, tt.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].ChunkID != tt.want {
			t.Errorf("Search(%q) = %v, want %s", tt.q, hits, tt.want)
		}
	}
	if hits, _ := x.Search(ctx, "word0", 3); len(hits) != 0 {
		t.Errorf("Search(word0) = %v, want none: d0#0 was replaced", hits)
	}
}

func TestSaved(t *testing.T) {
	storetest.TestSaved(t, func(t *testing.T) storetest.SavedIndex { return mustNew(t) })
}
