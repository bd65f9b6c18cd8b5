package chromemstore

import (
	"cmp"
	"context"
	"errors"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/citebot/citebot/rag"
)

// table is the store's scan index: one row per chunk, in no particular
// order, kept dense by moving the last row into a deleted one. Row i is
// chunk ids[i] of source srcs[i], with its unit vector vecs[i] (the slice
// chromem's document holds, not a copy) and the same vector quantised to
// int8 in codes[i*stride:(i+1)*stride] with scale scales[i].
//
// A query reads the int8 rows in one pass through one contiguous array, a
// quarter of the bytes of the float32 vectors, keeps the best candidates by
// their approximate scores, and scores only those exactly on the float32
// vectors (see search).
//
// The rows are found by ID through byID and by source through bySource,
// about 20 bytes a row together, where a map from IDs to rows and one from
// sources to IDs took about 60.
type table struct {
	vecs   [][]float32
	ids    []string
	srcs   []string
	codes  []int8
	scales []float32
	stride int // len(vector) rounded up to 16; 0 while empty
	// byID is a hash table of the rows by ID, open addressing with linear
	// probing from the ID's hash: each slot holds a row plus 1, or 0 when
	// free. It has a power of two slots and is at most half full.
	byID []int32
	seed maphash.Seed
	// bySource lists the rows of each source, in no order; row r is
	// bySource[srcs[r]][at[r]].
	bySource map[string][]int32
	at       []int32
}

func newTable() table {
	return table{seed: maphash.MakeSeed(), bySource: map[string][]int32{}}
}

func (t *table) len() int { return len(t.ids) }

// reserve makes room for n more rows, so that a large Add (a snapshot's
// load) allocates each array once, at its size.
func (t *table) reserve(n, dim int) {
	stride := t.stride
	if stride == 0 {
		stride = (dim + 15) &^ 15
	}
	t.ids = slices.Grow(t.ids, n)
	t.srcs = slices.Grow(t.srcs, n)
	t.vecs = slices.Grow(t.vecs, n)
	t.scales = slices.Grow(t.scales, n)
	t.at = slices.Grow(t.at, n)
	t.codes = slices.Grow(t.codes, n*stride)
	if need := slotsFor(len(t.ids) + n); need > len(t.byID) {
		t.rehash(need)
	}
}

// slotsFor is the size of byID for n rows: a power of two, at least 2n.
func slotsFor(n int) int {
	s := 16
	for s < 2*n {
		s *= 2
	}
	return s
}

// rehash rebuilds byID with size slots.
func (t *table) rehash(size int) {
	t.byID = make([]int32, size)
	for r, id := range t.ids {
		i := t.home(id)
		for t.byID[i] != 0 {
			i = (i + 1) & (len(t.byID) - 1)
		}
		t.byID[i] = int32(r) + 1
	}
}

// home is the slot where the search for id starts.
func (t *table) home(id string) int {
	return int(maphash.String(t.seed, id) & uint64(len(t.byID)-1))
}

// find returns the slot of id's row and the row, or the free slot where it
// would go and -1 (no slot, -1, while byID has none).
func (t *table) find(id string) (slot int, row int32) {
	if len(t.byID) == 0 {
		return -1, -1
	}
	mask := len(t.byID) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		v := t.byID[i]
		if v == 0 {
			return i, -1
		}
		if t.ids[v-1] == id {
			return i, v - 1
		}
	}
}

// unslot frees slot i of byID, moving back the entries after it that
// their probe reached only past it, so that every search still finds its
// row before a free slot.
func (t *table) unslot(i int) {
	mask := len(t.byID) - 1
	t.byID[i] = 0
	for j := (i + 1) & mask; t.byID[j] != 0; j = (j + 1) & mask {
		h := t.home(t.ids[t.byID[j]-1])
		// The entry at j may fill i unless its home lies cyclically in
		// (i, j].
		if (j-h)&mask >= (j-i)&mask {
			t.byID[i], t.byID[j] = t.byID[j], 0
			i = j
		}
	}
}

// place adds a chunk, or replaces the one with its ID, but for its int8
// row, which it leaves for quantiseRows to write; it returns the row.
func (t *table) place(id, source string, v []float32) int32 {
	if t.stride == 0 {
		t.stride = (len(v) + 15) &^ 15
	}
	if 2*(len(t.ids)+1) > len(t.byID) {
		t.rehash(slotsFor(len(t.ids) + 1))
	}
	slot, r := t.find(id)
	if r >= 0 {
		t.vecs[r] = v
		if t.srcs[r] != source {
			t.unlinkRow(r)
			t.linkRow(r, source)
		}
		return r
	}
	r = int32(len(t.ids))
	t.byID[slot] = r + 1
	t.ids = append(t.ids, id)
	t.srcs = append(t.srcs, source)
	t.vecs = append(t.vecs, v)
	t.codes = slices.Grow(t.codes, t.stride)[:(int(r)+1)*t.stride]
	t.scales = append(t.scales, 0)
	t.at = append(t.at, 0)
	t.linkRow(r, source)
	return r
}

