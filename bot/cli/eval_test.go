package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// The text report lists at most maxFailures failing questions, then says
// how many more there are.
func TestPrintEvalCapsFailures(t *testing.T) {
	for _, tt := range []struct {
		failures  int
		lines     int
		more      string
		wantFirst string
	}{
		{0, 0, "", "failing             none"},
		{3, 3, "", "failing             3/50 (6.0%)"},
		{maxFailures, maxFailures, "", fmt.Sprintf("failing             %d/50 (40.0%%)", maxFailures)},
		{45, maxFailures, "… and 25 more", "failing             45/50 (90.0%)"},
	} {
		r := rag.EvalReport{Questions: 50, ByKind: []rag.KindReport{{Kind: "lexical", Questions: 50, Answerable: 50, Answered: 50, Correct: 40}}}
		for i := range tt.failures {
			r.Failures = append(r.Failures, rag.EvalFailure{ID: fmt.Sprintf("q%d", i), Reason: "abstained"})
		}
		var b strings.Builder
		printEval(Env{Stdout: &b}, r)
		out := b.String()
		if !strings.Contains(out, tt.wantFirst+"\n") {
			t.Errorf("%d failures: no line %q in\n%s", tt.failures, tt.wantFirst, out)
		}
		if n := strings.Count(out, ": abstained\n"); n != tt.lines {
			t.Errorf("%d failures: listed %d, want %d", tt.failures, n, tt.lines)
		}
		if tt.more != "" && !strings.Contains(out, tt.more) {
			t.Errorf("%d failures: no %q in\n%s", tt.failures, tt.more, out)
		}
		if !strings.Contains(out, "lexical") || !strings.Contains(out, "40/50 (80.0%)") {
			t.Errorf("no per-kind row in\n%s", out)
		}
	}
}
