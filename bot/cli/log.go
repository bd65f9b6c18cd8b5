package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
)

// NewLogger returns the logger c describes (log.level, log.format),
// writing to w. c is validated already; a level or format it does not
// know is info or text.
func NewLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// frontEndLogger is the log of serve and discord: env.Log when the caller
// set one, else the configured logger on the command's stderr.
func frontEndLogger(env Env, o *opts) *slog.Logger {
	if env.Log != nil {
		return env.Log
	}
	w := o.stderr
	if w == nil {
		w = env.Stderr
	}
	return NewLogger(w, o.cfg.Log)
}

// progressLog logs how far a Sync is: a line each time another tenth of the
// files is done or progressEvery has passed, and none for the last file
// (the Sync's own line follows it), so that a corpus of any size gives at
// most about ten lines plus one every few seconds.
type progressLog struct {
	log    *slog.Logger
	corpus string
	now    func() time.Time
	start  time.Time
	every  tenths
}

func newProgressLog(log *slog.Logger, corpus string, now func() time.Time) *progressLog {
	t := now()
	return &progressLog{log: log, corpus: corpus, now: now, start: t, every: tenths{last: t}}
}

// report is a rag.Sync progress function.
func (p *progressLog) report(pr rag.Progress) {
	now := p.now()
	if pr.Done >= pr.Total || !p.every.due(pr.Done, pr.Total, now) {
		return
	}
	p.log.Info("indexing", "done", pr.Done, "files", pr.Total, "percent", pr.Done*100/pr.Total,
		"corpus", p.corpus, "took", now.Sub(p.start).Round(time.Second))
}

// progressEvery is the longest a long Sync goes without a line.
const progressEvery = 5 * time.Second

// tenths decides when a long Sync's progress is worth a line: when
// another tenth of the files is done, or progressEvery has passed since
// the last line. Its zero last is the Sync's start.
type tenths struct {
	last  time.Time
	tenth int // the tenths done at the last line
}

func (t *tenths) due(done, total int, now time.Time) bool {
	if total == 0 {
		return false
	}
	tenth := done * 10 / total
	if tenth == t.tenth && now.Sub(t.last) < progressEvery {
		return false
	}
	t.tenth, t.last = tenth, now
	return true
}

// maxNamed is how many changed files a re-index line names.
const maxNamed = 10

// changedFiles names the first maxNamed of a re-index's changed sources
// and how many more there are.
func changedFiles(sources []string) string {
	if len(sources) <= maxNamed {
		return strings.Join(sources, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(sources[:maxNamed], ", "), len(sources)-maxNamed)
}