// linkRow lists row r under source and records it as the row's.
func (t *table) linkRow(r int32, source string) {
	rows := t.bySource[source]
	t.at[r] = int32(len(rows))
	t.bySource[source] = append(rows, r)
	t.srcs[r] = source
}

// unlinkRow takes row r off its source's list.
func (t *table) unlinkRow(r int32) {
	src := t.srcs[r]
	rows := t.bySource[src]
	last := rows[len(rows)-1]
	rows[t.at[r]], t.at[last] = last, t.at[r]
	if rows = rows[:len(rows)-1]; len(rows) == 0 {
		delete(t.bySource, src)
	} else {
		t.bySource[src] = rows
	}
}

// parallelQuantise is the fewest rows quantiseRows shares among cores.
const parallelQuantise = 4096

// quantiseRows writes the int8 rows of rows (which place returned, in any
// order, repeats allowed) from their vectors, on all cores when there are
// many.
func (t *table) quantiseRows(rows []int32) {
	slices.Sort(rows)
	rows = slices.Compact(rows) // no row written by two goroutines
	one := func(rows []int32) {
		for _, r := range rows {
			t.scales[r] = quantise(t.codes[int(r)*t.stride:(int(r)+1)*t.stride], t.vecs[r])
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(rows)/parallelQuantise)
	if workers <= 1 {
		one(rows)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { one(rows[w*len(rows)/workers : (w+1)*len(rows)/workers]) })
	}
	wg.Wait()
}

// quantise writes v as int8 codes c (zero-padded to len(c)) such that
// v[i] ≈ c[i]·scale, and returns scale. v must be finite. It rounds half
// away from zero without a branch on the sign, which a vector's signs
// would mispredict half the time: adding ±0.5 by the sign of x·inv is the
// same float32 sum as the branches of quantiseRef.
func quantise(c []int8, v []float32) float32 {
	var m float32
	for _, x := range v {
		if a := abs32(x); a > m {
			m = a
		}
	}
	clear(c)
	if m == 0 {
		return 0
	}
	inv := 127 / m
	c = c[:len(v)]
	for i, x := range v {
		// |x·inv| <= 127.
		y := x * inv
		half := math.Float32frombits(0x3f000000 | math.Float32bits(y)&(1<<31)) // ±0.5
		c[i] = int8(y + half)
	}
	return m / 127
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// source returns the IDs of a source's chunks.
func (t *table) source(source string) []string {
	rows := t.bySource[source]
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = t.ids[r]
	}
	return ids
}

// deleteSource removes every chunk of source.
func (t *table) deleteSource(source string) {
	// From the last row down, so that the row moved into each deleted one
	// (the table's last) is never one of source's still to delete.
	rows := slices.Clone(t.bySource[source])
	slices.Sort(rows)
	delete(t.bySource, source)
	for _, r := range slices.Backward(rows) {
		t.deleteRow(r)
	}
	t.shrink()
}

// deleteRow moves the last row into row r and drops the last row; r is
// already off its source's list.
func (t *table) deleteRow(r int32) {
	slot, _ := t.find(t.ids[r])
	t.unslot(slot)
	last := int32(len(t.ids) - 1)
	if r != last {
		slot, _ := t.find(t.ids[last])
		t.byID[slot] = r + 1
		t.bySource[t.srcs[last]][t.at[last]] = r
		t.ids[r], t.srcs[r], t.vecs[r], t.scales[r], t.at[r] = t.ids[last], t.srcs[last], t.vecs[last], t.scales[last], t.at[last]
		copy(t.codes[int(r)*t.stride:], t.codes[int(last)*t.stride:int(last+1)*t.stride])
	}
	t.ids[last], t.srcs[last], t.vecs[last] = "", "", nil
	t.ids, t.srcs, t.vecs, t.scales, t.at = t.ids[:last], t.srcs[:last], t.vecs[:last], t.scales[:last], t.at[:last]
	t.codes = t.codes[:int(last)*t.stride]
	if last == 0 {
		t.stride = 0
	}
}

// shrink gives back the rows' memory when most of it is unused.
func (t *table) shrink() {
	if c := cap(t.ids); c > 64 && len(t.ids) < c/4 {
		t.ids = slices.Clip(slices.Clone(t.ids))
		t.srcs = slices.Clip(slices.Clone(t.srcs))
		t.vecs = slices.Clip(slices.Clone(t.vecs))
		t.scales = slices.Clip(slices.Clone(t.scales))
		t.at = slices.Clip(slices.Clone(t.at))
		t.codes = slices.Clip(slices.Clone(t.codes))
	}
	if s := slotsFor(len(t.ids)); s < len(t.byID)/4 {
		t.rehash(s)
	}
}

// block is how many rows are scored at a time before their scores are
// offered to the heap: enough to amortise the kernel call, few enough that
// the scores stay in L1.
const block = 256

