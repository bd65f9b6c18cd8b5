package bleveindex

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/textanalyzer"
)

// Indexed fields of a chunk document.
const (
	fieldText   = "text"
	fieldSource = "source"
)

// textAnalyzer is the name the mapping gives rag/textanalyzer's analyzer:
// bleve's English analyzer with diacritics folded first ("Temür" is found
// by "Temur"), as rag folds them in its own terms.
const textAnalyzer = "en_folded"

// newMapping maps chunk documents: text analysed as English, source as one
// keyword, neither stored, nothing else indexed; BM25 scoring.
func newMapping() mapping.IndexMapping {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = textAnalyzer
	lean(text)

	source := bleve.NewKeywordFieldMapping()
	source.Analyzer = keyword.Name
	lean(source)

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, text)
	doc.AddFieldMappingsAt(fieldSource, source)

	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer(textAnalyzer, textanalyzer.Config()); err != nil {
		panic(err) // the names above are bleve's own, registered at init
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = textAnalyzer
	m.DefaultField = fieldText
	m.ScoringModel = index.BM25Scoring
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// lean makes a field searchable and nothing more: no stored value, term
// vectors, doc values or copy into the _all field.
func lean(f *mapping.FieldMapping) {
	f.Store = false
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
}

// newDoc is the document bleve indexes for c.
func newDoc(c rag.Chunk) map[string]any {
	return map[string]any{fieldText: c.Text, fieldSource: c.Source}
}
