// Package bm25 implements rag.LexicalIndex in process: Okapi BM25 over
// posting lists kept in memory, with statistics of the whole index.
//
// Text is analysed by rag/textanalyzer, as bleveindex analyses it, so the
// two see the same terms; only the scoring and the data structures differ.
// A chunk's score is the sum over the question's distinct terms t of
//
//	qtf(t) · idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))
//
// with qtf(t) the term's count in the question, idf(t) = ln(1 + (N −
// df(t) + 0.5)/(df(t) + 0.5)), tf its count in the chunk, len the chunk's
// count of terms, and N, df and avglen taken over every chunk indexed: a
// corpus scores the same whatever the batches it was added in (bleve's
// BM25 took them per segment). Ties are ordered by chunk ID.
//
// Each term has a posting list of chunk numbers and counts, packed as
// varints (under two bytes a posting); chunks are numbered in the order
// they were added. A chunk replaced or deleted is marked dead and left in
// the lists until dead chunks are an eighth of the live ones, when the
// lists are rebuilt without them.
//
// An index can be saved next to a snapshot (SaveTo) and started from that
// copy (AddSaved): one checksummed binary file, read in one pass; a
// damaged or short file is an error, never a panic. It keeps nothing but
// the index: no text, nothing written to disk but by SaveTo.
package bm25

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/textanalyzer"
)

// The BM25 parameters: the usual ones.
const (
	k1 = 1.2
	b  = 0.75
)

// maxTF bounds a stored term count; a chunk holding a term more often
// scores as if it held it maxTF times (BM25 has long saturated by then).
const maxTF = math.MaxUint16

// ErrClosed is returned by every call after Close.
var ErrClosed = errors.New("bm25 index closed")

// Index is a rag.LexicalIndex scored with BM25. It is safe for concurrent
// use: searches share a read lock, writes take the lock only to apply what
// they analysed beforehand.
type Index struct {
	// an analyses questions; chunks are analysed by analysers.
	an analysis.Analyzer

	mu     sync.RWMutex
	closed bool
	// By chunk number.
	ids  []string
	srcs []string
	lens []uint32 // the chunk's count of terms
	dead []bool
	// byID maps a live chunk's ID to its number.
	byID map[string]int32
	// bySource lists the numbers of each source's chunks, dead ones
	// included until the lists are rebuilt.
	bySource map[string][]int32
	// terms maps a term to its number, an index of post.
	terms map[string]int32
	post  []postings
	// byTermID holds, by textanalyzer ID, a term's number plus one, or 0
	// when not known: what terms says, without hashing the term. Cleared
	// whenever terms loses a term.
	byTermID []int32
	// live and dead chunks, and the sum of the live chunks' lens.
	live, ndead int
	sumLen      uint64
}

// postings are the chunks a term occurs in, by increasing number, and how
// often it occurs in each. data holds, per chunk, the uvarint of its
// number's gap from the chunk before (the first's number plus one) shifted
// left once, its low bit set when the count is not 1; then, when it is
// not, the uvarint of the count.
type postings struct {
	data []byte
	n    int32 // chunks listed
	last int32 // the last chunk's number, -1 when none
}

// add appends chunk d, numbered above every chunk listed, with count tf.
func (p *postings) add(d int32, tf uint32) {
	v := uint64(d-p.last) << 1
	if tf != 1 {
		v |= 1
	}
	p.data = binary.AppendUvarint(p.data, v)
	if tf != 1 {
		p.data = binary.AppendUvarint(p.data, uint64(tf))
	}
	p.n++
	p.last = d
}

// cursor reads a posting list, which must be well formed (as the index
// makes them and decode checks them).
type cursor struct {
	b []byte
	d int32
}

func newCursor(p *postings) cursor { return cursor{b: p.data, d: -1} }

// next returns the next chunk and its count, or ok false at the end.
func (c *cursor) next() (d int32, tf uint32, ok bool) {
	if len(c.b) == 0 {
		return 0, 0, false
	}
	v, n := binary.Uvarint(c.b)
	c.b = c.b[n:]
	c.d += int32(v >> 1)
	tf = 1
	if v&1 != 0 {
		t, n := binary.Uvarint(c.b)
		c.b = c.b[n:]
		tf = uint32(t)
	}
	return c.d, tf, true
}

var _ rag.LexicalIndex = (*Index)(nil)

// New returns an empty index.
func New() *Index {
	return &Index{
		an:       textanalyzer.New(),
		byID:     map[string]int32{},
		bySource: map[string][]int32{},
		terms:    map[string]int32{},
	}
}

