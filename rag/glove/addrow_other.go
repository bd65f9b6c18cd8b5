//go:build !amd64

package glove

// addScaled adds c times the int8 components of row (as bytes) to v.
func addScaled(v []float32, row []byte, c float32) { addScaledGeneric(v, row, c) }
