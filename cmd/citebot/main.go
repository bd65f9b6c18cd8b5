// Command citebot answers questions about a folder of documents and shows
// the passages its answers come from. main only wires the adapters into the
// rag core and hands the command line to bot/cli.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"golang.org/x/term"

	"github.com/citebot/citebot/bot/cli"
	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/bm25"
	"github.com/citebot/citebot/rag/chromemstore"
	"github.com/citebot/citebot/rag/glove"
	"github.com/citebot/citebot/rag/isolate"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/postgres"
	"github.com/citebot/citebot/rag/sqlite"
	"github.com/citebot/citebot/rag/weaviatestore"
)

func main() {
	// Started as a parse child (rag/isolate), the program parses one file
	// and exits here.
	isolate.Main(parser)
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
	// The log's level and format are settings (log.level, log.format), so
	// the loggers are made once the configuration is loaded: serve's and
	// discord's by cli from Stderr, the index's here.
	return cli.Run(ctx, args, cli.Env{
		Getenv:      getenv,
		Stdout:      stdout,
		Stderr:      stderr,
		Terminal:    isFile && term.IsTerminal(int(f.Fd())),
		Supports:    supports,
		Stdin:       os.Stdin,
		OpenHistory: openHistory,
		Open: func(ctx context.Context, cfg config.Config, warn func(string)) (cli.Index, error) {
			return open(ctx, cfg, cli.NewLogger(stderr, cfg.Log), warn)
		},
	})
}

