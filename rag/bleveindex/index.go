// Package bleveindex implements rag.LexicalIndex on an in-memory bleve index
// scored with BM25.
//
// Chunk text is analysed with rag/textanalyzer (bleve's English analyzer:
// lower-casing, stop words, Porter stemming, diacritics folded); the source
// is indexed as a keyword. Nothing is
// stored but the index itself: hits carry chunk IDs only, and nothing is
// written to disk but by SaveTo.
//
// An index can be saved next to a snapshot (SaveTo) and started from that
// copy (AddSaved) instead of indexing every chunk again: it answers from
// the copy, opened read-only and mapped from disk, until its first write.
//
// Writes happen in the background, in the order they were made: Add and
// DeleteSource queue their work and return, so that a caller holding a lock
// (an index swapping documents in, a snapshot being loaded) does not wait
// for analysis and segment building. Search, Count and Close wait for the
// queued work first, so a search always sees every write made before it.
// A large Add is indexed as several batches built in parallel.
//
// Scorch without a path keeps every batch as its own in-memory segment and
// never merges them; searching costs a little per segment, so callers
// should write in batches (citebot's Sync writes a few thousand chunks at a
// time), not a chunk at a time.
package bleveindex

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
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
	idx bleve.Index
	// saved is the copy AddSaved opened, answered from until the first
	// write.
	saved saved

	// mu orders writes: each is queued behind the one before it.
	mu sync.Mutex
	// last is closed when the last queued write is done; nil if none was
	// ever queued.
	last chan struct{}
	// bySource and sourceOf know every chunk indexed or queued, so that
	// DeleteSource needs no search and an unknown source costs nothing.
	bySource map[string][]string // source -> chunk IDs
	sourceOf map[string]string   // chunk ID -> source
	closed   bool

	errMu sync.Mutex
	err   error // the first failed background write; the index is unusable
}

var _ rag.LexicalIndex = (*Index)(nil)

// ErrClosed is returned by every call after Close.
var ErrClosed = errors.New("bleve index closed")

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
	return &Index{idx: idx, bySource: map[string][]string{}, sourceOf: map[string]string{}}, nil
}

// Add queues chunks to be indexed, replacing those whose IDs are already
// indexed; an ID given twice is indexed with its last text. It returns an
// error only for a closed index or one whose earlier background write
// failed.
func (x *Index) Add(ctx context.Context, chunks []rag.Chunk) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bleve add: %w", err)
	}
	if len(chunks) == 0 {
		return nil
	}
	chunks = lastByID(chunks)
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.usable(); err != nil {
		return fmt.Errorf("bleve add: %w", err)
	}
	x.leaveSaved()
	for _, c := range chunks {
		old, known := x.sourceOf[c.ID]
		if known && old == c.Source {
			continue
		}
		if known {
			x.unlink(old, c.ID)
		}
		x.sourceOf[c.ID] = c.Source
		x.bySource[c.Source] = append(x.bySource[c.Source], c.ID)
	}
	x.enqueue(func() error { return x.index(chunks) })
	return nil
}

// lastByID drops all but the last chunk of each ID, so that batches built
// in parallel never hold the same ID.
func lastByID(chunks []rag.Chunk) []rag.Chunk {
	seen := make(map[string]bool, len(chunks))
	dup := false
	for _, c := range chunks {
		if seen[c.ID] {
			dup = true
			break
		}
		seen[c.ID] = true
	}
	if !dup {
		return chunks
	}
	clear(seen)
	out := make([]rag.Chunk, 0, len(chunks))
	for i := len(chunks) - 1; i >= 0; i-- {
		if !seen[chunks[i].ID] {
			seen[chunks[i].ID] = true
			out = append(out, chunks[i])
		}
	}
	slices.Reverse(out)
	return out
}

// batchMax bounds the chunks indexed in one bleve batch: a batch holds
// every analysed chunk in memory until its segment is built, so a large add
// is cut into batches of at most this many, built on all cores at once
// (each becomes a segment of its own).
const batchMax = 8192

