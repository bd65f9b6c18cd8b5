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
	// Score orders passages: dense similarity and question coverage.
	Score float64 `json:"score"`
	// Dense is the cosine similarity of the chunk to the question (0 when
	// the dense search did not return it); Lexical its BM25 score.
	Dense   float32 `json:"dense"`
	Lexical float32 `json:"lexical"`
}

// Search returns the k passages that best match question.
func (x *Index) Search(ctx context.Context, question string, k int) ([]Passage, error) {
	ps, _, _, err := x.search(ctx, question, k)
	return ps, err
}

// search ranks passages in two stages. The dense (vector) and lexical (BM25)
// searches each propose candidates; every candidate is then scored by its
// cosine similarity to the question and by how much of the question its text
// and title cover, each question term weighted by its IDF and a missing
// term partly covered by a related word — so a paraphrase still finds its
// passage, and a passage matching only common words does not win.
func (x *Index) search(ctx context.Context, question string, k int) ([]Passage, []float32, query, error) {
	question = strings.TrimSpace(question)
	if !strings.ContainsFunc(question, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return nil, nil, query{}, ErrEmptyQuestion
	}
	if k <= 0 {
		k = 5
	}
	qvec, err := x.cfg.Embedder.EmbedQuery(ctx, question)
	if err != nil {
		return nil, nil, query{}, fmt.Errorf("embed question: %w", err)
	}
	depth := max(4*k, 20)

	// Hold the read lock for the whole search, so that a document being
	// replaced is seen either before or after, never half-way.
	x.mu.RLock()
	defer x.mu.RUnlock()
	var dense, lex []Hit
	if h, ok := x.cfg.Store.(HybridSearcher); ok {
		if dense, err = h.Hybrid(ctx, question, qvec, 2*depth); err != nil {
			return nil, nil, query{}, fmt.Errorf("hybrid search: %w", err)
		}
	} else {
		if dense, err = x.cfg.Store.Query(ctx, qvec, depth); err != nil {
			return nil, nil, query{}, fmt.Errorf("dense search: %w", err)
		}
		if lex, err = x.cfg.Lexical.Search(ctx, question, depth); err != nil {
			return nil, nil, query{}, fmt.Errorf("lexical search: %w", err)
		}
	}

	fused := map[string]*Passage{}
	get := func(id string) *Passage {
		if p, ok := fused[id]; ok {
			return p
		}
		c, ok := x.chunks[id]
		if !ok {
			return nil // the store knows a chunk the index does not
		}
		// Every candidate gets its dense score, however it was found.
		p := &Passage{Chunk: c, Dense: dot(qvec, x.docs[c.Source].vectors[c.Ordinal])}
		fused[id] = p
		return p
	}
	for _, h := range dense {
		get(h.ChunkID)
	}
	for _, h := range lex {
		if p := get(h.ChunkID); p != nil {
			p.Lexical = h.Score
		}
	}
	if len(fused) == 0 {
		return nil, qvec, query{}, nil
	}

	q := x.analyse(question)
	sim := newWordSim(x.cfg.WordVectors)
	out := make([]Passage, 0, len(fused))
	for _, p := range fused {
		cov := x.coverage(q, append(words(p.Title), words(p.Text)...), sim)
		p.Score = x.scoring.RerankCoverage*cov + x.scoring.RerankDense*float64(p.Dense)
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
	return out, qvec, q, nil
}