// analysed is one chunk's terms, their textanalyzer IDs and their counts,
// and its length.
type analysed struct {
	terms []string
	ids   []uint32
	tfs   []uint32
	len   uint32
}

// analyser analyses chunks one after another: a textanalyzer.Analyzer,
// the terms of the chunk at hand, and room for the analysed chunks' terms
// and counts.
type analyser struct {
	an textanalyzer.Analyzer
	// The chunk's terms are numbered in the order they first occur: by
	// ID, at[id] when stamp[id] is the chunk's stamp; those without an ID
	// in unnumbered.
	at         []int32
	stamp      []uint32
	chunk      uint32
	unnumbered map[string]int32
	// terms, ids and tfs are cut into the analysed chunks' slices.
	terms []string
	ids   []uint32
	tfs   []uint32
}

// analysers are kept from one Add to the next.
var analysers = sync.Pool{New: func() any { return &analyser{unnumbered: map[string]int32{}} }}

// arenaTerms is how many terms an analyser makes room for at a time.
const arenaTerms = 8192

// analyse counts the terms of text. Its terms are in the order they first
// occur: the order the index numbers new terms in, which nothing scored
// or saved depends on.
func (r *analyser) analyse(text string) analysed {
	toks := r.an.Analyze(text)
	if cap(r.terms)-len(r.terms) < len(toks) {
		// Earlier chunks keep the slices they were given.
		n := max(arenaTerms, len(toks))
		r.terms, r.ids, r.tfs = make([]string, 0, n), make([]uint32, 0, n), make([]uint32, 0, n)
	}
	r.chunk++
	if r.chunk == 0 { // the stamps wrapped around
		clear(r.stamp)
		r.chunk = 1
	}
	clear(r.unnumbered)
	start := len(r.terms)
	for _, t := range toks {
		if t.ID == 0 {
			if i, ok := r.unnumbered[t.Term]; ok {
				r.tfs[i]++
				continue
			}
			r.unnumbered[t.Term] = int32(len(r.terms))
		} else {
			if int(t.ID) >= len(r.stamp) {
				n := max(2*len(r.stamp), int(t.ID)+1)
				r.at = slices.Grow(r.at, n-len(r.at))[:n]
				r.stamp = slices.Grow(r.stamp, n-len(r.stamp))[:n]
			}
			if r.stamp[t.ID] == r.chunk {
				r.tfs[r.at[t.ID]]++
				continue
			}
			r.stamp[t.ID], r.at[t.ID] = r.chunk, int32(len(r.terms))
		}
		r.terms = append(r.terms, t.Term)
		r.ids = append(r.ids, t.ID)
		r.tfs = append(r.tfs, 1)
	}
	end := len(r.terms)
	a := analysed{terms: r.terms[start:end:end], ids: r.ids[start:end:end], tfs: r.tfs[start:end:end], len: uint32(len(toks))}
	for i, tf := range a.tfs {
		a.tfs[i] = min(tf, maxTF)
	}
	return a
}

// parallelMin is the smallest Add analysed on more than one core.
const parallelMin = 64

// analyseAll analyses chunks, on every core for a large Add.
func analyseAll(chunks []rag.Chunk) []analysed {
	out := make([]analysed, len(chunks))
	workers := min(runtime.GOMAXPROCS(0), (len(chunks)+parallelMin-1)/parallelMin)
	if workers <= 1 {
		r := analysers.Get().(*analyser)
		for i, c := range chunks {
			out[i] = r.analyse(c.Text)
		}
		analysers.Put(r)
		return out
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := analysers.Get().(*analyser)
			for i := w; i < len(chunks); i += workers {
				out[i] = r.analyse(chunks[i].Text)
			}
			analysers.Put(r)
		})
	}
	wg.Wait()
	return out
}

// Add indexes chunks, replacing those whose IDs are already indexed; an ID
// given twice is indexed with its last text. The text is analysed before
// the index is locked.
func (x *Index) Add(ctx context.Context, chunks []rag.Chunk) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bm25 add: %w", err)
	}
	if len(chunks) == 0 {
		return nil
	}
	as := analyseAll(chunks)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return fmt.Errorf("bm25 add: %w", ErrClosed)
	}
	if len(x.ids)+len(chunks) > math.MaxInt32 {
		return fmt.Errorf("bm25 add: more than %d chunks", math.MaxInt32)
	}
	for i, c := range chunks {
		if d, ok := x.byID[c.ID]; ok {
			x.kill(d)
		}
		x.add(c.ID, c.Source, as[i])
	}
	x.compactIfDue()
	return nil
}

