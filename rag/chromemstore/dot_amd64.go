package chromemstore

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernel: 256-bit fused multiply-adds.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dots writes the dot product of q with rows[i] to out[i]; every row has
// len(q) elements and out has room for len(rows).
func dots(q []float32, rows [][]float32, out []float32) {
	if !useAVX2 || len(rows) == 0 || len(q) == 0 {
		dotsGeneric(q, rows, out)
		return
	}
	_ = out[len(rows)-1]
	dotsAVX2(&q[0], len(q), &rows[0], len(rows), &out[0])
}

// dotsAVX2 is dots for dim = len(q) > 0 and n = len(rows) > 0.
//
//go:noescape
func dotsAVX2(q *float32, dim int, rows *[]float32, n int, out *float32)

// dots8 writes the dot product of q with each of len(out) int8 rows of m,
// stride apart, to out; stride is a multiple of 16 and len(q) == stride.
func dots8(q []int16, m []int8, stride int, out []int32) {
	if !useAVX2 || len(out) == 0 {
		dots8Generic(q, m, stride, out)
		return
	}
	_ = q[stride-1]
	_ = m[len(out)*stride-1]
	dots8AVX2(&q[0], &m[0], stride, len(out), &out[0])
}

// dots8AVX2 is dots8 for rows = len(out) > 0.
//
//go:noescape
func dots8AVX2(q *int16, m *int8, stride int, rows int, out *int32)
