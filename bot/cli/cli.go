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
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"

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

// History is the store of conversations and feedback: what chat, feedback
// and serve need of it (rag/sqlite and rag/postgres).
type History interface {
	AddTurn(ctx context.Context, t rag.Turn) error
	Turn(ctx context.Context, id string) (rag.Turn, error)
	Conversation(ctx context.Context, id string) ([]rag.Turn, error)
	AddFeedback(ctx context.Context, f rag.Feedback) error
	Recent(ctx context.Context, q rag.HistoryQuery) ([]rag.Record, error)
	DeclinedPerDay(ctx context.Context, since time.Time) ([]rag.DayStat, error)
	Prune(ctx context.Context, before time.Time) (int64, error)
	Close() error
}

// HistoryOpener opens the history a configuration names: a SQLite file in
// its data directory, or its database.url. Commands do not call it when
// the history is off.
type HistoryOpener func(ctx context.Context, cfg config.Config) (History, error)

// openHistory opens the configured history; nil, and no error, when the
// history is off. An error names where the history was to be.
func openHistory(ctx context.Context, env Env, cfg config.Config) (History, error) {
	if env.OpenHistory == nil || cfg.History.Off {
		return nil, nil
	}
	h, err := env.OpenHistory(ctx, cfg)
	if err != nil {
		where := "the data directory (" + absPath(cfg.Data) + ")"
		if cfg.Database.URL != "" {
			where = "database.url"
		}
		return nil, fmt.Errorf("history in %s: %w (history: off runs without it)", where, err)
	}
	return h, nil
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
	// Columns, when not 0, says that Stdout is a terminal this wide; when
	// 0, Run asks Stdout itself. Text output is wrapped and marked only
	// on a terminal.
	Columns int
	// Log receives operational events (failed generations, requests); nil:
	// the logger log.level and log.format describe, on Stderr.
	Log  *slog.Logger
	Open Opener
	// OpenHistory opens the history; nil: there is none.
	OpenHistory HistoryOpener
	// Stdin is what chat reads questions from.
	Stdin io.Reader
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

// ErrUsage reports a command line that could not be understood. The
// error's text says what was wrong and where to read the usage; main
// prints it and exits 2.
var ErrUsage = errors.New("usage")

// usageError is an ErrUsage with its message.
type usageError string

func (e usageError) Error() string        { return string(e) }
func (e usageError) Is(target error) bool { return target == ErrUsage }

func usagef(format string, args ...any) error { return usageError(fmt.Sprintf(format, args...)) }

// Run executes one command line (without the program name).
func Run(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			args[0] = "help"
		case "-version", "--version":
			args[0] = "version"
		}
	}
	name, args := splitCommand(args)
	if name == "" {
		fmt.Fprint(env.Stderr, overview())
		return usagef("no command given")
	}
	cmd, ok := commands[name]
	if !ok {
		if strings.HasPrefix(name, "-") {
			return usagef("unknown flag %s before the command; run 'citebot help' for the commands and their flags", name)
		}
		if near := nearest(name); near != "" {
			return usagef("unknown command %q; did you mean %s?\nRun 'citebot help' for the list of commands.", name, near)
		}
		return usagef("unknown command %q\nRun 'citebot help' for the list of commands.", name)
	}
	o := &opts{}
	fs := cmd.flagSet(name, o)
	var gf config.Flags
	if cmd.global {
		gf.Register(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, cmd.help(name, fs))
			return nil
		}
		return usagef("%s: %v\nRun 'citebot %s -h' for its usage.", name, err, name)
	}
	o.args = fs.Args()
	if err := cmd.checkArgs(name, fs, o.args); err != nil {
		return err
	}
	if !cmd.global {
		return cmd.run(ctx, env, o)
	}
	cfg, err := config.Load(fs, gf, env.Getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if cmd.k {
		kSet := false
		fs.Visit(func(f *flag.Flag) { kSet = kSet || f.Name == "k" })
		if !kSet {
			o.k = cfg.K
		}
		if o.k < 1 || o.k > 50 {
			return usagef("--k %d is outside 1..50", o.k)
		}
	}
	o.cfg = cfg
	o.stdout = env.Stdout
	if !o.json {
		o.style = styleFor(env)
	}
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
	serve    serveFlags
	bench    benchFlags
	feedback feedbackFlags
	json     bool
	k        int
	out      string // train --out
	drop     string // train --drop
	// replace lets add write over a file of the same name.
	replace bool
	// retrySkipped makes the Sync parse again the files the loader could
	// not use, changed or not (ingest).
	retrySkipped bool
	args         []string
	cfg          config.Config
	// stdout and stderr are the command's before termWriter, for output
	// that draws with escapes of its own (the progress bar, the marked
	// quote); what they carry from documents goes through termSafe first.
	stdout, stderr io.Writer
	// style is how text output may use the terminal.
	style style
}

