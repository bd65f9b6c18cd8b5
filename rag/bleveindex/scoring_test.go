package bleveindex

import (
	"context"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/citebot/citebot/rag"
)

// TestScoresWithBM25 guards against an index that silently scores with
// TF-IDF, as bleve.NewMemOnly's does even with a BM25 mapping.
func TestScoresWithBM25(t *testing.T) {
	x, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Add(context.Background(), []rag.Chunk{{ID: "a#0", Source: "a", Text: "zebra okapi"}}); err != nil {
		t.Fatal(err)
	}
	if err := x.settled(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := query.NewMatchQuery("zebra")
	q.SetField(fieldText)
	req := bleve.NewSearchRequest(q)
	req.Explain = true
	res, err := x.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("%d hits, want 1", len(res.Hits))
	}
	if expl := res.Hits[0].Expl.String(); !strings.Contains(expl, "bm25 model") {
		t.Errorf("score explanation names no BM25 model:\n%s", expl)
	}
}
