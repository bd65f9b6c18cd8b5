package bleveindex_test

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bleveindex"
	"github.com/citebot/citebot/rag/storetest"
)

// savedCopy saves an index of a small corpus and returns its chunks, the
// saved directory, the questions to compare rankings on and the index.
func savedCopy(t testing.TB) ([]rag.Chunk, string, []string, *bleveindex.Index) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	w := storetest.NewWords(r, 300)
	chunks := benchCorpus(w, 120)
	orig := mustNew(t)
	if err := orig.Add(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "lexical")
	if err := orig.SaveTo(dir); err != nil {
		t.Fatal(err)
	}
	return chunks, dir, []string{w.Text(3), w.Text(2), w.Text(5), w.Text(1)}, orig
}

// savedFiles lists the files of a saved copy by their slash path under dir.
func savedFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyTree writes files (as savedFiles returns them) under dir.
func copyTree(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fileWith(files map[string][]byte, suffix string) string {
	for name := range files {
		if strings.HasSuffix(name, suffix) {
			return name
		}
	}
	return ""
}

// loadDamaged starts an index from dir as rag.Index.Load does: from the
// saved copy when AddSaved can use it, else by indexing the chunks. It
// returns the index and the error AddSaved reported, which must be nil
// when the copy was used and wrap rag.ErrSnapshot when it was not.
func loadDamaged(t testing.TB, chunks []rag.Chunk, dir string) (*bleveindex.Index, error) {
	t.Helper()
	ctx := context.Background()
	x := mustNew(t)
	used, err := x.AddSaved(ctx, chunks, dir)
	switch {
	case used && err != nil:
		t.Fatalf("AddSaved used the copy and reported %v", err)
	case !used && !errors.Is(err, rag.ErrSnapshot):
		t.Fatalf("AddSaved did not use the copy and reported %v, want an error wrapping rag.ErrSnapshot", err)
	}
	if !used {
		if err := x.Add(ctx, chunks); err != nil {
			t.Fatal(err)
		}
	}
	return x, err
}

func sameRankings(t testing.TB, what string, got, want *bleveindex.Index, questions []string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range questions {
		w, err := want.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		g, err := got.Search(ctx, q, 10)
		if err != nil {
			t.Fatalf("%s: Search(%q): %v", what, q, err)
		}
		if !storetest.SameHits(g, w) {
			t.Errorf("%s: Search(%q) = %v, want %v", what, q, g, w)
		}
	}
	if got.Count() != want.Count() {
		t.Errorf("%s: Count = %d, want %d", what, got.Count(), want.Count())
	}
}

// A damaged saved copy (truncated, a byte flipped, a file gone) is never
// used: AddSaved reports it once, without panicking, and the index built
// from the chunks instead ranks as a clean one does.
func TestDamagedSavedCopy(t *testing.T) {
	chunks, dir, questions, clean := savedCopy(t)
	files := savedFiles(t, dir)
	zap, bolt, meta := fileWith(files, ".zap"), fileWith(files, "root.bolt"), fileWith(files, "index_meta.json")
	if zap == "" || bolt == "" || meta == "" {
		t.Fatalf("saved copy holds %v, want a .zap segment, root.bolt and index_meta.json", slices.Sorted(maps.Keys(files)))
	}
	manifest := "citebot-lexical"

	type damage struct {
		name string
		edit func(files map[string][]byte)
	}
	cut := func(name string, frac float64) damage {
		return damage{name + " cut at " + ftoa(frac), func(f map[string][]byte) {
			f[name] = f[name][:int(frac*float64(len(f[name])))]
		}}
	}
	flip := func(name string, frac float64) damage {
		return damage{name + " byte flipped at " + ftoa(frac), func(f map[string][]byte) {
			b := slices.Clone(f[name])
			b[int(frac*float64(len(b)-1))] ^= 0x20
			f[name] = b
		}}
	}
	gone := func(name string) damage {
		return damage{name + " deleted", func(f map[string][]byte) { delete(f, name) }}
	}
	var cases []damage
	for _, frac := range []float64{0, 0.1, 0.33, 0.5, 0.9, 0.99} {
		cases = append(cases, cut(zap, frac), cut(bolt, frac))
	}
	for _, frac := range []float64{0, 0.25, 0.5, 0.75, 1} {
		cases = append(cases, flip(zap, frac), flip(bolt, frac))
	}
	cases = append(cases, flip(meta, 0.5), flip(manifest, 0.5), cut(manifest, 0.5),
		gone(zap), gone(bolt), gone(meta), gone(manifest))

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			damaged := maps.Clone(files)
			c.edit(damaged)
			d := filepath.Join(t.TempDir(), "lexical")
			copyTree(t, d, damaged)
			x, err := loadDamaged(t, chunks, d)
			if err == nil {
				t.Fatal("AddSaved used a damaged copy")
			}
			sameRankings(t, c.name, x, clean, questions)
		})
	}

	t.Run("undamaged", func(t *testing.T) {
		d := filepath.Join(t.TempDir(), "lexical")
		copyTree(t, d, files)
		x, err := loadDamaged(t, chunks, d)
		if err != nil {
			t.Fatalf("AddSaved did not use an intact copy: %v", err)
		}
		sameRankings(t, "intact copy", x, clean, questions)
	})
}