// add appends a chunk; x.mu must be held.
func (x *Index) add(id, source string, a analysed) {
	d := int32(len(x.ids))
	x.ids = append(x.ids, id)
	x.srcs = append(x.srcs, source)
	x.lens = append(x.lens, a.len)
	x.dead = append(x.dead, false)
	x.byID[id] = d
	x.bySource[source] = append(x.bySource[source], d)
	x.live++
	x.sumLen += uint64(a.len)
	for j, t := range a.terms {
		x.post[x.number(t, a.ids[j])].add(d, a.tfs[j])
	}
}

// number returns term t's number, numbering it if new; id is its
// textanalyzer ID, or 0. x.mu must be held.
func (x *Index) number(t string, id uint32) int32 {
	if id != 0 && int(id) < len(x.byTermID) {
		if n := x.byTermID[id]; n != 0 {
			return n - 1
		}
	}
	n, ok := x.terms[t]
	if !ok {
		n = int32(len(x.post))
		x.terms[t] = n
		x.post = append(x.post, postings{last: -1})
	}
	if id != 0 {
		if int(id) >= len(x.byTermID) {
			m := max(2*len(x.byTermID), int(id)+1)
			x.byTermID = slices.Grow(x.byTermID, m-len(x.byTermID))[:m]
		}
		x.byTermID[id] = n + 1
	}
	return n
}

// kill marks chunk d dead; x.mu must be held.
func (x *Index) kill(d int32) {
	x.dead[d] = true
	delete(x.byID, x.ids[d])
	x.live--
	x.ndead++
	x.sumLen -= uint64(x.lens[d])
}

// DeleteSource removes every chunk of source; an unknown source is a
// no-op.
func (x *Index) DeleteSource(ctx context.Context, source string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bm25 delete %s: %w", source, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return fmt.Errorf("bm25 delete %s: %w", source, ErrClosed)
	}
	for _, d := range x.bySource[source] {
		// A chunk moved to another source since is that source's.
		if !x.dead[d] && x.srcs[d] == source {
			x.kill(d)
		}
	}
	delete(x.bySource, source)
	x.compactIfDue()
	return nil
}

// compactIfDue rebuilds the index without its dead chunks once they are an
// eighth of the live ones (or all there is); x.mu must be held.
func (x *Index) compactIfDue() {
	if x.ndead == 0 || x.ndead < x.live/8 {
		return
	}
	x.compact()
}

// compact renumbers the live chunks in order and drops the dead ones from
// every list; x.mu must be held.
func (x *Index) compact() {
	renum := make([]int32, len(x.ids))
	n := int32(0)
	for d := range x.ids {
		if x.dead[d] {
			renum[d] = -1
			continue
		}
		renum[d] = n
		x.ids[n], x.srcs[n], x.lens[n] = x.ids[d], x.srcs[d], x.lens[d]
		n++
	}
	clear(x.ids[n:])
	clear(x.srcs[n:])
	x.ids, x.srcs, x.lens = x.ids[:n:n], x.srcs[:n:n], x.lens[:n:n]
	x.dead = make([]bool, n)
	for d, id := range x.ids {
		x.byID[id] = int32(d)
	}
	x.bySource = make(map[string][]int32, len(x.bySource))
	for d, s := range x.srcs {
		x.bySource[s] = append(x.bySource[s], int32(d))
	}
	for t, i := range x.terms {
		p := &x.post[i]
		*p = p.renumbered(renum)
		if p.n == 0 {
			// The term's number stays in use, with an empty list, so
			// that no other number moves.
			delete(x.terms, t)
		}
	}
	clear(x.byTermID)
	x.ndead = 0
}

// renumbered returns p with its chunks renumbered by renum, those numbered
// −1 there left out.
func (p *postings) renumbered(renum []int32) postings {
	out := postings{last: -1}
	for c := newCursor(p); ; {
		d, tf, ok := c.next()
		if !ok {
			break
		}
		if r := renum[d]; r >= 0 {
			out.add(r, tf)
		}
	}
	out.data = slices.Clip(out.data)
	return out
}

