//go:build !amd64

package chromemstore

// dots writes the dot product of q with rows[i] to out[i]; every row has
// len(q) elements and out has room for len(rows).
func dots(q []float32, rows [][]float32, out []float32) { dotsGeneric(q, rows, out) }

// dots8 writes the dot product of q with each of len(out) int8 rows of m,
// stride apart, to out; stride is a multiple of 16 and len(q) == stride.
func dots8(q []int16, m []int8, stride int, out []int32) { dots8Generic(q, m, stride, out) }
