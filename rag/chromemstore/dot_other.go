//go:build !amd64

package chromemstore

// dots writes the dot product of q with rows[i] to out[i]; every row has
// len(q) elements and out has room for len(rows).
func dots(q []float32, rows [][]float32, out []float32) { dotsGeneric(q, rows, out) }

// dots4 writes, for each of len(out) rows of 4-bit codes in m, stride
// bytes apart, its blocks' dot products with q, each less its offset and
// times its scale, summed (see dots4Generic).
func dots4(q []int8, m []uint8, stride int, bs []int16, sw int, offs []int16, out []int32) {
	dots4Generic(q, m, stride, bs, sw, offs, out)
}

// dots4Gather is dots4 for the rows idx of m, in that order, with their
// scales in bs, sw a row.
func dots4Gather(q []int8, m []uint8, stride int, idx []int32, bs []int16, sw int, offs []int16, out []int32) {
	dots4GatherGeneric(q, m, stride, idx, bs, sw, offs, out)
}
