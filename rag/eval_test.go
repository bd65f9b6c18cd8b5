package rag_test

import (
	"context"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// canned answers each question with a fixed answer, as a stand-in for the
// pipeline: the scoring, not the retrieval, is under test here.
type canned map[string]rag.Answer

func (c canned) Ask(_ context.Context, q string, _ int) (rag.Answer, error) {
	return c[q], nil
}

// retrieved builds retrieved passages, best first, from "source: text".
func retrieved(ps ...string) []rag.Passage {
	out := make([]rag.Passage, len(ps))
	for i, p := range ps {
		src, text, _ := strings.Cut(p, ": ")
		out[i].Source, out[i].Text = src, text
	}
	return out
}

func strp(s string) *string { return &s }

func TestFirstSentence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Paris is the capital [1]. It is large [2].", "Paris is the capital"},
		{"Paris is the capital.[1] More [2]", "Paris is the capital."},
		{"Paris\n[12] and more", "Paris"},
		{"No marker at all.", "No marker at all."},
		{"[1] leading marker", ""},
		{"An [a] is not a marker [3]", "An [a] is not a marker"},
		{"", ""},
	} {
		if got := rag.FirstSentence(tc.in); got != tc.want {
			t.Errorf("FirstSentence(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEvaluateScoring(t *testing.T) {
	cases := []rag.EvalCase{
		// Gold document and span both first; answer in the first sentence.
		{ID: "a", Kind: "squad", Question: "qa", Doc: strp("normans"), Answer: strp(`\bFrance\b`)},
		// Gold document first but the span only in the third passage; the
		// match is after the first citation.
		{ID: "b", Kind: "squad", Question: "qb", Doc: strp("normans"), Answer: strp(`rollo`)},
		// Span nowhere; gold document second; answer does not match.
		{ID: "c", Kind: "squad", Question: "qc", Doc: strp("normans"), Answer: strp(`\b911\b`)},
		// Abstained on an answerable question; span fourth (beyond hit@3).
		{ID: "d", Kind: "squad", Question: "qd", Doc: strp("huguenot"), Answer: strp(`calvin`)},
		// No pattern: any grounded answer is right; no span scoring.
		{ID: "e", Question: "qe", Doc: strp("normans")},
		// Unanswerable, declined and answered.
		{ID: "f", Kind: "offtopic", Question: "qf"},
		{ID: "g", Kind: "squad-impossible", Question: "qg"},
		{ID: "h", Question: "qh"},
	}
	asker := canned{
		"qa": {Grounded: true, Answer: "Normandy is in france [1].", Passages: retrieved(
			"normans.txt: Normandy is a region in France.", "huguenot.txt: Huguenots fled France.")},
		"qb": {Grounded: true, Answer: "The Normans came from Norse raiders [1]. Their leader was Rollo [2].", Passages: retrieved(
			"normans.txt: The Normans descended from Norse raiders.", "normans.txt: Norse raiders settled.", "normans.txt: Their leader Rollo swore fealty.")},
		"qc": {Grounded: true, Answer: "In the 10th century [1].", Passages: retrieved(
			"huguenot.txt: Nothing here.", "normans.txt: Nor here.")},
		"qd": {Grounded: false, Answer: "The documents do not say.", Passages: retrieved(
			"huguenot.txt: a", "huguenot.txt: b", "huguenot.txt: c", "huguenot.txt: Calvin taught.")},
		"qe": {Grounded: true, Answer: "Something [1].", Passages: retrieved("other.txt: x", "normans.txt: y")},
		"qf": {Grounded: false},
		"qg": {Grounded: true, Answer: "A plausible wrong answer [1]."},
		"qh": {Grounded: false},
	}
	rep, err := rag.Evaluate(context.Background(), asker, cases, 5)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"questions", rep.Questions, 8},
		{"answerable", rep.Answerable, 5},
		{"unanswerable", rep.Unanswerable, 3},
		{"hit@1", rep.Hit1, 3}, // a, b, d
		{"hit@3", rep.Hit3, 5}, // and c, e at rank 2
		{"mrr", rep.MRR, (1 + 1 + 0.5 + 1 + 0.5) / 5.0},
		{"span questions", rep.SpanQuestions, 4},
		{"span hit@1", rep.SpanHit1, 1}, // a
		{"span hit@3", rep.SpanHit3, 2}, // and b
		{"span mrr", rep.SpanMRR, (1 + 1.0/3 + 0 + 0.25) / 4},
		{"answer hit", rep.AnswerHit, 3},                // a, b, e
		{"first sentence hit", rep.FirstSentenceHit, 2}, // a, e
		{"abstained", rep.Abstained, 2},
		{"false abstentions", rep.FalseAbstentions, 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	wantKinds := []rag.KindReport{
		{Kind: "answerable", Questions: 1, Answerable: 1, Answered: 1, Correct: 1},
		{Kind: "offtopic", Questions: 1, Declined: 1, Correct: 1},
		{Kind: "squad", Questions: 4, Answerable: 4, Declined: 1, Answered: 3, Correct: 1},
		{Kind: "squad-impossible", Questions: 1, Answered: 1},
		{Kind: "unanswerable", Questions: 1, Declined: 1, Correct: 1},
	}
	if len(rep.ByKind) != len(wantKinds) {
		t.Fatalf("by kind = %+v, want %+v", rep.ByKind, wantKinds)
	}
	for i, want := range wantKinds {
		if rep.ByKind[i] != want {
			t.Errorf("by kind [%d] = %+v, want %+v", i, rep.ByKind[i], want)
		}
	}

	wantResults := map[string]struct{ rank, span int }{
		"a": {1, 1}, "b": {1, 3}, "c": {2, 0}, "d": {1, 4}, "e": {2, 0}, "f": {0, 0},
	}
	for _, r := range rep.Results {
		if w, ok := wantResults[r.ID]; ok && (r.Rank != w.rank || r.SpanRank != w.span) {
			t.Errorf("%s: rank %d, span rank %d; want %d, %d", r.ID, r.Rank, r.SpanRank, w.rank, w.span)
		}
	}

	wantFailures := map[string]string{
		"b": "first sentence does not match",
		"c": "answer does not match",
		"d": "abstained",
		"g": "answered an unanswerable question",
	}
	if len(rep.Failures) != len(wantFailures) {
		t.Errorf("failures = %+v, want %d", rep.Failures, len(wantFailures))
	}
	for _, f := range rep.Failures {
		if f.Reason != wantFailures[f.ID] {
			t.Errorf("failure %s: %q, want %q", f.ID, f.Reason, wantFailures[f.ID])
		}
	}
}

// A pattern that does not compile is an error, not a panic, for cases that
// did not come through ReadEvalCases.
func TestEvaluateBadPattern(t *testing.T) {
	cases := []rag.EvalCase{{ID: "x", Question: "q", Doc: strp("d"), Answer: strp("(")}}
	if _, err := rag.Evaluate(context.Background(), canned{}, cases, 5); err == nil {
		t.Error("Evaluate accepted the pattern \"(\"")
	}
}