// open wires the index a configuration describes: langchaingo loaders and
// splitter, the bundled GloVe embedder (or an OpenAI-compatible or Ollama
// one), chromem for vectors and rag/bm25 for BM25; and, with an LLM provider
// set, generated answers with checked citations.
func open(ctx context.Context, cfg config.Config, log *slog.Logger, warn func(string)) (cli.Index, error) {
	words, err := glove.New(glove.DefaultOptions())
	if err != nil {
		return nil, err
	}
	emb, embID, err := embedder(cfg.Embedder, words)
	if err != nil {
		return nil, err
	}
	store, lex, err := stores(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	idx, err := rag.NewIndex(rag.Config{
		Loader: isolate.New(parser, isolate.Options{
			Extensions: isolated, Timeout: cfg.ParseTimeout, Memory: cfg.ParseMemory,
		}),
		Splitter:     langchain.NewSplitter(cfg.ChunkSize, cfg.ChunkOverlap),
		Embedder:     emb,
		EmbedderID:   embID,
		Store:        store,
		Lexical:      lex,
		WordVectors:  words,
		DataDir:      cfg.Data,
		SaveEvery:    cfg.SaveEvery,
		MaxFileBytes: cfg.MaxFileBytes,
	})
	if err != nil {
		return nil, err
	}
	if err := idx.Load(ctx); err != nil {
		if !errors.Is(err, rag.ErrSnapshot) {
			return nil, err
		}
		// The error says what is rebuilt: the index, or part of it.
		warn(err.Error())
	}
	gen, err := generator(cfg.LLM)
	if err != nil || gen == nil {
		return idx, err
	}
	return generative{idx, rag.NewGenerative(idx, gen, rag.GenerativeOptions{
		Timeout: cfg.LLM.Timeout,
		OnError: func(q string, err error) {
			log.Warn("generation unavailable; answering extractively", "provider", cfg.LLM.Provider, "model", cfg.LLM.Model, "err", err)
		},
	})}, nil
}

// openHistory opens the history: PostgreSQL when database.url is set (for
// replicas that share one), else SQLite in the data directory.
func openHistory(ctx context.Context, cfg config.Config) (cli.History, error) {
	// Each Open is checked before its value becomes a cli.History: a nil
	// *History in an interface is not a nil interface.
	if cfg.Database.URL != "" {
		h, err := postgres.Open(ctx, cfg.Database.URL)
		if err != nil {
			return nil, err
		}
		return h, nil
	}
	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	h, err := sqlite.Open(ctx, filepath.Join(cfg.Data, "history.db"))
	if err != nil {
		return nil, err
	}
	return h, nil
}

// supports reports whether parser reads files of this name's type: asked
// to load one with no content, it answers rag.ErrUnsupported for a type it
// does not read, before looking at the content.
func supports(name string) bool {
	_, err := parser.Load(context.Background(), name, nil)
	return !errors.Is(err, rag.ErrUnsupported)
}

// parser reads every format citebot indexes; the formats listed in
// isolated it reads in a child process per file (isolate.Main).
var parser rag.Loader = langchain.Loader{}

// isolated are the formats whose parsers a crafted file can crash, hang or
// exhaust: PDF, and the compound files of Word, Excel and PowerPoint
// 97–2003 and of Outlook's messages, whose reader
// (richardlehane/mscfb) follows the file's own chains of sectors. The
// zip-based formats (Word, PowerPoint, OpenDocument, spreadsheets, EPUB)
// are read in process within limits of size, entries and XML depth, and
// the text formats (RTF, reStructuredText, AsciiDoc, MediaWiki, Org) in
// time linear in their size, within max_file_bytes (rag/langchain).
var isolated = []string{".pdf", ".doc", ".xls", ".ppt", ".pps", ".pot", ".msg"}

// stores returns chromem and BM25 in process, or a Weaviate collection
// that is both (and fuses its own BM25 and vector search).
func stores(ctx context.Context, c config.Store) (rag.Store, rag.LexicalIndex, error) {
	if c.Kind == "weaviate" {
		ws, err := weaviatestore.New(ctx, weaviatestore.Options{
			URL: c.URL, APIKey: c.APIKey, Collection: c.Collection, ReplicationFactor: c.ReplicationFactor,
			Shards: c.Shards, Failover: c.Failover,
		})
		if err != nil {
			return nil, nil, err
		}
		return ws, ws.Lexical(), nil
	}
	return chromemstore.New(), bm25.New(), nil
}

func embedder(c config.Embedder, words *glove.Embedder) (rag.Embedder, string, error) {
	opts := langchain.EmbedderOptions{BaseURL: c.BaseURL, Model: c.Model, APIKey: c.APIKey}
	switch c.Provider {
	case "openai":
		e, err := langchain.NewOpenAIEmbedder(opts)
		if err != nil {
			return nil, "", err
		}
		return e, e.ID(), nil
	case "ollama":
		e, err := langchain.NewOllamaEmbedder(opts)
		if err != nil {
			return nil, "", err
		}
		return e, e.ID(), nil
	}
	return words, words.ID(), nil
}

func generator(c config.LLM) (rag.Generator, error) {
	opts := langchain.GeneratorOptions{BaseURL: c.BaseURL, Model: c.Model, APIKey: c.APIKey,
		Temperature: c.Temperature, MaxTokens: c.MaxTokens}
	switch c.Provider {
	case "openai":
		return langchain.NewOpenAIGenerator(opts)
	case "ollama":
		return langchain.NewOllamaGenerator(opts)
	}
	return nil, nil
}

// generative is the index with generated answers in place of extracted
// ones.
type generative struct {
	*rag.Index
	gen *rag.Generative
}

func (g generative) Ask(ctx context.Context, question string, k int) (rag.Answer, error) {
	return g.gen.Ask(ctx, question, k)
}

func (g generative) AskStream(ctx context.Context, question string, k int, onToken func(string)) (rag.Answer, error) {
	return g.gen.AskStream(ctx, question, k, onToken)
}

func (g generative) AskIn(ctx context.Context, question string, earlier []string, k int) (rag.Answer, error) {
	return g.gen.AskIn(ctx, question, earlier, k)
}

func (g generative) AskStreamIn(ctx context.Context, question string, earlier []string, k int, onToken func(string)) (rag.Answer, error) {
	return g.gen.AskStreamIn(ctx, question, earlier, k, onToken)
}
