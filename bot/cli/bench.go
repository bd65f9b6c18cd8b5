package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	ragbench "github.com/citebot/citebot/rag/bench"
)

// benchFlagNames are the flags of the bench command itself, which it parses
// from its arguments; see benchArgs.
var benchFlagNames = map[string]bool{"sizes": true, "queries": true, "dir": true}

// benchArgs moves the bench command's own flags (and their values) behind
// a "--", so that the global flag set leaves them to bench.
func benchArgs(args []string) []string {
	var rest, own []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || !benchFlagNames[name] {
			rest = append(rest, a)
			continue
		}
		own = append(own, a)
		if !hasValue && i+1 < len(args) {
			own = append(own, args[i+1])
			i++
		}
	}
	if len(own) == 0 {
		return args
	}
	return append(append(rest, "--"), own...)
}

// bench builds synthetic corpora and prints how citebot performs on them:
// citebot bench [--json] [--sizes N,N,...] [--queries N] [--dir DIR].
func bench(ctx context.Context, env Env, o *opts) error {
	fs := flag.NewFlagSet("citebot bench", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	sizes := fs.String("sizes", "1000,10000,100000", "corpus sizes in chunks, comma-separated")
	queries := fs.Int("queries", 200, "questions each latency is measured over")
	dir := fs.String("dir", "", "scratch directory for corpora and snapshots (default: a new temporary directory)")
	if err := fs.Parse(o.args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: bench takes no arguments, got %q", ErrUsage, fs.Arg(0))
	}
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10_000_000 {
			return fmt.Errorf("%w: --sizes: %q is not a number of chunks from 1 to 10000000", ErrUsage, f)
		}
		ns = append(ns, n)
	}
	if *queries < 1 || *queries > 100_000 {
		return fmt.Errorf("%w: --queries %d is outside 1..100000", ErrUsage, *queries)
	}
	progress := func(step string) { fmt.Fprintf(env.Stderr, "bench: %s\n", step) }
	if o.json {
		progress = nil
	}
	rep, err := ragbench.Run(ctx, ragbench.Options{Sizes: ns, Queries: *queries, Dir: *dir, Progress: progress})
	if err != nil {
		return err
	}
	if o.json {
		return rep.WriteJSON(env.Stdout)
	}
	return rep.WriteTable(env.Stdout)
}
