package chromemstore

import (
	"context"
	"testing"

	"github.com/citebot/citebot/rag"
)

// TestAddSharesNormalisedVectors checks that chromem keeps a normalised
// vector as given, and copies one it must normalise.
func TestAddSharesNormalisedVectors(t *testing.T) {
	ctx := context.Background()
	s := New()
	unit, long := []float32{0.6, 0.8}, []float32{3, 4}
	chunks := []rag.Chunk{{ID: "a#0", Source: "a"}, {ID: "a#1", Source: "a"}}
	if err := s.Add(ctx, chunks, [][]float32{unit, long}); err != nil {
		t.Fatal(err)
	}
	res, err := s.coll.QueryEmbedding(ctx, unit, 2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		switch r.ID {
		case "a#0":
			if &r.Embedding[0] != &unit[0] {
				t.Error("normalised vector was copied")
			}
		case "a#1":
			if &r.Embedding[0] == &long[0] || long[0] != 3 {
				t.Error("vector to normalise was not copied")
			}
		}
	}
}
