// Package cli is citebot's command-line front end: the ask, search, ingest,
// eval, sources, add and remove subcommands, their flags and their output.
// It builds nothing itself; the index comes from the Opener that
// cmd/citebot wires.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
)

// Index is what the commands need of an index.
type Index interface {
	Sync(ctx context.Context, dir string, progress func(rag.Progress)) (rag.SyncReport, error)
	Ask(ctx context.Context, question string, k int) (rag.Answer, error)
	Search(ctx context.Context, question string, k int) ([]rag.Passage, error)
	Documents() []rag.DocumentInfo
	Document(source string) (rag.Document, bool)
	Size() (docs, chunks int)
}

// Opener builds the index a configuration describes and loads its snapshot.
// A snapshot that cannot be used is reported through warn and rebuilt.
type Opener func(ctx context.Context, cfg config.Config, warn func(string)) (Index, error)

// Env is the process around a command.
type Env struct {
	Getenv         func(string) string
	Stdout, Stderr io.Writer
	// Terminal reports whether Stderr is a terminal (for a progress bar).
	Terminal bool
	// Log receives operational events (failed generations, requests).
	Log  *slog.Logger
	Open Opener
	// Supports reports whether the index reads files of this name's type,
	// for add and uploads; nil takes every type.
	Supports func(name string) bool
	// Listening, when not nil, hears the address serve bound (for tests
	// that listen on port 0).
	Listening func(net.Addr)
}

func (e Env) listening(a net.Addr) {
	if e.Listening != nil {
		e.Listening(a)
	}
}

// ErrUsage reports a command line that could not be understood; the usage
// has already been printed.
var ErrUsage = errors.New("usage")

const usage = `citebot answers questions about a folder of documents, citing passages.

Usage:
  citebot ask [--json] [--k N] QUESTION   answer a question with cited passages
  citebot search [--json] [--k N] QUERY   list the best matching passages
  citebot ingest [--json]                 bring the index up to date with the corpus
  citebot eval [--json] [--k N] FILE      score answers against JSON-lines questions
  citebot sources [--json]                list the indexed documents
  citebot add [--json] [--replace] FILE...
                                          copy files into the corpus and index
                                          them (--replace: over files of the
                                          same name)
  citebot remove [--json] SOURCE...       remove files from the corpus and the
                                          index
  citebot train [--json] [--out FILE] [--drop F,...] CORPUS QUESTIONS [CORPUS QUESTIONS ...]
                                          fit the answer models, report
                                          in-sample and out-of-fold figures
  citebot serve [--addr HOST:PORT]        HTTP API and web page (and the Discord
                                          bot when DISCORD_TOKEN is set)
  citebot discord                         the Discord bot alone
  citebot bench [--json] [--sizes N,N,...] [--queries N] [--dir DIR]
                                          speed and memory on synthetic corpora

Global flags (before the question): --corpus DIR, --data DIR, --config FILE;
also CITEBOT_CORPUS, CITEBOT_DATA, CITEBOT_CONFIG. Precedence: flag > env >
config file > default.
`

