package rag_test

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkSyncLargeFile ingests one large plain-text file (a snapshot
// saved, as ingest does) and reports the peak heap during the Sync, and the
// heap the index keeps after it, as multiples of the file's size, so that a
// change that holds more copies of the text shows as a larger ratio; their
// difference is what the Sync holds on top of the index it builds:
//
//	go test -bench SyncLargeFile -run '^$' -benchtime 1x ./rag
//
// CITEBOT_BENCH_MIB sets the file's size in MiB (default 60).
func BenchmarkSyncLargeFile(b *testing.B) {
	mib := 60
	if v := os.Getenv("CITEBOT_BENCH_MIB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("CITEBOT_BENCH_MIB=%q is not a positive number", v)
		}
		mib = n
	}
	dir := b.TempDir()
	text := syntheticText(mib << 20)
	writeFile(b, dir, "big.txt", text)
	size := len(text)
	text = ""
	ctx := context.Background()
	var peak, peakTotal, kept uint64
	for b.Loop() {
		b.StopTimer()
		x := newIndex(b, b.TempDir())
		runtime.GC()
		base := heapBytes()
		stop := samplePeak()
		b.StartTimer()
		rep, err := x.Sync(ctx, dir, nil)
		b.StopTimer()
		heap, total := stop()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Documents != 1 {
			b.Fatalf("indexed %d documents, want 1 (skipped %v)", rep.Documents, rep.Skipped)
		}
		peak = max(peak, heap-min(heap, base))
		peakTotal = max(peakTotal, total)
		runtime.GC()
		kept = max(kept, heapBytes()-min(heapBytes(), base))
		runtime.KeepAlive(x)
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/float64(size), "peak-heap/file")
	b.ReportMetric(float64(peakTotal)/float64(size), "peak-mapped/file")
	b.ReportMetric(float64(kept)/float64(size), "kept-heap/file")
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
}

// heapBytes returns the bytes of heap objects, live or not yet swept.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeak watches the heap until the returned function is called, which
// returns the peak bytes of heap objects and of all memory the runtime
// mapped.
func samplePeak() func() (heap, total uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
	done := make(chan struct{})
	finished := make(chan struct{})
	var heap, total uint64
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			heap, total = max(heap, s[0].Value.Uint64()), max(total, s[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		<-finished
		return heap, total
	}
}

// syntheticText returns about n bytes of English-like prose: sentences of
// common words in lines of about 70 characters, paragraphs of a few lines,
// with a heading now and then. It is deterministic.
func syntheticText(n int) string {
	vocab := strings.Fields(`the of and to in a is that for it as was with be by on not he this are or
		his from at which but have an they you were her she there been one all we their has would when
		if so no will more can who its said about time people year river city water north south house
		school music history village church station road island mountain forest garden market council
		company record season league team album film book law court army war king queen bridge harbour`)
	var b strings.Builder
	b.Grow(n + 200)
	seed := uint32(1)
	rnd := func(k int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % k
	}
	for para := 0; b.Len() < n; para++ {
		if para%20 == 0 {
			b.WriteString("Chapter " + strconv.Itoa(para/20+1) + " of the " + vocab[rnd(len(vocab))] + "\n\n")
		}
		lines := 3 + rnd(5)
		for l := 0; l < lines; l++ {
			width := 0
			for width < 70 {
				w := vocab[rnd(len(vocab))]
				if width == 0 && l == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				width += len(w) + 1
				if rnd(12) == 0 {
					b.WriteString(".")
				}
				b.WriteString(" ")
			}
			b.WriteString(vocab[rnd(len(vocab))])
			if l == lines-1 {
				b.WriteString(".")
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