type command struct {
	run     func(context.Context, Env, *opts) error
	summary string // what it does, in one line
	args    string // its arguments, as the usage names them
	nargs   int    // how many: -1 any, -2 at least one
	k       bool   // takes --k
	json    bool   // takes --json
	global  bool   // takes --corpus, --data and --config
	// flags registers the command's own flags beside --json and --k.
	flags    func(*flag.FlagSet, *opts)
	examples []string
}

// commands are the subcommands, in the order the overview lists them.
var commands = map[string]command{
	"ask": {run: ask, summary: "answer a question from the documents, citing passages", args: "QUESTION", nargs: 1,
		k: true, json: true, global: true, examples: []string{
			`citebot ask "How many vacation days do new employees get?"`,
			`citebot --corpus ~/handbook ask --json "Who approves travel?"`,
		}},
	"search": {run: search, summary: "list the passages that best match a query", args: "QUERY", nargs: 1,
		k: true, json: true, global: true, examples: []string{`citebot search --k 3 "expense limits"`}},
	"ingest": {run: ingest, summary: "bring the index up to date with the corpus, trying skipped files again",
		json: true, global: true, examples: []string{`citebot --corpus ~/handbook ingest`}},
	"sources": {run: sources, summary: "list the indexed documents", json: true, global: true,
		examples: []string{`citebot sources --json`}},
	"add": {run: add, summary: "copy files into the corpus and index them", args: "FILE...", nargs: -2, json: true, global: true,
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.BoolVar(&o.replace, "replace", false, "write over files of the same name in the corpus")
		}, examples: []string{`citebot add ~/Downloads/policy.pdf notes.md`}},
	"remove": {run: remove, summary: "remove files from the corpus and the index", args: "SOURCE...", nargs: -2, json: true, global: true,
		examples: []string{`citebot remove policy.pdf`}},
	"serve": {run: serve, summary: "the HTTP API and web page (and the Discord bot when DISCORD_TOKEN is set)", global: true,
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.StringVar(&o.serve.addr, "addr", "", "listen `HOST:PORT` (env CITEBOT_ADDR; default 127.0.0.1:8080)")
		}, examples: []string{`citebot --corpus ~/handbook serve`, `CITEBOT_API_KEYS=secret citebot serve --addr :8080`}},
	"discord": {run: discordOnly, summary: "the Discord bot alone (DISCORD_TOKEN must be set)", global: true,
		examples: []string{`DISCORD_TOKEN=... citebot discord`}},
	"healthcheck": {run: healthcheck, summary: "exit 0 when a running serve is ready to answer (for Docker's HEALTHCHECK)", global: true,
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.StringVar(&o.serve.addr, "addr", "", "the server's `HOST:PORT` (env CITEBOT_ADDR; default 127.0.0.1:8080)")
		}, examples: []string{`citebot healthcheck --addr 127.0.0.1:8080`}},
	"eval": {run: eval, summary: "score answers against questions in a JSON-lines file", args: "FILE", nargs: 1,
		k: true, json: true, global: true, examples: []string{`citebot --corpus testdata/squad-dev/corpus eval testdata/squad-dev/questions.jsonl`}},
	"train": {run: train, summary: "fit the answer models; report in-sample and out-of-fold figures",
		args: "CORPUS QUESTIONS [CORPUS QUESTIONS ...]", nargs: -2, k: true, json: true,
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.StringVar(&o.out, "out", "", "write the fitted weights to this Go `FILE` (e.g. rag/weights_gen.go)")
			fs.StringVar(&o.drop, "drop", "", "fit without these comma-separated `FEATURES`, to measure what they add")
		}, examples: []string{`citebot train --out rag/weights_gen.go testdata/squad-dev/corpus testdata/squad-dev/questions.jsonl corpus testdata/dev.jsonl`}},
	"chat": {run: chat, summary: "ask questions and follow-ups in one conversation, interactively", k: true, global: true,
		examples: []string{`citebot --corpus ~/handbook chat`, `printf 'Who approves travel?\nAnd hotels?\n' | citebot chat`}},
	"feedback": {run: feedback, summary: "list the answers people voted on, or export their questions for eval", json: true, global: true,
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.StringVar(&o.feedback.vote, "vote", "", "only answers with this `VOTE` (up or down)")
			fs.StringVar(&o.feedback.since, "since", "", "only answers from the last `DURATION` (24h, 7d)")
			fs.IntVar(&o.feedback.limit, "limit", 100, "at most `N` answers, newest first (0: all)")
			fs.StringVar(&o.feedback.export, "export", "", "write the questions to `FILE.jsonl` in citebot eval's format instead")
		}, examples: []string{`citebot feedback --vote down --since 7d`, `citebot feedback --export real-questions.jsonl`}},
	"bench": {run: bench, summary: "measure speed and memory on synthetic corpora", json: true,
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.StringVar(&o.bench.sizes, "sizes", "1000,10000,100000", "corpus sizes in chunks, comma-separated (`N,N,...`)")
			fs.IntVar(&o.bench.queries, "queries", 200, "questions each latency is measured over")
			fs.StringVar(&o.bench.dir, "dir", "", "scratch `DIR` for corpora and snapshots (default: a new temporary directory)")
			fs.StringVar(&o.bench.lexical, "lexical", "", "measure the lexical index `NAME`: bm25 or bleve (default: the one citebot uses)")
		}, examples: []string{`citebot bench --sizes 1000,10000 --queries 100`}},
	"version": {run: version, summary: "print the version and the commit it was built from", json: true,
		examples: []string{`citebot version`}},
	"help": {summary: "show the commands, or one command's flags and examples", args: "[COMMAND]", nargs: -1,
		examples: []string{`citebot help ask`}},
}