// FuzzSavedBM25 damages one file of a saved copy (cut at an offset, and
// bytes written over it there): AddSaved never panics, uses the copy only
// when the file is as saved, and otherwise reports it so that the chunks
// are indexed instead, ranking as the clean index does. The damage rather
// than the whole file is the input, so that inputs stay small.
func FuzzSavedBM25(f *testing.F) {
	chunks, dir, questions, clean := savedCopy(f)
	files := savedFiles(f, dir)
	names := slices.Sorted(maps.Keys(files))
	for i := range names {
		n := uint32(len(files[names[i]]))
		f.Add(uint8(i), n/2, []byte{}, true)
		f.Add(uint8(i), n/3, []byte{0x20}, false)
		f.Add(uint8(i), n-1, []byte{0xff, 0xff, 0xff, 0xff}, false)
		f.Add(uint8(i), uint32(0), []byte{}, false)
	}
	f.Fuzz(func(t *testing.T, which uint8, at uint32, patch []byte, cut bool) {
		name := names[int(which)%len(names)]
		b := slices.Clone(files[name])
		off := int(at % uint32(len(b)+1))
		if cut {
			b = b[:off]
		}
		for i, c := range patch {
			if off+i < len(b) {
				b[off+i] ^= c
			} else {
				b = append(b, c)
			}
		}
		damaged := maps.Clone(files)
		damaged[name] = b
		d := filepath.Join(t.TempDir(), "lexical")
		copyTree(t, d, damaged)
		x, err := loadDamaged(t, chunks, d)
		if intact := string(b) == string(files[name]); intact != (err == nil) {
			t.Fatalf("%s damaged at %d (intact %v): AddSaved reported %v", name, off, intact, err)
		}
		sameRankings(t, name, x, clean, questions)
	})
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// A copy whose manifest matches but whose segment bleve cannot read (as if
// it was damaged before SaveTo checksummed it) is reported, not a panic:
// bleve panics on most truncated segments.
func TestUnreadableSignedCopy(t *testing.T) {
	chunks, dir, questions, clean := savedCopy(t)
	files := savedFiles(t, dir)
	zap := fileWith(files, ".zap")
	for _, frac := range []float64{0.1, 0.33, 0.5, 0.9, 0.99} {
		damaged := maps.Clone(files)
		damaged[zap] = files[zap][:int(frac*float64(len(files[zap])))]
		delete(damaged, "citebot-lexical")
		d := filepath.Join(t.TempDir(), "lexical")
		copyTree(t, d, damaged)
		if err := bleveindex.WriteManifest(d); err != nil {
			t.Fatal(err)
		}
		x, err := loadDamaged(t, chunks, d)
		if err == nil {
			t.Fatalf("segment cut at %v: AddSaved used it", frac)
		}
		sameRankings(t, "signed damaged copy", x, clean, questions)
	}
}
