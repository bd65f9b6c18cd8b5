package historytest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// benchTurns numbers the turns benchmarks add, across runs on one
// database.
var benchTurns atomic.Int64

// BenchAddTurn measures h.AddTurn of SampleTurn-sized turns, each a new
// answer in one of a few conversations, as serve adds them: from parallel
// requests (b.RunParallel, so run it with -cpu to see contention).
func BenchAddTurn(b *testing.B, h History) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := benchTurns.Add(1)
			id := fmt.Sprintf("bench-%d", i)
			if err := h.AddTurn(ctx, SampleTurn(id, fmt.Sprintf("conv-%d", i%64), t0.Add(time.Duration(i)*time.Microsecond))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
