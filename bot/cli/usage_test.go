package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// runCLI runs a command line that needs no index.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(context.Background(), args, Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errb,
		Open: func(context.Context, config.Config, func(string)) (Index, error) {
			return nil, errors.New("this command should not open the index")
		}})
	return out.String(), errb.String(), err
}

// The overview, and each command's usage, asked for three ways.
func TestHelpGolden(t *testing.T) {
	out, _, err := runCLI(t, "help")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "help.golden", out)
	for _, args := range [][]string{{"--help"}, {"-h"}} {
		if o, _, err := runCLI(t, args...); err != nil || o != out {
			t.Errorf("%v: %v, output differs from 'citebot help'", args, err)
		}
	}
	for _, name := range order {
		out, _, err := runCLI(t, "help", name)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "help-"+name+".golden", out)
		for _, args := range [][]string{{name, "-h"}, {name, "--help"}} {
			if o, _, err := runCLI(t, args...); err != nil || o != out {
				t.Errorf("%v: %v, output differs from 'citebot help %s'", args, err, name)
			}
		}
	}
}

// Each command's usage lists exactly the flags it takes: none that it
// would ignore.
func TestHelpListsOnlyRealFlags(t *testing.T) {
	for _, tt := range []struct {
		name      string
		want, not []string
	}{
		{"ask", []string{"--json", "--k N", "--corpus DIR"}, []string{"--addr", "--sizes"}},
		{"serve", []string{"--addr HOST:PORT", "--corpus DIR"}, []string{"--json", "--k"}},
		{"discord", []string{"--corpus DIR"}, []string{"--json", "--k", "--addr"}},
		{"bench", []string{"--sizes N,N,...", "--queries N", "--dir DIR", "--json"}, []string{"--corpus", "--k"}},
		{"version", nil, []string{"--corpus", "--k"}},
	} {
		out, _, err := runCLI(t, tt.name, "-h")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s -h does not list %s:\n%s", tt.name, w, out)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(out, n) {
				t.Errorf("%s -h lists %s, which it does not take:\n%s", tt.name, n, out)
			}
		}
		if regexp.MustCompile(`\n  -[a-z]`).MatchString(out) {
			t.Errorf("%s -h writes a flag with one dash:\n%s", tt.name, out)
		}
	}
}

// A mistyped command gets a suggestion in two lines, not the usage; a
// wrong flag is reported once; a flag after the question says where flags
// go.
func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serach", "x"}, "unknown command \"serach\"; did you mean search?\nRun 'citebot help' for the list of commands."},
		{[]string{"sevre"}, "unknown command \"sevre\"; did you mean serve?\nRun 'citebot help' for the list of commands."},
		{[]string{"ingets"}, "unknown command \"ingets\"; did you mean ingest?\nRun 'citebot help' for the list of commands."},
		{[]string{"frobnicate"}, "unknown command \"frobnicate\"\nRun 'citebot help' for the list of commands."},
		{[]string{"ask", "--nope", "x"}, "ask: flag provided but not defined: -nope\nRun 'citebot ask -h' for its usage."},
		{[]string{"serve", "--json"}, "serve: flag provided but not defined: -json\nRun 'citebot serve -h' for its usage."},
		{[]string{"ask", "Who approves travel?", "--corpus", "docs"}, `ask: flags go before the question: citebot ask --corpus docs "Who approves travel?"`},
		{[]string{"help", "serach"}, `unknown command "serach"; did you mean search?`},
	} {
		out, stderr, err := runCLI(t, tt.args...)
		if !errors.Is(err, ErrUsage) || err.Error() != tt.want {
			t.Errorf("%q: error %q, want usage error %q", tt.args, err, tt.want)
		}
		if out != "" || stderr != "" {
			t.Errorf("%q: printed %q and %q besides the error", tt.args, out, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, err := runCLI(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		if o, _, err := runCLI(t, args...); err != nil || o != out {
			t.Errorf("%v: %v, %q; want %q", args, err, o, out)
		}
	}
	if !strings.HasPrefix(out, "citebot ") || !strings.Contains(out, "go1.") {
		t.Errorf("version printed %q", out)
	}
	describe := buildInfo{Version: "v1.2.0", Commit: "4441463aa1b2c3d4e5f6", Time: "2026-12-06T16:00:00Z", Modified: true, Go: "go1.26.8"}.describe()
	if want := "commit 4441463aa1b2 with local changes, 2026-12-06, go1.26.8"; describe != want {
		t.Errorf("describe = %q, want %q", describe, want)
	}
}

// On a terminal the answer and passages are wrapped to its width and the
// quoted sentence is marked in bold inside its passage; to a pipe they are
// printed as they are.
func TestPrintAnswerTerminal(t *testing.T) {
	ans := rag.Answer{Answer: "New employees get twenty vacation days a year, rising to twenty-five after five years. [1]",
		Grounded: true, Confidence: 0.42, Citations: []rag.Citation{{
			N: 1, Source: "handbook.md", Title: "Employee handbook", Section: "Leave › Vacation",
			Text:  "Vacation is planned with your team lead.\nNew employees get twenty vacation days a year, rising to twenty-five after five years. Unused days expire in March.",
			Quote: "New employees get twenty vacation days a year, rising to twenty-five after five years.",
		}}}
	var term, plain strings.Builder
	printAnswer(&term, ans, style{width: 48, bold: true})
	printAnswer(&plain, ans, style{})
	golden(t, "answer-terminal.golden", term.String())
	golden(t, "answer-plain.golden", plain.String())
	for _, line := range strings.Split(term.String(), "\n") {
		if n := len([]rune(stripBold(line))); n > 48 {
			t.Errorf("line of %d columns on a 48-column terminal: %q", n, line)
		}
	}
	if strings.Contains(plain.String(), "\x1b") {
		t.Errorf("escape sequences in plain output: %q", plain.String())
	}
}

func stripBold(s string) string { return strings.NewReplacer(boldOn, "", boldOff, "").Replace(s) }

// A document cannot smuggle an escape sequence in through the quote.
func TestPrintAnswerTerminalSafe(t *testing.T) {
	var b strings.Builder
	printAnswer(&b, rag.Answer{Answer: "Evil \x1b]0;pwned\x07 text. [1]", Grounded: true, Confidence: 0.9, Citations: []rag.Citation{{
		N: 1, Source: "evil\x1b[2J.txt", Text: "Evil \x1b]0;pwned\x07 text.", Quote: "Evil \x1b]0;pwned\x07 text.",
	}}}, style{width: 80, bold: true})
	if s := stripBold(b.String()); strings.ContainsAny(s, "\x1b\x07") {
		t.Errorf("control characters reached the terminal: %q", s)
	}
}
