package rag

import (
	"context"
	"errors"
)

// ErrUnavailable reports a store or index that cannot be reached now (a lost
// database node, say); callers may retry later. Front ends map it to 503.
var ErrUnavailable = errors.New("index temporarily unavailable")

// Hit is one retrieved chunk and its score; higher is better.
type Hit struct {
	ChunkID string
	Score   float32
}

// Store holds chunk vectors and finds the nearest ones to a query vector.
//
// Add inserts or replaces chunks by ID; vectors[i] belongs to chunks[i].
// DeleteSource removes every chunk of one source and is a no-op for an
// unknown source. Query returns at most k hits ordered by descending cosine
// similarity; it returns no error on an empty store.
// Implementations are safe for concurrent use.
type Store interface {
	Add(ctx context.Context, chunks []Chunk, vectors [][]float32) error
	DeleteSource(ctx context.Context, source string) error
	Query(ctx context.Context, vector []float32, k int) ([]Hit, error)
}

// LexicalIndex finds chunks by their words (BM25 or similar).
//
// Add inserts or replaces chunks by ID; DeleteSource removes every chunk of
// one source. Search returns at most k hits ordered by descending score and
// no hits (not an error) for a query with no indexable words.
// Implementations are safe for concurrent use.
type LexicalIndex interface {
	Add(ctx context.Context, chunks []Chunk) error
	DeleteSource(ctx context.Context, source string) error
	Search(ctx context.Context, query string, k int) ([]Hit, error)
}

// HybridSearcher is implemented by stores that fuse vector and keyword
// search themselves (Weaviate). When the Store is one, its hybrid results
// replace the separate dense and lexical candidate lists.
type HybridSearcher interface {
	Hybrid(ctx context.Context, query string, vector []float32, k int) ([]Hit, error)
}
