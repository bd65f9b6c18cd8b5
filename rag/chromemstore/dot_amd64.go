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

// dots4 writes, for each of len(out) rows of 4-bit codes in m, stride
// bytes apart, its blocks' dot products with q, each less its offset and
// times its scale, summed (see dots4Generic); stride is a multiple of 32,
// len(q) == 2*stride, sw, the scales a row, a multiple of 8 no less than
// stride/32, and offs holds 16 a block.
func dots4(q []int8, m []uint8, stride int, bs []int16, sw int, offs []int16, out []int32) {
	if !useAVX2 || len(out) == 0 {
		dots4Generic(q, m, stride, bs, sw, offs, out)
		return
	}
	_ = q[2*stride-1]
	_ = m[len(out)*stride-1]
	_ = bs[len(out)*sw-1]
	_ = offs[16*(stride/32)-1]
	dots4AVX2(&q[0], &m[0], stride, len(out), &bs[0], sw, &offs[0], &out[0], &wordShuffles)
}

// dots4Gather is dots4 for the rows idx of m, in that order, with their
// scales in bs, sw a row.
func dots4Gather(q []int8, m []uint8, stride int, idx []int32, bs []int16, sw int, offs []int16, out []int32) {
	if !useAVX2 || len(idx) == 0 {
		dots4GatherGeneric(q, m, stride, idx, bs, sw, offs, out)
		return
	}
	_ = q[2*stride-1]
	_ = offs[16*(stride/32)-1]
	_ = out[len(idx)-1]
	rows := len(m) / stride
	for _, r := range idx {
		if r < 0 || int(r) >= rows || (int(r)+1)*sw > len(bs) {
			panic("dots4Gather: row out of range")
		}
	}
	dots4GatherAVX2(&q[0], &m[0], stride, &idx[0], len(idx), &bs[0], sw, &offs[0], &out[0], &wordShuffles)
}

// dots4GatherAVX2 is dots4Gather for len(idx) > 0.
//
//go:noescape
func dots4GatherAVX2(q *int8, m *uint8, stride int, idx *int32, n int, bs *int16, sw int, offs *int16, out *int32, shuffles *[8][32]byte)

// wordShuffles are the byte shuffles that spread int16 i of each half of
// a register over that half, for i from 0 to 7.
var wordShuffles = func() (s [8][32]byte) {
	for i := range s {
		for j := range 32 {
			s[i][j] = byte(2*i + j%2)
		}
	}
	return s
}()

// dots4AVX2 is dots4 for rows = len(out) > 0.
//
//go:noescape
func dots4AVX2(q *int8, m *uint8, stride int, rows int, bs *int16, sw int, offs *int16, out *int32, shuffles *[8][32]byte)
