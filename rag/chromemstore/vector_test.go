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
