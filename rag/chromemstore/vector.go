package chromemstore

import (
	"fmt"
	"math"
)

// checkVector reports a vector that cannot take part in a cosine similarity:
// one of the wrong length, with a zero norm, or with a NaN or infinite
// component.
func checkVector(v []float32, dim int) error {
	if len(v) != dim {
		return fmt.Errorf("vector has %d dimensions, want %d", len(v), dim)
	}
	if len(v) == 0 {
		return fmt.Errorf("empty vector")
	}
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	if sq == 0 || math.IsNaN(sq) || math.IsInf(sq, 0) {
		return fmt.Errorf("vector has norm %g", math.Sqrt(sq))
	}
	return nil
}