// help lists the commands, so it joins them here.
func init() {
	c := commands["help"]
	c.run = help
	commands["help"] = c
}

// order is the overview's order of the commands.
var order = []string{"ask", "chat", "search", "ingest", "sources", "add", "remove", "serve", "discord", "healthcheck", "feedback",
	"eval", "train", "bench", "version", "help"}

func (c command) flagSet(name string, o *opts) *flag.FlagSet {
	fs := flag.NewFlagSet("citebot "+name, flag.ContinueOnError)
	// Errors are returned once, by Run, not printed here with the usage.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c.json {
		fs.BoolVar(&o.json, "json", false, "print JSON")
	}
	if c.k {
		fs.IntVar(&o.k, "k", 0, "number of passages (default from the config, 5)")
	}
	if c.flags != nil {
		c.flags(fs, o)
	}
	return fs
}

// checkArgs checks the number of arguments, and says when a flag came after
// them, where the flag package stops reading flags.
func (c command) checkArgs(name string, fs *flag.FlagSet, args []string) error {
	for i, a := range args {
		if a == "--" {
			break
		}
		if i == 0 && c.nargs == 0 {
			break // reported below as an unwanted argument
		}
		flagName, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && fs.Lookup(flagName) != nil {
			what := strings.ToLower(strings.TrimSuffix(strings.Fields(c.args)[0], "..."))
			var quoted []string
			for _, arg := range args[:i] {
				quoted = append(quoted, strconv.Quote(arg))
			}
			return usagef("%s: flags go before the %s: citebot %s %s %s", name, what, name,
				strings.Join(args[i:], " "), strings.Join(quoted, " "))
		}
	}
	switch {
	case c.nargs >= 0 && len(args) != c.nargs && c.nargs == 0:
		return usagef("%s takes no arguments, got %q\nRun 'citebot %s -h' for its usage.", name, args[0], name)
	case c.nargs > 0 && len(args) != c.nargs:
		return usagef("%s takes one %s (quote it), got %d arguments\nRun 'citebot %s -h' for its usage.", name, c.args, len(args), name)
	case c.nargs == -2 && len(args) == 0:
		return usagef("%s takes %s\nRun 'citebot %s -h' for its usage.", name, c.args, name)
	}
	return nil
}