// Search returns at most k chunks holding any term of question, by
// descending BM25 score; hits of equal score are ordered by ID. A question
// with no terms (only stop words, say) has no hits.
func (x *Index) Search(ctx context.Context, question string, k int) ([]rag.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bm25 search: %w", err)
	}
	if k <= 0 {
		return nil, nil
	}
	q := x.queryTerms(question)
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, fmt.Errorf("bm25 search: %w", ErrClosed)
	}
	if len(q) == 0 || x.live == 0 {
		return nil, nil
	}
	acc := getScores(len(x.ids))
	defer putScores(acc)
	avg := float64(x.sumLen) / float64(x.live)
	// tf / (tf + k1·(1 − b) + k1·b/avglen · len)
	c0, c1 := float32(k1*(1-b)), float32(k1*b/avg)
	for _, qt := range q {
		n, ok := x.terms[qt.term]
		if !ok {
			continue
		}
		df := x.livePostings(n)
		if df == 0 {
			continue
		}
		w := float32(float64(qt.n) * idf(x.live, df) * (k1 + 1))
		for c := newCursor(&x.post[n]); ; {
			d, n, ok := c.next()
			if !ok {
				break
			}
			if x.ndead > 0 && x.dead[d] {
				continue
			}
			tf := float32(n)
			s := w * tf / (tf + c0 + c1*float32(x.lens[d]))
			if acc.score[d] == 0 {
				acc.touched = append(acc.touched, d)
			}
			acc.score[d] += s
		}
	}
	return x.top(acc, k), nil
}

// livePostings is the number of live chunks in term i's list; x.mu must
// be held.
func (x *Index) livePostings(i int32) int {
	p := &x.post[i]
	if x.ndead == 0 {
		return int(p.n)
	}
	n := 0
	for c := newCursor(p); ; {
		d, _, ok := c.next()
		if !ok {
			return n
		}
		if !x.dead[d] {
			n++
		}
	}
}

// idf is BM25's inverse document frequency of a term in df of n chunks,
// never negative.
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// queryTerm is a distinct term of a question and how often it occurs.
type queryTerm struct {
	term string
	n    int
}

// queryTerms analyses question into its distinct terms, in a fixed order
// (so that scores are summed in one order whatever the question's).
func (x *Index) queryTerms(question string) []queryTerm {
	toks := x.an.Analyze([]byte(question))
	q := make([]queryTerm, 0, len(toks))
	for _, tok := range toks {
		q = append(q, queryTerm{term: string(tok.Term), n: 1})
	}
	slices.SortFunc(q, func(a, b queryTerm) int { return strings.Compare(a.term, b.term) })
	out := q[:0]
	for _, t := range q {
		if len(out) > 0 && out[len(out)-1].term == t.term {
			out[len(out)-1].n++
			continue
		}
		out = append(out, t)
	}
	return out
}

// top returns the k best chunks of acc, best first, ties by ID; x.mu must
// be held.
func (x *Index) top(acc *scores, k int) []rag.Hit {
	better := func(a, b int32) bool {
		if sa, sb := acc.score[a], acc.score[b]; sa != sb {
			return sa > sb
		}
		return x.ids[a] < x.ids[b]
	}
	// h is a min-heap of the best k so far: h[0] is the worst of them.
	h := make([]int32, 0, min(k, len(acc.touched)))
	for _, d := range acc.touched {
		if len(h) < k {
			h = append(h, d)
			up(h, len(h)-1, better)
			continue
		}
		if better(d, h[0]) {
			h[0] = d
			down(h, 0, better)
		}
	}
	slices.SortFunc(h, func(a, b int32) int {
		switch {
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return 0 // a == b: IDs are unique
	})
	hits := make([]rag.Hit, len(h))
	for i, d := range h {
		hits[i] = rag.Hit{ChunkID: x.ids[d], Score: acc.score[d]}
	}
	return hits
}

// up and down restore the heap property of h, a min-heap under better
// (the root is the one every other is better than), at i.
func up(h []int32, i int, better func(a, b int32) bool) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func down(h []int32, i int, better func(a, b int32) bool) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && better(h[c], h[c+1]) {
			c++
		}
		if !better(h[i], h[c]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// scores is a search's accumulator: a score per chunk number, and the
// numbers given one.
type scores struct {
	score   []float32
	touched []int32
}

var scorePool sync.Pool

func getScores(n int) *scores {
	s, _ := scorePool.Get().(*scores)
	if s == nil {
		s = &scores{}
	}
	if cap(s.score) < n {
		s.score = make([]float32, n)
	}
	s.score = s.score[:n]
	return s
}

func putScores(s *scores) {
	for _, d := range s.touched {
		s.score[d] = 0
	}
	s.touched = s.touched[:0]
	scorePool.Put(s)
}

// Count returns the number of chunks indexed, or 0 once the index is
// closed.
func (x *Index) Count() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// Close releases the index; later calls fail.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return ErrClosed
	}
	x.closed = true
	x.ids, x.srcs, x.lens, x.dead, x.post, x.byTermID = nil, nil, nil, nil, nil, nil
	x.byID, x.bySource, x.terms = nil, nil, nil
	x.live, x.ndead, x.sumLen = 0, 0, 0
	return nil
}
