package chromemstore_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync/atomic"
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

// randomUnitBlock is randomUnit with the vectors in one allocation, as an
// embedder's batch or a loaded snapshot holds them.
func randomUnitBlock(r *rand.Rand, n int) [][]float32 {
	block := make([]float32, n*benchDim)
	vs := randomUnit(r, n)
	for i, v := range vs {
		vs[i] = block[i*benchDim : (i+1)*benchDim : (i+1)*benchDim]
		copy(vs[i], v)
	}
	return vs
}

// benchStore is a store of n random unit vectors, and 64 queries.
func benchStore(b *testing.B, n int) (*chromemstore.Store, [][]float32) {
	r := rand.New(rand.NewPCG(1, 2))
	s := chromemstore.New()
	if err := s.Add(context.Background(), benchChunks(n), randomUnitBlock(r, n)); err != nil {
		b.Fatal(err)
	}
	return s, randomUnit(r, 64)
}

// BenchmarkQuery is a query for 20 neighbours through the store's scan
// and through chromem-go's own QueryEmbedding on the same vectors. The
// GB/s metric is the vector bytes a query reads per second.
func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		ctx := context.Background()
		s, queries := benchStore(b, n)
		bytes := float64(n * benchDim * 4)
		b.Run("n="+strconv.Itoa(n)+"/store", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := s.Query(ctx, queries[i%len(queries)], 20); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(bytes*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		b.Run("n="+strconv.Itoa(n)+"/chromem", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := s.Collection().QueryEmbedding(ctx, queries[i%len(queries)], 20, nil, nil); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(bytes*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}

// BenchmarkQueryParallel is the store's query for 20 neighbours from 2
// and from 32 goroutines at once, as a server under load asks: what
// matters there is questions a second, and the scan is bound by memory.
func BenchmarkQueryParallel(b *testing.B) {
	for _, n := range []int{10000, 60000, 100000} {
		ctx := context.Background()
		s, queries := benchStore(b, n)
		for _, g := range []int{2, 32} {
			b.Run("n="+strconv.Itoa(n)+"/goroutines="+strconv.Itoa(g), func(b *testing.B) {
				var next atomic.Int64
				b.SetParallelism(max(1, g/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := s.Query(ctx, queries[next.Add(1)%int64(len(queries))], 20); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
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

// TestQueryMatchesBruteForce checks the scan against an exact search after
// random adds, replacements (some moving a chunk to another source) and
// deletions, so that the table stays in step with the collection.
func TestQueryMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	s := chromemstore.New()
	want := map[string][]float32{} // ID -> vector
	source := map[string]string{}  // ID -> source
	for step := range 300 {
		switch op := r.IntN(10); {
		case op < 7: // add or replace a few chunks of one source
			src := "s" + strconv.Itoa(r.IntN(40))
			n := 1 + r.IntN(12)
			chunks := make([]rag.Chunk, n)
			vecs := randomUnit(r, n)
			for i := range chunks {
				id := "c" + strconv.Itoa(r.IntN(400))
				chunks[i] = rag.Chunk{ID: id, Source: src}
				want[id], source[id] = vecs[i], src
			}
			if err := s.Add(ctx, chunks, vecs); err != nil {
				t.Fatal(err)
			}
		default:
			src := "s" + strconv.Itoa(r.IntN(40))
			if err := s.DeleteSource(ctx, src); err != nil {
				t.Fatal(err)
			}
			for id, sc := range source {
				if sc == src {
					delete(want, id)
					delete(source, id)
				}
			}
		}
		if got := s.Count(); got != len(want) {
			t.Fatalf("step %d: Count = %d, want %d", step, got, len(want))
		}
		if coll := s.Collection().Count(); coll != len(want) {
			t.Fatalf("step %d: collection holds %d, want %d", step, coll, len(want))
		}
		q := randomUnit(r, 1)[0]
		k := 1 + r.IntN(20)
		hits, err := s.Query(ctx, q, k)
		if err != nil {
			t.Fatal(err)
		}
		type idScore struct {
			id    string
			score float64
		}
		var exact []idScore
		for id, v := range want {
			var d float64
			for i := range v {
				d += float64(q[i]) * float64(v[i])
			}
			exact = append(exact, idScore{id, d})
		}
		sort.Slice(exact, func(i, j int) bool { return exact[i].score > exact[j].score })
		if len(hits) != min(k, len(exact)) {
			t.Fatalf("step %d: %d hits, want %d", step, len(hits), min(k, len(exact)))
		}
		for i, h := range hits {
			if h.ChunkID != exact[i].id && math.Abs(float64(h.Score)-exact[i].score) > 1e-5 {
				t.Fatalf("step %d: hit %d is %s (%g), want %s (%g)", step, i, h.ChunkID, h.Score, exact[i].id, exact[i].score)
			}
		}
	}
}

// TestQueryTiesByID checks that equal scores are ordered by ID.
func TestQueryTiesByID(t *testing.T) {
	ctx := context.Background()
	s := chromemstore.New()
	v := []float32{0.6, 0.8}
	var chunks []rag.Chunk
	var vecs [][]float32
	for _, id := range []string{"d", "b", "e", "a", "c"} {
		chunks = append(chunks, rag.Chunk{ID: id, Source: id})
		vecs = append(vecs, v)
	}
	if err := s.Add(ctx, chunks, vecs); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Query(ctx, v, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, h.ChunkID)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("tied hits = %q, want %q", got, want)
	}
}

// TestQueryRecall checks the 4-bit passes against an exact search on a store
// large enough to use it, with queries near stored vectors and random ones
// (whose neighbours are all about equally far, the hardest case).
func TestQueryRecall(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(9, 10))
	const n, k = 5000, 20
	s := chromemstore.New()
	vecs := randomUnitBlock(r, n)
	if err := s.Add(ctx, benchChunks(n), vecs); err != nil {
		t.Fatal(err)
	}
	ids := benchChunks(n)
	queries := randomUnit(r, 40)
	for range 40 {
		// Near a stored vector: that vector plus noise.
		q := slices.Clone(vecs[r.IntN(n)])
		for j := range q {
			q[j] += float32(r.NormFloat64() * 0.03)
		}
		queries = append(queries, q)
	}
	found, total := 0, 0
	for _, q := range queries {
		hits, err := s.Query(ctx, q, k)
		if err != nil {
			t.Fatal(err)
		}
		exact, want := exactTop(ids, vecs, q, k)
		var norm float64
		for _, x := range q {
			norm += float64(x) * float64(x)
		}
		for i, h := range hits {
			if want[h.ChunkID] {
				found++
			}
			// Scores are exact cosines, not approximations.
			if j := indexOfID(ids, h.ChunkID); math.Abs(float64(h.Score)-exact[j]/math.Sqrt(norm)) > 1e-4 {
				t.Fatalf("hit %d %s scores %g, want %g", i, h.ChunkID, h.Score, exact[j]/math.Sqrt(norm))
			}
		}
		total += k
	}
	t.Logf("recall@%d = %.4f", k, float64(found)/float64(total))
	if recall := float64(found) / float64(total); recall < 0.99 {
		t.Errorf("recall@%d = %.3f, want at least 0.99", k, recall)
	}
}

// exactTop returns the dot products of q with vecs in float64, and the IDs
// of the k chunks (one a vector) with the greatest.
func exactTop(chunks []rag.Chunk, vecs [][]float32, q []float32, k int) ([]float64, map[string]bool) {
	exact := make([]float64, len(vecs))
	for i, v := range vecs {
		for j := range v {
			exact[i] += float64(q[j]) * float64(v[j])
		}
	}
	order := make([]int, len(vecs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return exact[order[a]] > exact[order[b]] })
	want := map[string]bool{}
	for _, i := range order[:k] {
		want[chunks[i].ID] = true
	}
	return exact, want
}

func indexOfID(chunks []rag.Chunk, id string) int {
	for i, c := range chunks {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// TestQueryRecallSharedComponent checks recall where every vector shares a
// large component (a mean cosine of about 0.97 between them; text
// embeddings often share less, 0.6 to 0.9), added in clusters so that the
// nearest rows of a question lie together in one part of the scan: the
// codes must tell apart what the shared component leaves. Coded without
// taking the mean off, recall@10 was 0.985.
func TestQueryRecallSharedComponent(t *testing.T) {
	if testing.Short() {
		t.Skip("brute force over 70,000 vectors")
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(11, 12))
	const n, k = 70000, 10
	common := randomUnit(r, 1)[0]
	centres := randomUnit(r, 20)
	vecs := make([][]float32, n)
	for i := range vecs {
		v := make([]float32, benchDim)
		c := centres[i*len(centres)/n] // clusters in order
		var norm float64
		for j := range v {
			v[j] = 6*common[j] + 0.2*c[j] + float32(r.NormFloat64())/float32(math.Sqrt(benchDim))
			norm += float64(v[j]) * float64(v[j])
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(norm))
		}
		vecs[i] = v
	}
	s := chromemstore.New()
	chunks := benchChunks(n)
	if err := s.Add(ctx, chunks, vecs); err != nil {
		t.Fatal(err)
	}
	found, total := 0, 0
	for range 20 {
		q := slices.Clone(vecs[r.IntN(n)])
		for j := range q {
			q[j] += float32(r.NormFloat64() * 0.1)
		}
		hits, err := s.Query(ctx, q, k)
		if err != nil {
			t.Fatal(err)
		}
		_, want := exactTop(chunks, vecs, q, k)
		for _, h := range hits {
			if want[h.ChunkID] {
				found++
			}
		}
		total += k
	}
	t.Logf("recall@%d = %.4f", k, float64(found)/float64(total))
	if found != total {
		t.Errorf("recall@%d = %.4f, want 1", k, float64(found)/float64(total))
	}
}
