package chromemstore

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"
)

// The coarse pass reads every row's codes, 21 MB at 100,000 chunks, and
// is bound by memory: two questions scanning at once each wait on the
// same bytes. Questions that arrive while a pass runs therefore wait for
// it and are scanned together in the next, each block of rows read from
// memory once and scored against all of them while it is in the cache.
// A question that finds fewer than maxPasses running starts one at once,
// so a lone question waits for nothing. Every question's scores are those it would
// get alone.

// scanQueue batches the coarse passes of one table.
type scanQueue struct {
	mu      sync.Mutex
	running int // passes running, at most maxPasses
	waiting []*scanReq
}

// maxPasses is how many passes may run at once before questions wait for
// one to end. One pass for one question does not take all the memory
// bandwidth the cores can use together (at 100,000 rows on two cores it
// reads 21.6 GB/s of 33.6), and with one pass at a time two questions
// asked in turn mostly scanned one after the other: 20% slower than two
// passes side by side, the old way (BenchmarkQueryParallel, 2
// goroutines).
const maxPasses = 2

// scanReq is one question's coarse pass: its int8 query and the offsets of
// its blocks, the scores it writes (one a row), the lowest and highest of
// them, and the error that ended it.
type scanReq struct {
	ctx       context.Context
	qc        []int8
	offs      []int16
	scores    []float32
	low, high float32
	err       error
	// lead receives the batch the question is to scan, itself among it,
	// or nil once another question's pass has scanned it.
	lead chan []*scanReq
}

// scan writes r's coarse scores. A table whose pass takes every core is
// scanned in batches: r in a pass of its own when fewer than maxPasses
// are running, or else in the next pass to start, with the questions that
// arrived before it.
// A smaller table is scanned for r alone, on fewer cores than there are,
// so that questions asked at once scan on the others at the same time
// rather than wait (at 60,000 rows on two cores, batching them cost 45%).
func (t *table) scan(r *scanReq) {
	if t.scanParts() < runtime.GOMAXPROCS(0) || len(t.ids) < parallelRows {
		t.scanAll([]*scanReq{r})
		return
	}
	q := t.scans
	q.mu.Lock()
	batch := []*scanReq{r}
	if q.running >= maxPasses {
		r.lead = make(chan []*scanReq, 1)
		q.waiting = append(q.waiting, r)
		q.mu.Unlock()
		if batch = r.wait(q); batch == nil {
			return
		}
	} else {
		q.running++
		q.mu.Unlock()
	}
	scanned := false
	// Deferred, so that a pass that panics still ends: its questions get
	// an error, and the next batch is led.
	defer func() {
		q.mu.Lock()
		next := q.waiting
		q.waiting = nil
		if len(next) == 0 {
			q.running--
		}
		q.mu.Unlock()
		for _, o := range batch {
			if o != r {
				if !scanned {
					o.err = errPassFailed
				}
				o.lead <- nil
			}
		}
		if len(next) > 0 {
			next[0].lead <- next
		}
	}()
	t.scanAll(batch)
	scanned = true
}

// errPassFailed is the error of a question whose batch's pass panicked on
// another question's goroutine.
var errPassFailed = errors.New("the scan this query waited for failed")

// wait returns the batch r is to lead, or nil once another question's pass
// has scanned r. A question whose context ends while it waits in q leaves
// with the context's error; one already taken into a batch waits for it.
func (r *scanReq) wait(q *scanQueue) []*scanReq {
	select {
	case batch := <-r.lead:
		return batch
	case <-r.ctx.Done():
	}
	q.mu.Lock()
	if i := slices.Index(q.waiting, r); i >= 0 {
		q.waiting = slices.Delete(q.waiting, i, i+1)
		q.mu.Unlock()
		r.err = r.ctx.Err()
		return nil
	}
	q.mu.Unlock()
	return <-r.lead
}

// scanParts is how many cores a pass is shared among: as many as the table
// has parallelRows, at most one a core.
func (t *table) scanParts() int {
	return max(1, min(runtime.GOMAXPROCS(0), len(t.ids)/parallelRows))
}

// scanAll scans the rows for every question of batch, in parts on several
// cores for a large table.
func (t *table) scanAll(batch []*scanReq) {
	n := len(t.ids)
	parts := t.scanParts()
	lows := make([]float32, parts*len(batch))
	highs := make([]float32, parts*len(batch))
	errs := make([]error, parts*len(batch))
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		at := p * len(batch)
		scan := func() { t.scan4(batch, lows[at:], highs[at:], errs[at:], lo, hi) }
		if parts == 1 {
			scan()
		} else {
			wg.Go(scan)
		}
	}
	wg.Wait()
	for i, r := range batch {
		r.low, r.high, r.err = float32(math.Inf(1)), float32(math.Inf(-1)), nil
		for p := range parts {
			j := p*len(batch) + i
			r.low, r.high = min(r.low, lows[j]), max(r.high, highs[j])
			if r.err == nil {
				r.err = errs[j]
			}
		}
	}
}

// scan4 writes the coarse scores of rows [lo, hi) for each question of
// batch to its scores[lo:hi], a block of rows at a time for all of them,
// and writes the lowest and the highest of each question's to lows and
// highs; a question whose context ends gets its error in errs and no more
// scores.
func (t *table) scan4(batch []*scanReq, lows, highs []float32, errs []error, lo, hi int) {
	var dots [block]int32
	// Kept here and written out at the end: the other parts' lows and
	// highs share their cache lines.
	low, high := make([]float32, len(batch)), make([]float32, len(batch))
	for i := range batch {
		low[i], high[i] = float32(math.Inf(1)), float32(math.Inf(-1))
	}
	live := len(batch)
	for start := lo; start < hi && live > 0; start += block {
		n := min(block, hi-start)
		for i, r := range batch {
			if errs[i] != nil {
				continue
			}
			if (start-lo)%(64*block) == 0 {
				if errs[i] = r.ctx.Err(); errs[i] != nil {
					live--
					continue
				}
			}
			dots4(r.qc, t.codes[start*t.stride:], t.stride, t.bs[start*t.sw:], t.sw, r.offs, dots[:n])
			out, scales := r.scores[start:start+n], t.scales[start:start+n]
			l, h := low[i], high[i]
			for j, d := range dots[:n] {
				s := float32(d) * scales[j]
				out[j], l, h = s, min(l, s), max(h, s)
			}
			low[i], high[i] = l, h
		}
	}
	copy(lows, low)
	copy(highs, high)
}