// help is the usage of one command: what it does, its arguments, its
// flags and examples.
func (c command) help(name string, fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "citebot %s: %s\n\nUsage:\n  citebot %s", name, c.summary, name)
	if hasFlags(fs, false) {
		b.WriteString(" [flags]")
	}
	if c.args != "" {
		b.WriteString(" " + c.args)
	}
	b.WriteString("\n")
	if hasFlags(fs, false) {
		b.WriteString("\nFlags:\n")
		writeFlags(&b, fs, false)
	}
	if c.global {
		b.WriteString("\nGlobal flags (before the command or after it, always before its arguments):\n")
		writeFlags(&b, fs, true)
		b.WriteString("  Precedence: flag > environment > config file > default.\n")
	}
	if len(c.examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range c.examples {
			b.WriteString("  " + e + "\n")
		}
	}
	return b.String()
}

// argNames name the values of flags whose usage does not.
var argNames = map[string]string{"corpus": "DIR", "data": "DIR", "config": "FILE", "k": "N", "queries": "N"}

// globalFlags are config.Flags' names.
var globalFlags = map[string]bool{"corpus": true, "data": true, "config": true}

func hasFlags(fs *flag.FlagSet, global bool) bool {
	has := false
	fs.VisitAll(func(f *flag.Flag) { has = has || globalFlags[f.Name] == global })
	return has
}

// writeFlags lists fs's own flags (or its global ones) with two dashes,
// as the overview and the README write them.
func writeFlags(b *strings.Builder, fs *flag.FlagSet, global bool) {
	type row struct{ name, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		if globalFlags[f.Name] != global {
			return
		}
		arg, usage := flag.UnquoteUsage(f)
		if a, ok := argNames[f.Name]; ok {
			arg = a
		}
		name := "--" + f.Name
		if arg != "" {
			name += " " + arg
		}
		rows = append(rows, row{name, usage})
		width = max(width, len(name))
	})
	for _, r := range rows {
		fmt.Fprintf(b, "  %-*s  %s\n", width, r.name, r.usage)
	}
}

// overview is citebot's usage: the commands and what each does.
func overview() string {
	var b strings.Builder
	b.WriteString("citebot answers questions about a folder of documents, citing the passages.\n\nUsage:\n  citebot [--corpus DIR] COMMAND [flags] [arguments]\n\nCommands:\n")
	for _, name := range order {
		fmt.Fprintf(&b, "  %-12s %s\n", name, commands[name].summary)
	}
	b.WriteString(`
Global flags: --corpus DIR (the documents; default ./corpus), --data DIR (the
index; default in the user cache directory), --config FILE; also
CITEBOT_CORPUS, CITEBOT_DATA, CITEBOT_CONFIG.

Run 'citebot help COMMAND' (or 'citebot COMMAND -h') for a command's flags
and examples. To start:
  citebot ask "What does the handbook say about remote work?"
  citebot --corpus ~/my-documents serve
`)
	return b.String()
}

// help prints the overview, or one command's usage.
func help(ctx context.Context, env Env, o *opts) error {
	if len(o.args) == 0 {
		fmt.Fprint(env.Stdout, overview())
		return nil
	}
	if len(o.args) > 1 {
		return usagef("help takes one COMMAND, got %d arguments", len(o.args))
	}
	name := o.args[0]
	cmd, ok := commands[name]
	if !ok {
		if near := nearest(name); near != "" {
			return usagef("unknown command %q; did you mean %s?", name, near)
		}
		return usagef("unknown command %q\nRun 'citebot help' for the list of commands.", name)
	}
	fs := cmd.flagSet(name, &opts{})
	if cmd.global {
		var gf config.Flags
		gf.Register(fs)
	}
	fmt.Fprint(env.Stdout, cmd.help(name, fs))
	return nil
}

// nearest returns the command whose name is within two edits of name (or
// starts with it), or "" when none is.
func nearest(name string) string {
	best, bestD := "", 3
	for _, c := range order {
		d := levenshtein.ComputeDistance(name, c)
		if len(name) >= 2 && strings.HasPrefix(c, name) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
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
	if errors.Is(err, rag.ErrNoCorpus) {
		return nil, rep, fmt.Errorf("%w; point --corpus (or CITEBOT_CORPUS, or corpus: in the config file) at a folder of documents", err)
	}
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
