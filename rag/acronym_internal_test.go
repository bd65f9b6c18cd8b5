package rag

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExpandAcronyms(t *testing.T) {
	docs := []string{
		"The company was founded by Dana Whitfield, our Chief Executive Officer. The Chief Executive Officer reports to the board.",
		"Claims go to Human Resources. The Department of Justice opened a case.",
		"Harold II died at Hastings. Ted Heath spoke. Key Stage 2 sings.",
	}
	table := acronymsOf(slices.Values(docs))
	corpus := map[string]bool{}
	for _, d := range docs {
		for _, w := range words(d) {
			corpus[w] = true
		}
	}
	known := func(w string) bool { return corpus[w] }
	for _, c := range []struct{ in, want string }{
		{"Who is the CEO?", "Who is the Chief Executive Officer?"},
		{"Where do I send HR claims?", "Where do I send Human Resources claims?"},
		{"What did the DOJ open?", "What did the Department of Justice open?"},
		{"What did the DJ open?", "What did the Department of Justice open?"},
		// Known words, Roman numerals and acronyms the documents never
		// spell out stay as they are.
		{"Where did Harold II die?", "Where did Harold II die?"},
		{"Who is the CFO?", "Who is the CFO?"},
		{"Who founded the company?", "Who founded the company?"},
		{"  Who is the (CEO)?!", "Who is the (Chief Executive Officer)?!"},
		// In a question all in capitals, or possessive; a function word
		// in capitals is none; a word in lower case is none (people's
		// initials are in the table too: "td" is not Ted Heath).
		{"WHO IS THE CEO?", "WHO IS THE Chief Executive Officer?"},
		{"WHO DID THE DOJ CHARGE?", "WHO DID THE Department of Justice CHARGE?"},
		{"What is the CEO's salary?", "What is the Chief Executive Officer's salary?"},
		{"who is the ceo?", "who is the ceo?"},
		{"is there a th nearby?", "is there a th nearby?"},
		{"What happened in the 17th century?", "What happened in the 17th century?"},
		{"When is the KS2 concert?", "When is the Key Stage2 concert?"},
	} {
		if got := expandAcronyms(c.in, known, func() *acronymTable { return table }); got != c.want {
			t.Errorf("expandAcronyms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The table is read only for a question with a word no document has.
func TestExpandAcronymsReadsTableOnlyWhenNeeded(t *testing.T) {
	read := false
	got := expandAcronyms("Who is the boss?", func(string) bool { return true }, func() *acronymTable { read = true; return &acronymTable{} })
	if got != "Who is the boss?" || read {
		t.Errorf("got %q, table read %v; want the question unchanged and no table read", got, read)
	}
}

func TestAcronymTablePhrases(t *testing.T) {
	table := acronymsOf(slices.Values([]string{
		"Asia and Africa traded. The National Security Committee met, and the National Security Committee spoke.",
		"A National Security Council exists. Anna Karenina, Leo Tolstoy.",
	}))
	for _, c := range []struct{ initials, want string }{
		{"nsc", "National Security Committee"}, // twice against once
		{"aa", "Asia and Africa"},
		{"aaa", "Asia and Africa"},
		{"ak", "Anna Karenina"}, // a comma ends a phrase
		{"lt", "Leo Tolstoy"},
		{"aklt", ""},
	} {
		if got := table.phraseFor(c.initials); got != c.want {
			t.Errorf("phraseFor(%q) = %q, want %q", c.initials, got, c.want)
		}
	}
}

// BenchmarkAcronymTable reads the table from the squad-dev articles
// (8 articles, 0.4 MB), as the first question with an unknown word does.
func BenchmarkAcronymTable(b *testing.B) {
	texts := squadParagraphs(b)
	b.ResetTimer()
	for b.Loop() {
		acronymsOf(slices.Values(texts))
	}
}

// squadParagraphs are the paragraphs of the squad-dev articles (8
// articles, 0.4 MB); the benchmark is skipped without them.
func squadParagraphs(b *testing.B) []string {
	b.Helper()
	files, err := filepath.Glob("../testdata/squad-dev/corpus/*.txt")
	if err != nil || len(files) == 0 {
		b.Skip("no squad-dev corpus")
	}
	var texts []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, strings.Split(string(data), "\n\n")...)
	}
	return texts
}

// A number typed without separators is written as the documents write it,
// with its thousands set off by commas, when one does and none writes the
// number itself; years, decades, codes and telephone numbers stay.
func TestGroupThousands(t *testing.T) {
	text := "Claims over £2,000 need approval. The hall seats 1,250 people; 15,000 visit each year. " +
		"In 1600 the town had 2 mills and 600 houses. Call 01632 960 452. Ref 12,345 of 67,890. Order 0,012,345."
	corpus := map[string]bool{}
	for _, w := range words(text) {
		corpus[w] = true
	}
	known := func(w string) bool {
		for _, t := range words(w) {
			if !corpus[t] {
				return false
			}
		}
		return true
	}
	grouped := groupedNumbersOf(slices.Values([]string{text}))
	writes := func(n string) bool { return grouped.set[n] }
	for _, c := range []struct{ in, want string }{
		{"who signs off a claim over £2000", "who signs off a claim over £2,000"},
		{"Do 15000 people visit?", "Do 15,000 people visit?"},
		{"Is it over $2000 or £15000?", "Is it over $2,000 or £15,000?"},
		{"Does the hall seat 1250?", "Does the hall seat 1250?"}, // four digits without a currency sign: perhaps a year
		{"What happened in 1600?", "What happened in 1600?"},     // the documents have it
		{"What happened in the 1600s?", "What happened in the 1600s?"},
		{"Is it over €2345?", "Is it over €2345?"}, // no document writes "2,345"
		{"ID 20001234567", "ID 20001234567"},       // longer than nine digits
		{"cost 2.000 or 2,000?", "cost 2.000 or 2,000?"},
		{"ref 12345-67890", "ref 12345-67890"},     // a code
		{"order 0012345", "order 0012345"},         // a leading zero
		{"call 01632 960452", "call 01632 960452"}, // a telephone number
		{"ticket #12345", "ticket #12345"},
		{"Is 67890 the reference?", "Is 67,890 the reference?"},
	} {
		if got := groupThousands(c.in, known, writes); got != c.want {
			t.Errorf("groupThousands(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzGroupThousands: a question's numbers are only ever given commas, and
// once; the numbers read from a text are in it.
func FuzzGroupThousands(f *testing.F) {
	for _, q := range []string{"claim over £2000", "15000 people", "ref 12345-67890", "", "£", "1,2000", "€99999999999", "Call 01632 960452"} {
		f.Add(q, "Claims over £2,000 and 15,000 people; 12,345 of 67,890.")
	}
	f.Fuzz(func(t *testing.T, q, text string) {
		grouped := groupedNumbersOf(slices.Values([]string{text}))
		writes := func(n string) bool { return grouped.set[n] }
		known := func(string) bool { return false }
		got := groupThousands(q, known, writes)
		if strings.ReplaceAll(got, ",", "") != strings.ReplaceAll(q, ",", "") {
			t.Errorf("groupThousands(%q) = %q: more than commas changed", q, got)
		}
		if again := groupThousands(got, known, writes); again != got {
			t.Errorf("groupThousands(%q) = %q, then %q", q, got, again)
		}
		for n := range grouped.set {
			if !strings.Contains(text, n) {
				t.Errorf("%q read as a number of %q", n, text)
			}
		}
	})
}
