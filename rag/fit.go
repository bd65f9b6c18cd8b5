package rag

import (
	"errors"
	"iter"
	"math"
	"slices"
)

// fitLogistic fits a logistic regression to rows x with labels y by
// Newton's method on standardised features with an L2 penalty l2 (on the
// standardised weights, not the bias). It is deterministic: the same rows
// give the same weights.
func fitLogistic(names []string, x [][]float64, y []bool, l2 float64) (Logistic, error) {
	n := len(x)
	if n == 0 {
		return Logistic{}, errors.New("fit: no examples")
	}
	d := len(names)
	mean, scale := standardisation(slices.Values(x), d)
	z := make([][]float64, n) // standardised rows with a leading 1 for the bias
	for i, r := range x {
		z[i] = append([]float64{1}, standardised(r, mean, scale)...)
	}
	w := make([]float64, d+1)
	for round := 0; round < 50; round++ {
		grad := make([]float64, d+1)
		hess := make([][]float64, d+1)
		for j := range hess {
			hess[j] = make([]float64, d+1)
		}
		for i, r := range z {
			var s float64
			for j, v := range r {
				s += w[j] * v
			}
			p := sigmoid(s)
			t := 0.0
			if y[i] {
				t = 1
			}
			h := max(p*(1-p), 1e-9)
			for j, vj := range r {
				grad[j] += (p - t) * vj
				for k := j; k < len(r); k++ {
					hess[j][k] += h * vj * r[k]
				}
			}
		}
		for j := 1; j <= d; j++ {
			grad[j] += l2 * w[j]
			hess[j][j] += l2
		}
		for j := range hess {
			for k := 0; k < j; k++ {
				hess[j][k] = hess[k][j]
			}
		}
		step, err := solve(hess, grad)
		if err != nil {
			return Logistic{}, err
		}
		var norm float64
		for j := range w {
			w[j] -= step[j]
			norm += step[j] * step[j]
		}
		if norm < 1e-18 {
			break
		}
	}
	// Fold the standardisation into the weights.
	out := Logistic{Features: append([]string(nil), names...), Weights: make([]float64, d), Bias: w[0]}
	for j := 0; j < d; j++ {
		out.Weights[j] = w[j+1] / scale[j]
		out.Bias -= w[j+1] * mean[j] / scale[j]
	}
	return out, nil
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, errors.New("fit: singular system")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}

// fitRanker fits a conditional logit: for each group of candidates (the
// passages or sentences of one question) the softmax of Weights·x should
// put its mass on the candidates labelled true, evenly. It maximises
// Σ_groups mean over positives of log softmax, which is concave, by
// Newton's method on standardised features with an L2 penalty l2.
func fitRanker(names []string, groups [][][]float64, labels [][]bool, l2 float64) (Ranker, error) {
	d := len(names)
	rows := func(yield func([]float64) bool) {
		for _, g := range groups {
			for _, r := range g {
				if !yield(r) {
					return
				}
			}
		}
	}
	mean, scale := standardisation(rows, d)
	if mean == nil {
		return Ranker{}, errors.New("fit: no examples")
	}
	zs := make([][][]float64, len(groups))
	for gi, g := range groups {
		zs[gi] = make([][]float64, len(g))
		for i, r := range g {
			zs[gi][i] = standardised(r, mean, scale)
		}
	}
	w := make([]float64, d)
	for round := 0; round < 50; round++ {
		grad := make([]float64, d) // of the negative objective
		hess := make([][]float64, d)
		for j := range hess {
			hess[j] = make([]float64, d)
		}
		for gi, g := range zs {
			p, pos := Ranker{Weights: w}.probs(g), positives(labels[gi])
			mu := make([]float64, d)
			for i, z := range g {
				t := 0.0
				if labels[gi][i] {
					t = 1 / pos
				}
				for j, v := range z {
					mu[j] += p[i] * v
					grad[j] += (p[i] - t) * v
				}
			}
			for i, z := range g {
				for j := 0; j < d; j++ {
					for k := j; k < d; k++ {
						hess[j][k] += p[i] * (z[j] - mu[j]) * (z[k] - mu[k])
					}
				}
			}
		}
		for j := 0; j < d; j++ {
			grad[j] += l2 * w[j]
			hess[j][j] += l2
			for k := 0; k < j; k++ {
				hess[j][k] = hess[k][j]
			}
		}
		step, err := solve(hess, grad)
		if err != nil {
			return Ranker{}, err
		}
		// Newton's step can overshoot on a softmax: halve it until the
		// objective improves.
		loss := rankerLoss(zs, labels, w, l2)
		next := make([]float64, d)
		for t := 1.0; t > 1e-6; t /= 2 {
			for j := range w {
				next[j] = w[j] - t*step[j]
			}
			if rankerLoss(zs, labels, next, l2) <= loss {
				break
			}
		}
		var norm float64
		for j := range w {
			norm += (next[j] - w[j]) * (next[j] - w[j])
		}
		copy(w, next)
		if norm < 1e-18 {
			break
		}
	}
	out := Ranker{Features: append([]string(nil), names...), Weights: make([]float64, d)}
	for j := range w {
		out.Weights[j] = w[j] / scale[j] // the mean shifts every score alike
	}
	return out, nil
}

// rankerLoss is fitRanker's negative objective at w.
func rankerLoss(zs [][][]float64, labels [][]bool, w []float64, l2 float64) float64 {
	var loss float64
	for gi, g := range zs {
		p, pos := Ranker{Weights: w}.probs(g), positives(labels[gi])
		for i, l := range labels[gi] {
			if l {
				loss -= math.Log(max(p[i], 1e-300)) / pos
			}
		}
	}
	for _, v := range w {
		loss += l2 * v * v / 2
	}
	return loss
}

// standardisation returns the mean and standard deviation of each of the d
// features over rows; a constant feature gets scale 1, so that its weight
// stays 0. With no rows it returns nils.
func standardisation(rows iter.Seq[[]float64], d int) (mean, scale []float64) {
	var n int
	mean, scale = make([]float64, d), make([]float64, d)
	for r := range rows {
		n++
		for j, v := range r {
			mean[j] += v
		}
	}
	if n == 0 {
		return nil, nil
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for r := range rows {
		for j, v := range r {
			scale[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	for j := range scale {
		scale[j] = math.Sqrt(scale[j] / float64(n))
		if scale[j] < 1e-9 {
			scale[j] = 1
		}
	}
	return mean, scale
}

// standardised is r with each feature centred and scaled.
func standardised(r, mean, scale []float64) []float64 {
	z := make([]float64, len(r))
	for j, v := range r {
		z[j] = (v - mean[j]) / scale[j]
	}
	return z
}

// positives counts the true labels.
func positives(labels []bool) float64 {
	var n float64
	for _, l := range labels {
		if l {
			n++
		}
	}
	return n
}
