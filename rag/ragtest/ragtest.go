// Package ragtest builds the real default index — langchaingo loaders and
// splitter, the bundled GloVe embedder, chromem and rag/bm25 — for the tests of
// other packages, wired as cmd/citebot wires it. It is test support: no
// program imports it.
package ragtest

import (
	"context"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bm25"
	"github.com/citebot/citebot/rag/chromemstore"
	"github.com/citebot/citebot/rag/glove"
	"github.com/citebot/citebot/rag/langchain"
)

// Config returns the default index configuration, keeping its snapshot in
// dataDir ("" keeps it in memory only).
func Config(dataDir string) (rag.Config, error) {
	emb, err := glove.New(glove.DefaultOptions())
	if err != nil {
		return rag.Config{}, err
	}
	return rag.Config{
		Loader:     langchain.Loader{},
		Splitter:   langchain.NewSplitter(600, 120),
		Embedder:   emb,
		EmbedderID: emb.ID(),
		Store:      chromemstore.New(),
		Lexical:    bm25.New(),
		DataDir:    dataDir,
	}, nil
}

// Build returns an in-memory index of the documents in dir, synced.
func Build(ctx context.Context, dir string) (*rag.Index, error) {
	cfg, err := Config("")
	if err != nil {
		return nil, err
	}
	x, err := rag.NewIndex(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := x.Sync(ctx, dir, nil); err != nil {
		return nil, err
	}
	return x, nil
}

// New is Build for a test: it fails t when the index cannot be built.
func New(t testing.TB, dir string) *rag.Index {
	t.Helper()
	x, err := Build(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// CheckDevBar fails t unless an evaluation of testdata/dev.jsonl meets the
// bar the fitted model reaches (README, Evaluation), so that a change that
// loses answers fails in every mode that runs it: chromem, Weaviate, the
// command line. The goals (37/40 answers, 9/10 declined, at most
// one false abstention) are not reached yet. what names the mode.
func CheckDevBar(t testing.TB, what string, rep rag.EvalReport) {
	t.Helper()
	t.Logf("%s: hit@1 %d hit@3 %d/%d span hit@1 %d answers %d first sentence %d/%d abstained %d/%d false abstentions %d failures %v",
		what, rep.Hit1, rep.Hit3, rep.Answerable, rep.SpanHit1, rep.AnswerHit, rep.FirstSentenceHit, rep.Answerable,
		rep.Abstained, rep.Unanswerable, rep.FalseAbstentions, rep.Failures)
	if rep.Answerable != 40 || rep.Unanswerable != 10 {
		t.Fatalf("%s: dev set has %d answerable and %d unanswerable questions, want 40 and 10", what, rep.Answerable, rep.Unanswerable)
	}
	for _, c := range []struct {
		name     string
		got, bar int
	}{
		{"passage hit@3", rep.Hit3, 39},
		{"answer hit", rep.AnswerHit, 33},
		{"first-sentence hit", rep.FirstSentenceHit, 32},
		// Out of fold and in sample the fitted model declines 8/10: 5
		// by the gate (a 6th, d50, lies at its threshold and moves with
		// refits that change none of the dev questions' inputs; README,
		// Training), d45 and d50 as "how many" questions whose sentence
		// holds no quantity, and d46 as a question of money whose
		// sentence names none.
		{"declined", rep.Abstained, 8},
		{"answered (40 minus false abstentions)", rep.Answerable - rep.FalseAbstentions, 38},
	} {
		if c.got < c.bar {
			t.Errorf("%s: %s = %d, want at least %d", what, c.name, c.got, c.bar)
		}
	}
}

// EvalCases reads the evaluation cases of the file at path (testdata's
// dev.jsonl, followups.jsonl, squad-dev), failing t when it cannot.
func EvalCases(t testing.TB, path string) []rag.EvalCase {
	t.Helper()
	cases, err := rag.ReadEvalFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}
