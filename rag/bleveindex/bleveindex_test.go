package bleveindex_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
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

func TestEnglish(t *testing.T) {
	ctx := context.Background()
	x := mustNew(t)
	chunks := []rag.Chunk{
		{ID: "a#0", Source: "a", Text: "The committee approved the migration policies."},
		{ID: "a#1", Source: "a", Text: "Security threats were discussed at length."},
		{ID: "b#0", Source: "b", Text: "Nobody mentioned anything relevant here."},
	}
	if err := x.Add(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want string // "" for no hits
	}{
		{"What policy on migrating?", "a#0"}, // stemming
		{"Which threat was DISCUSSED?", "a#1"},
		{"what is the and of it?", ""}, // stop words only
		{"", ""},
	}
	for _, tt := range tests {
		hits, err := x.Search(ctx, tt.q, 5)
		if err != nil {
			t.Errorf("Search(%q): %v", tt.q, err)
			continue
		}
		switch {
		case tt.want == "" && len(hits) != 0:
			t.Errorf("Search(%q) = %v, want no hits", tt.q, hits)
		case tt.want != "" && (len(hits) != 1 || hits[0].ChunkID != tt.want):
			t.Errorf("Search(%q) = %v, want only %s", tt.q, hits, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	ctx := context.Background()
	x := mustNew(t)
	chunks := []rag.Chunk{
		{ID: "a#0", Source: "a", Text: "one"},
		{ID: "a#1", Source: "a", Text: "two"},
		{ID: "b#0", Source: "b", Text: "three"},
	}
	if err := x.Add(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	if err := x.Add(ctx, chunks[:1]); err != nil {
		t.Fatal(err)
	}
	if got := x.Count(); got != 3 {
		t.Errorf("Count = %d, want 3", got)
	}
	if err := x.DeleteSource(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got := x.Count(); got != 1 {
		t.Errorf("Count after DeleteSource = %d, want 1", got)
	}
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

// words is a vocabulary of made-up words drawn with a Zipf distribution, so
// that a few are frequent, like English.
type words struct {
	vocab []string
	zipf  *rand.Zipf
}

func newWords(r *rand.Rand, n int) *words {
	syll := []string{"ka", "lo", "mi", "ne", "ru", "ta", "po", "si", "de", "va", "gor", "lin", "tes", "mar"}
	vocab := make([]string, n)
	for i := range vocab {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		vocab[i] = b.String()
	}
	return &words{vocab: vocab, zipf: rand.NewZipf(r, 1.1, 2, uint64(n-1))}
}

// text returns n words separated by spaces.
func (w *words) text(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = w.vocab[w.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

// benchCorpus returns n chunks of about 100 words, ten to a source.
func benchCorpus(w *words, n int) []rag.Chunk {
	chunks := make([]rag.Chunk, n)
	for i := range chunks {
		src := "doc" + strconv.Itoa(i/10)
		chunks[i] = rag.Chunk{
			ID:      fmt.Sprintf("%s#%d", src, i%10),
			Source:  src,
			Ordinal: i % 10,
			Text:    w.text(100),
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
			w := newWords(r, 5000)
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
				questions[i] = "What is the " + w.text(3) + " of " + w.text(2) + "?"
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
	const n = 1000
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	chunks := benchCorpus(newWords(r, 5000), n)
	for b.Loop() {
		x, err := bleveindex.New()
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Add(ctx, chunks); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/chunk")
}
