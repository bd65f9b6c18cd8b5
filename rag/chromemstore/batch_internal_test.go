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

// A batch's pass gives each question the scores, lowest and highest it
// gets alone, for more questions than scan4 keeps on its stack; one whose
// context has ended, here the first, gets its error and spoils nothing.
// The table is scanned in two parts on two cores.
func TestScanAllBatch(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	r := rand.New(rand.NewPCG(1, 9))
	tab := randomTable(r, 2*parallelRows+1000, 100)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	req := func(ctx context.Context, q []float32) *scanReq {
		qc := make([]int8, 2*tab.stride)
		quantise(qc, q)
		return &scanReq{ctx: ctx, qc: qc, offs: blockOffsets(qc), scores: make([]float32, tab.len())}
	}
	var batch, alone []*scanReq
	for i := range 12 {
		q := randomUnitVector(r, 100)
		ctx := context.Background()
		if i == 0 {
			ctx = cancelled
		}
		batch, alone = append(batch, req(ctx, q)), append(alone, req(context.Background(), q))
	}
	tab.scanAll(batch)
	if !errors.Is(batch[0].err, context.Canceled) {
		t.Errorf("a question whose context ended: %v, want context.Canceled", batch[0].err)
	}
	for i, b := range batch[1:] {
		a := alone[i+1]
		tab.scanAll([]*scanReq{a})
		switch {
		case b.err != nil || a.err != nil:
			t.Fatalf("question %d: %v alone, %v in a batch", i+1, a.err, b.err)
		case !slices.Equal(b.scores, a.scores):
			t.Errorf("question %d: its scores in a batch differ from its scores alone", i+1)
		case b.low != a.low || b.high != a.high || b.low != slices.Min(a.scores) || b.high != slices.Max(a.scores):
			t.Errorf("question %d: lowest and highest %v, %v in a batch, %v, %v alone, of scores from %v to %v",
				i+1, b.low, b.high, a.low, a.high, slices.Min(a.scores), slices.Max(a.scores))
		}
	}
}

// waitFor polls cond until it holds, and fails the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited ten seconds for %s", what)
		}
	}
}

// queued reports whether k questions wait in tab's queue.
func queued(tab *table, k int) func() bool {
	return func() bool {
		tab.scans.mu.Lock()
		defer tab.scans.mu.Unlock()
		return len(tab.scans.waiting) == k
	}
}

// endPass ends the pass a test pretends is running, as scan does: the
// first k questions waiting are handed on as one batch, led by the first.
func endPass(tab *table, k int) {
	tab.scans.mu.Lock()
	next := tab.scans.waiting[:k:k]
	tab.scans.waiting = tab.scans.waiting[k:]
	tab.scans.mu.Unlock()
	next[0].lead <- next
}

// waitAll waits for wg, and fails the test after ten seconds.
func waitAll(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still wait", what)
	}
}

// Questions that arrive while a coarse pass runs wait, and are scanned
// together in the next, led by the first of them; each gets the hits it
// gets alone. One whose context ends while it waits leaves at once with
// its error. The table is large enough to be scanned in two parts on two
// cores, and so in batches (see scan).
func TestScanBatched(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	r := rand.New(rand.NewPCG(3, 4))
	tab := randomTable(r, 2*parallelRows+1000, 100)
	ctx := context.Background()
	const n = 10
	qs := make([][]float32, n)
	want := make([][]rag.Hit, n)
	for i := range qs {
		qs[i] = randomUnitVector(r, 100)
		var err error
		if want[i], err = tab.search(ctx, qs[i], 10); err != nil {
			t.Fatal(err)
		}
	}
	// As if maxPasses passes were running: every question waits for the next,
	// queued in turn.
	tab.scans.running = maxPasses
	got := make([][]rag.Hit, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = tab.search(ctx, qs[i], 10) })
		waitFor(t, "question "+strconv.Itoa(i)+" to queue", queued(tab, i+1))
	}
	leaving, leave := context.WithCancel(ctx)
	left := make(chan error, 1)
	go func() {
		_, err := tab.search(leaving, qs[0], 10)
		left <- err
	}()
	waitFor(t, "the question that leaves to queue", queued(tab, n+1))
	leave()
	select {
	case err := <-left:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a question whose context ended as it waited: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a question whose context ended as it waited still waits")
	}
	waitFor(t, "the question that left to leave the queue", queued(tab, n))

	// A running pass ends: it hands the waiting questions on as one batch.
	endPass(tab, n)
	waitAll(t, &wg, "the batch's questions")

	for i := range n {
		if errs[i] != nil {
			t.Fatalf("question %d: %v", i, errs[i])
		}
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("question %d in a batch: %v, alone: %v", i, got[i], want[i])
		}
	}
	if tab.scans.running != maxPasses-1 || len(tab.scans.waiting) != 0 {
		t.Errorf("after the batch: %d passes running, %d waiting; want only the one the test pretends", tab.scans.running, len(tab.scans.waiting))
	}
	// Idle again: a lone question scans at once.
	if h, err := tab.search(ctx, qs[1], 10); err != nil || !slices.Equal(h, want[1]) {
		t.Errorf("alone after the batch: %v, %v; want %v", h, err, want[1])
	}
}

// A pass that panics on the leader's goroutine (a server recovers the
// panic) still ends: the other questions of its batch get an error, and
// the question queued behind it leads the next pass.
func TestScanPanicEnds(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	r := rand.New(rand.NewPCG(5, 7))
	tab := randomTable(r, parallelRows+100, 64)
	qc := make([]int8, 2*tab.stride)
	quantise(qc, randomUnitVector(r, 64))
	req := func(scores []float32) *scanReq {
		return &scanReq{ctx: context.Background(), qc: qc, offs: blockOffsets(qc), scores: scores}
	}
	alone := req(make([]float32, tab.len()))
	tab.scanAll([]*scanReq{alone})
	bad := req(nil) // no room for its scores: its pass panics
	held, behind := req(make([]float32, tab.len())), req(make([]float32, tab.len()))

	tab.scans.running = maxPasses
	var wg sync.WaitGroup
	var recovered any
	for i, x := range []*scanReq{bad, held, behind} {
		wg.Go(func() {
			defer func() {
				if x == bad {
					recovered = recover()
				}
			}()
			tab.scan(x)
		})
		waitFor(t, "question "+strconv.Itoa(i)+" to queue", queued(tab, i+1))
	}
	// A running pass ends and hands on bad and held; behind stays queued.
	endPass(tab, 2)
	waitAll(t, &wg, "questions of a pass that panicked")

	if recovered == nil {
		t.Error("the pass with no room for its scores did not panic")
	}
	if !errors.Is(held.err, errPassFailed) {
		t.Errorf("a question of the batch whose pass panicked: %v, want errPassFailed", held.err)
	}
	if behind.err != nil || !slices.Equal(behind.scores, alone.scores) {
		t.Errorf("the question queued behind the panic: %v, its scores equal to a lone scan's: %v", behind.err, slices.Equal(behind.scores, alone.scores))
	}
	if tab.scans.running != maxPasses-1 || len(tab.scans.waiting) != 0 {
		t.Errorf("after the panic: %d passes running, %d waiting; want only the one the test pretends", tab.scans.running, len(tab.scans.waiting))
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