// Run executes one command line (without the program name).
func Run(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stdout, usage)
		if len(args) == 0 {
			return ErrUsage
		}
		return nil
	}
	name, args := splitCommand(args)
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprint(env.Stderr, usage)
		return fmt.Errorf("%w: unknown command %q", ErrUsage, name)
	}
	fs := flag.NewFlagSet("citebot "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var gf config.Flags
	gf.Register(fs)
	o := &opts{}
	fs.BoolVar(&o.json, "json", false, "print JSON")
	if cmd.k {
		fs.IntVar(&o.k, "k", 0, "number of passages (default from config, 5)")
	}
	if cmd.serve {
		fs.StringVar(&o.serve.addr, "addr", "", "listen address (env CITEBOT_ADDR; default 127.0.0.1:8080)")
	}
	if name == "bench" {
		args = benchArgs(args)
	}
	if name == "add" {
		fs.BoolVar(&o.replace, "replace", false, "replace a file of the same name in the corpus")
	}
	if name == "train" {
		fs.StringVar(&o.out, "out", "", "write the fitted weights to this Go file (e.g. rag/weights_gen.go)")
		fs.StringVar(&o.drop, "drop", "", "comma-separated features to fit without, to measure what they add")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	o.args = fs.Args()
	if len(o.args) != cmd.nargs && cmd.nargs >= 0 {
		return fmt.Errorf("%w: %s takes %s", ErrUsage, name, cmd.argsHelp)
	}
	cfg, err := config.Load(fs, gf, env.Getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	kSet := false
	fs.Visit(func(f *flag.Flag) { kSet = kSet || f.Name == "k" })
	if !kSet {
		o.k = cfg.K
	}
	if o.k < 1 || o.k > 50 {
		return fmt.Errorf("%w: --k %d is outside 1..50", ErrUsage, o.k)
	}
	o.cfg = cfg
	// Documents' text, titles and names reach the terminal through these:
	// none of their control characters does. JSON escapes its own; the
	// progress bar draws with escapes on the raw stderr.
	o.stderr = env.Stderr
	env.Stderr = termWriter{env.Stderr}
	if !o.json {
		env.Stdout = termWriter{env.Stdout}
	}
	return cmd.run(ctx, env, o)
}

// splitCommand finds the subcommand, allowing the global flags before it
// ("citebot --corpus docs ask ..."), and returns the rest with those flags
// moved after it.
func splitCommand(args []string) (string, []string) {
	var global []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" && args[0] != "--" {
		name := strings.TrimLeft(args[0], "-")
		global = append(global, args[0])
		args = args[1:]
		if !strings.Contains(name, "=") && (name == "corpus" || name == "data" || name == "config") && len(args) > 0 {
			global = append(global, args[0])
			args = args[1:]
		}
	}
	if len(args) == 0 {
		return "", global
	}
	return args[0], append(global, args[1:]...)
}

type opts struct {
	serve serveFlags
	json  bool
	k     int
	out   string // train --out
	drop  string // train --drop
	// replace lets add write over a file of the same name.
	replace bool
	// retrySkipped makes the Sync parse again the files the loader could
	// not use, changed or not (ingest).
	retrySkipped bool
	args         []string
	cfg          config.Config
	// stderr is the command's stderr before termWriter, for the progress
	// bar.
	stderr io.Writer
}

type command struct {
	run      func(context.Context, Env, *opts) error
	k        bool
	serve    bool // takes serve's flags
	nargs    int  // -1: any
	argsHelp string
}

var commands = map[string]command{
	"ask":     {run: ask, k: true, nargs: 1, argsHelp: "one QUESTION (quote it)"},
	"search":  {run: search, k: true, nargs: 1, argsHelp: "one QUERY (quote it)"},
	"ingest":  {run: ingest, nargs: 0, argsHelp: "no arguments"},
	"eval":    {run: eval, k: true, nargs: 1, argsHelp: "one FILE.jsonl"},
	"sources": {run: sources, nargs: 0, argsHelp: "no arguments"},
	"add":     {run: add, nargs: -1, argsHelp: "FILE..."},
	"remove":  {run: remove, nargs: -1, argsHelp: "SOURCE..."},
	"serve":   {run: serve, nargs: 0, argsHelp: "no arguments", serve: true},
	"discord": {run: discordOnly, nargs: 0, argsHelp: "no arguments"},
	"train":   {run: train, k: true, nargs: -1, argsHelp: "pairs of CORPUS_DIR QUESTIONS.jsonl"},
	"bench":   {run: bench, nargs: -1, argsHelp: "[--sizes N,N,...] [--queries N] [--dir DIR]"},
}

// open builds the index and brings it up to date with the corpus, naming
// skipped files on stderr. When only the snapshot could not be saved
// (rag.ErrNotSaved) it returns the index, up to date in memory, with the
// error, for the caller to decide.
func open(ctx context.Context, env Env, o *opts, progress func(rag.Progress)) (Index, rag.SyncReport, error) {
	warn := func(msg string) { fmt.Fprintf(env.Stderr, "citebot: warning: %s\n", msg) }
	idx, err := env.Open(ctx, o.cfg, warn)
	if err != nil {
		return nil, rag.SyncReport{}, err
	}
	if f, ok := idx.(interface{ ForgetSkipped() }); ok && o.retrySkipped {
		f.ForgetSkipped()
	}
	rep, err := idx.Sync(ctx, o.cfg.Corpus, progress)
	if errors.Is(err, rag.ErrNotSaved) {
		return idx, rep, err
	}
	if err != nil {
		return nil, rep, err
	}
	// A file skipped as before, unchanged, is not warned of again above
	// every answer; ingest, which tries such files again, names them all.
	for _, s := range rep.Skipped {
		if !s.Repeated {
			warn(fmt.Sprintf("skipped %s: %s", s.Source, s.Reason))
		}
	}
	return idx, rep, nil
}
