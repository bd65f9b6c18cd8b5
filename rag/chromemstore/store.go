// Package chromemstore implements rag.Store on an in-memory chromem-go
// database.
//
// chromem-go is the store of record: every chunk is a chromem document with
// its ID and unit vector. Queries do not go through chromem's
// QueryEmbedding, which walks a map of documents, feeds them through
// channels and a locked heap and computes each dot product a float at a
// time: the store keeps its own table of the same chunks, in step with
// every Add and DeleteSource, and answers a query with one pass over a
// contiguous copy of the vectors in 4-bit codes (an eighth of their bytes,
// with a scale for each 64 components), finer codes for the best of that
// pass, and exact float32 scores for the best of those (see table.search).
// On a table large enough to take every core, questions asked at once
// share their passes over the codes (see scanQueue).
// The table shares chromem's float32 vectors; it adds an ID, a slice header
// and the two rows of codes, about 440 bytes a chunk.
//
// The store keeps vectors only: chunk text lives elsewhere, and chromem's
// documents carry no metadata (the store indexes sources itself). Vectors
// always come from the caller; the store never embeds text. It does not
// persist anything either: snapshots are written by the caller.
package chromemstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/philippgille/chromem-go"

	"github.com/citebot/citebot/rag"
)

// errNoEmbedding is returned by the collection's embedding function, which
// chromem calls only if a document or query arrives without a vector.
var errNoEmbedding = errors.New("chromemstore embeds no text: vectors must be supplied by the caller")

// Store is a rag.Store on one chromem-go collection. It is safe for
// concurrent use.
//
// Add keeps the caller's vectors without copying them when they are already
// L2-normalised (it copies only to normalise), so callers must not modify a
// vector after adding it.
type Store struct {
	// mu orders writes against each other and against queries, so that the
	// collection and the table always hold the same chunks.
	mu   sync.RWMutex
	coll *chromem.Collection
	dim  int // length of the stored vectors; 0 while the store is empty
	tab  table
}

var _ rag.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	db := chromem.NewDB()
	// CreateCollection fails only for an empty name or a persistent DB.
	coll, err := db.CreateCollection("chunks", nil, noEmbedding)
	if err != nil {
		panic(fmt.Sprintf("chromemstore: create collection: %v", err))
	}
	return &Store{coll: coll, tab: newTable()}
}

func noEmbedding(context.Context, string) ([]float32, error) {
	return nil, errNoEmbedding
}

// Add inserts chunks, or replaces those whose IDs are already stored;
// vectors[i] belongs to chunks[i]. All vectors must have the same length,
// that of the vectors already stored, and a non-zero norm. Nothing is added
// if any chunk is invalid. An ID given twice is stored once, with its last
// vector.
func (s *Store) Add(ctx context.Context, chunks []rag.Chunk, vectors [][]float32) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("chromem add: %w", err)
	}
	if len(chunks) != len(vectors) {
		return fmt.Errorf("chromem add: %d chunks but %d vectors", len(chunks), len(vectors))
	}
	if len(chunks) == 0 {
		return nil
	}
	dim := len(vectors[0])
	units := make([][]float32, len(vectors))
	for i, c := range chunks {
		if c.ID == "" {
			return fmt.Errorf("chromem add: chunk %d of %s has no ID", i, c.Source)
		}
		u, err := unitVector(vectors[i], dim)
		if err != nil {
			return fmt.Errorf("chromem add %s: %w", c.ID, err)
		}
		units[i] = u
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dim != 0 && s.dim != dim {
		return fmt.Errorf("chromem add: vectors have %d dimensions, the store holds %d", dim, s.dim)
	}
	s.tab.reserve(len(chunks), dim)
	rows := make([]int32, 0, len(chunks))
	defer func() { s.tab.quantiseRows(rows) }()
	for i, c := range chunks {
		// AddDocument, not AddDocuments: the latter starts a goroutine
		// per document. The vector is a unit vector, so chromem keeps it
		// as it is and the table shares it.
		if err := s.coll.AddDocument(ctx, chromem.Document{ID: c.ID, Embedding: units[i]}); err != nil {
			if s.tab.len() == 0 {
				s.dim = 0
			}
			return fmt.Errorf("chromem add %s: %w", c.ID, err)
		}
		rows = append(rows, s.tab.place(c.ID, c.Source, units[i]))
	}
	s.dim = dim
	return nil
}

// DeleteSource removes every chunk of source; an unknown source is a no-op.
func (s *Store) DeleteSource(ctx context.Context, source string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("chromem delete %s: %w", source, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.tab.source(source)
	if len(ids) == 0 {
		return nil
	}
	if err := s.coll.Delete(ctx, nil, nil, ids...); err != nil {
		return fmt.Errorf("chromem delete %s: %w", source, err)
	}
	s.tab.deleteSource(source)
	if s.tab.len() == 0 {
		s.dim = 0
	}
	return nil
}

// Query returns the k chunks most similar to vector, by descending cosine
// similarity, ties by ID; fewer if the store holds fewer, none if k <= 0 or
// the store is empty. vector need not be normalised but must have the stored
// vectors' length.
func (s *Store) Query(ctx context.Context, vector []float32, k int) ([]rag.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("chromem query: %w", err)
	}
	if k <= 0 {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.tab.len() == 0 {
		return nil, nil
	}
	q, err := unitVector(vector, s.dim)
	if err != nil {
		return nil, fmt.Errorf("chromem query: %w", err)
	}
	hits, err := s.tab.search(ctx, q, k)
	if err != nil {
		return nil, fmt.Errorf("chromem query: %w", err)
	}
	return hits, nil
}

// Collection returns the chromem-go collection that is the store of record,
// for tools that compare with chromem's own query. Callers must not modify
// it.
func (s *Store) Collection() *chromem.Collection { return s.coll }

// BytesPerQuery returns the bytes of vector data a query for k neighbours
// reads: every coarse row and its scales, the fine rows of the rows it
// keeps, and the float32 vectors of the candidates scored exactly.
func (s *Store) BytesPerQuery(k int) int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := int64(s.tab.len())
	c := min(int64(candidates(k)), n)
	if n <= c {
		return n * int64(s.dim) * 4
	}
	cc := min(int64(coarseCandidates(k, int(n))), n)
	return n*int64(s.tab.stride+2*s.tab.sw+4) + cc*int64(s.tab.stride) + c*int64(s.dim)*4
}

// Count returns the number of chunks stored.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tab.len()
}

// unitVector returns v if it is a unit vector (within chromem's tolerance),
// else a normalised copy, or an error if v cannot take part in a cosine
// similarity.
func unitVector(v []float32, dim int) ([]float32, error) {
	if err := checkVector(v, dim); err != nil {
		return nil, err
	}
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	norm := math.Sqrt(sq)
	if math.Abs(norm-1) < unitTolerance {
		return v, nil
	}
	u := slices.Clone(v)
	for i, x := range u {
		u[i] = float32(float64(x) / norm)
	}
	return u, nil
}

// unitTolerance is chromem's: a vector whose norm is this close to 1 is
// kept as it is.
const unitTolerance = 1e-6
