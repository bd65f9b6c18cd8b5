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

// A number typed without its thousands' commas finds the sentence that
// writes it with them.
func TestAskNumberWithoutCommas(t *testing.T) {
	x := indexOf(t, map[string]string{"expenses.md": "# Expenses policy\n\n## Approval\n\n" +
		"Claims up to £500 are approved by your line manager. " +
		"Claims over £2,000 in total, and all overseas travel, must be approved by the Finance Director.\n\n" +
		"## Payment\n\nApproved claims received by the 20th of the month are paid with that month's salary.\n"})
	ans, err := x.Ask(context.Background(), "who has to sign off a claim over £2000", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Grounded || !strings.Contains(ans.Answer, "Finance Director") {
		t.Errorf("answer %q (grounded %v, confidence %.2f), want the sentence naming the Finance Director", ans.Answer, ans.Grounded, ans.Confidence)
	}
}
