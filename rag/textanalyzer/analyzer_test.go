package textanalyzer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// trickyTexts reach the corners of word boundaries and of the filters
// after them.
var trickyTexts = []string{
	"", " ", "a", "A", "_", "__", "1", "'", ".", "s", "'s",
	"3.14 1,000 1,000.5 1.2.3 12:30 1;2 1'000 1,,2 1.,2 1..2 .5 5. ,5 5,",
	"a.b.c U.S.A. e.g. i.e., a:b a::b a;b a,b a..b a.'b a'.b a''b a'b'c",
	"don't won't rock'n'roll O'Neil's James's JAMES'S it's x'S x's's s's a' 'a",
	"a1.5 1.5a a.1 1.a a1:2 1:a a_1 1_ _1 1_a a_ _a __init__ foo_bar _1_ 1_._1 a_.b a._b",
	"v2.0 3'000 1e10 0x1F $3.50 50% #hashtag C++ C# .NET user@example.com",
	"http://x.org/a_b?c=1&d=2 10/12/2020 2024-01-01 hyphen-ated e-mail -1 +1 ~a",
	"\r\n \n\r \r \n \t \v \f x\r\ny a\"b \"quoted\" 'single' `back` a\x00b a\x7fb",
	"The THE the AND and Running RUNNING runs ran a an of to it's it IS",
	"Temür's Céloron's naïve café Ærøskøbing straße Œuvre – — “quoted” ‘text’ don’t",
	"invalid \xff\xfe bytes \xc3 and Ｆｕｌｌｗｉｄｔｈ ＡＢＣ, ﬁ ligature, 東京 and Москва's",
	"a\u0301b e\u0301 1\u200b2 a\u00adb ℃ ① ½ ２０２４ ١٢٣",
}

// testTexts are trickyTexts and the repository's documents, whole and a
// line at a time (lines are ASCII more often than whole files).
func testTexts(t *testing.T) []string {
	t.Helper()
	texts := append([]string(nil), trickyTexts...)
	files := 0
	for _, dir := range []string{"../../corpus", "../../testdata/squad-dev/corpus", "../testdata/handbook"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			files++
			texts = append(texts, string(b))
			texts = append(texts, strings.Split(string(b), "\n")...)
		}
	}
	if files < 10 {
		t.Fatalf("only %d documents found", files)
	}
	return texts
}

// checkSame fails t unless a and New's analyzer ref give text the same
// tokens, every field of them.
func checkSame(t *testing.T, a *Analyzer, ref analysis.Analyzer, text string) {
	t.Helper()
	want, got := ref.Analyze([]byte(text)), a.Analyze(text)
	same := len(want) == len(got)
	for i := 0; same && i < len(want); i++ {
		w, g := want[i], got[i]
		same = string(w.Term) == g.Term && w.Start == g.Start && w.End == g.End &&
			w.Position == g.Position && w.Type == g.Type && !w.KeyWord
	}
	if !same {
		t.Fatalf("%q: analysed differently\nNew:         %v\nAnalyzer:    %v", text[:min(len(text), 80)], want[:min(len(want), 20)], got[:min(len(got), 20)])
	}
}

// TestAnalyzerMatchesNew: the Analyzer gives the tokens New's analyzer
// gives, term, offsets, position and type, on the repository's documents
// and on texts made to reach the corners of word boundaries, each text
// analysed twice (the second time from the term cache); a term has one ID
// and an ID one term.
func TestAnalyzerMatchesNew(t *testing.T) {
	texts := testTexts(t)
	ref, a := New(), new(Analyzer)
	ascii, folded := 0, 0
	ids := map[uint32]string{}
	byTerm := map[string]uint32{}
	for round := range 2 {
		for _, text := range texts {
			checkSame(t, a, ref, text)
			for _, tok := range a.Analyze(text) {
				if tok.ID == 0 {
					continue
				}
				if term, ok := ids[tok.ID]; ok && term != tok.Term {
					t.Fatalf("ID %d is %q and %q", tok.ID, term, tok.Term)
				}
				if id, ok := byTerm[tok.Term]; ok && id != tok.ID {
					t.Fatalf("%q has IDs %d and %d", tok.Term, id, tok.ID)
				}
				ids[tok.ID], byTerm[tok.Term] = tok.Term, tok.ID
			}
			if round == 0 && isASCII(string(fold.Filter([]byte(text)))) {
				ascii++
				if !isASCII(text) {
					folded++
				}
			}
		}
	}
	// The fast path must be what is tested.
	if len(ids) < 1000 {
		t.Errorf("only %d terms numbered", len(ids))
	}
	if folded < 50 {
		t.Errorf("only %d texts ASCII once folded and not before", folded)
	}
	if ascii < len(texts)*3/4 {
		t.Errorf("only %d of %d texts ASCII once folded", ascii, len(texts))
	}
}

