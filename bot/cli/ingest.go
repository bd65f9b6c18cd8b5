package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/schollz/progressbar/v3"
)

func ingest(ctx context.Context, env Env, o *opts) error {
	start := time.Now()
	var progress func(rag.Progress)
	if !o.json {
		progress = (&ingestProgress{w: env.Stderr, every: tenths{last: start}}).update
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
	fmt.Fprintf(env.Stdout, "%d documents, %d chunks indexed from %s in %s: added %d, updated %d, removed %d, unchanged %d, skipped %d\n",
		rep.Documents, rep.Chunks, absPath(o.cfg.Corpus), time.Since(start).Round(10*time.Millisecond),
		rep.Added, rep.Updated, rep.Removed, rep.Unchanged, len(rep.Skipped))
	return nil
}

// ingestProgress reports a Sync's progress where a bar cannot be drawn (a
// log file, a pipe): a line each time another tenth of the files is done,
// or every progressEvery, whichever comes first; not a line per file.
type ingestProgress struct {
	w     io.Writer
	every tenths
}

func (l *ingestProgress) update(p rag.Progress) {
	if l.every.due(p.Done, p.Total, time.Now()) {
		fmt.Fprintf(l.w, "ingest: %d/%d files read (%d%%)\n", p.Done, p.Total, 100*p.Done/p.Total)
	}
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

// absPath is path made absolute for a message, or path itself.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
