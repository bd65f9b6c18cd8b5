package textanalyzer

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// bleveAnalyzer is the text analyzer as written with bleve's own folding
// and stemming, which the cheaper steps must match token for token.
func bleveAnalyzer(t *testing.T) analysis.Analyzer {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer("reference", map[string]any{
		"type":          custom.Name,
		"char_filters":  []string{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []string{en.PossessiveName, lowercase.Name, en.StopName, porter.Name},
	}); err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed("reference")
	if a == nil {
		t.Fatal("no reference analyzer")
	}
	return a
}

// TestAnalyzerMatchesBleve: the text analyzer gives the tokens bleve's
// asciifolding and porter give, on text made to reach the folding and the
// stemmer's corners and on testTexts, each text analysed twice (the
// second time from the stem cache).
func TestAnalyzerMatchesBleve(t *testing.T) {
	texts := []string{
		"", "The Temür dynasty's rulers; Céloron's expedition, naïve café, Ærøskøbing, straße, Œuvre",
		"running runs ran conflated hopping generalizations relational hopefulness",
		"Hugo Brandt [2] in 1902 — “quoted” ‘text’ don't won't O'Neil's",
		"invalid \xff\xfe bytes \xc3 and Ｆｕｌｌｗｉｄｔｈ ＡＢＣ, ﬁ ligature, 東京 and Москва's",
		"UPPER Case MIXED ÉCOLE École ÀÁÂÃÄÅ",
	}
	texts = append(texts, testTexts(t)...)
	ref := bleveAnalyzer(t)
	ours := New()
	for round := range 2 {
		for _, text := range texts {
			want, got := ref.Analyze([]byte(text)), ours.Analyze([]byte(text))
			if !slices.EqualFunc(want, got, func(a, b *analysis.Token) bool {
				return string(a.Term) == string(b.Term) && a.Start == b.Start && a.End == b.End &&
					a.Position == b.Position && a.Type == b.Type && a.KeyWord == b.KeyWord
			}) {
				t.Fatalf("round %d: %q...: analysed differently\nbleve: %v\nours:  %v", round, text[:min(len(text), 40)], want[:min(len(want), 20)], got[:min(len(got), 20)])
			}
		}
	}
	if !strings.Contains(string(ours.Analyze([]byte("Temür's"))[0].Term), "temur") {
		t.Error("diacritics not folded")
	}
}
