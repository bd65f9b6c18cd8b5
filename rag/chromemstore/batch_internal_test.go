package chromemstore

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

// randomTable is a table of n random unit vectors of dim components.
func randomTable(r *rand.Rand, n, dim int) *table {
	tab := newTable()
	tab.reserve(n, dim)
	rows := make([]int32, 0, n)
	for i := range n {
		rows = append(rows, tab.place("c"+strconv.Itoa(i), "s"+strconv.Itoa(i/10), randomUnitVector(r, dim)))
	}
	tab.quantiseRows(rows)
	return &tab
}

func randomUnitVector(r *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	var sq float64
	for i := range v {
		x := r.NormFloat64()
		v[i], sq = float32(x), sq+x*x
	}
	n := 1 / math.Sqrt(sq)
	for i := range v {
		v[i] = float32(float64(v[i]) * n)
	}
	return v
}

// Questions that arrive while a coarse pass runs are scanned together in
// the next, led by the first of them, and each gets the hits it gets
// alone; one whose context has ended gets its error and spoils nothing.
// The table is large enough to be scanned in two parts on two cores, and
// so in batches (see scan).
func TestScanBatched(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	r := rand.New(rand.NewPCG(3, 4))
	tab := randomTable(r, 2*parallelRows+1000, 100)
	ctx := context.Background()
	const n = 5
	qs := make([][]float32, n)
	want := make([][]rag.Hit, n)
	for i := range qs {
		qs[i] = randomUnitVector(r, 100)
		var err error
		if want[i], err = tab.search(ctx, qs[i], 10); err != nil {
			t.Fatal(err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	// As if a pass were running: every question waits for the next.
	tab.scans.busy = true
	got := make([][]rag.Hit, n+1)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range n + 1 {
		wg.Go(func() {
			if i == n {
				got[i], errs[i] = tab.search(cancelled, qs[0], 10)
				return
			}
			got[i], errs[i] = tab.search(ctx, qs[i], 10)
		})
	}
	for waiting := 0; waiting < n+1; time.Sleep(time.Millisecond) {
		tab.scans.mu.Lock()
		waiting = len(tab.scans.waiting)
		tab.scans.mu.Unlock()
	}
	// The running pass ends: it hands the waiting questions on as one batch.
	tab.scans.mu.Lock()
	next := tab.scans.waiting
	tab.scans.waiting = nil
	tab.scans.mu.Unlock()
	next[0].lead <- next
	wg.Wait()

	for i := range n {
		if errs[i] != nil {
			t.Fatalf("question %d: %v", i, errs[i])
		}
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("question %d in a batch: %v, alone: %v", i, got[i], want[i])
		}
	}
	if !errors.Is(errs[n], context.Canceled) {
		t.Errorf("a question whose context ended: %v, %v; want context.Canceled", got[n], errs[n])
	}
	if tab.scans.busy || len(tab.scans.waiting) != 0 {
		t.Errorf("after the batch: busy %v, %d waiting; want idle", tab.scans.busy, len(tab.scans.waiting))
	}
	// Idle again: a lone question scans at once.
	if h, err := tab.search(ctx, qs[1], 10); err != nil || !slices.Equal(h, want[1]) {
		t.Errorf("alone after the batch: %v, %v; want %v", h, err, want[1])
	}
}

// Many questions at once, batched as they happen to arrive, get the hits
// each gets alone (run with -race, this also checks the hand-over).
func TestScanConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	r := rand.New(rand.NewPCG(5, 6))
	tab := randomTable(r, 2*parallelRows+1000, 64)
	ctx := context.Background()
	qs := make([][]float32, 64)
	want := make([][]rag.Hit, len(qs))
	for i := range qs {
		qs[i] = randomUnitVector(r, 64)
		var err error
		if want[i], err = tab.search(ctx, qs[i], 5); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := g; i < len(qs); i += 16 {
				h, err := tab.search(ctx, qs[i], 5)
				if err != nil || !slices.Equal(h, want[i]) {
					t.Errorf("question %d at once with others: %v, %v; alone: %v", i, h, err, want[i])
				}
			}
		})
	}
	wg.Wait()
}
