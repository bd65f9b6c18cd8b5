package storetest

import (
	"fmt"
	"math"
	"testing"

	"github.com/citebot/citebot/rag"
)

// TestStore runs the rag.Store conformance suite. newStore must return an
// empty store for each call and arrange its own cleanup with t.Cleanup.
func TestStore(t *testing.T, newStore func(t *testing.T) rag.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s rag.Store)
	}{
		{"QueryOrdersBySimilarity", testQueryOrder},
		{"QueryClampsK", testQueryClampsK},
		{"QueryEmpty", testQueryEmpty},
		{"AddReplacesByID", testStoreReplace},
		{"AddMismatchedLengths", testStoreMismatch},
		{"DeleteSource", testStoreDelete},
		{"DeleteUnknownSource", testStoreDeleteUnknown},
		{"DeleteThenAdd", testStoreDeleteThenAdd},
		{"Concurrent", testStoreConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newStore(t)) })
	}
}

// dim is the length of the suite's vectors.
const dim = 4

// unit returns v scaled to unit length.
func unit(v ...float32) []float32 {
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	n := float32(math.Sqrt(sq))
	u := make([]float32, len(v))
	for i, x := range v {
		u[i] = x / n
	}
	return u
}

// cosine returns the cosine similarity of two unit vectors.
func cosine(a, b []float32) float32 {
	var d float32
	for i := range a {
		d += a[i] * b[i]
	}
	return d
}

// basis returns the unit vector along axis i, i < dim.
func basis(i int) []float32 {
	v := make([]float32, dim)
	v[i] = 1
	return v
}

// mustAddVectors adds chunks with their vectors or fails t.
func mustAddVectors(t *testing.T, s rag.Store, chunks []rag.Chunk, vectors [][]float32) {
	t.Helper()
	if err := s.Add(ctx, chunks, vectors); err != nil {
		t.Fatalf("Add: %v", err)
	}
}

// mustQuery queries s or fails t.
func mustQuery(t *testing.T, s rag.Store, v []float32, k int) []rag.Hit {
	t.Helper()
	hits, err := s.Query(ctx, v, k)
	if err != nil {
		t.Fatalf("Query(k=%d): %v", k, err)
	}
	return hits
}

// fixture is four chunks of two sources whose vectors are increasingly far
// from query.
var (
	query   = unit(1, 0, 0, 0)
	fixture = []rag.Chunk{
		chunk("b.md", 0, "far"),
		chunk("a.md", 0, "nearest"),
		chunk("b.md", 1, "opposite"),
		chunk("a.md", 1, "near"),
	}
	fixtureVectors = [][]float32{
		unit(0, 1, 0, 0),
		unit(1, 0.1, 0, 0),
		unit(-1, 0, 0.2, 0),
		unit(1, 1, 1, 0),
	}
	fixtureOrder = []string{"a.md#0", "a.md#1", "b.md#0", "b.md#1"}
)

func testQueryOrder(t *testing.T, s rag.Store) {
	mustAddVectors(t, s, fixture, fixtureVectors)
	hits := mustQuery(t, s, query, 4)
	checkIDs(t, hits, fixtureOrder...)
	for i, h := range hits {
		if i >= len(fixtureOrder) {
			break
		}
		j := indexOf(fixture, h.ChunkID)
		if want := cosine(query, fixtureVectors[j]); math.Abs(float64(h.Score-want)) > 1e-3 {
			t.Errorf("%s scores %g, want cosine similarity %g", h.ChunkID, h.Score, want)
		}
	}

	// A query vector need not be normalised.
	hits = mustQuery(t, s, []float32{3, 0, 0, 0}, 2)
	checkIDs(t, hits, fixtureOrder[:2]...)
}

func testQueryClampsK(t *testing.T, s rag.Store) {
	mustAddVectors(t, s, fixture, fixtureVectors)
	for _, k := range []int{1, 3, 4, 5, 100} {
		hits := mustQuery(t, s, query, k)
		n := min(k, len(fixture))
		checkIDs(t, hits, fixtureOrder[:n]...)
	}
}

func testQueryEmpty(t *testing.T, s rag.Store) {
	if hits := mustQuery(t, s, query, 10); len(hits) != 0 {
		t.Errorf("empty store: hits = %q, want none", hitIDs(hits))
	}
}

