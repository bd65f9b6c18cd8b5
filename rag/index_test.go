package rag_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bm25"
	"github.com/citebot/citebot/rag/chromemstore"
	"github.com/citebot/citebot/rag/glove"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

// newIndex builds an index of the real embedded defaults over dataDir.
func newIndex(t testing.TB, dataDir string) *rag.Index {
	t.Helper()
	cfg, err := ragtest.Config(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	x, err := rag.NewIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func writeFile(t testing.TB, dir, name, text string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	zebraDoc = "Zebras of the Savanna\n\nThe plains zebra lives in the grasslands of East Africa. Herds of zebras migrate each year in search of fresh grass and water.\n"
	cometDoc = "Comet Watch\n\nMarch 3, 2024\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at ten million kilometres long.\n"
	glassDoc = "Glassblowing Basics\n\nGlassblowers heat silica sand in a furnace until it melts. The molten glass is then shaped with a blowpipe and cooled slowly in an annealer.\n"
)

func sync(t testing.TB, x *rag.Index, dir string) rag.SyncReport {
	t.Helper()
	rep, err := x.Sync(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestSyncIsIncremental(t *testing.T) {
	corpus, data := t.TempDir(), t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	writeFile(t, corpus, "comet.md", cometDoc)
	x := newIndex(t, data)

	rep := sync(t, x, corpus)
	if rep.Added != 2 || rep.Documents != 2 || rep.Chunks == 0 {
		t.Fatalf("first sync = %+v, want 2 added", rep)
	}
	if rep := sync(t, x, corpus); rep.Unchanged != 2 || rep.Changed() {
		t.Fatalf("second sync = %+v, want 2 unchanged", rep)
	}

	writeFile(t, corpus, "comet.md", strings.Replace(cometDoc, "ten million", "twenty million", 1))
	writeFile(t, corpus, "sub/glass.txt", glassDoc)
	if err := os.Remove(filepath.Join(corpus, "zebra.txt")); err != nil {
		t.Fatal(err)
	}
	rep = sync(t, x, corpus)
	if rep.Added != 1 || rep.Updated != 1 || rep.Removed != 1 || rep.Unchanged != 0 || rep.Documents != 2 {
		t.Fatalf("third sync = %+v, want 1 added, 1 updated, 1 removed", rep)
	}
	if got, want := slices.Sorted(slices.Values(rep.ChangedSources)), []string{"comet.md", "sub/glass.txt", "zebra.txt"}; !slices.Equal(got, want) {
		t.Errorf("third sync changed %q, want %q", got, want)
	}

	// The removed document is gone from both searches; the new text is in.
	ps, err := x.Search(context.Background(), "zebra herds migrate grasslands", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Source == "zebra.txt" {
			t.Errorf("removed document still retrieved: %+v", p.Chunk)
		}
	}
	ans, err := x.Ask(context.Background(), "How long was the comet's tail?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Grounded || !strings.Contains(ans.Answer, "twenty million") {
		t.Errorf("answer after update = %+v, want the updated text", ans)
	}

	// A fresh index over the same data dir loads the snapshot and has
	// nothing to do.
	y := newIndex(t, data)
	if err := y.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep := sync(t, y, corpus); rep.Changed() || rep.Unchanged != 2 {
		t.Fatalf("sync after reload = %+v, want nothing changed", rep)
	}
	if got, want := y.Documents(), x.Documents(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("reloaded documents = %+v, want %+v", got, want)
	}
}

func TestSyncSkipsBadFiles(t *testing.T) {
	corpus := t.TempDir()
	writeFile(t, corpus, "good.txt", zebraDoc)
	writeFile(t, corpus, "empty.txt", "")
	writeFile(t, corpus, "blank.md", "   \n\n  \t\n")
	writeFile(t, corpus, "image.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	writeFile(t, corpus, "binary.txt", "ab\x00\x00\x01\x02\x03cd\x00\xff\xfe")
	writeFile(t, corpus, "broken.pdf", "%PDF-1.4 this is not really a pdf")
	writeFile(t, corpus, "data.xlsx", "PK\x03\x04")
	writeFile(t, corpus, ".hidden.txt", glassDoc)
	unreadable := filepath.Join(corpus, "locked.txt")
	writeFile(t, corpus, "locked.txt", glassDoc)
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	x := newIndex(t, "")
	rep := sync(t, x, corpus)
	wantDocs := 1
	if os.Geteuid() == 0 {
		wantDocs = 2 // root reads files whatever their mode
	}
	if rep.Added != wantDocs || rep.Documents != wantDocs {
		t.Errorf("sync = %+v, want only good.txt indexed", rep)
	}
	skipped := map[string]string{}
	for _, s := range rep.Skipped {
		skipped[s.Source] = s.Reason
	}
	want := []string{"empty.txt", "blank.md", "image.png", "binary.txt", "broken.pdf", "data.xlsx"}
	if wantDocs == 1 {
		want = append(want, "locked.txt")
	}
	for _, name := range want {
		if skipped[name] == "" {
			t.Errorf("%s not reported as skipped; skipped = %v", name, skipped)
		}
	}
	if _, ok := skipped[".hidden.txt"]; ok {
		t.Errorf("hidden file reported: %v", skipped)
	}
}

func TestSyncMissingCorpus(t *testing.T) {
	x := newIndex(t, "")
	_, err := x.Sync(context.Background(), filepath.Join(t.TempDir(), "nope"), nil)
	if !errors.Is(err, rag.ErrNoCorpus) {
		t.Fatalf("Sync(missing dir) = %v, want ErrNoCorpus", err)
	}
}

// A damaged snapshot is reported and the next Sync rebuilds the index.
func TestDamagedSnapshotRebuilds(t *testing.T) {
	corpus, data := t.TempDir(), t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	writeFile(t, corpus, "glass.txt", glassDoc)
	sync(t, newIndex(t, data), corpus)

	path := filepath.Join(data, rag.SnapshotFile)
	snap, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, damaged := range map[string][]byte{
		"truncated": snap[:len(snap)*2/3],
		"corrupted": append(append([]byte{}, snap[:100]...), append([]byte{snap[100] ^ 1}, snap[101:]...)...),
		"foreign":   []byte(`{"not": "a snapshot"}`),
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			x := newIndex(t, data)
			if err := x.Load(context.Background()); !errors.Is(err, rag.ErrSnapshot) {
				t.Fatalf("Load = %v, want ErrSnapshot", err)
			}
			if rep := sync(t, x, corpus); rep.Added != 2 {
				t.Fatalf("rebuild = %+v, want 2 added", rep)
			}
			y := newIndex(t, data)
			if err := y.Load(context.Background()); err != nil {
				t.Fatalf("Load after rebuild = %v", err)
			}
			if docs, _ := y.Size(); docs != 2 {
				t.Fatalf("rebuilt snapshot holds %d documents, want 2", docs)
			}
		})
	}
}

// Snapshots taken by another embedder are never mixed with this one's.
func TestSnapshotOfOtherEmbedderRebuilds(t *testing.T) {
	corpus, data := t.TempDir(), t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	sync(t, newIndex(t, data), corpus)

	emb, _ := glove.New(glove.Options{SIFA: 1e-4, SubtractMean: true, NGramDims: 64, NGramWeight: 0.5})
	x, err := rag.NewIndex(rag.Config{Loader: langchain.Loader{}, Splitter: langchain.NewSplitter(600, 120),
		Embedder: emb, EmbedderID: emb.ID(), Store: chromemstore.New(), Lexical: bm25.New(), DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Load(context.Background()); !errors.Is(err, rag.ErrSnapshot) {
		t.Fatalf("Load with another embedder = %v, want ErrSnapshot", err)
	}
}

func TestCitationsAreVerbatim(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "../corpus")
	for _, q := range []string{
		"Who heads the Higher Certifying Commission?",
		"Where must gun shops not be located?",
		"What should the border policy cover?",
		"What two goals does the regulation of migration processes have?",
	} {
		ans, err := x.Ask(context.Background(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Grounded || len(ans.Citations) == 0 {
			t.Errorf("%q: not answered: %+v", q, ans)
			continue
		}
		for _, c := range ans.Citations {
			raw, err := os.ReadFile(filepath.Join("../corpus", c.Source))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(raw), c.Text) {
				t.Errorf("%q: citation [%d] is not verbatim in %s: %q", q, c.N, c.Source, c.Text)
			}
			if c.Quote == "" || !strings.Contains(c.Text, c.Quote) {
				t.Errorf("%q: citation [%d]'s quote %q is not part of its text %q", q, c.N, c.Quote, c.Text)
			}
		}
		assertMarkers(t, ans)
	}
}

// The passage an answer quotes first is its first passage: a reader (and
// citebot eval's passage hits) sees the quoted passage ranked on top even
// when the chooser found its sentence in a passage the ranker put lower.
func TestQuotedPassageFirst(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "../corpus")
	lower := 0 // answers quoted from a passage the ranker did not put first
	for _, c := range ragtest.EvalCases(t, "../testdata/dev.jsonl") {
		ans, err := x.Ask(context.Background(), c.Question, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Grounded {
			continue
		}
		first, cited := ans.Passages[0], ans.Citations[0]
		if first.Source != cited.Source || first.Ordinal != cited.Chunk {
			t.Errorf("%s: first passage %s#%d, but the answer quotes %s#%d first", c.ID, first.Source, first.Ordinal, cited.Source, cited.Chunk)
		}
		if slices.IndexFunc(ans.Passages[1:], func(p rag.Passage) bool { return p.Score > first.Score }) >= 0 {
			lower++
		}
	}
	if lower == 0 {
		t.Error("no answer came from a passage the ranker put lower: the test checks nothing the ranker did not already order")
	}
}

// assertMarkers checks that every [n] in the answer names a citation, every
// citation is cited, and every answer sentence is quoted from its citation.
func assertMarkers(t *testing.T, ans rag.Answer) {
	t.Helper()
	cited := map[int]bool{}
	rest := ans.Answer
	for {
		i := strings.Index(rest, " [")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "]")
		var n int
		if _, err := fmtSscan(rest[i+2:i+j], &n); err != nil {
			break
		}
		if n < 1 || n > len(ans.Citations) {
			t.Errorf("marker [%d] names no citation in %q", n, ans.Answer)
		} else if !strings.Contains(ans.Citations[n-1].Text, strings.TrimSpace(rest[:i])) {
			t.Errorf("sentence %q is not in citation [%d]", rest[:i], n)
		}
		cited[n] = true
		rest = strings.TrimSpace(rest[i+j+1:])
	}
	for _, c := range ans.Citations {
		if !cited[c.N] {
			t.Errorf("citation [%d] is never cited in %q", c.N, ans.Answer)
		}
	}
}

func TestSyncReadsLatin1(t *testing.T) {
	corpus := t.TempDir()
	// "Café Müller serves crème brûlée." in Windows-1252.
	writeFile(t, corpus, "cafe.txt", "Caf\xe9 M\xfcller\n\nCaf\xe9 M\xfcller serves cr\xe8me br\xfbl\xe9e every day \x96 all year round.\n")
	x := newIndex(t, "")
	sync(t, x, corpus)
	doc, ok := x.Document("cafe.txt")
	if !ok || !strings.Contains(doc.Text, "Café Müller serves crème brûlée every day – all year") {
		t.Errorf("decoded text = %q", doc.Text)
	}
}

// Questions asked while a Sync rewrites documents always see each document
// whole: before or after, never missing. Run with -race.
func TestAskDuringSync(t *testing.T) {
	corpus := t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	writeFile(t, corpus, "glass.txt", glassDoc)
	x := newIndex(t, "")
	sync(t, x, corpus)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for ctx.Err() == nil {
			ans, err := x.Ask(ctx, "How is molten glass shaped?", 5)
			if err != nil {
				if ctx.Err() == nil {
					errc <- err
				}
				return
			}
			if !ans.Grounded || ans.Citations[0].Source != "glass.txt" {
				errc <- fmt.Errorf("mid-sync answer: %+v", ans)
				return
			}
		}
	}()
	for i := range 30 {
		writeFile(t, corpus, "glass.txt", glassDoc+strings.Repeat(" Again.", i))
		sync(t, x, corpus)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestSyncManyFilesBatches(t *testing.T) {
	corpus := t.TempDir()
	for i := range 120 {
		writeFile(t, corpus, fmt.Sprintf("d%03d.txt", i), fmt.Sprintf("Note %d\n\nThe inventory lists %d crates of apples and %d of pears in warehouse %d.\n", i, i*3, i*5, i))
	}
	x := newIndex(t, "")
	var calls int
	rep, err := x.Sync(context.Background(), corpus, func(p rag.Progress) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 120 || rep.Documents != 120 || calls != 120 {
		t.Fatalf("sync = %+v with %d progress calls", rep, calls)
	}
	ans, err := x.Ask(context.Background(), "How many crates of apples are in warehouse 77?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ans.Answer, "231 crates") {
		t.Errorf("answer = %q", ans.Answer)
	}
}

// blockingLoader is a Loader that, once armed, waits for its context to end
// and fails, as a parser in a child process does when its Sync is stopped.
type blockingLoader struct {
	rag.Loader
	armed   chan struct{} // closed to make Load block
	loading chan struct{} // receives when a blocked Load starts
}

func (l *blockingLoader) Load(ctx context.Context, name string, data []byte) (string, error) {
	select {
	case <-l.armed:
		l.loading <- struct{}{}
		<-ctx.Done()
		return "", fmt.Errorf("parse %s: %w", name, ctx.Err())
	default:
		return l.Loader.Load(ctx, name, data)
	}
}

// TestSyncCanceledDuringLoadKeepsDocument checks that a Sync stopped while
// a loader reads a changed file fails and keeps the file's old chunks: the
// loader's error is the cancellation, not a bad file.
func TestSyncCanceledDuringLoadKeepsDocument(t *testing.T) {
	cfg, err := ragtest.Config("")
	if err != nil {
		t.Fatal(err)
	}
	loader := &blockingLoader{Loader: cfg.Loader, armed: make(chan struct{}), loading: make(chan struct{}, 1)}
	cfg.Loader = loader
	x, err := rag.NewIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	corpus := t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	sync(t, x, corpus)

	writeFile(t, corpus, "zebra.txt", zebraDoc+"\nZebras sleep standing up.\n")
	close(loader.armed)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-loader.loading; cancel() }()
	rep, err := x.Sync(ctx, corpus, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Sync = %v, want context.Canceled", err)
	}
	if len(rep.Skipped) != 0 {
		t.Errorf("Sync skipped %+v; a cancelled load is no bad file", rep.Skipped)
	}
	if docs, chunks := x.Size(); docs != 1 || chunks == 0 {
		t.Errorf("after the cancelled Sync: %d documents, %d chunks; want the old document kept", docs, chunks)
	}
}

// An index with no documents says so on its answer, so that no front end
// reads "the documents do not contain an answer" as a verdict on them.
func TestAskEmptyIndex(t *testing.T) {
	x := newIndex(t, t.TempDir())
	sync(t, x, t.TempDir())
	ans, err := x.Ask(context.Background(), "Who approves travel?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Grounded || ans.Note != rag.NoDocuments {
		t.Errorf("empty index: grounded %v, note %q; want declined with note %q", ans.Grounded, ans.Note, rag.NoDocuments)
	}
	sync(t, x, "../corpus")
	if ans, err = x.Ask(context.Background(), "Who approves travel?", 5); err != nil {
		t.Fatal(err)
	}
	if ans.Note == rag.NoDocuments {
		t.Errorf("indexed corpus: note %q", ans.Note)
	}
}
