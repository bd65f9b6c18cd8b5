package rag

import (
	"math"
	"testing"
)

// rarities is a word model that knows how rare a few words are.
type rarities map[string]float64

func (r rarities) WordRarity(w string) float64 {
	if v, ok := r[w]; ok {
		return v
	}
	return 1
}

// The rarity features weigh the question's terms by how rare their words
// are in general use: a rare word no chunk has ("platyctenids") counts for
// more than a common one ("eat").
func TestRarityFeatures(t *testing.T) {
	x := &Index{terms: newTermStats(), cfg: Config{Rarity: rarities{"juvenile": 0.6, "eat": 0.4}}}
	x.terms.add("Juvenile birds eat seeds.")
	x.terms.add("Adult birds fly south.")
	q := x.analyse("What do juvenile platyctenids eat?")
	if len(q.order) != 3 {
		t.Fatalf("terms %v, want juvenile, platyctenids, eat", q.order)
	}
	// The top passage has "juvenile" (term 0) and "eat" (term 2); no chunk
	// has "platyctenids" (term 1), which is also missing from the document.
	top := &candidate{mask: 1<<0 | 1<<2, doc: 1<<0 | 1<<2}
	in := x.answerInput(&retrieval{q: q}, top, &sentence{}, nil)
	all := 0.6 + 1 + 0.4
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"unknown_rare", unknownRare(&in), 1 / all},
		{"rarest_unknown", rarestUnknown(&in), 1},
		{"missing_rare", missingRare(&in), 1 / all},
		{"rarest_missing_word", rarestMissingWord(&in), 1},
		{"missing_from_document_rare", documentMissingRare(&in), 1 / all},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// A top passage without "eat": the common word weighs less than the
	// rare one would.
	top = &candidate{mask: 1 << 0, doc: 1 << 0}
	in = x.answerInput(&retrieval{q: q}, top, &sentence{}, nil)
	if got, want := missingRare(&in), 1.4/all; math.Abs(got-want) > 1e-9 {
		t.Errorf("missing_rare = %v, want %v", got, want)
	}
	if got := rarestUnknown(&in); got != 1 {
		t.Errorf("rarest_unknown = %v, want 1 (the word no chunk has)", got)
	}
}

// Without a word model every word counts as rare.
func TestRarityWithoutWordModel(t *testing.T) {
	x := &Index{terms: newTermStats()}
	x.terms.add("Juvenile birds eat seeds.")
	q := x.analyse("What do juvenile birds eat?")
	for _, t2 := range q.order {
		if q.rarity[t2] != 1 {
			t.Errorf("rarity of %q = %v, want 1", t2, q.rarity[t2])
		}
	}
}

// The word that makes "how" ask for an amount is the question's, not its
// topic: a one-paragraph corpus without "many" still covers "How many
// vacation days?".
func TestHowWordsAreNotTerms(t *testing.T) {
	q := analysed("How many vacation days? How long is the leave?", "Every employee has 25 days of vacation.")
	for _, t2 := range q.order {
		if t2 == stem("many") || t2 == stem("long") {
			t.Errorf("terms %v hold %q", q.order, t2)
		}
	}
	if len(q.order) != 3 {
		t.Errorf("terms %v, want vacation, days, leave", q.order)
	}
	if q2 := analysed("Many people came. How many?", "x"); q2.terms[stem("many")] == 0 {
		t.Errorf("\"many\" outside \"how many\" is a term: %v", q2.order)
	}
}
