package chromemstore

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/citebot/citebot/rag"
)

// TestAddSharesNormalisedVectors checks that chromem keeps a normalised
// vector as given, and copies one it must normalise.
func TestAddSharesNormalisedVectors(t *testing.T) {
	ctx := context.Background()
	s := New()
	unit, long := []float32{0.6, 0.8}, []float32{3, 4}
	chunks := []rag.Chunk{{ID: "a#0", Source: "a"}, {ID: "a#1", Source: "a"}}
	if err := s.Add(ctx, chunks, [][]float32{unit, long}); err != nil {
		t.Fatal(err)
	}
	res, err := s.coll.QueryEmbedding(ctx, unit, 2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		switch r.ID {
		case "a#0":
			if &r.Embedding[0] != &unit[0] {
				t.Error("normalised vector was copied")
			}
		case "a#1":
			if &r.Embedding[0] == &long[0] || long[0] != 3 {
				t.Error("vector to normalise was not copied")
			}
		}
	}
}

// quantiseRef is quantise as first written, with a branch on the sign.
func quantiseRef(c []int8, v []float32) float32 {
	var m float32
	for _, x := range v {
		m = max(m, abs32(x))
	}
	clear(c)
	if m == 0 {
		return 0
	}
	inv := 127 / m
	for i, x := range v {
		y := x * inv
		if y >= 0 {
			c[i] = int8(y + 0.5)
		} else {
			c[i] = int8(y - 0.5)
		}
	}
	return m / 127
}

// TestQuantiseMatchesReference: the branch-free rounding gives the same
// codes and scale as the branches, halves and signed zeros included.
func TestQuantiseMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vecs := [][]float32{
		{0, float32(math.Copysign(0, -1)), 1, -1},
		{0.5, -0.5, 1.5 / 127, -1.5 / 127, 2.5 / 127, -2.5 / 127, 1},
		{0, 0, 0},
	}
	for range 2000 {
		v := make([]float32, 1+rng.IntN(400))
		for i := range v {
			v[i] = float32(rng.NormFloat64())
			if rng.IntN(10) == 0 {
				v[i] = float32(rng.IntN(255)-127) / 127 // exact halves and codes
			}
		}
		vecs = append(vecs, v)
	}
	for _, v := range vecs {
		n := (len(v) + 15) &^ 15
		got, want := make([]int8, n), make([]int8, n)
		for i := range got {
			got[i], want[i] = 9, 9 // padding must be cleared
		}
		gs, ws := quantise(got, v), quantiseRef(want, v)
		if gs != ws || !slices.Equal(got, want) {
			t.Fatalf("quantise(%v) = %v, %v; want %v, %v", v, got, gs, want, ws)
		}
	}
}

func BenchmarkQuantise(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	v := make([]float32, 356)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	c := make([]int8, 368)
	for b.Loop() {
		quantise(c, v)
	}
}

// TestQuantise4 checks the two steps of 4-bit codes against what they
// stand for: each component within half a fine step of its codes' value,
// within half a coarse step of its coarse code's, the codes and scales in
// range, and the padding 0; for vectors whose blocks differ in range by
// orders of magnitude, zero blocks, and lengths around every block.
func TestQuantise4(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var vecs [][]float32
	for dim := 1; dim <= 300; dim += 1 + dim/16 {
		for kind := range 3 {
			v := make([]float32, dim)
			for i := range v {
				v[i] = float32(rng.NormFloat64())
				switch {
				case kind == 1 && (i/64)%2 == 1:
					v[i] *= 1e-3 // a block of small range
				case kind == 2 && i/64 == 1:
					v[i] = 0 // a block of zeros
				}
			}
			vecs = append(vecs, v)
		}
	}
	vecs = append(vecs, make([]float32, 70))
	for i, v := range vecs {
		// Every other vector is coded less a mean, as the table codes them
		// once it has one: values of another range than the vector's.
		want := v
		if i%2 == 1 {
			want = make([]float32, len(v))
			for j := range v {
				want[j] = v[j] - float32(rng.NormFloat64())
			}
		}
		n := rowBytes(len(v))
		blocks := n / 32
		c, f, bs := make([]uint8, n), make([]uint8, n), make([]int16, scalesPerRow(blocks))
		for i := range c {
			c[i], f[i] = 0xff, 0xff // every code must be written
		}
		for i := range bs {
			bs[i] = 99
		}
		s := quantise4(c, f, bs, want)
		code := func(m []uint8, i int) int {
			b, j := i/64, i%64
			if j < 32 {
				return int(m[32*b+j] & 15)
			}
			return int(m[32*b+j-32] >> 4)
		}
		for b, x := range bs {
			if b >= blocks && x != 0 || x < 0 || int(x) > maxBlockScale(blocks) {
				t.Fatalf("dim %d: scale %d of block %d", len(v), x, b)
			}
		}
		for i := range 2 * n {
			cc, fc := code(c, i), code(f, i)
			var x float32
			if i < len(v) {
				x = want[i]
			}
			fine := float64(bs[i/64]) * float64(s)
			got := float64(14*(cc-8)+fc-8) * fine
			if cc < 1 || fc < 1 || math.Abs(got-float64(x)) > fine/2*1.001+1e-12 ||
				math.Abs(float64(14*(cc-8))*fine-float64(x)) > 7*fine*1.001+1e-12 {
				t.Fatalf("dim %d component %d: %g as codes %d, %d (fine step %g): %g", len(v), i, x, cc, fc, fine, got)
			}
			if i >= len(v) && (cc != 8 || fc != 8) {
				t.Fatalf("dim %d: padding %d has codes %d, %d", len(v), i, cc, fc)
			}
		}
	}
}
