package rag

import (
	"fmt"
	"math"
	"slices"
)

// Model holds the fitted models an extractive answer is made with: Passage
// ranks retrieved passages, Sentence chooses the answer sentence among
// theirs, Gate gives the probability that the documents answer the
// question at all and Answer the probability that the chosen sentence is
// right when they do; their product is the answer's confidence. When the
// Gate's probability is below AbstainBelow the answer is declined.
// citebot train writes the model in weights_gen.go.
type Model struct {
	Passage, Sentence Ranker
	Gate, Answer      Logistic
	// AbstainBelow is the Gate's probability under which Ask declines,
	// chosen on out-of-fold predictions for at most the target share of
	// false abstentions. The Gate alone decides, not the confidence: an
	// answerable question whose best sentence is doubtful is still
	// answered, and at 3% false abstentions the Gate alone declines more
	// questions about other subjects (84% of squad-dev's off-topic
	// questions out of fold, against 76% for the confidence).
	AbstainBelow float64
}

// Ranker scores candidates by Weights·x; among the candidates of one
// question, the probability that candidate i is the right one is the
// softmax of the scores (a conditional logit). Features names the inputs in
// order, as features.go lists them.
type Ranker struct {
	Features []string
	Weights  []float64
}

// score is the ranker's score for the feature values x.
func (r Ranker) score(x []float64) float64 {
	var z float64
	for i, w := range r.Weights {
		z += w * x[i]
	}
	return z
}

// probs is the probability of each of one question's candidates, the
// softmax of their scores.
func (r Ranker) probs(rows [][]float64) []float64 {
	z := make([]float64, len(rows))
	for i, x := range rows {
		z[i] = r.score(x)
	}
	softmax(z)
	return z
}

// softmax turns scores into probabilities in place.
func softmax(z []float64) {
	if len(z) == 0 {
		return
	}
	top := z[0]
	for _, v := range z {
		top = max(top, v)
	}
	var sum float64
	for i, v := range z {
		z[i] = math.Exp(v - top)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// Logistic is a logistic regression: P(y=1 | x) = σ(Bias + Weights·x).
type Logistic struct {
	Features []string
	Weights  []float64
	Bias     float64
}

// prob is the model's probability for the feature values x.
func (l Logistic) prob(x []float64) float64 {
	z := l.Bias
	for i, w := range l.Weights {
		z += w * x[i]
	}
	return sigmoid(z)
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// confidence is the probability that an answer with features x is right.
func (m *Model) confidence(x []float64) float64 { return m.Gate.prob(x) * m.Answer.prob(x) }

// check reports a model whose features are not the ones features.go lists
// (weights fitted for another version of them).
func (m *Model) check() error {
	for _, c := range []struct {
		name       string
		have, want []string
		weights    int
	}{
		{"passage", m.Passage.Features, featureNames(passageFeatures), len(m.Passage.Weights)},
		{"sentence", m.Sentence.Features, featureNames(sentenceFeatures), len(m.Sentence.Weights)},
		{"gate", m.Gate.Features, featureNames(answerFeatures), len(m.Gate.Weights)},
		{"answer", m.Answer.Features, featureNames(answerFeatures), len(m.Answer.Weights)},
	} {
		if !slices.Equal(c.have, c.want) || c.weights != len(c.want) {
			return fmt.Errorf("%s model: fitted for features %v, features.go lists %v: run citebot train", c.name, c.have, c.want)
		}
	}
	return nil
}
