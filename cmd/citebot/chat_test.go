package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// chat answers a follow-up in the context of the question before it, and a
// vote typed in the chat reaches the history, where feedback lists and
// exports it; a new process sees what the last one kept.
func TestChatFollowUpAndFeedback(t *testing.T) {
	env := bundled(t)
	cmd := exec.Command(os.Args[0], "chat")
	cmd.Env = append(os.Environ(), "CITEBOT_TEST_MAIN=1", "CITEBOT_CORPUS=../../corpus", "CITEBOT_DATA="+env["CITEBOT_DATA"])
	cmd.Stdin = strings.NewReader("What did Tokayev want to do with the National Guard?\nAnd with the army?\n/down it cut the list short\n/quit\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chat: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "strengthen the National Guard") || !strings.Contains(out.String(), "combat effectiveness of the army") {
		t.Fatalf("chat output does not answer both turns:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "(thanks: vote kept)") {
		t.Errorf("the vote was not kept:\n%s\n%s", out.String(), errb.String())
	}

	recs := feedbackRecords(t, env)
	if len(recs) != 1 || recs[0].Question != "And with the army?" || recs[0].Down != 1 || recs[0].Front != "cli" ||
		len(recs[0].Feedback) != 1 || recs[0].Feedback[0].Comment != "it cut the list short" {
		t.Fatalf("feedback lists %+v, want the follow-up voted down with its comment", recs)
	}
	if !strings.Contains(recs[0].Answer.Answer, "combat effectiveness") {
		t.Errorf("the kept answer is %q", recs[0].Answer.Answer)
	}

	text := citebot(t, env, "feedback", "--vote", "down")
	if text.err != nil || !strings.Contains(text.stdout, "And with the army?") || !strings.Contains(text.stdout, "down: it cut the list short") {
		t.Errorf("feedback --vote down: %v\n%s", text.err, text.stdout)
	}
	if up := citebot(t, env, "feedback", "--vote", "up"); up.err != nil || strings.TrimSpace(up.stdout) != "no feedback" {
		t.Errorf("feedback --vote up: %v %q, want no feedback", up.err, up.stdout)
	}

	file := filepath.Join(t.TempDir(), "real.jsonl")
	if ex := citebot(t, env, "feedback", "--export", file); ex.err != nil {
		t.Fatalf("feedback --export: %v\n%s", ex.err, ex.stderr)
	}
	cases, err := rag.ReadEvalFile(file)
	if err != nil {
		t.Fatalf("the export is not an eval file: %v", err)
	}
	if len(cases) != 1 || cases[0].Question != "And with the army?" || cases[0].Kind != "feedback-down" || cases[0].Answer != nil {
		t.Errorf("exported %+v", cases)
	}
}

// With the history off nothing is kept and feedback says so.
func TestFeedbackHistoryOff(t *testing.T) {
	env := bundled(t)
	env["CITEBOT_HISTORY"] = "off"
	r := citebot(t, env, "feedback")
	if r.err == nil || !strings.Contains(r.err.Error(), "history is off") {
		t.Errorf("feedback with the history off: %v", r.err)
	}
	if _, err := os.Stat(filepath.Join(env["CITEBOT_DATA"], "history.db")); err == nil {
		t.Errorf("history.db was created with the history off")
	}
}

// feedbackRecords is what `citebot feedback --json` lists.
func feedbackRecords(t *testing.T, env map[string]string) []rag.Record {
	t.Helper()
	r := citebot(t, env, "feedback", "--json")
	if r.err != nil {
		t.Fatalf("feedback: %v\n%s", r.err, r.stderr)
	}
	var recs []rag.Record
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}
