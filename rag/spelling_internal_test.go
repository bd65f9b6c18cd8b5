package rag

import (
	"slices"
	"testing"
)

func TestSlips(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		bound int
		want  int
	}{
		{"vacation", "vacation", 2, 0},
		{"vaccation", "vacation", 2, 1},  // a letter too many
		{"vacaton", "vacation", 2, 1},    // one dropped
		{"vacatoin", "vacation", 2, 1},   // two swapped
		{"vecation", "vacation", 2, 1},   // one replaced
		{"gaurentee", "guarantee", 2, 2}, // swapped, and one replaced
		{"wages", "wales", 1, 1},
		{"holiday", "vacation", 2, 3}, // past the bound: bound+1
		{"", "ab", 2, 2},
	} {
		if got := slips([]rune(c.a), []rune(c.b), c.bound); got != c.want {
			t.Errorf("slips(%q, %q, %d) = %d, want %d", c.a, c.b, c.bound, got, c.want)
		}
	}
}

func TestCorrectSpelling(t *testing.T) {
	docs := []string{
		"Every employee has 25 days of paid vacation per year.",
		"The ARPANET was characterized by packet switching; the vacation policy is generous.",
		"Wales and Scotland. Acme's offices.",
		"We guarantee it. 员工有几天病假？",
	}
	table := func() *spellings { return spellingsOf(slices.Values(docs)) }
	known := map[string]bool{}
	for _, d := range docs {
		for _, w := range words(d) {
			known[w] = true
		}
	}
	common := map[string]bool{"wages": true, "thought": true}
	rare := func(w string) bool { return !common[w] }
	for _, c := range []struct{ q, want string }{
		{"How many vaccation days do I get?", "How many vacation days do I get?"},
		{"How was the ARPNET charecterized?", "How was the ARPANET characterized?"},
		{"Where are Acmee's offices?", "Where are Acme's offices?"},
		{"WHERE ARE ACMEE'S OFFICES?", "WHERE ARE ACME'S OFFICES?"},
		// Two slips in a long word.
		{"What do you gaurentee?", "What do you guarantee?"},
		// A script that does not write words apart: a clause, not a word.
		{"员工有几天年假？", "员工有几天年假？"},
		// At most three words of a question are looked up.
		{"vaccation vaccation vaccation vaccation", "vacation vacation vacation vaccation"},
		// A common word the documents lack asks about something else.
		{"What are the wages?", "What are the wages?"},
		// Too short to guess.
		{"Is teh vacation paid?", "Is teh vacation paid?"},
		// Nothing near enough.
		{"Is there a gymnasium?", "Is there a gymnasium?"},
		// A word the documents have is no slip.
		{"Is the vacation paid?", "Is the vacation paid?"},
	} {
		if got := correctSpelling(c.q, func(w string) bool { return known[w] }, rare, table); got != c.want {
			t.Errorf("correctSpelling(%q) = %q, want %q", c.q, got, c.want)
		}
	}
}

// The nearest spelling wins, then the more frequent, then the first in
// order, so the table's map order never decides.
func TestSpellingsTies(t *testing.T) {
	s := spellingsOf(slices.Values([]string{"barrow barrow burrow", "barred", "barren barren"}))
	for _, c := range []struct{ w, want string }{
		{"barrrow", "barrow"}, // one slip from barrow, two from burrow
		{"barrem", "barren"},  // one slip from barren and from barred: barren is more frequent
		{"zzzzzz", ""},
	} {
		if got := s.correct(c.w); got != c.want {
			t.Errorf("correct(%q) = %q, want %q", c.w, got, c.want)
		}
	}
}

// BenchmarkSpellings reads the documents' words from the squad-dev
// articles (8 articles, 0.4 MB), as the first question with a rare word no
// chunk has does, and corrects one word against them, as each such
// question does.
func BenchmarkSpellings(b *testing.B) {
	texts := squadParagraphs(b)
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			spellingsOf(slices.Values(texts))
		}
	})
	s := spellingsOf(slices.Values(texts))
	b.Run("correct", func(b *testing.B) {
		for b.Loop() {
			if s.correct("charecterized") != "characterized" {
				b.Fatal("not corrected")
			}
		}
	})
}

// slips is slipRows.slips with rows of its own.
func slips(a, b []rune, bound int) int {
	return newSlipRows(len(b)).slips(a, string(b), bound)
}
