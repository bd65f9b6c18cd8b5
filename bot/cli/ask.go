package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/citebot/citebot/rag"
)

// questionIndex checks the question before the index is opened, so that an
// empty question costs nothing. An index whose snapshot could not be saved
// (a full disk, a read-only data directory) still answers: that is a
// warning on stderr, not a failure.
func questionIndex(ctx context.Context, env Env, o *opts) (string, Index, error) {
	q := strings.TrimSpace(o.args[0])
	if q == "" {
		return "", nil, rag.ErrEmptyQuestion
	}
	idx, _, err := open(ctx, env, o, nil)
	if errors.Is(err, rag.ErrNotSaved) {
		fmt.Fprintf(env.Stderr, "citebot: warning: %v; answering from the index in memory\n", err)
		err = nil
	}
	return q, idx, err
}

func ask(ctx context.Context, env Env, o *opts) error {
	q, idx, err := questionIndex(ctx, env, o)
	if err != nil {
		return err
	}
	ans, err := idx.Ask(ctx, q, o.k)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(env.Stdout, ans)
	}
	printAnswer(env.Stdout, ans)
	return nil
}

// unescapeMarkers shows a document's own bracketed numbers, which the
// answer escapes so that they never read as citations, as written.
var unescapeMarkers = strings.NewReplacer(`\[`, "[", `\]`, "]")

func printAnswer(w io.Writer, a rag.Answer) {
	fmt.Fprintln(w, unescapeMarkers.Replace(a.Answer))
	if a.LowConfidence() {
		fmt.Fprintf(w, "confidence %s (low)\n", percent(a.Confidence))
	}
	if a.Note != "" {
		fmt.Fprintf(w, "(%s)\n", a.Note)
	}
	for _, c := range a.Citations {
		fmt.Fprintf(w, "\n[%d] %s\n", c.N, heading(c.Source, c.Title, c.Date, c.Section))
		fmt.Fprintln(w, indent(c.Text, "    "))
	}
}

// percent writes a confidence as a whole percentage, "38%", rounded down
// so that a low one never reads 50%.
func percent(c float64) string {
	return fmt.Sprintf("%d%%", int(math.Floor(100*max(0, min(1, c))+1e-9)))
}

func search(ctx context.Context, env Env, o *opts) error {
	q, idx, err := questionIndex(ctx, env, o)
	if err != nil {
		return err
	}
	ps, err := idx.Search(ctx, q, o.k)
	if err != nil {
		return err
	}
	if o.json {
		if ps == nil {
			ps = []rag.Passage{}
		}
		return writeJSON(env.Stdout, ps)
	}
	for i, p := range ps {
		fmt.Fprintf(env.Stdout, "%d. %s (chunk %d, score %.4f)\n%s\n\n", i+1,
			heading(p.Source, p.Title, p.Date, p.Section), p.Ordinal, p.Score, indent(p.Text, "    "))
	}
	return nil
}

func heading(source, title, date, section string) string {
	h := source
	if title != "" {
		h += " — " + title
	}
	if section != "" {
		h += " › " + section
	}
	if date != "" {
		h += " (" + date + ")"
	}
	return h
}

func indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
