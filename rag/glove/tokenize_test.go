package glove

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustNew(t testing.TB, opts Options) *Embedder {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestTokens(t *testing.T) {
	e := mustNew(t, DefaultOptions())
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{" ...!? -- ", nil},
		{"The Kitten's toys", []string{"the", "kitten", "toys"}},
		{"students’ union", []string{"students", "union"}},
		{"I don't know, we can't", []string{"i", "do", "not", "know", "we", "can", "not"}},
		{"We're sure they'll go; I'd won't", []string{"we", "are", "sure", "they", "will", "go", "i", "would", "will", "not"}},
		{"O'Brien and d'Artagnan", []string{"obrien", "and", "d", "artagnan"}},
		{"a well-known e-mail", []string{"a", "well-known", "e-mail"}},
		{"Senator Kul-Mukhammed", []string{"senator", "kul", "mukhammed"}},
		{"Samruk-Kazyna's procurement", []string{"samruk", "kazyna", "procurement"}},
		{"-dash- a--b 'quoted'", []string{"dash", "a", "b", "quoted"}},
		{"3.5 million, 1,000 people in 2015.", []string{"3.5", "million", "1,000", "people", "in", "2015"}},
		{"U.S. end.Next", []string{"u", "s", "end", "next"}},
		{"Müller's CAFÉ Straße", []string{"muller", "cafe", "strasse"}},
		{"cafe\u0301", []string{"cafe"}}, // decomposed é
		{"Президент Казахстана", []string{"президент", "казахстана"}},
		{"北京 hello", []string{"北京", "hello"}},
		{"नमस्ते दुनिया", []string{"नमस्ते", "दुनिया"}}, // combining vowel signs stay
	} {
		if got := e.Tokens(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"don't", "Kul-Mukhammed", "3.5,1", "Müller's", "'-'", "a'-b", "Президент"} {
		f.Add(s)
	}
	e := mustNew(f, DefaultOptions())
	f.Fuzz(func(t *testing.T, text string) {
		for _, tok := range e.Tokens(text) {
			if tok == "" || !utf8.ValidString(tok) || strings.ContainsAny(tok, " \t\n") || tok != strings.ToLower(tok) {
				t.Fatalf("Tokens(%q) has token %q", text, tok)
			}
		}
	})
}
