// Package bleveindex implements rag.LexicalIndex on an in-memory bleve index
// scored with BM25.
//
// Chunk text is analysed with bleve's English analyzer (lower-casing, stop
// words, Porter stemming); the source is indexed as a keyword so that a
// source's chunks can be deleted together. Nothing is stored but the index
// itself: hits carry chunk IDs only, and nothing is written to disk.
package bleveindex

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	zapv16 "github.com/blevesearch/zapx/v16"

	"github.com/citebot/citebot/rag"
)

// Index is a rag.LexicalIndex on an in-memory bleve index. It is safe for
// concurrent use.
type Index struct {
	// mu orders writes, so that a DeleteSource cannot miss chunks that an
	// Add is indexing at the same time. Searches read bleve snapshots and
	// need no lock.
	mu  sync.Mutex
	idx bleve.Index
}

var _ rag.LexicalIndex = (*Index)(nil)

func init() {
	// zap sizes the buffer of each new segment for 100 more documents than
	// its batch holds, and an in-memory segment keeps the whole buffer.
	// Scorch without a path never merges segments, so with a batch per
	// document that slack was most of the index: 187 MB instead of 24 MB
	// for 10,000 chunks added ten at a time. The setting is zap's, for the
	// whole process; it only makes new segments' buffers tighter.
	zapv16.NewSegmentBufferNumResultsBump = 0
}

// New returns an empty index. Close releases it.
func New() (*Index, error) {
	// bleve.NewMemOnly builds an upsidedown index, which cannot report the
	// field lengths BM25 needs and silently scores with TF-IDF instead;
	// scorch with no path keeps its segments in memory.
	idx, err := bleve.NewUsing("", newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("bleve new index: %w", err)
	}
	return &Index{idx: idx}, nil
}

// Add indexes chunks in one batch, replacing those whose IDs are already
// indexed.
func (x *Index) Add(ctx context.Context, chunks []rag.Chunk) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bleve add: %w", err)
	}
	if len(chunks) == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	b := x.idx.NewBatch()
	for _, c := range chunks {
		if err := b.Index(c.ID, newDoc(c)); err != nil {
			return fmt.Errorf("bleve add %s: %w", c.ID, err)
		}
	}
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("bleve add: %w", err)
	}
	return nil
}

// DeleteSource removes every chunk of source; an unknown source is a no-op.
func (x *Index) DeleteSource(ctx context.Context, source string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	n, err := x.idx.DocCount()
	if err != nil {
		return fmt.Errorf("bleve delete %s: %w", source, err)
	}
	if n == 0 {
		return nil
	}
	q := query.NewTermQuery(source)
	q.SetField(fieldSource)
	req := bleve.NewSearchRequestOptions(q, int(n), 0, false)
	req.Score = "none"
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("bleve delete %s: %w", source, err)
	}
	if len(res.Hits) == 0 {
		return nil
	}
	b := x.idx.NewBatch()
	for _, h := range res.Hits {
		b.Delete(h.ID)
	}
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("bleve delete %s: %w", source, err)
	}
	return nil
}

// Search returns at most k chunks matching any word of question, by
// descending BM25 score; hits of equal score are ordered by ID. The question
// is analysed like chunk text, never parsed as query syntax, so punctuation
// is harmless; a question with no indexable words (only stop words, say) has
// no hits.
func (x *Index) Search(ctx context.Context, question string, k int) ([]rag.Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	q := query.NewMatchQuery(question)
	q.SetField(fieldText)
	q.SetOperator(query.MatchQueryOperatorOr)
	// Sorting by "-_score", "_id" in bleve would break ties too, but loads
	// the ID of every candidate and doubles the cost of a search.
	req := bleve.NewSearchRequestOptions(q, k, 0, false)
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve search: %w", err)
	}
	if len(res.Hits) == 0 {
		return nil, nil
	}
	hits := make([]rag.Hit, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = rag.Hit{ChunkID: h.ID, Score: float32(h.Score)}
	}
	slices.SortStableFunc(hits, func(a, b rag.Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.ChunkID, b.ChunkID)
	})
	return hits, nil
}

// Count returns the number of chunks indexed, or 0 once the index is closed.
func (x *Index) Count() int {
	n, err := x.idx.DocCount()
	if err != nil {
		return 0
	}
	return int(n)
}

// Close releases the index; later calls fail.
func (x *Index) Close() error {
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("bleve close: %w", err)
	}
	return nil
}
