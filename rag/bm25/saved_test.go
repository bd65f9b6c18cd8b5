package bm25_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bleveindex"
	"github.com/citebot/citebot/rag/bm25"
	"github.com/citebot/citebot/rag/storetest"
)

// savedFile is the file SaveTo writes in its directory.
const savedFile = "bm25.idx"

// TestSaved checks that an index started from a saved copy answers as the
// original did, through later writes too.
func TestSaved(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w := storetest.NewWords(r, 500)
	chunks := corpus(r, w, 300)
	orig := mustNew(t)
	mustAdd(t, orig, chunks)
	// Dead chunks are left out of the copy.
	mustAdd(t, orig, chunks[5:7])
	dir := filepath.Join(t.TempDir(), "lexical")
	if err := orig.SaveTo(dir); err != nil {
		t.Fatal(err)
	}
	if err := orig.SaveTo(dir); err == nil {
		t.Error("SaveTo an existing directory: no error")
	}

	x := mustNew(t)
	// In another order than they were added in: the copy holds IDs.
	shuffled := slices.Clone(chunks)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if ok, err := x.AddSaved(ctx, shuffled, dir); err != nil || !ok {
		t.Fatalf("AddSaved = %v, %v; want true", ok, err)
	}
	questions := []string{w.Text(3), w.Text(2), w.Text(4), w.Text(1)}
	same := func(when string) {
		t.Helper()
		for _, q := range questions {
			if got, want := mustSearch(t, x, q, 10), mustSearch(t, orig, q, 10); !slices.Equal(got, want) {
				t.Errorf("%s: Search(%q) = %v, want %v", when, q, got, want)
			}
		}
		if x.Count() != orig.Count() {
			t.Errorf("%s: Count = %d, want %d", when, x.Count(), orig.Count())
		}
	}
	same("from the saved copy")

	// A copy of a copy is as good.
	dir2 := filepath.Join(t.TempDir(), "lexical")
	if err := x.SaveTo(dir2); err != nil {
		t.Fatal(err)
	}
	y := mustNew(t)
	if ok, err := y.AddSaved(ctx, chunks, dir2); err != nil || !ok {
		t.Fatalf("AddSaved of a copy of a copy = %v, %v", ok, err)
	}

	extra := []rag.Chunk{{ID: "new#0", Source: "new", Text: "zebra okapi"}}
	for _, ix := range []*bm25.Index{x, orig} {
		mustAdd(t, ix, extra)
		if err := ix.DeleteSource(ctx, "doc3"); err != nil {
			t.Fatal(err)
		}
	}
	same("after writes")

	// A copy of other chunks, a non-empty index, or a directory that holds
	// no copy is not used, and says why.
	z := mustNew(t)
	other := slices.Clone(chunks)
	other[9].ID = "elsewhere#0"
	for name, tt := range map[string]struct {
		x      *bm25.Index
		chunks []rag.Chunk
		dir    string
		err    bool
	}{
		"fewer chunks":    {z, chunks[:10], dir, true},
		"other chunks":    {z, other, dir, true},
		"a chunk twice":   {z, append(slices.Clone(chunks[:len(chunks)-1]), chunks[0]), dir, true},
		"non-empty index": {x, chunks, dir, false},
		"empty directory": {z, chunks, t.TempDir(), true},
	} {
		ok, err := tt.x.AddSaved(ctx, tt.chunks, tt.dir)
		if ok || (err != nil) != tt.err || (tt.err && !errors.Is(err, rag.ErrSnapshot)) {
			t.Errorf("%s: AddSaved = %v, %v; want false and an error wrapping ErrSnapshot: %v", name, ok, err, tt.err)
		}
	}
	if z.Count() != 0 {
		t.Errorf("after unused AddSaved calls, Count = %d, want 0", z.Count())
	}
}

// TestSavedBleveCopy: a directory bleveindex saved (an older snapshot's) is
// not used, and the error says so.
func TestSavedBleveCopy(t *testing.T) {
	chunks := []rag.Chunk{{ID: "a#0", Source: "a", Text: "zebra okapi"}}
	bl, err := bleveindex.New()
	if err != nil {
		t.Fatal(err)
	}
	defer bl.Close()
	if err := bl.Add(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "lexical")
	if err := bl.SaveTo(dir); err != nil {
		t.Fatal(err)
	}
	ok, err := mustNew(t).AddSaved(ctx, chunks, dir)
	if ok || !errors.Is(err, rag.ErrSnapshot) {
		t.Errorf("AddSaved of bleve's copy = %v, %v; want false, ErrSnapshot", ok, err)
	}
}

// savedBytes returns the file of a saved index of chunks.
func savedBytes(t testing.TB, chunks []rag.Chunk) []byte {
	x := mustNew(t)
	mustAdd(t, x, chunks)
	dir := filepath.Join(t.TempDir(), "lexical")
	if err := x.SaveTo(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, savedFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addSavedBytes writes b as a saved index and starts an index from it.
func addSavedBytes(t testing.TB, chunks []rag.Chunk, b []byte) (bool, error) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, savedFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	x := bm25.New()
	defer x.Close()
	return x.AddSaved(ctx, chunks, dir)
}

// TestSavedDamaged: every truncation of the file and a flipped bit
// anywhere in it is an error wrapping ErrSnapshot, never a panic or a
// used copy.
func TestSavedDamaged(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	chunks := corpus(r, storetest.NewWords(r, 50), 20)
	b := savedBytes(t, chunks)
	if ok, err := addSavedBytes(t, chunks, b); !ok || err != nil {
		t.Fatalf("undamaged copy: AddSaved = %v, %v", ok, err)
	}
	check := func(what string, b []byte) {
		t.Helper()
		ok, err := addSavedBytes(t, chunks, b)
		if ok || !errors.Is(err, rag.ErrSnapshot) {
			t.Fatalf("%s: AddSaved = %v, %v; want false, ErrSnapshot", what, ok, err)
		}
	}
	for n := range len(b) {
		check("truncated to "+strconv.Itoa(n), b[:n])
	}
	for i := 0; i < len(b); i += max(1, len(b)/200) {
		d := slices.Clone(b)
		d[i] ^= 1 << (i % 8)
		check("bit flipped at "+strconv.Itoa(i), d)
	}
}
