package rag

import (
	"math"
	"testing"
)

func TestFeatureValues(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"bm25 share of best", bm25ShareOfBest(&passageInput{bm25: 0.3, bm25Max: 0.6}), 0.5},
		{"bm25 share of best, no best", bm25ShareOfBest(&passageInput{bm25: 0.3, bm25Max: 0}), 0},
		{"bm25 share of best, the best", bm25ShareOfBest(&passageInput{bm25: 0.6, bm25Max: 0.6}), 1},
		{"bm25 rank 0", bm25Rank(&passageInput{lexRank: 0}), 1},
		{"bm25 rank 3", bm25Rank(&passageInput{lexRank: 3}), 0.25},
		{"dense below best", denseBelowBest(&passageInput{dense: 0.5, denseMax: 0.75}), 0.25},
		{"dense rank 1", denseRank(&passageInput{denseRnk: 1}), 0.5},
		{"proposed rank absent", proposedRank(&passageInput{proposedRank: -1}), 0},
		{"proposed rank 0", proposedRank(&passageInput{proposedRank: 0}), 1},
		{"proposed rank 1", proposedRank(&passageInput{proposedRank: 1}), 0.5},
		{"first chunk", firstChunk(&passageInput{first: true}), 1},
		{"not the first chunk", firstChunk(&passageInput{}), 0},

		{"type found", typeFound(&sentenceInput{typed: true, typeFound: true}), 1},
		{"type found, typed but none", typeFound(&sentenceInput{typed: true}), 0},
		{"type found, untyped", typeFound(&sentenceInput{}), 0},
		{"type missing", typeMissing(&sentenceInput{typed: true}), 1},
		{"type missing, typed and found", typeMissing(&sentenceInput{typed: true, typeFound: true}), 0},
		{"type missing, untyped", typeMissing(&sentenceInput{}), 0},
		{"typed coverage", typedCoverage(&sentenceInput{typed: true, typeFound: true, exact: 0.7}), 0.7},
		{"typed coverage, none found", typedCoverage(&sentenceInput{typed: true, exact: 0.7}), 0},
		{"short at 3 terms", shortSentence(&sentenceInput{contentTerms: 3}), 1},
		{"not short at 4 terms", shortSentence(&sentenceInput{contentTerms: 4}), 0},
		{"not short as a list's item", shortSentence(&sentenceInput{contentTerms: 3, item: true}), 0},
		{"first in passage", firstInPassage(&sentenceInput{position: 0}), 1},
		{"second in passage", firstInPassage(&sentenceInput{position: 1}), 0},
		{"passage rank 1", passageRank(&sentenceInput{passageRank: 1}), 0.5},

		{"answer margin", answerMargin(&answerInput{sentenceProb: 0.75, secondProb: 0.25}), 0.5},
		{"any unknown term", anyUnknownTerm(&answerInput{unknown: 0.1}), 1},
		{"no unknown term", anyUnknownTerm(&answerInput{}), 0},
		{"answer type found", answerTypeFound(&answerInput{typed: true, typeFound: true}), 1},
		{"answer type found, untyped", answerTypeFound(&answerInput{typeFound: true}), 0},
		{"answer type missing", answerTypeMissing(&answerInput{typed: true}), 1},
		{"answer type missing, untyped", answerTypeMissing(&answerInput{}), 0},
		{"question terms 0", questionTerms(&answerInput{terms: 0}), 0},
		{"question terms 3", questionTerms(&answerInput{terms: 3}), math.Log(4)},
		{"sentence probability 0.5", answerSentenceProb(&answerInput{sentenceProb: 0.5}), 0.5},
		{"sentence probability 1, the only candidate", answerSentenceProb(&answerInput{sentenceProb: 1}), 1},
		{"passage probability 0.25", answerPassageProb(&answerInput{passageProb: 0.25}), 0.25},
	} {
		if math.Abs(c.got-c.want) > 1e-9 || math.IsNaN(c.got) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestFeatureNamesUnique(t *testing.T) {
	for _, c := range []struct {
		model string
		names []string
	}{
		{"passage", featureNames(passageFeatures)},
		{"sentence", featureNames(sentenceFeatures)},
		{"answer", featureNames(answerFeatures)},
	} {
		seen := map[string]bool{}
		for _, n := range c.names {
			if n == "" {
				t.Errorf("%s model: a feature without a name", c.model)
			}
			if seen[n] {
				t.Errorf("%s model: feature %q listed twice", c.model, n)
			}
			seen[n] = true
		}
	}
}

func TestFittedFeaturesMatchLists(t *testing.T) {
	if err := fitted.check(); err != nil {
		t.Fatalf("weights_gen.go does not match features.go: %v", err)
	}
}

func TestFeatureValuesInOrder(t *testing.T) {
	p := passageInput{bm25: 0.25, bm25Max: 0.5, proposedRank: -1}
	got := values(passageFeatures, &p)
	if len(got) != len(passageFeatures) {
		t.Fatalf("values gave %d values for %d features", len(got), len(passageFeatures))
	}
	for i, f := range passageFeatures {
		if want := f.fn(&p); got[i] != want {
			t.Errorf("values[%d] (%s) = %v, want %v", i, f.name, got[i], want)
		}
	}
}

// analysed is question as Ask analyses it, over a corpus of chunks (the
// terms' IDF).
func analysed(question string, chunks ...string) query {
	x := &Index{terms: newTermStats()}
	for _, c := range chunks {
		x.terms.add(c)
	}
	return x.analyse(question)
}

func TestBM25(t *testing.T) {
	// "rollo" is in one chunk, "duchy" in all three: rollo is the rarer.
	q := analysed("Who was Rollo of the duchy?", "Rollo ruled the duchy.", "The duchy of Normandy.", "The duchy was rich.")
	rollo, duchy := stem("rollo"), stem("duchy")
	score := func(tf map[string]int, n int) float64 { return bm25(q, countsByPlace(q, tf), n, 100) }
	for _, c := range []struct {
		name          string
		higher, lower float64
	}{
		{"more occurrences score higher", score(map[string]int{rollo: 3}, 100), score(map[string]int{rollo: 1}, 100)},
		{"a longer passage with the same count scores lower", score(map[string]int{rollo: 1}, 100), score(map[string]int{rollo: 1}, 300)},
		{"a rarer term scores higher", score(map[string]int{rollo: 1}, 100), score(map[string]int{duchy: 1}, 100)},
		{"both terms beat one", score(map[string]int{rollo: 1, duchy: 1}, 100), score(map[string]int{rollo: 1}, 100)},
		{"one term beats none", score(map[string]int{duchy: 1}, 100), score(map[string]int{"viking": 5}, 100)},
	} {
		if !(c.higher > c.lower) {
			t.Errorf("%s: %v is not above %v", c.name, c.higher, c.lower)
		}
	}
	for _, c := range []struct {
		name string
		q    query
		tf   map[string]int
		want float64
	}{
		{"no question weight", query{}, map[string]int{rollo: 2}, 0},
		{"a question of function words", analysed("Why was it?", "Rollo ruled the duchy."), map[string]int{rollo: 2}, 0},
		{"no terms in common", q, map[string]int{"viking": 2}, 0},
		{"empty passage", q, nil, 0},
	} {
		if got := bm25(c.q, countsByPlace(c.q, c.tf), 100, 100); got != c.want {
			t.Errorf("bm25 %s = %v, want %v", c.name, got, c.want)
		}
	}
	// Over the question's IDF the score stays below k1+1 however often the
	// terms occur.
	if got := score(map[string]int{rollo: 1000, duchy: 1000}, 100); got <= 0 || got >= 2.2 {
		t.Errorf("bm25 of a saturated passage = %v, want in (0, 2.2)", got)
	}
}

// countsByPlace turns counts by term into counts by the term's place in q.
func countsByPlace(q query, tf map[string]int) []int {
	out := make([]int, len(q.order))
	for t, n := range tf {
		if i, ok := q.index[t]; ok {
			out[i] = n
		}
	}
	return out
}

func TestBigramShare(t *testing.T) {
	q := analysed("What was the Norman conquest of England?", "The Norman conquest.")
	for _, c := range []struct {
		name string
		q    query
		text string
		want float64
	}{
		{"both pairs, a stop word between", q, "The Norman conquest of England began", 1},
		{"one pair", q, "the Norman conquest", 0.5},
		{"stemmed", q, "Normans conquests", 0.5},
		{"the words apart", q, "Norman rule and the later conquest", 0},
		{"the words reversed", q, "conquest Norman", 0},
		{"a pair counted once", q, "Norman conquest, Norman conquest", 0.5},
		{"a question of one term", analysed("Who was Rollo?", "Rollo."), "Rollo Rollo", 0},
		{"no words", q, "", 0},
	} {
		m := measure(&c.q, c.text, newPassageWords(&c.q, nil))
		var pairs termMask
		for _, s := range m.sents {
			pairs |= s.pairs
		}
		if got := c.q.pairShare(pairs); got != c.want {
			t.Errorf("pair share %s (%q) = %v, want %v", c.name, c.text, got, c.want)
		}
	}
}