// candidates is how many rows the int8 pass keeps for exact scoring when k
// are asked for. Quantisation moves a score by about 1% of a typical gap
// between neighbours; on GloVe passage vectors the exact top 10 was always
// among the approximate top 20.
func candidates(k int) int { return max(4*k, 64) }

// search returns the k rows most similar to the unit vector q, best first,
// ties by ID: the best candidates(k) by their int8 scores, then the best k
// of those by their exact float32 scores. A table of no more rows than that
// is scored exactly throughout.
func (t *table) search(ctx context.Context, q []float32, k int) ([]rag.Hit, error) {
	k = min(k, len(t.ids))
	c := candidates(k)
	if len(t.ids) <= c {
		rows := make([]int32, len(t.ids))
		for i := range rows {
			rows[i] = int32(i)
		}
		return t.rescore(q, rows, k), nil
	}

	qc := make([]int8, t.stride)
	qscale := quantise(qc, q)
	q16 := make([]int16, t.stride)
	for i, x := range qc {
		q16[i] = int16(x)
	}
	// A large table is scanned in parts on several cores: one core cannot
	// read memory as fast as all of them together.
	parts := min(runtime.GOMAXPROCS(0), len(t.ids)/parallelRows)
	if parts <= 1 {
		h, err := t.scan8(ctx, q16, qscale, c, 0, len(t.ids))
		if err != nil {
			return nil, err
		}
		return t.rescore(q, h.rows(), k), nil
	}
	heaps := make([]*topK, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*len(t.ids)/parts, (p+1)*len(t.ids)/parts
		wg.Go(func() { heaps[p], errs[p] = t.scan8(ctx, q16, qscale, c, lo, hi) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var rows []int32
	for _, h := range heaps {
		rows = append(rows, h.rows()...)
	}
	return t.rescore(q, rows, k), nil
}

// parallelRows is the fewest rows worth scanning on a core of its own.
const parallelRows = 32768

// scan8 returns the c best of rows [lo, hi) by their int8 scores against
// q16, whose scale is qscale.
func (t *table) scan8(ctx context.Context, q16 []int16, qscale float32, c, lo, hi int) (*topK, error) {
	h := &topK{k: c, ids: t.ids, items: make([]scored, 0, c)}
	var dots [block]int32
	for start := lo; start < hi; start += block {
		if (start-lo)%(64*block) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		n := min(block, hi-start)
		dots8(q16, t.codes[start*t.stride:], t.stride, dots[:n])
		for i, d := range dots[:n] {
			h.offer(float32(d)*t.scales[start+i]*qscale, int32(start+i))
		}
	}
	return h, nil
}

// rescore returns the k of rows most similar to q by their float32
// vectors, best first.
func (t *table) rescore(q []float32, rows []int32, k int) []rag.Hit {
	h := topK{k: k, ids: t.ids, items: make([]scored, 0, k)}
	var vecs [block][]float32
	var scores [block]float32
	for start := 0; start < len(rows); start += block {
		n := min(block, len(rows)-start)
		for i, r := range rows[start : start+n] {
			vecs[i] = t.vecs[r]
		}
		dots(q, vecs[:n], scores[:n])
		for i, s := range scores[:n] {
			h.offer(s, rows[start+i])
		}
	}
	return h.hits()
}

// rows returns the rows kept, in no order.
func (h *topK) rows() []int32 {
	rows := make([]int32, len(h.items))
	for i, it := range h.items {
		rows[i] = it.row
	}
	return rows
}

type scored struct {
	score float32
	row   int32
}

// topK keeps the k best rows seen, in a min-heap whose root is the worst
// kept: lower score, or equal score and greater ID.
type topK struct {
	k     int
	ids   []string
	items []scored
}

// worse reports whether a ranks below b.
func (h *topK) worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return h.ids[a.row] > h.ids[b.row]
}

func (h *topK) offer(s float32, row int32) {
	it := scored{s, row}
	if len(h.items) < h.k {
		h.items = append(h.items, it)
		h.up(len(h.items) - 1)
		return
	}
	// Most rows lose to the root on score alone.
	if s < h.items[0].score || !h.worse(h.items[0], it) {
		return
	}
	h.items[0] = it
	h.down(0)
}

func (h *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.worse(h.items[i], h.items[p]) {
			return
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *topK) down(i int) {
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && h.worse(h.items[r], h.items[l]) {
			c = r
		}
		if !h.worse(h.items[c], h.items[i]) {
			return
		}
		h.items[i], h.items[c] = h.items[c], h.items[i]
		i = c
	}
}

// hits returns the kept rows best first.
func (h *topK) hits() []rag.Hit {
	slices.SortFunc(h.items, func(a, b scored) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(h.ids[a.row], h.ids[b.row])
	})
	out := make([]rag.Hit, len(h.items))
	for i, it := range h.items {
		out[i] = rag.Hit{ChunkID: h.ids[it.row], Score: it.score}
	}
	return out
}
