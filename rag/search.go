package rag

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// ErrEmptyQuestion reports a question with nothing to search for.
var ErrEmptyQuestion = errors.New("empty question")

// Passage is a retrieved chunk with its scores.
type Passage struct {
	Chunk
	// Score is the fused rank score that orders passages.
	Score float64 `json:"score"`
	// Dense is the cosine similarity of the chunk to the question (0 when
	// the dense search did not return it); Lexical its BM25 score.
	Dense   float32 `json:"dense"`
	Lexical float32 `json:"lexical"`
}

// rrfK is reciprocal rank fusion's damping constant (Cormack et al. 2009).
const rrfK = 60

// Search returns the k passages that best match question, by reciprocal
// rank fusion of the dense (vector) and lexical (BM25) rankings.
func (x *Index) Search(ctx context.Context, question string, k int) ([]Passage, error) {
	ps, _, err := x.search(ctx, question, k)
	return ps, err
}

func (x *Index) search(ctx context.Context, question string, k int) ([]Passage, []float32, error) {
	question = strings.TrimSpace(question)
	if !strings.ContainsFunc(question, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return nil, nil, ErrEmptyQuestion
	}
	if k <= 0 {
		k = 5
	}
	qvec, err := x.cfg.Embedder.EmbedQuery(ctx, question)
	if err != nil {
		return nil, nil, fmt.Errorf("embed question: %w", err)
	}
	depth := max(4*k, 20)
	dense, err := x.cfg.Store.Query(ctx, qvec, depth)
	if err != nil {
		return nil, nil, fmt.Errorf("dense search: %w", err)
	}
	lex, err := x.cfg.Lexical.Search(ctx, question, depth)
	if err != nil {
		return nil, nil, fmt.Errorf("lexical search: %w", err)
	}

	fused := map[string]*Passage{}
	x.mu.RLock()
	get := func(id string) *Passage {
		if p, ok := fused[id]; ok {
			return p
		}
		c, ok := x.chunks[id]
		if !ok {
			return nil // replaced while we searched
		}
		p := &Passage{Chunk: c}
		fused[id] = p
		return p
	}
	for rank, h := range dense {
		if p := get(h.ChunkID); p != nil {
			p.Dense = h.Score
			p.Score += 1 / float64(rrfK+rank+1)
		}
	}
	for rank, h := range lex {
		if p := get(h.ChunkID); p != nil {
			p.Lexical = h.Score
			p.Score += 1 / float64(rrfK+rank+1)
		}
	}
	x.mu.RUnlock()

	out := make([]Passage, 0, len(fused))
	for _, p := range fused {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, qvec, nil
}
