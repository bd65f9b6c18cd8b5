package rag_test

import (
	"context"
	"strings"
	"testing"
)

// A question may abbreviate what the documents spell out: "CEO", which no
// document has, is searched for as their "Chief Executive Officer", and
// the answer repeats the question as asked.
func TestAskAcronymSpelledOut(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "handbook.md", `# Employee handbook

## About us
Acme Robotics builds warehouse robots. The company was founded in 2014 by Dana Whitfield, who is still our Chief Executive Officer. Our headquarters are in Leeds.

## Holidays
Every employee gets 27 days of paid holiday a year, plus public holidays.

## Expenses
Meals on business trips are paid up to 35 pounds a day. Submit receipts within 30 days.
`)
	x := newIndex(t, "")
	sync(t, x, dir)
	ans, err := x.Ask(context.Background(), "Who is the CEO?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Grounded || !strings.Contains(ans.Answer, "Dana Whitfield") {
		t.Errorf("answer %q (grounded %v, confidence %.2f), want the sentence naming Dana Whitfield", ans.Answer, ans.Grounded, ans.Confidence)
	}
	if ans.Question != "Who is the CEO?" {
		t.Errorf("question %q, want it as asked", ans.Question)
	}
}
