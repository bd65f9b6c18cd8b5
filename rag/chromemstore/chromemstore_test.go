package chromemstore_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/chromemstore"
	"github.com/citebot/citebot/rag/storetest"
)

func TestStore(t *testing.T) {
	storetest.TestStore(t, func(*testing.T) rag.Store { return chromemstore.New() })
}

func TestCount(t *testing.T) {
	ctx := context.Background()
	s := chromemstore.New()
	chunks := []rag.Chunk{{ID: "a#0", Source: "a"}, {ID: "a#1", Source: "a"}, {ID: "b#0", Source: "b"}}
	vectors := [][]float32{{1, 0}, {0, 1}, {1, 1}}
	if err := s.Add(ctx, chunks, vectors); err != nil {
		t.Fatal(err)
	}
	if got := s.Count(); got != 3 {
		t.Errorf("Count = %d, want 3", got)
	}
	if err := s.DeleteSource(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got := s.Count(); got != 1 {
		t.Errorf("Count after DeleteSource = %d, want 1", got)
	}
}

func TestAddRejects(t *testing.T) {
	ctx := context.Background()
	s := chromemstore.New()
	if err := s.Add(ctx, []rag.Chunk{{ID: "a#0", Source: "a"}}, [][]float32{{1, 0, 0}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		chunks []rag.Chunk
		vecs   [][]float32
	}{
		{"no ID", []rag.Chunk{{Source: "b"}}, [][]float32{{1, 0, 0}}},
		{"empty vector", []rag.Chunk{{ID: "b#0"}}, [][]float32{{}}},
		{"zero vector", []rag.Chunk{{ID: "b#0"}}, [][]float32{{0, 0, 0}}},
		{"other dimension", []rag.Chunk{{ID: "b#0"}}, [][]float32{{1, 0}}},
		{"mixed dimensions", []rag.Chunk{{ID: "b#0"}, {ID: "b#1"}}, [][]float32{{1, 0, 0}, {1, 0}}},
	}
	for _, tt := range tests {
		if err := s.Add(ctx, tt.chunks, tt.vecs); err == nil {
			t.Errorf("Add with %s: no error", tt.name)
		}
	}
	if got := s.Count(); got != 1 {
		t.Errorf("Count after rejected adds = %d, want 1", got)
	}
	if _, err := s.Query(ctx, []float32{1, 0}, 1); err == nil {
		t.Error("Query with a vector of the wrong dimension: no error")
	}

	// Once the store is empty, another dimension is welcome.
	if err := s.DeleteSource(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, []rag.Chunk{{ID: "c#0", Source: "c"}}, [][]float32{{1, 0}}); err != nil {
		t.Errorf("Add of a new dimension to an emptied store: %v", err)
	}
}

func TestQueryCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := chromemstore.New()
	if _, err := s.Query(ctx, []float32{1}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Query with a canceled context: err = %v, want context.Canceled", err)
	}
}

// benchDim is the length of the vectors the GloVe embedder produces.
const benchDim = 356

// randomUnit returns n random unit vectors of benchDim dimensions.
func randomUnit(r *rand.Rand, n int) [][]float32 {
	vs := make([][]float32, n)
	for i := range vs {
		v := make([]float32, benchDim)
		var sq float64
		for j := range v {
			x := r.NormFloat64()
			v[j] = float32(x)
			sq += x * x
		}
		// Normalise in float64, as an embedder should, so that chromem
		// finds the vector normalised and keeps it without copying.
		n := 1 / math.Sqrt(sq)
		for j := range v {
			v[j] = float32(float64(v[j]) * n)
		}
		vs[i] = v
	}
	return vs
}

func benchChunks(n int) []rag.Chunk {
	chunks := make([]rag.Chunk, n)
	for i := range chunks {
		src := "doc" + strconv.Itoa(i/10)
		chunks[i] = rag.Chunk{ID: src + "#" + strconv.Itoa(i%10), Source: src, Title: src, Ordinal: i % 10}
	}
	return chunks
}

func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			r := rand.New(rand.NewPCG(1, 2))
			s := chromemstore.New()
			if err := s.Add(ctx, benchChunks(n), randomUnit(r, n)); err != nil {
				b.Fatal(err)
			}
			queries := randomUnit(r, 64)
			i := 0
			for b.Loop() {
				if _, err := s.Query(ctx, queries[i%len(queries)], 10); err != nil {
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
	chunks, vectors := benchChunks(n), randomUnit(r, n)
	for b.Loop() {
		s := chromemstore.New()
		if err := s.Add(ctx, chunks, vectors); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/chunk")
}
