package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
)

// feedbackFlags are feedback's own flags.
type feedbackFlags struct {
	vote   string
	since  string
	limit  int
	export string
}

// feedback lists the answers people voted on, newest first, or writes
// their questions as evaluation cases (--export).
func feedback(ctx context.Context, env Env, o *opts) error {
	q := rag.HistoryQuery{Vote: o.feedback.vote, Limit: o.feedback.limit}
	switch q.Vote {
	case "", rag.VoteUp, rag.VoteDown:
	default:
		return usagef("feedback: --vote %q is not up or down", q.Vote)
	}
	if o.feedback.since != "" {
		d, err := config.ParseDays(o.feedback.since)
		if err != nil || d <= 0 {
			return usagef("feedback: --since %q is not a duration such as 24h or 7d", o.feedback.since)
		}
		q.Since = time.Now().Add(-d)
	}
	if o.feedback.limit < 0 {
		return usagef("feedback: --limit %d is negative", o.feedback.limit)
	}
	h, err := openHistory(ctx, env, o.cfg)
	if err != nil {
		return err
	}
	if h == nil {
		return errors.New("the history is off (history: off or CITEBOT_HISTORY=off): nothing was kept")
	}
	defer h.Close()
	recs, err := h.Recent(ctx, q)
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	voted := recs[:0]
	for _, r := range recs {
		if r.Up+r.Down > 0 {
			voted = append(voted, r)
		}
	}
	if o.feedback.export != "" {
		if err := exportCases(o.feedback.export, voted); err != nil {
			return fmt.Errorf("feedback --export: %w", err)
		}
		fmt.Fprintf(env.Stdout, "%d questions written to %s\n", len(voted), o.feedback.export)
		return nil
	}
	if o.json {
		if voted == nil {
			voted = []rag.Record{}
		}
		return writeJSON(env.Stdout, voted)
	}
	if len(voted) == 0 {
		fmt.Fprintln(env.Stdout, "no feedback")
		return nil
	}
	for _, r := range voted {
		printRecord(env.Stdout, r)
	}
	return nil
}

// printRecord writes one voted answer: when, the votes, the question, the
// answer's first line and the comments.
func printRecord(w io.Writer, r rag.Record) {
	fmt.Fprintf(w, "%s  %s  👍 %d  👎 %d  %s\n", r.At.Local().Format("2006-01-02 15:04"), r.ID, r.Up, r.Down, r.Question)
	ans := unescapeMarkers.Replace(r.Answer.Answer)
	if first, _, ok := strings.Cut(ans, "\n"); ok {
		ans = first + " …"
	}
	fmt.Fprintf(w, "    → %s\n", ans)
	for _, f := range r.Feedback {
		if f.Comment != "" {
			fmt.Fprintf(w, "    %s: %s\n", f.Vote, f.Comment)
		}
	}
	fmt.Fprintln(w)
}

// exportCase is a voted question as a line of a citebot eval file, with
// what is known of it for whoever fills in the rest.
type exportCase struct {
	rag.EvalCase
	// Given is the answer citebot gave, and Comments what voters said.
	Given    string   `json:"given"`
	Comments []string `json:"comments,omitempty"`
}

// exportCases writes recs as evaluation cases. An answer voted up and
// not down keeps its first cited document as the case's doc (the answer
// pattern is left null: unknown); any other keeps both null, which eval
// reads as "the documents do not answer it" until someone fills them in.
func exportCases(path string, recs []rag.Record) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		c := exportCase{EvalCase: rag.EvalCase{ID: r.ID, Kind: "feedback-down", Question: r.Question}, Given: r.Answer.Answer}
		if r.Down == 0 {
			c.Kind = "feedback-up"
			if r.Answer.Grounded && len(r.Answer.Citations) > 0 {
				doc := strings.TrimSuffix(r.Answer.Citations[0].Source, filepath.Ext(r.Answer.Citations[0].Source))
				c.Doc = &doc
			}
		}
		for _, f := range r.Feedback {
			if f.Comment != "" {
				c.Comments = append(c.Comments, f.Comment)
			}
		}
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return writeFileAtomic(path, []byte(b.String()))
}
