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

func TestSaved(t *testing.T) {
	storetest.TestSaved(t, func(t *testing.T) storetest.SavedIndex { return mustNew(t) })
}

// TestSavedExactly: the copy leaves dead chunks out and scores exactly as
// the original; a copy is used only for the very chunks it holds, each
// given once.
func TestSavedExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w := storetest.NewWords(r, 500)
	chunks := corpus(r, w, 300)
	orig := mustNew(t)
	mustAdd(t, orig, chunks)
	mustAdd(t, orig, chunks[5:7]) // two dead chunks
	dir := filepath.Join(t.TempDir(), "lexical")
	if err := orig.SaveTo(dir); err != nil {
		t.Fatal(err)
	}
	x := mustNew(t)
	if ok, err := x.AddSaved(ctx, chunks, dir); err != nil || !ok {
		t.Fatalf("AddSaved = %v, %v; want true", ok, err)
	}
	for _, q := range []string{w.Text(3), w.Text(2), w.Text(1)} {
		if got, want := mustSearch(t, x, q, 10), mustSearch(t, orig, q, 10); !slices.Equal(got, want) {
			t.Errorf("Search(%q) = %v, want %v", q, got, want)
		}
	}

	other := slices.Clone(chunks)
	other[9].ID = "elsewhere#0"
	for name, given := range map[string][]rag.Chunk{
		"other chunks":  other,
		"a chunk twice": append(slices.Clone(chunks[:len(chunks)-1]), chunks[0]),
	} {
		z := mustNew(t)
		if ok, err := z.AddSaved(ctx, given, dir); ok || !errors.Is(err, rag.ErrSnapshot) {
			t.Errorf("AddSaved of %s = %v, %v; want false and ErrSnapshot", name, ok, err)
		}
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