func testStoreReplace(t *testing.T, s rag.Store) {
	mustAddVectors(t, s, fixture, fixtureVectors)
	// Move a.md#0 from nearest to farthest.
	c := chunk("a.md", 0, "now opposite")
	mustAddVectors(t, s, []rag.Chunk{c}, [][]float32{unit(-1, 0, 0, 0)})
	hits := mustQuery(t, s, query, 10)
	checkIDs(t, hits, "a.md#1", "b.md#0", "b.md#1", "a.md#0")
	checkDescending(t, hits)

	// An ID given twice in one call is stored once, or the call fails.
	twice := []rag.Chunk{chunk("c.md", 0, "x"), chunk("c.md", 0, "y")}
	if err := s.Add(ctx, twice, [][]float32{basis(2), basis(3)}); err == nil {
		if hits = mustQuery(t, s, query, 10); len(hits) != 5 {
			t.Errorf("after adding c.md#0 twice in one call: hits = %q, want 5", hitIDs(hits))
		}
	}
}

func testStoreMismatch(t *testing.T, s rag.Store) {
	if err := s.Add(ctx, fixture, fixtureVectors[:3]); err == nil {
		t.Error("Add with 4 chunks and 3 vectors: no error")
	}
}

func testStoreDelete(t *testing.T, s rag.Store) {
	mustAddVectors(t, s, fixture, fixtureVectors)
	if err := s.DeleteSource(ctx, "a.md"); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	checkIDs(t, mustQuery(t, s, query, 10), "b.md#0", "b.md#1")
	if err := s.DeleteSource(ctx, "b.md"); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	if hits := mustQuery(t, s, query, 10); len(hits) != 0 {
		t.Errorf("after deleting every source: hits = %q, want none", hitIDs(hits))
	}
}

func testStoreDeleteUnknown(t *testing.T, s rag.Store) {
	if err := s.DeleteSource(ctx, "nowhere.md"); err != nil {
		t.Errorf("DeleteSource on an empty store: %v", err)
	}
	mustAddVectors(t, s, fixture, fixtureVectors)
	// "a" is a prefix of a source, not a source.
	for _, src := range []string{"nowhere.md", "a", "A.md"} {
		if err := s.DeleteSource(ctx, src); err != nil {
			t.Errorf("DeleteSource(%q): %v", src, err)
		}
	}
	checkIDs(t, mustQuery(t, s, query, 10), fixtureOrder...)
}

func testStoreDeleteThenAdd(t *testing.T, s rag.Store) {
	mustAddVectors(t, s, fixture, fixtureVectors)
	for _, src := range []string{"a.md", "b.md"} {
		if err := s.DeleteSource(ctx, src); err != nil {
			t.Fatalf("DeleteSource: %v", err)
		}
	}
	mustAddVectors(t, s, fixture[:2], fixtureVectors[:2])
	checkIDs(t, mustQuery(t, s, query, 10), "a.md#0", "b.md#0")
}

func testStoreConcurrent(t *testing.T, s rag.Store) {
	const writers, perSource = 8, 4
	// A source that a deleter removes while writers add others.
	doomed := []rag.Chunk{chunk("doomed.md", 0, ""), chunk("doomed.md", 1, "")}
	mustAddVectors(t, s, doomed, [][]float32{basis(0), basis(1)})

	add := func(i int) {
		src := fmt.Sprintf("w%d.md", i)
		chunks := make([]rag.Chunk, perSource)
		vectors := make([][]float32, perSource)
		for j := range chunks {
			chunks[j] = chunk(src, j, "")
			vectors[j] = unit(float32(i+1), float32(j+1), 1, 0.5)
		}
		if err := s.Add(ctx, chunks, vectors); err != nil {
			t.Errorf("Add %s: %v", src, err)
		}
	}
	queryAll := func(int) {
		hits, err := s.Query(ctx, query, 1000)
		if err != nil {
			t.Errorf("Query: %v", err)
		}
		checkDescending(t, hits)
	}
	deleteDoomed := func(int) {
		if err := s.DeleteSource(ctx, "doomed.md"); err != nil {
			t.Errorf("DeleteSource: %v", err)
		}
	}
	concurrently(writers, add, queryAll, deleteDoomed)

	hits := mustQuery(t, s, query, 1000)
	var want []string
	for i := range writers {
		for j := range perSource {
			want = append(want, fmt.Sprintf("w%d.md#%d", i, j))
		}
	}
	checkSet(t, hits, want...)
}

// indexOf returns the index of the chunk with ID id, or -1.
func indexOf(chunks []rag.Chunk, id string) int {
	for i, c := range chunks {
		if c.ID == id {
			return i
		}
	}
	return -1
}
