package chromemstore

import (
	"cmp"
	"context"
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
// chromem's document holds, not a copy) and the same vector quantised in
// two steps of 4 bits a component: codes[i*stride:(i+1)*stride] and, for
// what those leave, fine[i*stride:(i+1)*stride], with a scale for each 64
// components, bs[i*sw:(i+1)*sw] times scales[i] (see quantise4). Together
// they are about as fine as an int8 copy, and as large.
//
// A query reads the coarse rows in one pass through one contiguous array,
// an eighth of the bytes of the float32 vectors, keeps the best candidates
// by those scores, scores them again with their fine rows, and scores only
// the best of those exactly on the float32 vectors (see search).
//
// The rows are found by ID through byID and by source through bySource,
// about 20 bytes a row together, where a map from IDs to rows and one from
// sources to IDs took about 60.
type table struct {
	vecs   [][]float32
	ids    []string
	srcs   []string
	codes  []uint8
	fine   []uint8
	bs     []int16
	scales []float32
	stride int // bytes a row: 32 for each 64 components or part; 0 while empty
	// mean is what the codes are of each vector less: the mean of the
	// first meanRows vectors, nil before there were as many (see
	// quantiseRows).
	mean []float32
	sw   int // scales a row in bs: one for each 32 bytes, then zeros to a multiple of 8
	// byID is a hash table of the rows by ID, open addressing with linear
	// probing from the ID's hash: each slot holds a row plus 1, or 0 when
	// free. It has a power of two slots and is at most half full.
	byID []int32
	seed maphash.Seed
	// bySource lists the rows of each source, in no order; row r is
	// bySource[srcs[r]][at[r]].
	bySource map[string][]int32
	at       []int32
	// scans batches the coarse passes of questions asked at once (see
	// scanQueue).
	scans *scanQueue
}

func newTable() table {
	return table{seed: maphash.MakeSeed(), bySource: map[string][]int32{}, scans: &scanQueue{}}
}

func (t *table) len() int { return len(t.ids) }

// reserve makes room for n more rows, so that a large Add (a snapshot's
// load) allocates each array once, at its size.
func (t *table) reserve(n, dim int) {
	stride := t.stride
	if stride == 0 {
		stride = rowBytes(dim)
	}
	t.ids = slices.Grow(t.ids, n)
	t.srcs = slices.Grow(t.srcs, n)
	t.vecs = slices.Grow(t.vecs, n)
	t.scales = slices.Grow(t.scales, n)
	t.bs = slices.Grow(t.bs, n*scalesPerRow(stride/32))
	t.at = slices.Grow(t.at, n)
	t.codes = slices.Grow(t.codes, n*stride)
	t.fine = slices.Grow(t.fine, n*stride)
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

// rowBytes is the bytes of a 4-bit row of dim components: 32 for each 64
// or part, so that the kernel reads whole blocks.
func rowBytes(dim int) int { return (dim + 63) / 64 * 32 }

// place adds a chunk, or replaces the one with its ID, but for its 4-bit
// row, which it leaves for quantiseRows to write; it returns the row.
func (t *table) place(id, source string, v []float32) int32 {
	if t.stride == 0 {
		t.stride = rowBytes(len(v))
		t.sw = scalesPerRow(t.stride / 32)
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
	t.fine = slices.Grow(t.fine, t.stride)[:(int(r)+1)*t.stride]
	t.scales = append(t.scales, 0)
	t.bs = slices.Grow(t.bs, t.sw)[:(int(r)+1)*t.sw]
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

// meanRows is how many vectors the table's mean is taken over.
const meanRows = 256

// meanOf returns the mean of vecs, which are as long as the first.
func meanOf(vecs [][]float32) []float32 {
	sum := make([]float64, len(vecs[0]))
	for _, v := range vecs {
		for i, x := range v {
			sum[i] += float64(x)
		}
	}
	mean := make([]float32, len(sum))
	for i, x := range sum {
		mean[i] = float32(x / float64(len(vecs)))
	}
	return mean
}

// parallelQuantise is the fewest rows quantiseRows shares among cores.
const parallelQuantise = 4096

// quantiseRows writes the 4-bit rows of rows (which place returned, in any
// order, repeats allowed) from their vectors, on all cores when there are
// many.
//
// The codes are of each vector less a mean, taken once the table first
// holds meanRows vectors (every row is written again then): vectors of
// text share a large component (passages' cosines of 0.6 to 0.9 are
// common), which would otherwise take most of the codes' range, leaving
// little for what tells them apart. A question's dot product with the mean
// is the same for every row, so ranks by the codes are ranks by v − mean.
func (t *table) quantiseRows(rows []int32) {
	if t.mean == nil && len(t.ids) >= meanRows {
		t.mean = meanOf(t.vecs)
		rows = make([]int32, len(t.ids))
		for i := range rows {
			rows[i] = int32(i)
		}
	}
	slices.Sort(rows)
	rows = slices.Compact(rows) // no row written by two goroutines
	one := func(rows []int32) {
		var less []float32 // a vector less the mean, one a worker
		for _, r := range rows {
			v := t.vecs[r]
			if t.mean != nil {
				less = less[:0]
				for i, x := range v {
					less = append(less, x-t.mean[i])
				}
				v = less
			}
			lo, hi := int(r)*t.stride, (int(r)+1)*t.stride
			t.scales[r] = quantise4(t.codes[lo:hi], t.fine[lo:hi], t.bs[int(r)*t.sw:(int(r)+1)*t.sw], v)
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
// v[i] ≈ c[i]·scale, and returns scale. v must be finite. It rounds as
// roundAway does.
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
		c[i] = roundAway(x * inv)
	}
	return m / 127
}

// scalesPerRow is the int16 scales a row of blocks 32-byte blocks has: one
// a block, then zeros to a multiple of 8, which the kernel reads at once.
func scalesPerRow(blocks int) int { return (blocks + 7) &^ 7 }

// maxBlockScale is the largest int16 scale of a block in a row of blocks
// blocks: small enough that a row's sum fits an int32 whatever the codes
// and the int8 query (each block's q·codes is at most 64·127·15).
func maxBlockScale(blocks int) int { return min(16383, math.MaxInt32/(blocks*64*127*15)) }

// quantise4 writes v in two steps of 4-bit codes, coarse c and fine f, and
// returns a scale s such that, with the int16 scale bs_b of each block of
// 64 components, v[i] ≈ (14·(c_i−8) + (f_i−8))·bs_b·s for component i of
// block b. Each code is 1 to 15 (8 is 0); the coarse codes alone give
// v[i] ≈ (c_i−8)·14·bs_b·s, and the fine ones what that leaves, within
// ±7·bs_b·s. A scale for each block rather than the row keeps components
// of smaller range (a part of the vector made another way) from rounding
// to nothing; they are integers so that the kernel sums integers. The
// codes are laid out as dots4 reads them: component 64b+j in the low
// nibble of byte 32b+j, 64b+32+j in its high nibble; components past
// len(v) and scales past the blocks are 0. Each step rounds as quantise
// does. v must be finite, len(c) == len(f) == rowBytes(len(v)) and
// len(bs) == scalesPerRow(len(c)/32).
func quantise4(c, f []uint8, bs []int16, v []float32) float32 {
	for i := range c {
		c[i], f[i] = 8|8<<4, 8|8<<4
	}
	clear(bs)
	blocks := len(c) / 32
	// Each block's range, and the largest.
	var buf [32]float32
	ms := buf[:0]
	var top float32
	for b := range blocks {
		var m float32
		for _, x := range v[64*b : min(64*b+64, len(v))] {
			m = max(m, abs32(x))
		}
		ms, top = append(ms, m), max(top, m)
	}
	if top == 0 {
		return 0
	}
	// The fine step of the block of largest range is unit·maxBlockScale.
	unit := top / 98 / float32(maxBlockScale(blocks))
	for b, m := range ms {
		// Rounded up, so that the block's codes reach its range.
		n := int16(min(float32(maxBlockScale(blocks)), float32(math.Ceil(float64(m/98/unit)))))
		if n == 0 {
			continue // every component rounds to 0
		}
		bs[b] = n
		fineStep := float32(n) * unit
		step := 14 * fineStep
		inv, inv2 := 1/step, 1/fineStep
		for j, x := range v[64*b : min(64*b+64, len(v))] {
			cc := round7(x * inv)
			// What the coarse code leaves is within half a step: within ±7
			// fine steps.
			fc := round7((x - float32(cc)*step) * inv2)
			k, shift := 32*b+j, 0
			if j >= 32 {
				k, shift = k-32, 4
			}
			c[k] = c[k]&^(15<<shift) | uint8(cc+8)<<shift
			f[k] = f[k]&^(15<<shift) | uint8(fc+8)<<shift
		}
	}
	return unit
}

// roundAway rounds y, within the range of an int8, half away from zero
// without a branch on the sign, which a vector's signs would mispredict
// half the time: adding ±0.5 by the sign of y is the same float32 sum as
// the branches of quantiseRef.
func roundAway(y float32) int8 {
	half := math.Float32frombits(0x3f000000 | math.Float32bits(y)&(1<<31)) // ±0.5
	return int8(y + half)
}

// round7 rounds y half away from zero, as quantise does, into [−7, 7].
func round7(y float32) int8 { return min(max(roundAway(y), -7), 7) }

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
		copy(t.bs[int(r)*t.sw:], t.bs[int(last)*t.sw:int(last+1)*t.sw])
		copy(t.codes[int(r)*t.stride:], t.codes[int(last)*t.stride:int(last+1)*t.stride])
		copy(t.fine[int(r)*t.stride:], t.fine[int(last)*t.stride:int(last+1)*t.stride])
	}
	t.ids[last], t.srcs[last], t.vecs[last] = "", "", nil
	t.ids, t.srcs, t.vecs, t.scales, t.at = t.ids[:last], t.srcs[:last], t.vecs[:last], t.scales[:last], t.at[:last]
	t.bs = t.bs[:int(last)*t.sw]
	t.codes = t.codes[:int(last)*t.stride]
	t.fine = t.fine[:int(last)*t.stride]
	if last == 0 {
		t.stride, t.sw, t.mean = 0, 0, nil
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
		t.fine = slices.Clip(slices.Clone(t.fine))
		t.bs = slices.Clip(slices.Clone(t.bs))
	}
	if s := slotsFor(len(t.ids)); s < len(t.byID)/4 {
		t.rehash(s)
	}
}

// block is how many rows are scored at a time before their scores are
// read: enough to amortise the kernel call, few enough that the scores
// stay in L1.
const block = 256

// coarseCandidates is about how many of n rows the pass over the coarse
// codes keeps for their fine codes when k are asked for; candidates how
// many of those the fine codes keep for exact scoring. On GloVe passage
// vectors the fine codes move a score by about 1% of a typical gap between
// neighbours, and the exact top 10 was always among the fine top 30; the
// coarse codes move it by about a seventh of a gap, and the exact top 10
// was among the coarse top 0.7% of 100,000 (the bench's corpus, its
// questions). Among more rows the gaps are smaller: the coarse pass keeps
// a share of them.
func coarseCandidates(k, n int) int { return max(64*k, 1024, n/64) }

func candidates(k int) int { return max(4*k, 64) }

// search returns the k rows most similar to the unit vector q, best first,
// ties by ID: at least the best coarseCandidates by their coarse scores,
// the best candidates(k) of those by their fine scores, then the best k of
// those by their exact float32 scores. A table of no more rows than
// candidates(k) is scored exactly throughout.
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

	qc := make([]int8, 2*t.stride)
	quantise(qc, q) // its scale is the same for every row: ranks do not need it
	offs := blockOffsets(qc)
	// A large table is scanned in parts on several cores: one core cannot
	// read memory as fast as all of them together. The rows kept are
	// chosen among all the scores at once, so that which come back does
	// not depend on the number of cores.
	buf := scoresPool.Get().(*[]float32)
	defer scoresPool.Put(buf)
	scores := slices.Grow((*buf)[:0], len(t.ids))[:len(t.ids)]
	*buf = scores
	r := &scanReq{ctx: ctx, qc: qc, offs: offs, scores: scores}
	t.scan(r)
	if r.err != nil {
		return nil, r.err
	}
	kept := best(scores, r.low, r.high, coarseCandidates(k, len(t.ids)))
	return t.rescore(q, t.refine(qc, offs, kept, c), k), nil
}

// blockOffsets returns what the offset of the codes adds to the int8
// query qc's dot product with each 32-byte block of codes, q·code −
// q·(code−8) = 8·Σq, as the kernel's sixteen pair sums of a block hold it:
// lane w sums the components 2w and 2w+1 of the block's low and high
// nibbles.
func blockOffsets(qc []int8) []int16 {
	offs := make([]int16, len(qc)/4)
	for b := range len(qc) / 64 {
		for w := range 16 {
			lo, hi := qc[64*b+2*w:], qc[64*b+32+2*w:]
			offs[16*b+w] = 8 * (int16(lo[0]) + int16(lo[1]) + int16(hi[0]) + int16(hi[1]))
		}
	}
	return offs
}

// refine returns the c of rows best by their coarse and fine codes
// together, against the int8 query qc with its blocks' offsets offs; each
// row comes with its coarse score.
func (t *table) refine(qc []int8, offs []int16, rows []scored, c int) []int32 {
	idx := make([]int32, len(rows))
	for i, r := range rows {
		idx[i] = r.row
	}
	fine := make([]int32, len(rows))
	dots4Gather(qc, t.fine, t.stride, idx, t.bs, t.sw, offs, fine)
	h := &topK{k: c, ids: t.ids, items: make([]scored, 0, c)}
	for i, r := range rows {
		// A coarse step is 14 fine ones.
		h.offer(14*r.score+float32(fine[i])*t.scales[r.row], r.row)
	}
	return h.rows()
}

// parallelRows is the fewest rows worth scanning on a core of its own.
const parallelRows = 32768

// best returns at least the c best rows by scores, which lie between low
// and high, with their scores: every row in the c-th best's bin of a
// histogram of the scores or above it, found by the histogram rather than
// a heap, which thousands of rows kept would churn.
func best(scores []float32, low, high float32, c int) []scored {
	if c >= len(scores) || low == high {
		kept := make([]scored, len(scores))
		for i, s := range scores {
			kept[i] = scored{s, int32(i)}
		}
		return kept
	}
	const bins = 2048
	var counts [bins]int32
	inv := bins / (high - low)
	bin := func(s float32) int { return min(int((s-low)*inv), bins-1) }
	for _, s := range scores {
		counts[bin(s)]++
	}
	first, n := bins-1, int32(0) // the lowest bin kept
	for ; first > 0; first-- {
		if n += counts[first]; n >= int32(c) {
			break
		}
	}
	kept := make([]scored, 0, max(n, int32(c)))
	for i, s := range scores {
		if bin(s) >= first {
			kept = append(kept, scored{s, int32(i)})
		}
	}
	return kept
}

// scoresPool holds the coarse scores of the table's rows while a query
// scans it: 4 bytes a row, used again rather than allocated at each query.
var scoresPool = sync.Pool{New: func() any { return new([]float32) }}

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
