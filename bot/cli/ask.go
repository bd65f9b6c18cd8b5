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
	if err != nil {
		return "", nil, err
	}
	if err := checkNotEmpty(idx, o.cfg.Corpus); err != nil {
		return "", nil, err
	}
	return q, idx, nil
}

// checkNotEmpty refuses to answer from an index with no documents, where
// every answer would be "the documents do not contain an answer", and
// says where it looked.
func checkNotEmpty(idx Index, corpus string) error {
	if docs, _ := idx.Size(); docs > 0 {
		return nil
	}
	return fmt.Errorf("0 documents indexed in %s: put documents there (or 'citebot add FILE...'), or point --corpus at a folder of documents", absPath(corpus))
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
	// printAnswer makes the documents' text safe itself, and may mark the
	// quote with an escape of its own: it writes to the raw stdout.
	printAnswer(o.stdout, ans, o.style)
	return nil
}

// unescapeMarkers shows a document's own bracketed numbers, which the
// answer escapes so that they never read as citations, as written.
var unescapeMarkers = strings.NewReplacer(`\[`, "[", `\]`, "]")

// printAnswer writes the answer, its confidence when low, and each
// citation's heading and passage with the quoted part marked on a terminal.
func printAnswer(w io.Writer, a rag.Answer, st style) {
	st.line(w, unescapeMarkers.Replace(a.Answer))
	if a.LowConfidence() {
		fmt.Fprintf(w, "confidence %s (low)\n", percent(a.Confidence))
	}
	if a.Note != "" {
		st.line(w, "("+a.Note+")")
	}
	for _, c := range a.Citations {
		io.WriteString(w, "\n")
		st.line(w, fmt.Sprintf("[%d] %s", c.N, heading(c.Source, c.Title, c.Date, c.Section)))
		st.writeText(w, c.Text, c.Quote, "    ")
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
		// The score is the ranker's probability that the passage holds
		// the answer.
		st := o.style
		st.line(o.stdout, fmt.Sprintf("%d. %s (chunk %d, match %s)", i+1,
			heading(p.Source, p.Title, p.Date, p.Section), p.Ordinal, percent(p.Score)))
		st.writeText(o.stdout, p.Text, "", "    ")
		io.WriteString(o.stdout, "\n")
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
