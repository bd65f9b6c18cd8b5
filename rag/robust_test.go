package rag_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/citebot/citebot/rag"
)

// The development-set bar must not hang on the exact answer weights: moving
// any one of them by a fifth either way keeps it.
func TestQualityBarIsNotKnifeEdge(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "../corpus")
	f, err := os.Open("../testdata/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := rag.ReadEvalCases(f)
	if err != nil {
		t.Fatal(err)
	}
	base := rag.DefaultScoring()
	tweak := func(s *rag.Scoring) map[string]*float64 {
		return map[string]*float64{
			"lexical": &s.Lexical, "dense": &s.Dense, "type bonus": &s.TypeBonus, "place bonus": &s.PlaceBonus,
			"short penalty": &s.ShortPenalty, "passage": &s.Passage, "min word sim": &s.MinWordSim,
			"soft weight": &s.SoftWeight, "rerank coverage": &s.RerankCoverage, "rerank dense": &s.RerankDense,
			"second within": &s.SecondWithin, "abstain below": &s.AbstainBelow,
		}
	}
	for name := range tweak(&base) {
		for _, factor := range []float64{0.8, 1.2} {
			s := base
			*tweak(&s)[name] *= factor
			if s.MinWordSim >= 1 || s.SecondWithin > 1 {
				continue
			}
			x.SetScoring(s)
			r, err := rag.Evaluate(context.Background(), x, cases, 5)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("hit@3 %d/17, answers %d/17, abstained %d/3, false abstentions %d", r.Hit3, r.AnswerHit, r.Abstained, r.FalseAbstentions)
			if r.Hit3 != 17 || r.AnswerHit < 15 || r.Abstained != 3 || r.FalseAbstentions != 0 {
				t.Errorf("%s × %.1f: %s", name, factor, got)
			}
		}
	}
}
