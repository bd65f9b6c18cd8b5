package bench

import "golang.org/x/sys/cpu"

// readKernel names the loop that measures read bandwidth.
var readKernel = func() string {
	if cpu.X86.HasAVX2 {
		return "avx2"
	}
	return "go"
}()

// readSum returns the sum of buf, whose length is a multiple of 16, read
// with 256-bit loads where the CPU has them.
func readSum(buf []uint64) uint64 {
	if cpu.X86.HasAVX2 && len(buf) > 0 {
		return readSumAVX2(&buf[0], len(buf)*8)
	}
	return readSumGo(buf)
}

// readSumAVX2 sums n bytes (a multiple of 128) at p as uint64s.
//
//go:noescape
func readSumAVX2(p *uint64, n int) uint64
