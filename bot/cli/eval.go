package cli

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/rag"
)

func eval(ctx context.Context, env Env, o *opts) error {
	cases, err := rag.ReadEvalFile(o.args[0])
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	idx, _, err := open(ctx, env, o, nil)
	if err == nil {
		err = checkNotEmpty(idx, o.cfg.Corpus)
	}
	if err != nil {
		return err
	}
	rep, err := rag.Evaluate(ctx, idx, cases, o.k)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(env.Stdout, rep)
	}
	printEval(env, rep)
	return nil
}

// maxFailures is how many failing questions the text report lists.
const maxFailures = 20

func printEval(env Env, r rag.EvalReport) {
	w := env.Stdout
	fmt.Fprintf(w, "questions           %d (%d answerable, %d unanswerable)\n", r.Questions, r.Answerable, r.Unanswerable)
	if r.DocQuestions > 0 {
		fmt.Fprintf(w, "document hit@1      %s\n", ratio(r.Hit1, r.DocQuestions))
		fmt.Fprintf(w, "document hit@3      %s\n", ratio(r.Hit3, r.DocQuestions))
		fmt.Fprintf(w, "document MRR        %.3f\n", r.MRR)
	}
	fmt.Fprintf(w, "span hit@1          %s\n", ratio(r.SpanHit1, r.SpanQuestions))
	fmt.Fprintf(w, "span hit@3          %s\n", ratio(r.SpanHit3, r.SpanQuestions))
	fmt.Fprintf(w, "span MRR            %.3f\n", r.SpanMRR)
	fmt.Fprintf(w, "answer hit          %s\n", ratio(r.AnswerHit, r.Answerable))
	fmt.Fprintf(w, "first-sentence hit  %s\n", ratio(r.FirstSentenceHit, r.Answerable))
	fmt.Fprintf(w, "abstention          %s\n", ratio(r.Abstained, r.Unanswerable))
	fmt.Fprintf(w, "false abstentions   %s\n", ratio(r.FalseAbstentions, r.Answerable))
	if r.Conversations > 0 {
		fmt.Fprintf(w, "conversations       %s every turn right\n", ratio(r.ConversationsRight, r.Conversations))
	}

	width := len("kind")
	for _, k := range r.ByKind {
		width = max(width, len(k.Kind))
	}
	fmt.Fprintf(w, "\n%-*s  %9s  %8s  %8s  %s\n", width, "kind", "questions", "declined", "answered", "correct")
	for _, k := range r.ByKind {
		fmt.Fprintf(w, "%-*s  %9d  %8d  %8d  %s\n", width, k.Kind, k.Questions, k.Declined, k.Answered, ratio(k.Correct, k.Questions))
	}
	fmt.Fprintln(w, "(correct: first sentence matches when answerable, declined when not)")

	fmt.Fprintln(w)
	if len(r.Failures) == 0 {
		fmt.Fprintln(w, "failing             none")
		return
	}
	fmt.Fprintf(w, "failing             %s\n", ratio(len(r.Failures), r.Questions))
	for i, f := range r.Failures {
		if i == maxFailures {
			fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", len(r.Failures)-maxFailures)
			break
		}
		fmt.Fprintf(w, "  %s: %s\n", f.ID, f.Reason)
	}
}

// ratio writes n out of d with its percentage.
// pct is n as a share of of, "-" when of is 0.
func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func ratio(n, d int) string {
	if d == 0 {
		return fmt.Sprintf("%d/%d", n, d)
	}
	return fmt.Sprintf("%d/%d (%s)", n, d, pct(n, d))
}
