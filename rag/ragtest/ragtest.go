// Package ragtest builds the real default index — langchaingo loaders and
// splitter, the bundled GloVe embedder, chromem and bleve — for the tests of
// other packages, wired as cmd/citebot wires it. It is test support: no
// program imports it.
package ragtest

import (
	"context"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bleveindex"
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
	lex, err := bleveindex.New()
	if err != nil {
		return rag.Config{}, err
	}
	return rag.Config{
		Loader:     langchain.Loader{},
		Splitter:   langchain.NewSplitter(600, 120),
		Embedder:   emb,
		EmbedderID: emb.ID(),
		Store:      chromemstore.New(),
		Lexical:    lex,
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
