package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/citebot/citebot/rag"
)

// SavedIndex is an in-process lexical index that can be saved with a
// snapshot and started from the saved copy (rag's snapshot uses SaveTo
// and AddSaved as documented there).
type SavedIndex interface {
	CountedIndex
	SaveTo(dir string) error
	AddSaved(ctx context.Context, chunks []rag.Chunk, dir string) (bool, error)
}

// TestSaved checks the saved-copy protocol: an index started from a saved
// copy (its chunks given in another order) answers as the original did,
// and so does one started from a copy of that copy, and both keep
// answering alike through writes; SaveTo refuses a directory that exists;
// AddSaved refuses, with an error wrapping rag.ErrSnapshot and leaving the
// index empty, a copy of another number of chunks or a directory without a
// copy, and
// refuses without an error to fill a non-empty index. Scores must be
// equal; chunks tied with the k-th may be any of those tied. newIndex must
// return an empty index for each call and arrange its own cleanup with
// t.Cleanup.
func TestSaved(t *testing.T, newIndex func(t *testing.T) SavedIndex) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	w := NewWords(r, 500)
	chunks := make([]rag.Chunk, 300)
	for i := range chunks {
		src := "doc" + strconv.Itoa(i/10)
		chunks[i] = chunk(src, i%10, w.Text(20+r.IntN(100)))
	}
	orig := newIndex(t)
	mustAdd(t, orig, chunks...)
	dir := filepath.Join(t.TempDir(), "lexical")
	if err := orig.SaveTo(dir); err != nil {
		t.Fatal(err)
	}
	if err := orig.SaveTo(dir); err == nil {
		t.Error("SaveTo an existing directory: no error")
	}

	x := newIndex(t)
	shuffled := slices.Clone(chunks)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if ok, err := x.AddSaved(ctx, shuffled, dir); err != nil || !ok {
		t.Fatalf("AddSaved = %v, %v; want true", ok, err)
	}
	questions := []string{w.Text(3), w.Text(2), w.Text(4), w.Text(1)}
	same := func(when string, x SavedIndex) {
		t.Helper()
		for _, q := range questions {
			if got, want := mustSearch(t, x, q, 10), mustSearch(t, orig, q, 10); !SameHits(got, want) {
				t.Errorf("%s: Search(%q) = %v, want %v", when, q, got, want)
			}
		}
		if x.Count() != orig.Count() {
			t.Errorf("%s: Count = %d, want %d", when, x.Count(), orig.Count())
		}
	}
	same("from the saved copy", x)

	dir2 := filepath.Join(t.TempDir(), "lexical")
	if err := x.SaveTo(dir2); err != nil {
		t.Fatal(err)
	}
	y := newIndex(t)
	if ok, err := y.AddSaved(ctx, chunks, dir2); err != nil || !ok {
		t.Fatalf("AddSaved of a copy of a copy = %v, %v", ok, err)
	}
	same("from a copy of the copy", y)

	extra := chunk("new", 0, "zebra okapi")
	for _, ix := range []SavedIndex{x, y, orig} {
		mustAdd(t, ix, extra)
		mustDelete(t, ix, "doc3")
	}
	same("after writes", x)
	same("after writes to the copy of the copy", y)
	if hits := mustSearch(t, x, "zebra", 5); len(hits) != 1 || hits[0].ChunkID != extra.ID {
		t.Errorf("Search(zebra) after Add = %v, want %s", hits, extra.ID)
	}

	z := newIndex(t)
	for _, tt := range []struct {
		name   string
		chunks []rag.Chunk
		dir    string
	}{
		{"fewer chunks than the copy holds", chunks[:10], dir},
		{"a directory without a copy", chunks, t.TempDir()},
	} {
		if ok, err := z.AddSaved(ctx, tt.chunks, tt.dir); ok || !errors.Is(err, rag.ErrSnapshot) {
			t.Errorf("AddSaved with %s = %v, %v; want false and ErrSnapshot", tt.name, ok, err)
		}
	}
	if ok, err := x.AddSaved(ctx, chunks, dir); ok || err != nil {
		t.Errorf("AddSaved into a non-empty index = %v, %v; want false, nil", ok, err)
	}
	if z.Count() != 0 {
		t.Errorf("after unused AddSaved calls, Count = %d, want 0", z.Count())
	}
}

// SameHits reports whether two top-k lists agree: the same scores, and the
// same chunks above the last score (chunks tied with the k-th may be any of
// those tied).
func SameHits(a, b []rag.Hit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Score != b[i].Score {
			return false
		}
		if a[i].Score > a[len(a)-1].Score && a[i].ChunkID != b[i].ChunkID {
			return false
		}
	}
	return true
}
