package rag_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestLoadSavedLexical checks that an index loaded from a snapshot, with
// its lexical index started from the copy saved next to it, answers as the
// index that saved it, before and after the corpus changes; and that each
// save leaves one saved copy.
func TestLoadSavedLexical(t *testing.T) {
	ctx := context.Background()
	corpus, data := t.TempDir(), t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	writeFile(t, corpus, "comet.txt", cometDoc)
	writeFile(t, corpus, "glass.txt", glassDoc)
	orig := newIndex(t, data)
	if _, err := orig.Sync(ctx, corpus, nil); err != nil {
		t.Fatal(err)
	}
	lexDirs := func() []string {
		t.Helper()
		dirs, _ := filepath.Glob(filepath.Join(data, "lexical-*"))
		return dirs
	}
	if got := lexDirs(); len(got) != 1 {
		t.Fatalf("data dir holds %d saved lexical indexes, want 1", len(got))
	}
	questions := []string{"How long was the comet's tail?", "Where do zebras live?", "How is glass shaped?"}

	loaded := newIndex(t, data)
	if err := loaded.Load(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, q := range questions {
			want, err := orig.Search(ctx, q, 3)
			if err != nil {
				t.Fatal(err)
			}
			got, err := loaded.Search(ctx, q, 3)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: Search(%q) =\n%v\nwant\n%v", when, q, got, want)
			}
		}
	}
	check("after load")

	// Change the corpus: both indexes take the change.
	writeFile(t, corpus, "comet.txt", cometDoc+"\nThe comet returns in 2061.\n")
	if err := os.Remove(filepath.Join(corpus, "glass.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := orig.Sync(ctx, corpus, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := loaded.Sync(ctx, corpus, nil); err != nil {
		t.Fatal(err)
	}
	check("after a change")
	if got := lexDirs(); len(got) != 1 {
		t.Errorf("after more saves, data dir holds %d saved lexical indexes, want 1", len(got))
	}
}
