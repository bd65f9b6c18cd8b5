package rag

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernel for word similarities.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotRows4 returns the dot products of q with the int8 rows a, b, c and d,
// each as long as q: eight components at a time into eight fused sums,
// added together in a fixed order, then the last len(q)%8 one at a time.
// Each row's sum is the same whatever the other rows are, so that dotRow
// (one row) gives the same bits.
func dotRows4(q []float32, a, b, c, d []int8) (sa, sb, sc, sd float32) {
	n := len(q)
	if !useAVX2 || n == 0 {
		return dotRows4Generic(q, a, b, c, d)
	}
	_, _, _, _ = a[n-1], b[n-1], c[n-1], d[n-1]
	var out [4]float32
	dotRows4AVX2(&q[0], n, &a[0], &b[0], &c[0], &d[0], &out)
	return out[0], out[1], out[2], out[3]
}

// dotRows4AVX2 is dotRows4 for n = len(q) > 0.
//
//go:noescape
func dotRows4AVX2(q *float32, n int, a, b, c, d *int8, out *[4]float32)
