package rag_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bleveindex"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

var loadQuestions = []string{
	"Which religious movement were the Aktobe attackers followers of?",
	"Who heads the Higher Certifying Commission?",
	"Where must gun shops not be located?",
	"What should the border policy cover?",
}

// rankings lists, for each question, the passages Search returns with
// their lexical scores: what a damaged BM25 index would change.
func rankings(t *testing.T, x *rag.Index) []string {
	t.Helper()
	var out []string
	for _, q := range loadQuestions {
		ps, err := x.Search(context.Background(), q, 8)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s %s %.5f", q, p.ID, p.Lexical))
		}
	}
	return out
}

// lexicalDir returns the saved lexical index of the data directory.
func lexicalDir(t *testing.T, data string) string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(data, "lexical-*"))
	if len(dirs) != 1 {
		t.Fatalf("data directory holds lexical indexes %v, want one", dirs)
	}
	return dirs[0]
}

// copyDir copies the files under src to a new directory and returns it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// A damaged saved BM25 index is found at load, reported once and rebuilt
// from the snapshot's chunks: no panic, the rankings of a clean build, and
// the next Sync saves a sound copy.
func TestLoadDamagedLexicalIndex(t *testing.T) {
	clean, err := ragtest.Build(context.Background(), "../corpus")
	if err != nil {
		t.Fatal(err)
	}
	want := rankings(t, clean)

	built := t.TempDir()
	sync(t, newIndex(t, built), "../corpus")
	file := filepath.Join(filepath.Base(lexicalDir(t, built)), "bm25.idx")

	truncate := func(rel string, frac float64) func(string) error {
		return func(data string) error {
			p := filepath.Join(data, rel)
			st, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, int64(frac*float64(st.Size())))
		}
	}
	flip := func(rel string, frac float64) func(string) error {
		return func(data string) error {
			p := filepath.Join(data, rel)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b[int(frac*float64(len(b)-1))] ^= 0x08
			return os.WriteFile(p, b, 0o644)
		}
	}
	remove := func(rel string) func(string) error {
		return func(data string) error { return os.Remove(filepath.Join(data, rel)) }
	}
	for _, c := range []struct {
		name   string
		damage func(data string) error
	}{
		{"cut at 10%", truncate(file, 0.1)},
		{"cut at 50%", truncate(file, 0.5)},
		{"cut at 99%", truncate(file, 0.99)},
		{"byte flipped at the start", flip(file, 0.01)},
		{"byte flipped", flip(file, 0.6)},
		{"deleted", remove(file)},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := copyDir(t, built)
			if err := c.damage(data); err != nil {
				t.Fatal(err)
			}
			x := newIndex(t, data)
			err := x.Load(context.Background())
			if !errors.Is(err, rag.ErrSnapshot) || !strings.Contains(err.Error(), "saved BM25 index") ||
				strings.Count(err.Error(), "unusable") != 1 || strings.Contains(err.Error(), "rebuilding the index") {
				t.Fatalf("Load = %v, want one warning about the saved BM25 index", err)
			}
			if got := rankings(t, x); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("rankings after the rebuild:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// Nothing changed in the corpus, but the Sync saves a sound
			// copy, so that the warning is not repeated.
			if rep := sync(t, x, "../corpus"); rep.Unchanged != 5 {
				t.Errorf("Sync after load = %+v, want 5 unchanged", rep)
			}
			y := newIndex(t, data)
			if err := y.Load(context.Background()); err != nil {
				t.Errorf("Load after the Sync = %v, want nil", err)
			}
			if got := rankings(t, y); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("rankings from the new copy differ from a clean build")
			}
		})
	}
}

// A snapshot saved with the bleve index, as citebot saved them before
// rag/bm25, loads with one warning about its saved BM25 index, which is
// rebuilt from the snapshot's chunks: the rankings of a clean build.
func TestLoadBleveSnapshot(t *testing.T) {
	clean, err := ragtest.Build(context.Background(), "../corpus")
	if err != nil {
		t.Fatal(err)
	}
	want := rankings(t, clean)

	data := t.TempDir()
	cfg, err := ragtest.Config(data)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := bleveindex.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bl.Close() })
	cfg.Lexical = bl
	old, err := rag.NewIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sync(t, old, "../corpus")
	if _, err := os.Stat(filepath.Join(lexicalDir(t, data), "citebot-lexical")); err != nil {
		t.Fatalf("bleve's copy not saved: %v", err)
	}

	x := newIndex(t, data)
	err = x.Load(context.Background())
	if !errors.Is(err, rag.ErrSnapshot) || !strings.Contains(err.Error(), "saved BM25 index") ||
		strings.Count(err.Error(), "unusable") != 1 {
		t.Fatalf("Load = %v, want one warning about the saved BM25 index", err)
	}
	if got := rankings(t, x); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rankings after the rebuild:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep := sync(t, x, "../corpus"); rep.Unchanged != 5 {
		t.Errorf("Sync after load = %+v, want 5 unchanged", rep)
	}
	if err := newIndex(t, data).Load(context.Background()); err != nil {
		t.Errorf("Load after the Sync = %v, want nil", err)
	}
}