// index indexes chunks in batches of at most batchMax, GOMAXPROCS at a time.
func (x *Index) index(chunks []rag.Chunk) error {
	parts := (len(chunks) + batchMax - 1) / batchMax
	if parts <= 1 {
		return x.batch(chunks)
	}
	errs := make([]error, parts)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), parts) {
		wg.Go(func() {
			for p := range next {
				lo, hi := p*len(chunks)/parts, (p+1)*len(chunks)/parts
				errs[p] = x.batch(chunks[lo:hi])
			}
		})
	}
	for p := range parts {
		next <- p
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

func (x *Index) batch(chunks []rag.Chunk) error {
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

// DeleteSource queues the removal of every chunk of source; an unknown
// source is a no-op.
func (x *Index) DeleteSource(ctx context.Context, source string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bleve delete %s: %w", source, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.usable(); err != nil {
		return fmt.Errorf("bleve delete %s: %w", source, err)
	}
	ids := x.bySource[source]
	if len(ids) == 0 {
		return nil
	}
	x.leaveSaved()
	delete(x.bySource, source)
	for _, id := range ids {
		delete(x.sourceOf, id)
	}
	x.enqueue(func() error {
		b := x.idx.NewBatch()
		for _, id := range ids {
			b.Delete(id)
		}
		if err := x.idx.Batch(b); err != nil {
			return fmt.Errorf("bleve delete %s: %w", source, err)
		}
		return nil
	})
	return nil
}

// unlink removes id from source's list; x.mu must be held.
func (x *Index) unlink(source, id string) {
	ids := x.bySource[source]
	if i := slices.Index(ids, id); i >= 0 {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		delete(x.bySource, source)
	} else {
		x.bySource[source] = ids
	}
}

// enqueue runs write after every write queued before it; x.mu must be held.
func (x *Index) enqueue(write func() error) {
	prev, done := x.last, make(chan struct{})
	x.last = done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		if x.failed() != nil {
			return
		}
		if err := write(); err != nil {
			x.errMu.Lock()
			x.err = cmp.Or(x.err, err)
			x.errMu.Unlock()
		}
	}()
}

// settled waits for the writes queued so far and reports whether the index
// can be read.
func (x *Index) settled(ctx context.Context) error {
	x.mu.Lock()
	last, closed := x.last, x.closed
	x.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if last != nil {
		select {
		case <-last:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return x.failed()
}

func (x *Index) failed() error {
	x.errMu.Lock()
	defer x.errMu.Unlock()
	if x.err != nil {
		return fmt.Errorf("background write failed: %w", x.err)
	}
	return nil
}

// usable reports a closed or failed index; x.mu must be held.
func (x *Index) usable() error {
	if x.closed {
		return ErrClosed
	}
	return x.failed()
}

// Search returns at most k chunks matching any word of question, by
// descending BM25 score; hits of equal score are ordered by ID. The question
// is analysed like chunk text, never parsed as query syntax, so punctuation
// is harmless; a question with no indexable words (only stop words, say) has
// no hits. It waits for queued writes.
func (x *Index) Search(ctx context.Context, question string, k int) ([]rag.Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	q := query.NewMatchQuery(question)
	q.SetField(fieldText)
	q.SetOperator(query.MatchQueryOperatorOr)
	// Sorting by "-_score", "_id" in bleve would break ties too, but loads
	// the ID of every candidate and doubles the cost of a search. Instead a
	// few more hits than asked are fetched and ties broken by ID here, so
	// that which of several equal scores make the cut does not depend on
	// the order the chunks were indexed in (unless the tie runs past them).
	req := bleve.NewSearchRequestOptions(q, k+max(k, 32), 0, false)
	res, ok, err := x.searchSaved(ctx, req)
	if !ok {
		if err := x.settled(ctx); err != nil {
			return nil, fmt.Errorf("bleve search: %w", err)
		}
		res, err = x.idx.SearchInContext(ctx, req)
	}
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
	return hits[:min(k, len(hits))], nil
}

// Count returns the number of chunks indexed, after queued writes, or 0
// once the index is closed.
func (x *Index) Count() int {
	if n, ok := x.countSaved(); ok {
		return int(n)
	}
	if x.settled(context.Background()) != nil {
		return 0
	}
	n, err := x.idx.DocCount()
	if err != nil {
		return 0
	}
	return int(n)
}

// Close waits for queued writes and releases the index; later calls fail.
func (x *Index) Close() error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return ErrClosed
	}
	x.closed = true
	last := x.last
	x.saved.mu.Lock()
	saved := x.saved.idx
	x.saved.idx, x.saved.chunks = nil, nil
	x.saved.mu.Unlock()
	x.mu.Unlock()
	if last != nil {
		<-last
	}
	var errs []error
	if saved != nil {
		errs = append(errs, saved.Close())
	}
	errs = append(errs, x.idx.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bleve close: %w", err)
	}
	return nil
}
