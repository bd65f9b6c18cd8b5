package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	ragbench "github.com/citebot/citebot/rag/bench"
)

// benchFlags are bench's own flags.
type benchFlags struct {
	sizes   string
	queries int
	dir     string
	lexical string
}

// bench builds synthetic corpora and prints how citebot performs on them:
// citebot bench [--json] [--sizes N,N,...] [--queries N] [--dir DIR]
// [--lexical bm25|bleve].
func bench(ctx context.Context, env Env, o *opts) error {
	sizes, queries := &o.bench.sizes, &o.bench.queries
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
	rep, err := ragbench.Run(ctx, ragbench.Options{Sizes: ns, Queries: *queries, Dir: o.bench.dir, Lexical: o.bench.lexical, Progress: progress})
	if err != nil {
		return err
	}
	if o.json {
		return rep.WriteJSON(env.Stdout)
	}
	return rep.WriteTable(env.Stdout)
}
