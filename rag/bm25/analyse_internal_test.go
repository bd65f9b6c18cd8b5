package bm25

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/textanalyzer"
)

// TestAnalyseCountsAsBleve: what an analyser gives a chunk, its terms,
// their counts and its length, is what counting the tokens of
// textanalyzer.New (bleve's analysis) gives, on the repository's
// documents whole and a paragraph at a time, each analysed twice by one
// analyser.
func TestAnalyseCountsAsBleve(t *testing.T) {
	var texts []string
	for _, dir := range []string{"../../corpus", "../../testdata/squad-dev/corpus", "../testdata/handbook"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			texts = append(texts, string(b))
			texts = append(texts, strings.Split(string(b), "\n\n")...)
		}
	}
	if len(texts) < 100 {
		t.Fatalf("only %d texts found", len(texts))
	}
	ref := textanalyzer.New()
	r := analysers.Get().(*analyser)
	defer analysers.Put(r)
	for round := range 2 {
		for _, text := range texts {
			want := map[string]uint32{}
			toks := ref.Analyze([]byte(text))
			for _, tok := range toks {
				want[string(tok.Term)]++
			}
			a := r.analyse(text)
			if int(a.len) != len(toks) || len(a.terms) != len(want) || len(a.tfs) != len(want) || len(a.ids) != len(want) {
				t.Fatalf("round %d, %q...: length %d and %d terms, want %d and %d", round, text[:min(len(text), 40)], a.len, len(a.terms), len(toks), len(want))
			}
			seen := map[string]bool{}
			for i, term := range a.terms {
				if seen[term] {
					t.Fatalf("round %d, %q...: %q listed twice", round, text[:min(len(text), 40)], term)
				}
				seen[term] = true
				if a.tfs[i] != min(want[term], maxTF) {
					t.Fatalf("round %d, %q...: %q counted %d times, want %d", round, text[:min(len(text), 40)], term, a.tfs[i], want[term])
				}
			}
		}
	}
}
