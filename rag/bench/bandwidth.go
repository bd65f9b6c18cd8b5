package bench

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// measureBandwidth measures sequential read bandwidth over a buffer of
// size bytes, on one core and on all of them, best of five passes each; the
// floor uses the faster of the two.
func measureBandwidth(size int) Bandwidth {
	buf := make([]uint64, size/8)
	for i := range buf {
		buf[i] = uint64(i) // touch every page, and not with zeros
	}
	one := readRate(buf, 1)
	all := readRate(buf, runtime.GOMAXPROCS(0))
	return Bandwidth{
		BufferBytes:       int64(len(buf) * 8),
		OneCoreGBps:       one / 1e9,
		AllCoresGBps:      all / 1e9,
		BytesPerSecond:    max(one, all),
		ReadKernel:        readKernel,
		BestOfPasses:      5,
		AllCoresGoroutine: runtime.GOMAXPROCS(0),
	}
}

// readRate returns the best rate in bytes/s at which g goroutines read
// disjoint parts of buf.
func readRate(buf []uint64, g int) float64 {
	best := time.Duration(1<<63 - 1)
	for range 5 {
		per := len(buf) / g &^ 15
		sums := make([]uint64, g)
		var wg sync.WaitGroup
		start := time.Now()
		for k := range g {
			wg.Go(func() { sums[k] = readSum(buf[k*per : (k+1)*per]) })
		}
		wg.Wait()
		best = min(best, time.Since(start))
		for _, s := range sums {
			sink.Add(s)
		}
	}
	per := len(buf) / g &^ 15
	return float64(per*g*8) / best.Seconds()
}

// sink keeps the sums alive.
var sink atomic.Uint64
