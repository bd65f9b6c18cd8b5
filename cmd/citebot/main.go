// Command citebot answers questions about a folder of documents and shows
// the passages its answers come from. main only wires the adapters into the
// rag core and hands the command line to bot/cli.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/citebot/citebot/bot/cli"
	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bleveindex"
	"github.com/citebot/citebot/rag/chromemstore"
	"github.com/citebot/citebot/rag/glove"
	"github.com/citebot/citebot/rag/langchain"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, cli.ErrUsage):
		fmt.Fprintf(os.Stderr, "citebot: %v\n", err)
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "citebot: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, isFile := stderr.(*os.File)
	return cli.Run(ctx, args, cli.Env{
		Getenv:   getenv,
		Stdout:   stdout,
		Stderr:   stderr,
		Terminal: isFile && term.IsTerminal(int(f.Fd())),
		Open:     open,
	})
}

// open wires the embedded defaults: langchaingo loaders and splitter, the
// GloVe embedder, chromem for vectors and bleve for BM25.
func open(ctx context.Context, cfg config.Config, warn func(string)) (cli.Index, error) {
	emb, err := glove.New(glove.DefaultOptions())
	if err != nil {
		return nil, err
	}
	lex, err := bleveindex.New()
	if err != nil {
		return nil, err
	}
	idx, err := rag.NewIndex(rag.Config{
		Loader:     langchain.Loader{},
		Splitter:   langchain.NewSplitter(cfg.ChunkSize, cfg.ChunkOverlap),
		Embedder:   emb,
		EmbedderID: emb.ID(),
		Store:      chromemstore.New(),
		Lexical:    lex,
		DataDir:    cfg.Data,
		SaveEvery:  cfg.SaveEvery,
	})
	if err != nil {
		return nil, err
	}
	if err := idx.Load(ctx); err != nil {
		if !errors.Is(err, rag.ErrSnapshot) {
			return nil, err
		}
		warn(err.Error() + "; rebuilding the index from the corpus")
	}
	return idx, nil
}
