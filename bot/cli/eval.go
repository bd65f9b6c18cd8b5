package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/citebot/citebot/rag"
)

func eval(ctx context.Context, env Env, o *opts) error {
	f, err := os.Open(o.args[0])
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	cases, err := rag.ReadEvalCases(f)
	if err != nil {
		return fmt.Errorf("eval %s: %w", o.args[0], err)
	}
	idx, _, err := open(ctx, env, o, nil)
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

func printEval(env Env, r rag.EvalReport) {
	w := env.Stdout
	fmt.Fprintf(w, "questions          %d (%d answerable, %d unanswerable)\n", r.Questions, r.Answerable, r.Unanswerable)
	fmt.Fprintf(w, "passage hit@1      %d/%d\n", r.Hit1, r.Answerable)
	fmt.Fprintf(w, "passage hit@3      %d/%d\n", r.Hit3, r.Answerable)
	fmt.Fprintf(w, "MRR                %.3f\n", r.MRR)
	fmt.Fprintf(w, "answer hit         %d/%d\n", r.AnswerHit, r.Answerable)
	fmt.Fprintf(w, "abstention         %d/%d\n", r.Abstained, r.Unanswerable)
	fmt.Fprintf(w, "false abstentions  %d\n", r.FalseAbstentions)
	if len(r.Failures) == 0 {
		fmt.Fprintln(w, "failing            none")
		return
	}
	ids := make([]string, len(r.Failures))
	for i, f := range r.Failures {
		ids[i] = f.ID
	}
	fmt.Fprintf(w, "failing            %s\n", strings.Join(ids, " "))
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  %s: %s\n", f.ID, f.Reason)
	}
}
