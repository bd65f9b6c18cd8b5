package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
)

func TestTermSafe(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain text, tabs\tand\nlines", "plain text, tabs\tand\nlines"},
		{"café — naïve ✓", "café — naïve ✓"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b[1;38;5;196mbold\x1b[m", "bold"},
		{"clear\x1b[2J\x1b[Hscreen", "clearscreen"},
		{"\x1b]0;pwned\x07title", "title"},
		{"\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"\x1b]0;no end\nnext line", "\nnext line"},
		{"\x1bPdevice\x1b\\ok", "ok"},
		{"\x1b(0charset\x1b(B", "charset"},
		{"\x1bcreset", "reset"},
		{"\x1b7save\x1b8", "save"},
		{"bell\a\a", "bell"},
		{"back\bspace\x7f", "backspace"},
		{"over\rwrite", "overwrite"},
		{"crlf\r\n", "crlf\n"},
		{"feed\fvtab\v", "feed vtab "},
		{"nul\x00byte", "nulbyte"},
		{"c1 \u009b31mcsi", "c1 csi"},
		{"c1 \u009d0;x\u009cosc", "c1 osc"},
		{"c1 \u0085nel", "c1 nel"},
		{"8-bit \x9b31m", "8-bit \ufffd31m"},
		{"bad \xff utf8", "bad \ufffd utf8"},
		{"trailing esc\x1b", "trailing esc"},
		{"cut \x1b[", "cut "},
		{"csi then \x1b[31\nnewline", "csi then \nnewline"},
	} {
		if got := termSafe(tt.in); got != tt.want {
			t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// hostile is a document that tries to drive the terminal it is printed on.
const hostile = "Zebra \x1b]0;owned\x07Facts\x1b[2J\n\n" +
	"The plains zebra\a lives in \x1b[31mEast Africa\x1b[0m grasslands\u009b5m and migrates\x1b(0 every year for fresh grass.\n"

// noControls fails t when out has a control character other than '\n' and
// '\t'.
func noControls(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if isControl(r) && r != '\n' && r != '\t' {
			t.Errorf("%s has control character %U:\n%q", what, r, out)
			return
		}
	}
}

// Nothing a document says reaches the terminal as a control character, in
// any command's text output; JSON output escapes them itself.
func TestCommandsPrintNoControls(t *testing.T) {
	corpus := t.TempDir()
	for name, text := range map[string]string{
		"zebra.txt":          hostile,
		"evil\x1b[2Jname.md": "Hippo \x1b[5mNotes\n\nThe hippo\a spends its days in rivers and lakes of Africa.\n",
		"bad\a.xlsx":         "PK\x03\x04",
	} {
		if err := os.WriteFile(filepath.Join(corpus, name), []byte(text), 0o644); err != nil {
			t.Skipf("file name %q: %v", name, err)
		}
	}
	evalFile := filepath.Join(t.TempDir(), "eval.jsonl")
	if err := os.WriteFile(evalFile, []byte(`{"id":"q\u001b[31m1","question":"Where does the plains zebra live?","doc":"nowhere.txt","answer":"nowhere"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(stdout, stderr *strings.Builder) Env {
		return Env{
			Getenv: func(k string) string {
				return map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": filepath.Join(corpus, ".data")}[k]
			},
			Stdout: stdout, Stderr: stderr,
			Open: func(ctx context.Context, cfg config.Config, warn func(string)) (Index, error) {
				warn("snapshot \x1b[31mdamaged\a")
				c, err := ragtest.Config("")
				if err != nil {
					return nil, err
				}
				return rag.NewIndex(c)
			},
		}
	}
	for _, args := range [][]string{
		{"ask", "Where does the plains zebra live?"},
		{"search", "plains zebra East Africa"},
		{"search", "hippo rivers"},
		{"sources"},
		{"ingest"},
		{"eval", evalFile},
	} {
		t.Run(args[0], func(t *testing.T) {
			var stdout, stderr strings.Builder
			if err := Run(context.Background(), args, env(&stdout, &stderr)); err != nil {
				t.Fatal(err)
			}
			if stdout.Len() == 0 {
				t.Fatal("printed nothing")
			}
			noControls(t, "stdout", stdout.String())
			noControls(t, "stderr", stderr.String())
			if !strings.Contains(stderr.String(), "snapshot damaged") {
				t.Errorf("stderr %q lacks the warning", stderr.String())
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		var stdout, stderr strings.Builder
		if err := Run(context.Background(), []string{"search", "--json", "plains zebra East Africa"}, env(&stdout, &stderr)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), `\u001b[31m`) {
			t.Errorf("JSON lacks the escaped ESC:\n%s", stdout.String())
		}
		noControls(t, "JSON", strings.ReplaceAll(stdout.String(), "\u009b", "")) // JSON leaves C1 as it is
	})
}