// wordAlphabet has a byte of every class that word boundaries in ASCII
// tell apart, and 's' and 'S' for the possessive filter.
const wordAlphabet = "as1_:,;.'\" \r\nS"

// TestAnalyzerEveryShortString compares the Analyzer with New's analyzer,
// and nextWord with bleve's unicode tokenizer, on every string of up to
// five bytes of wordAlphabet (four in -short), and of up to two bytes of
// ASCII.
func TestAnalyzerEveryShortString(t *testing.T) {
	maxLen := 5
	if testing.Short() {
		maxLen = 4
	}
	ref, a := New(), new(Analyzer)
	tok := unicode.NewUnicodeTokenizer()
	check := func(s string) {
		checkSame(t, a, ref, s)
		checkWords(t, tok, s)
	}
	var walk func(prefix []byte, alphabet string, left int)
	walk = func(prefix []byte, alphabet string, left int) {
		check(string(prefix))
		if left == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			walk(append(prefix, alphabet[i]), alphabet, left-1)
		}
	}
	walk(nil, wordAlphabet, maxLen)
	var all [128]byte
	for i := range all {
		all[i] = byte(i)
	}
	walk(nil, string(all[:]), 2)
}

// checkWords fails t unless nextWord splits the ASCII text s into the
// words, offsets and types that bleve's unicode tokenizer does.
func checkWords(t *testing.T, tok analysis.Tokenizer, s string) {
	t.Helper()
	want := tok.Tokenize([]byte(s))
	i, n := 0, 0
	for {
		start, end, numeric := nextWord(s, i)
		if start == len(s) {
			break
		}
		typ := analysis.AlphaNumeric
		if numeric {
			typ = analysis.Numeric
		}
		if n >= len(want) || want[n].Start != start || want[n].End != end || want[n].Type != typ {
			t.Fatalf("%q: word %d is %q (type %d), want %v", s, n, s[start:end], typ, want[min(n, len(want)-1):])
		}
		i = end
		n++
	}
	if n != len(want) {
		t.Fatalf("%q: %d words, want %v", s, n, want)
	}
}

// FuzzAnalyzer compares the Analyzer with New's analyzer on any text, and
// on the same text with every byte made ASCII, which the fast path takes.
func FuzzAnalyzer(f *testing.F) {
	for _, s := range trickyTexts {
		f.Add(s)
	}
	ref, a := New(), new(Analyzer)
	tok := unicode.NewUnicodeTokenizer()
	f.Fuzz(func(t *testing.T, s string) {
		checkSame(t, a, ref, s)
		b := []byte(s)
		for i := range b {
			b[i] &= 0x7f
		}
		checkSame(t, a, ref, string(b))
		checkWords(t, tok, string(b))
	})
}

// BenchmarkAnalyze analyses the paragraphs of the repository's documents
// with New's analyzer and with an Analyzer: all of them, and those that
// are ASCII once folded, which the Analyzer's fast path takes.
func BenchmarkAnalyze(b *testing.B) {
	var all, ascii []string
	for _, dir := range []string{"../../corpus", "../../testdata/squad-dev/corpus"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range paths {
			bs, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			for _, para := range strings.Split(string(bs), "\n\n") {
				if strings.TrimSpace(para) == "" {
					continue
				}
				all = append(all, para)
				if isASCII(string(fold.Filter([]byte(para)))) {
					ascii = append(ascii, para)
				}
			}
		}
	}
	if len(ascii) == 0 {
		b.Fatal("no documents found")
	}
	for _, set := range []struct {
		name  string
		texts []string
	}{{"all", all}, {"ascii", ascii}} {
		size := 0
		for _, t := range set.texts {
			size += len(t)
		}
		b.Run("New/"+set.name, func(b *testing.B) {
			ref := New()
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, t := range set.texts {
					ref.Analyze([]byte(t))
				}
			}
		})
		b.Run("Analyzer/"+set.name, func(b *testing.B) {
			var a Analyzer
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, t := range set.texts {
					a.Analyze(t)
				}
			}
		})
	}
}
