package rag_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// A loaded index keeps its chunks in the array the stores were given; the
// first document changed or removed gives the others arrays of their own.
// Either way its lookups agree with its records, and it answers as an
// index built afresh from the same files does.
func TestLoadedIndexChanges(t *testing.T) {
	ctx := context.Background()
	corpus, data := copyDir(t, "../corpus"), t.TempDir()
	sync(t, newIndex(t, data), corpus)

	answers := func(x interface {
		Search(context.Context, string, int) ([]rag.Passage, error)
	}) string {
		var b strings.Builder
		for _, q := range loadQuestions {
			ps, err := x.Search(ctx, q, 8)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				// Not the lexical score: BM25's depends on how the chunks
				// fell into the lexical index's segments.
				fmt.Fprintf(&b, "%s %s %q %.5f\n", q, p.ID, p.Text, p.Dense)
			}
		}
		return b.String()
	}
	x := newIndex(t, data)
	if err := x.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if shared, err := x.CheckChunkTables(); err != nil || !shared {
		t.Fatalf("after Load: shared %v, %v; want the loaded array, consistent", shared, err)
	}
	answers(x) // reads the passages retrieved

	files, _ := filepath.Glob(filepath.Join(corpus, "*.txt"))
	b, err := os.ReadFile(files[1])
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, corpus, filepath.Base(files[1]), string(b)+"\nA final paragraph about the border policy, added later.\n")
	if err := os.Remove(files[3]); err != nil {
		t.Fatal(err)
	}
	if rep := sync(t, x, corpus); rep.Updated != 1 || rep.Removed != 1 {
		t.Fatalf("Sync = %+v, want 1 updated, 1 removed", rep)
	}
	if shared, err := x.CheckChunkTables(); err != nil || shared {
		t.Fatalf("after the Sync: shared %v, %v; want arrays of their own, consistent", shared, err)
	}
	fresh := newIndex(t, "")
	sync(t, fresh, corpus)
	if got, want := answers(x), answers(fresh); got != want {
		t.Errorf("the loaded index, changed, answers\n%s\nwant, as one built afresh:\n%s", got, want)
	}
}
