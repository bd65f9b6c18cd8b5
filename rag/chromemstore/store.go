// Package chromemstore implements rag.Store on an in-memory chromem-go
// database.
//
// The store keeps vectors only: chunk text lives elsewhere, and each document
// carries its chunk's source, title and ordinal as metadata. Vectors always
// come from the caller; the store never embeds text. It does not persist
// anything either: snapshots are written by the caller.
package chromemstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/philippgille/chromem-go"

	"github.com/citebot/citebot/rag"
)

// Metadata keys stored with every chunk.
const (
	metaSource  = "source"
	metaTitle   = "title"
	metaOrdinal = "ordinal"
)

// errNoEmbedding is returned by the collection's embedding function, which
// chromem calls only if a document or query arrives without a vector.
var errNoEmbedding = errors.New("chromemstore embeds no text: vectors must be supplied by the caller")

// Store is a rag.Store on one chromem-go collection. It is safe for
// concurrent use.
//
// Add keeps the caller's vectors without copying them when they are already
// L2-normalised (chromem copies only to normalise), so callers must not
// modify a vector after adding it.
type Store struct {
	// mu orders writes against each other and against queries: chromem
	// locks each document insertion on its own, but a query must see the
	// same count it was clamped to, and chromem's Delete reads its map
	// before taking its lock.
	mu   sync.RWMutex
	coll *chromem.Collection
	dim  int // length of the stored vectors; 0 while the store is empty
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
	return &Store{coll: coll}
}

func noEmbedding(context.Context, string) ([]float32, error) {
	return nil, errNoEmbedding
}

// Add inserts chunks, or replaces those whose IDs are already stored;
// vectors[i] belongs to chunks[i]. All vectors must have the same length,
// that of the vectors already stored, and a non-zero norm. Nothing is added
// if any chunk is invalid.
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
	for i, c := range chunks {
		if c.ID == "" {
			return fmt.Errorf("chromem add: chunk %d of %s has no ID", i, c.Source)
		}
		if err := checkVector(vectors[i], dim); err != nil {
			return fmt.Errorf("chromem add %s: %w", c.ID, err)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dim != 0 && s.dim != dim {
		return fmt.Errorf("chromem add: vectors have %d dimensions, the store holds %d", dim, s.dim)
	}
	for i, c := range chunks {
		doc := chromem.Document{
			ID: c.ID,
			Metadata: map[string]string{
				metaSource:  c.Source,
				metaTitle:   c.Title,
				metaOrdinal: strconv.Itoa(c.Ordinal),
			},
			Embedding: vectors[i],
		}
		// AddDocument, not AddDocuments: the latter starts a goroutine
		// per document.
		if err := s.coll.AddDocument(ctx, doc); err != nil {
			s.dim = s.storedDim(dim)
			return fmt.Errorf("chromem add %s: %w", c.ID, err)
		}
	}
	s.dim = dim
	return nil
}

// storedDim is the dimension to remember after a failed Add that may have
// stored some of its vectors. s.mu must be held.
func (s *Store) storedDim(dim int) int {
	if s.coll.Count() == 0 {
		return 0
	}
	return dim
}

// DeleteSource removes every chunk of source; an unknown source is a no-op.
func (s *Store) DeleteSource(ctx context.Context, source string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("chromem delete %s: %w", source, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.coll.Delete(ctx, map[string]string{metaSource: source}, nil); err != nil {
		return fmt.Errorf("chromem delete %s: %w", source, err)
	}
	if s.coll.Count() == 0 {
		s.dim = 0
	}
	return nil
}

// Query returns the k chunks most similar to vector, by descending cosine
// similarity; fewer if the store holds fewer, none if k <= 0 or the store is
// empty. vector need not be normalised but must have the stored vectors'
// length.
func (s *Store) Query(ctx context.Context, vector []float32, k int) ([]rag.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("chromem query: %w", err)
	}
	if k <= 0 {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.coll.Count()
	if n == 0 {
		return nil, nil
	}
	if err := checkVector(vector, s.dim); err != nil {
		return nil, fmt.Errorf("chromem query: %w", err)
	}
	// chromem rejects nResults > Count.
	k = min(k, n)
	res, err := s.coll.QueryEmbedding(ctx, vector, k, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("chromem query: %w", err)
	}
	hits := make([]rag.Hit, len(res))
	for i, r := range res {
		hits[i] = rag.Hit{ChunkID: r.ID, Score: r.Similarity}
	}
	return hits, nil
}

// Count returns the number of chunks stored.
func (s *Store) Count() int {
	return s.coll.Count()
}
