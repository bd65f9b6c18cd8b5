package rag

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// logisticRows draws n rows of two standard-normal features with labels
// y ~ Bernoulli(σ(bias + w·x)), the same rows every time.
func logisticRows(n int, w [2]float64, bias float64) ([][]float64, []bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := make([][]float64, n), make([]bool, n)
	for i := range x {
		x[i] = []float64{rng.NormFloat64(), rng.NormFloat64()}
		y[i] = rng.Float64() < sigmoid(bias+w[0]*x[i][0]+w[1]*x[i][1])
	}
	return x, y
}

func TestFitLogisticRecoversWeights(t *testing.T) {
	for _, c := range []struct {
		name string
		w    [2]float64
		bias float64
	}{
		{"2x1 - x2 + 0.5", [2]float64{2, -1}, 0.5},
		{"-x1 + 0.5x2 - 1", [2]float64{-1, 0.5}, -1},
		{"x2 only", [2]float64{0, 1.5}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, y := logisticRows(5000, c.w, c.bias)
			m, err := fitLogistic([]string{"x1", "x2"}, x, y, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.Features, []string{"x1", "x2"}) {
				t.Errorf("features = %v, want [x1 x2]", m.Features)
			}
			for j, want := range c.w {
				if math.Abs(m.Weights[j]-want) > 0.3 {
					t.Errorf("weight %d = %.3f, want %.1f ± 0.3", j, m.Weights[j], want)
				}
			}
			if math.Abs(m.Bias-c.bias) > 0.3 {
				t.Errorf("bias = %.3f, want %.1f ± 0.3", m.Bias, c.bias)
			}
		})
	}
}

func TestFitLogisticConstantFeature(t *testing.T) {
	x, y := logisticRows(1000, [2]float64{2, -1}, 0.5)
	for _, r := range x {
		r[1] = 3 // no information
	}
	m, err := fitLogistic([]string{"x1", "constant"}, x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Weights[1] != 0 {
		t.Errorf("constant feature's weight = %v, want 0", m.Weights[1])
	}
	if m.Weights[0] <= 0 {
		t.Errorf("x1's weight = %v, want positive", m.Weights[0])
	}
}

func TestFitNoExamples(t *testing.T) {
	if _, err := fitLogistic([]string{"x"}, nil, nil, 1); err == nil {
		t.Error("fitLogistic without rows: no error")
	}
	if _, err := fitRanker([]string{"x"}, nil, nil, 1); err == nil {
		t.Error("fitRanker without groups: no error")
	}
	if _, err := fitRanker([]string{"x"}, [][][]float64{{}}, [][]bool{{}}, 1); err == nil {
		t.Error("fitRanker with an empty group only: no error")
	}
}

// rankerGroups draws n groups of five candidates with two uniform
// features; the candidate with the highest first feature is the positive.
func rankerGroups(rng *rand.Rand, n int) ([][][]float64, [][]bool) {
	groups, labels := make([][][]float64, n), make([][]bool, n)
	for g := range groups {
		groups[g], labels[g] = make([][]float64, 5), make([]bool, 5)
		best := 0
		for i := range groups[g] {
			groups[g][i] = []float64{rng.Float64(), rng.Float64()}
			if groups[g][i][0] > groups[g][best][0] {
				best = i
			}
		}
		labels[g][best] = true
	}
	return groups, labels
}

func TestFitRanker(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	train, trainLabels := rankerGroups(rng, 300)
	held, heldLabels := rankerGroups(rng, 200)
	m, err := fitRanker([]string{"signal", "noise"}, train, trainLabels, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Weights[0] <= 0 {
		t.Fatalf("signal weight = %v, want positive", m.Weights[0])
	}
	if math.Abs(m.Weights[1]) >= m.Weights[0]/5 {
		t.Errorf("noise weight %v is not small beside the signal's %v", m.Weights[1], m.Weights[0])
	}
	first := 0
	for g, cands := range held {
		best := 0
		for i, x := range cands {
			if m.score(x) > m.score(cands[best]) {
				best = i
			}
		}
		if heldLabels[g][best] {
			first++
		}
	}
	if share := float64(first) / float64(len(held)); share < 0.95 {
		t.Errorf("positives ranked first in %.0f%% of held-out groups, want at least 95%%", 100*share)
	}

	again, err := fitRanker([]string{"signal", "noise"}, train, trainLabels, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Weights, again.Weights) {
		t.Errorf("two fits differ: %v and %v", m.Weights, again.Weights)
	}
}

func TestSolve(t *testing.T) {
	for _, c := range []struct {
		name    string
		a       [][]float64
		b, want []float64
		wantErr bool
	}{
		{"3×3", [][]float64{{2, 1, -1}, {-3, -1, 2}, {-2, 1, 2}}, []float64{8, -11, -3}, []float64{2, 3, -1}, false},
		{"needs a pivot", [][]float64{{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}, []float64{5, 4, 3}, []float64{1, 2, 3}, false},
		{"identity", [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, []float64{7, -2, 0.5}, []float64{7, -2, 0.5}, false},
		{"singular", [][]float64{{1, 2, 3}, {2, 4, 6}, {1, 0, 1}}, []float64{1, 2, 3}, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := make([][]float64, len(c.a))
			for i := range c.a {
				a[i] = slices.Clone(c.a[i])
			}
			got, err := solve(a, c.b)
			if (err != nil) != c.wantErr {
				t.Fatalf("solve: error %v, want error %v", err, c.wantErr)
			}
			for i := range a {
				if !slices.Equal(a[i], c.a[i]) {
					t.Errorf("solve changed row %d of a: %v, was %v", i, a[i], c.a[i])
				}
			}
			if c.wantErr {
				return
			}
			for i := range c.want {
				if math.Abs(got[i]-c.want[i]) > 1e-9 {
					t.Errorf("x = %v, want %v", got, c.want)
					break
				}
			}
		})
	}
}
