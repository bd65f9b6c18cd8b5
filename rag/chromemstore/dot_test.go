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

// TestDots4 checks the 4-bit kernel in use and the portable one against
// a plain sum, with extreme codes, query values and the largest scales
// quantise4 gives, for every stride up to 512.
func TestDots4(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for stride := 32; stride <= 512; stride += 32 {
		blocks := stride / 32
		sw := scalesPerRow(blocks)
		q := make([]int8, 2*stride)
		for i := range q {
			q[i] = int8(r.IntN(255) - 127)
			if i%7 == 0 {
				q[i] = 127
			}
		}
		offs := blockOffsets(q)
		const rows = 9
		m := make([]uint8, rows*stride+stride)
		for i := range m {
			m[i] = uint8(r.IntN(256))
			if i%5 == 0 {
				m[i] = 0xff
			}
		}
		bs := make([]int16, rows*sw+sw)
		for i := range bs {
			if i%sw < blocks {
				bs[i] = int16(r.IntN(maxBlockScale(blocks) + 1))
				if i%3 == 0 {
					bs[i] = int16(maxBlockScale(blocks))
				}
			}
		}
		for name, f := range map[string]func([]int8, []uint8, int, []int16, int, []int16, []int32){"dots4": dots4, "generic": dots4Generic} {
			out := make([]int32, rows+1)
			out[rows] = 42
			f(q, m, stride, bs, sw, offs, out[:rows])
			for i := range rows {
				var want int64
				for b := range blocks {
					var d int64
					for j := range 32 {
						c := m[i*stride+32*b+j]
						d += int64(q[64*b+j])*(int64(c&15)-8) + int64(q[64*b+32+j])*(int64(c>>4)-8)
					}
					want += int64(bs[i*sw+b]) * d
				}
				if int64(out[i]) != want {
					t.Errorf("%s stride %d row %d = %d, want %d", name, stride, i, out[i], want)
				}
			}
			if out[rows] != 42 {
				t.Errorf("%s stride %d wrote past its rows", name, stride)
			}
		}
	}
}

// BenchmarkScanKernels scans 100,000 rows of 356 components as 4-bit rows
// with a scale for each 64 components: an eighth of the bytes of float32
// vectors, and 16 bytes of scales.
func BenchmarkScanKernels(b *testing.B) {
	const rows, dim = 100000, 356
	r := rand.New(rand.NewPCG(1, 2))
	stride := rowBytes(dim)
	sw := scalesPerRow(stride / 32)
	m := make([]uint8, rows*stride)
	for i := range m {
		m[i] = uint8(r.IntN(256))
	}
	bs := make([]int16, rows*sw)
	q := make([]int8, 2*stride)
	offs := blockOffsets(q)
	out := make([]int32, block)
	for b.Loop() {
		for s := 0; s < rows; s += block {
			n := min(block, rows-s)
			dots4(q, m[s*stride:], stride, bs[s*sw:], sw, offs, out[:n])
		}
	}
	b.SetBytes(int64(len(m) + 2*len(bs)))
}

// TestDots4Gather checks the gathering kernel in use and the portable one
// against dots4 row by row, for rows in any order, repeated, first and
// last, with fewer and more rows than it fetches ahead.
func TestDots4Gather(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, stride := range []int{32, 192, 512} {
		blocks := stride / 32
		sw := scalesPerRow(blocks)
		const rows = 50
		q := make([]int8, 2*stride)
		for i := range q {
			q[i] = int8(r.IntN(255) - 127)
		}
		offs := blockOffsets(q)
		m := make([]uint8, rows*stride)
		for i := range m {
			m[i] = uint8(r.IntN(256))
		}
		bs := make([]int16, rows*sw)
		for i := range bs {
			if i%sw < blocks {
				bs[i] = int16(r.IntN(maxBlockScale(blocks) + 1))
			}
		}
		for _, n := range []int{1, 3, 4, 5, 9, 40} {
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(r.IntN(rows))
			}
			idx[0], idx[n-1] = rows-1, 0
			for name, f := range map[string]func([]int8, []uint8, int, []int32, []int16, int, []int16, []int32){"dots4Gather": dots4Gather, "generic": dots4GatherGeneric} {
				out := make([]int32, n)
				f(q, m, stride, idx, bs, sw, offs, out)
				for i, row := range idx {
					var want [1]int32
					dots4(q, m[int(row)*stride:], stride, bs[int(row)*sw:], sw, offs, want[:])
					if out[i] != want[0] {
						t.Errorf("%s stride %d, %d rows: row %d (%d) = %d, want %d", name, stride, n, i, row, out[i], want[0])
					}
				}
			}
		}
	}
}
