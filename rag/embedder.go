package rag

import "context"

// Embedder turns text into vectors. It mirrors langchaingo's
// embeddings.Embedder so that its implementations slot in.
//
// Vectors of one Embedder all have the same length and are L2-normalised, so
// that a dot product is a cosine similarity. EmbedDocuments returns one vector
// per text, in order.
type Embedder interface {
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}
