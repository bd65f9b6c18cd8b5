package chromemstore

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDots checks the kernel in use and the portable one against a float64
// dot product, for lengths around every unrolling boundary.
func TestDots(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for dim := 1; dim <= 80; dim++ {
		q := make([]float32, dim)
		for i := range q {
			q[i] = float32(r.NormFloat64())
		}
		rows := make([][]float32, 5)
		for i := range rows {
			rows[i] = make([]float32, dim)
			for j := range rows[i] {
				rows[i][j] = float32(r.NormFloat64())
			}
		}
		for name, f := range map[string]func([]float32, [][]float32, []float32){"dots": dots, "generic": dotsGeneric} {
			out := make([]float32, len(rows)+1)
			out[len(rows)] = 42
			f(q, rows, out)
			for i, row := range rows {
				var want float64
				for j := range row {
					want += float64(q[j]) * float64(row[j])
				}
				if math.Abs(float64(out[i])-want) > 1e-4*math.Sqrt(float64(dim)) {
					t.Errorf("%s dim %d row %d = %g, want %g", name, dim, i, out[i], want)
				}
			}
			if out[len(rows)] != 42 {
				t.Errorf("%s dim %d wrote past its rows", name, dim)
			}
		}
	}
}

// TestDots8 checks the int8 kernel in use and the portable one against a
// plain sum, with extreme values, for every stride up to 128.
func TestDots8(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for stride := 16; stride <= 128; stride += 16 {
		q := make([]int16, stride)
		for i := range q {
			q[i] = int16(r.IntN(255) - 127)
		}
		q[0] = -127
		const rows = 7
		m := make([]int8, rows*stride)
		for i := range m {
			m[i] = int8(r.IntN(255) - 127)
		}
		m[0] = -127
		for name, f := range map[string]func([]int16, []int8, int, []int32){"dots8": dots8, "generic": dots8Generic} {
			out := make([]int32, rows+1)
			out[rows] = 42
			f(q, m, stride, out[:rows])
			for i := range rows {
				var want int32
				for j := range stride {
					want += int32(q[j]) * int32(m[i*stride+j])
				}
				if out[i] != want {
					t.Errorf("%s stride %d row %d = %d, want %d", name, stride, i, out[i], want)
				}
			}
			if out[rows] != 42 {
				t.Errorf("%s stride %d wrote past its rows", name, stride)
			}
		}
	}
}
