package weaviatestore

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/glove"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

// script runs testdata/weaviate.sh with args and returns its output.
func script(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command("testdata/weaviate.sh", args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// mustScript runs testdata/weaviate.sh with args or fails t.
func mustScript(t *testing.T, args ...string) {
	t.Helper()
	start := time.Now()
	out, err := script(t, args...)
	if err != nil {
		t.Fatalf("weaviate.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("weaviate.sh %s: %v", strings.Join(args, " "), time.Since(start).Round(10*time.Millisecond))
}

// newIndex returns a rag.Index built like citebot's (cmd/citebot's open),
// with s as its store and lexical index and a snapshot directory of t's own.
func newIndex(t *testing.T, s *Store) *rag.Index {
	t.Helper()
	emb, err := glove.New(glove.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	idx, err := rag.NewIndex(rag.Config{
		Loader:     langchain.Loader{},
		Splitter:   langchain.NewSplitter(cfg.ChunkSize, cfg.ChunkOverlap),
		Embedder:   emb,
		EmbedderID: emb.ID(),
		Store:      s,
		Lexical:    s.Lexical(),
		DataDir:    t.TempDir(),
		SaveEvery:  cfg.SaveEvery,
	})
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// copyCorpus copies the bundled corpus into a directory of t's own.
func copyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob("../../corpus/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("bundled corpus: %d files, %v", len(files), err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// devCases reads the development questions.
func devCases(t *testing.T) []rag.EvalCase {
	t.Helper()
	return ragtest.EvalCases(t, "../../testdata/dev.jsonl")
}

// checkQuality answers the development questions and fails t unless they
// meet the bar every mode shares (ragtest.CheckDevBar).
func checkQuality(t *testing.T, what string, idx *rag.Index) {
	t.Helper()
	rep, err := rag.Evaluate(t.Context(), idx, devCases(t), 5)
	if err != nil {
		t.Fatalf("%s: evaluate: %v", what, err)
	}
	ragtest.CheckDevBar(t, what, rep)
}

// checkStored fails t unless Weaviate holds exactly the chunks of idx.
func checkStored(t *testing.T, what string, s *Store, idx *rag.Index) {
	t.Helper()
	get := s.client.GraphQL().Get().WithClassName(s.Collection()).
		WithFields(graphql.Field{Name: propChunkID}).WithLimit(10000)
	rows, err := s.rows(t.Context(), "list", get)
	if err != nil {
		t.Fatalf("%s: list chunks: %v", what, err)
	}
	stored := map[string]bool{}
	for _, r := range rows {
		stored[r.ChunkID] = true
	}
	want := 0
	for _, d := range idx.Documents() {
		for i := range d.Chunks {
			want++
			if id := fmt.Sprintf("%s#%d", d.Source, i); !stored[id] {
				t.Errorf("%s: chunk %s is not in Weaviate", what, id)
			}
		}
	}
	if len(rows) != want {
		t.Errorf("%s: Weaviate holds %d chunks, the index %d", what, len(rows), want)
	}
	if n, err := s.Count(t.Context()); err != nil || n != want {
		t.Errorf("%s: Count = %d, %v; want %d", what, n, err, want)
	}
}

// syncCorpus runs idx.Sync and fails t unless it made the changes want.
func syncCorpus(t *testing.T, idx *rag.Index, dir string, want rag.SyncReport) rag.SyncReport {
	t.Helper()
	start := time.Now()
	rep, err := idx.Sync(t.Context(), dir, nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	t.Logf("sync: added %d updated %d removed %d unchanged %d, %d documents %d chunks, %v",
		rep.Added, rep.Updated, rep.Removed, rep.Unchanged, rep.Documents, rep.Chunks, time.Since(start).Round(time.Millisecond))
	if rep.Added != want.Added || rep.Updated != want.Updated || rep.Removed != want.Removed {
		t.Errorf("sync added %d updated %d removed %d, want %d, %d, %d",
			rep.Added, rep.Updated, rep.Removed, want.Added, want.Updated, want.Removed)
	}
	return rep
}

// askCiting asks question and fails t unless the answer is grounded and
// cites source.
func askCiting(t *testing.T, idx *rag.Index, question, source string) {
	t.Helper()
	ans, err := idx.Ask(t.Context(), question, 5)
	if err != nil {
		t.Fatalf("Ask(%q): %v", question, err)
	}
	for _, c := range ans.Citations {
		if c.Source == source && ans.Grounded {
			return
		}
	}
	t.Errorf("Ask(%q) = %q (grounded %v), want a citation of %s", question, ans.Answer, ans.Grounded, source)
}

// The quality bar, incremental ingest and persistence across a restart,
// on a single Weaviate node that testdata/weaviate.sh controls.
func TestIntegration(t *testing.T) {
	serverURL(t)
	if _, err := script(t, "status"); err != nil {
		msg := "the server at " + os.Getenv(urlEnv) + " was not started by testdata/weaviate.sh start, which the test needs to restart it"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := t.Context()
	s := mustNew(t, Options{})
	idx := newIndex(t, s)
	corpus := copyCorpus(t)

	// Ingest and answer.
	syncCorpus(t, idx, corpus, rag.SyncReport{Added: 5})
	checkStored(t, "after ingest", s, idx)
	checkQuality(t, "after ingest", idx)

	// Incremental: one document changes, one goes.
	const updated, removed = "000_ab91cd10ee7806cc.txt", "004_6f11d09755833efc.txt"
	orig, err := os.ReadFile(filepath.Join(corpus, updated))
	if err != nil {
		t.Fatal(err)
	}
	const fact = "\n\nThe Zhambyl observatory counted 4,812 migrating cranes on 3 March.\n"
	if err := os.WriteFile(filepath.Join(corpus, updated), append(append([]byte{}, orig...), fact...), 0o644); err != nil {
		t.Fatal(err)
	}
	origRemoved, err := os.ReadFile(filepath.Join(corpus, removed))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(corpus, removed)); err != nil {
		t.Fatal(err)
	}
	syncCorpus(t, idx, corpus, rag.SyncReport{Updated: 1, Removed: 1})
	checkStored(t, "after update and removal", s, idx)
	askCiting(t, idx, "How many migrating cranes did the Zhambyl observatory count?", updated)
	hits, err := s.Lexical().Search(ctx, "Zhambyl cranes", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || !strings.HasPrefix(hits[0].ChunkID, updated+"#") {
		t.Errorf("BM25 for the new fact: %v, want a chunk of %s first", hits, updated)
	}

	// Back to the bundled corpus.
	if err := os.WriteFile(filepath.Join(corpus, updated), orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, removed), origRemoved, 0o644); err != nil {
		t.Fatal(err)
	}
	syncCorpus(t, idx, corpus, rag.SyncReport{Added: 1, Updated: 1})
	checkStored(t, "after restoring the corpus", s, idx)

	// Restart: while Weaviate is down, questions fail fast with
	// ErrUnavailable; afterwards the same store and index answer again
	// from what Weaviate kept.
	mustScript(t, "stop")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			script(t, "start")
		}
	})
	start := time.Now()
	_, err = idx.Ask(ctx, "Who heads the Higher Certifying Commission?", 5)
	took := time.Since(start)
	t.Logf("question while Weaviate is down: %v after %v", err, took.Round(time.Millisecond))
	if !errors.Is(err, rag.ErrUnavailable) {
		t.Errorf("question while Weaviate is down: %v, want an error wrapping rag.ErrUnavailable", err)
	}
	if took > DefaultTimeout+time.Second {
		t.Errorf("question while Weaviate is down took %v, want at most the %v timeout", took, DefaultTimeout)
	}
	if _, err := New(ctx, Options{URL: s.opts.URL, Collection: s.Collection()}); err == nil ||
		!errors.Is(err, rag.ErrUnavailable) || !strings.Contains(err.Error(), s.opts.URL) {
		t.Errorf("New while Weaviate is down: %v, want an error naming %s and wrapping rag.ErrUnavailable", err, s.opts.URL)
	}
	mustScript(t, "start")
	restarted = true
	checkStored(t, "after restart", s, idx)
	checkQuality(t, "after restart", idx)
}
