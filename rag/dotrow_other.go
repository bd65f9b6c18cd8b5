//go:build !amd64

package rag

// dotRows4 returns the dot products of q with the int8 rows a, b, c and d,
// each as long as q; each row's sum is the same whatever the other rows
// are, so that dotRow (one row) gives the same bits.
func dotRows4(q []float32, a, b, c, d []int8) (sa, sb, sc, sd float32) {
	return dotRows4Generic(q, a, b, c, d)
}