// newIndexSplit is newIndex with chunks of size and overlap.
func newIndexSplit(t *testing.T, data string, size, overlap int) *rag.Index {
	t.Helper()
	cfg, err := ragtest.Config(data)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Splitter = langchain.NewSplitter(size, overlap)
	x, err := rag.NewIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// A snapshot records the chunk settings it was made with: loading it with
// others says so once, answers from the old chunks meanwhile, and the next
// Sync chunks and embeds every document again, to what a clean build with
// the new settings holds.
func TestChunkSettingsChangeRebuilds(t *testing.T) {
	data := t.TempDir()
	sync(t, newIndexSplit(t, data, 600, 120), "../corpus")
	_, oldChunks := newIndexSplitLoaded(t, data, 600, 120).Size()

	fresh := newIndexSplit(t, "", 200, 40)
	sync(t, fresh, "../corpus")
	_, wantChunks := fresh.Size()
	if wantChunks == oldChunks {
		t.Fatalf("both settings make %d chunks; the test needs them to differ", wantChunks)
	}

	x := newIndexSplit(t, data, 200, 40)
	err := x.Load(context.Background())
	if !errors.Is(err, rag.ErrSnapshot) || !strings.Contains(err.Error(), "size=600/overlap=120") ||
		!strings.Contains(err.Error(), "size=200/overlap=40") {
		t.Fatalf("Load with other chunk settings = %v, want a warning naming both", err)
	}
	if docs, chunks := x.Size(); docs != 5 || chunks != oldChunks {
		t.Errorf("after Load: %d documents, %d chunks; want the snapshot's 5, %d", docs, chunks, oldChunks)
	}
	rep := sync(t, x, "../corpus")
	if rep.Updated != 5 || rep.Chunks != wantChunks {
		t.Errorf("Sync after the change = %+v, want 5 updated and %d chunks", rep, wantChunks)
	}
	y := newIndexSplit(t, data, 200, 40)
	if err := y.Load(context.Background()); err != nil {
		t.Errorf("Load with the settings it was rebuilt with = %v", err)
	}
	if rep := sync(t, y, "../corpus"); rep.Unchanged != 5 || rep.Chunks != wantChunks {
		t.Errorf("Sync after reload = %+v, want 5 unchanged, %d chunks", rep, wantChunks)
	}
}

func newIndexSplitLoaded(t *testing.T, data string, size, overlap int) *rag.Index {
	t.Helper()
	x := newIndexSplit(t, data, size, overlap)
	if err := x.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return x
}

// A corpus named by a symbolic link is the directory it leads to.
func TestSyncSymlinkedCorpusRoot(t *testing.T) {
	corpus := t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	writeFile(t, corpus, "glass.txt", glassDoc)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(corpus, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	x := newIndex(t, t.TempDir())
	sync(t, x, corpus)
	rep := sync(t, x, link)
	if rep.Unchanged != 2 || rep.Removed != 0 || rep.Documents != 2 {
		t.Errorf("Sync through a link to the same corpus = %+v, want 2 unchanged", rep)
	}
	y := newIndex(t, "")
	if rep := sync(t, y, link); rep.Added != 2 {
		t.Errorf("Sync of a linked corpus = %+v, want 2 added", rep)
	}
}

// A snapshot that cannot be written does not fail the Sync: the index
// answers from memory, the error says ErrNotSaved, and the next Sync saves
// though nothing changed.
func TestSyncWhenSaveFails(t *testing.T) {
	corpus, data := t.TempDir(), t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	writeFile(t, corpus, "glass.txt", glassDoc)
	// The save's lock file cannot be opened, root or not.
	if err := os.Mkdir(filepath.Join(data, "lock"), 0o755); err != nil {
		t.Fatal(err)
	}
	x := newIndex(t, data)
	rep, err := x.Sync(context.Background(), corpus, nil)
	if !errors.Is(err, rag.ErrNotSaved) {
		t.Fatalf("Sync = %v, want ErrNotSaved", err)
	}
	if rep.Added != 2 || rep.Documents != 2 {
		t.Errorf("report = %+v, want 2 added, 2 documents", rep)
	}
	ans, err := x.Ask(context.Background(), "Where do plains zebras live?", 3)
	if err != nil || len(ans.Citations) == 0 || ans.Citations[0].Source != "zebra.txt" {
		t.Errorf("Ask after the failed save = %+v, %v", ans, err)
	}
	if _, err := os.Stat(filepath.Join(data, rag.SnapshotFile)); err == nil {
		t.Fatal("a snapshot was written")
	}

	if err := os.Remove(filepath.Join(data, "lock")); err != nil {
		t.Fatal(err)
	}
	if rep := sync(t, x, corpus); rep.Unchanged != 2 {
		t.Errorf("second Sync = %+v, want 2 unchanged", rep)
	}
	y := newIndex(t, data)
	if err := y.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if docs, _ := y.Size(); docs != 2 {
		t.Errorf("saved snapshot holds %d documents, want 2", docs)
	}
}
