package glove

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernel for adding a word's row.
var useAVX2 = cpu.X86.HasAVX2

// addScaled adds c times the int8 components of row (as bytes) to v, one
// component at a time as addScaledGeneric does: a product rounded, then a
// sum rounded, so the result is the same to the bit. len(row) >= len(v).
func addScaled(v []float32, row []byte, c float32) {
	if !useAVX2 || len(v) == 0 {
		addScaledGeneric(v, row, c)
		return
	}
	_ = row[len(v)-1]
	addScaledAVX2(&v[0], &row[0], len(v), c)
}

// addScaledAVX2 is addScaled for n = len(v) > 0.
//
//go:noescape
func addScaledAVX2(v *float32, row *byte, n int, c float32)
