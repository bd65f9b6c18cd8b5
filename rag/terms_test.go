package rag

import (
	"slices"
	"testing"
)

// eachWord must split exactly as words does, which term statistics and
// question analysis both rely on.
// Latin letters lose their diacritics; other scripts keep theirs.
func TestFoldLatin(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"temür", "temur"}, {"céloron", "celoron"}, {"beauséjour", "beausejour"},
		{"école", "ecole"}, {"plain", "plain"}, {"йод", "йод"}, {"straße", "straße"},
		{"ǆemal", "ǆemal"}, {"2015", "2015"},
	} {
		if got := foldLatin(c.in); got != c.want {
			t.Errorf("foldLatin(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := words("Kublai and Ariq Böke"); !slices.Equal(got, []string{"kublai", "and", "ariq", "boke"}) {
		t.Errorf("words = %q", got)
	}
}

func TestEachWordMatchesWords(t *testing.T) {
	for _, text := range []string{
		"", "   ", "The Head of State, in 2015.", "don't stop-words", "ÉCOLE élève Straße İstanbul",
		"Один два ТРИ.", "a\xffb\xc3", "x1y2 Z9", "日本語のテキスト", "ǅemal ǈ", "tab\tnew\nline",
	} {
		var got []string
		eachWord(text, func(w string) { got = append(got, w) })
		if want := words(text); !slices.Equal(got, want) {
			t.Errorf("eachWord(%q) = %q, words = %q", text, got, want)
		}
	}
}

func FuzzEachWord(f *testing.F) {
	f.Add("The Head of State, in 2015.")
	f.Add("ÉCOLE a\xffb")
	f.Fuzz(func(t *testing.T, text string) {
		var got []string
		eachWord(text, func(w string) { got = append(got, w) })
		if want := words(text); !slices.Equal(got, want) {
			t.Errorf("eachWord(%q) = %q, words = %q", text, got, want)
		}
	})
}

func TestStemCached(t *testing.T) {
	for _, w := range []string{"migrating", "policies", "discussed", "the", "élève"} {
		first, again := stem(w), stem(w)
		if first != again {
			t.Errorf("stem(%q) = %q, then %q", w, first, again)
		}
	}
	if got := stem("policies"); got != "polici" {
		t.Errorf("stem(policies) = %q, want polici", got)
	}
}

func TestTermStatsAddRemove(t *testing.T) {
	s := newTermStats()
	s.add("Zebras graze. The zebra grazes.")
	s.add("A lion sleeps")
	if s.n != 2 || s.df["zebra"] != 1 || s.df["lion"] != 1 || s.df["the"] != 0 {
		t.Errorf("after adds: n=%d df=%v", s.n, s.df)
	}
	s.remove("A lion sleeps")
	if _, ok := s.df["lion"]; ok || s.n != 1 {
		t.Errorf("after remove: n=%d df=%v", s.n, s.df)
	}
}

// The fragments a contraction leaves ("I'm" → "i", "m"; "doesn't" →
// "doesn", "t") are function words: "how many wrong passwords before I'm
// locked out" must not match "8 a.m." by its "m".
func TestContractionsCarryNoTopic(t *testing.T) {
	s := newTermStats()
	s.add("I'm sure it doesn’t, we'll see: they've gone, you're right, I'd go, isn't it?")
	var got []string
	for term := range s.df {
		got = append(got, term)
	}
	slices.Sort(got)
	if want := []string{"go", "gone", "right", "see", "sure"}; !slices.Equal(got, want) {
		t.Errorf("terms = %q, want %q", got, want)
	}
}
