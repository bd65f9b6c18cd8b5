package cli

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/rag"
	"github.com/schollz/progressbar/v3"
)

func ingest(ctx context.Context, env Env, o *opts) error {
	progress := func(p rag.Progress) {
		if !o.json {
			fmt.Fprintf(env.Stderr, "indexed %d/%d %s\n", p.Done, p.Total, p.Source)
		}
	}
	var bar *progressbar.ProgressBar
	if env.Terminal && !o.json {
		progress = func(p rag.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions(p.Total,
					progressbar.OptionSetWriter(o.stderr),
					progressbar.OptionSetDescription("indexing"),
					progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish())
			}
			bar.Set(p.Done)
		}
	}
	o.retrySkipped = true
	_, rep, err := open(ctx, env, o, progress)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(env.Stdout, rep)
	}
	fmt.Fprintf(env.Stdout, "%d documents, %d chunks (added %d, updated %d, removed %d, unchanged %d, skipped %d)\n",
		rep.Documents, rep.Chunks, rep.Added, rep.Updated, rep.Removed, rep.Unchanged, len(rep.Skipped))
	return nil
}

func sources(ctx context.Context, env Env, o *opts) error {
	idx, _, err := open(ctx, env, o, nil)
	if err != nil {
		return err
	}
	docs := idx.Documents()
	if o.json {
		return writeJSON(env.Stdout, docs)
	}
	for _, d := range docs {
		date := d.Date
		if date == "" {
			date = "-"
		}
		fmt.Fprintf(env.Stdout, "%s\t%s\t%d chunks\t%s\n", d.Source, date, d.Chunks, d.Title)
	}
	return nil
}
