// Package textanalyzer is the English text analyzer of citebot's lexical
// indexes: bleve's English analyzer (Unicode word boundaries, possessives
// dropped, lower-casing, stop words, Porter stemming) with Latin diacritics
// folded first, so that "Temur" finds "Temür", as rag folds them in its own
// terms. Its folding and stemming steps give exactly what bleve's
// asciifolding and porter give, with less work (see steps.go).
//
// Both lexical indexes use it — bleveindex through its mapping (Config),
// bm25 through an Analyzer — so that they see the same tokens and differ
// only in how they score them. An Analyzer gives exactly New's tokens
// without bleve's allocations: text that is ASCII once folded is split
// into words by UAX #29's rules as bleve's tokenizer applies them to ASCII
// (ascii.go) and filtered in the same pass; other text goes through
// bleve's steps. It analyses text and nothing else: no index, no scoring.
package textanalyzer

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Config is the analyzer as a bleve custom analyzer's definition, for a
// mapping's AddCustomAnalyzer.
func Config() map[string]any {
	return map[string]any{
		"type":          custom.Name,
		"char_filters":  []string{foldName},
		"tokenizer":     unicode.Name,
		"token_filters": []string{en.PossessiveName, lowercase.Name, en.StopName, stemName},
	}
}

// New returns the analyzer on its own, outside any bleve mapping. It is
// safe for concurrent use.
func New() analysis.Analyzer {
	a, err := custom.AnalyzerConstructor(Config(), registry.NewCache())
	if err != nil {
		panic(err) // the names in Config are bleve's own or registered at init
	}
	return a
}
