package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The loader is asked which types it reads.
func TestSupports(t *testing.T) {
	for name, want := range map[string]bool{
		"a.txt": true, "a.md": true, "a.markdown": true, "a.html": true, "a.htm": true, "a.pdf": true,
		"a.docx": true, "a.pptx": true, "a.odt": true, "a.csv": true, "A.TXT": true,
		"a.exe": false, "a": false, "a.php": false, "a.zip": false,
	} {
		if got := supports(name); got != want {
			t.Errorf("supports(%q) = %v, want %v", name, got, want)
		}
	}
}

// citedSources asks q and returns the sources its answer cites.
func citedSources(t *testing.T, env map[string]string, q string) []string {
	t.Helper()
	r := citebot(t, env, "ask", "--json", q)
	if r.err != nil {
		t.Fatalf("ask: %v\n%s", r.err, r.stderr)
	}
	var ans struct {
		Citations []struct {
			Source string `json:"source"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil {
		t.Fatalf("ask: %v: %s", err, r.stdout)
	}
	var out []string
	for _, c := range ans.Citations {
		out = append(out, c.Source)
	}
	return out
}

// citebot add copies files into the corpus and indexes them; a bad file
// gets one line on stderr and a failed exit, the good ones are still added.
// citebot remove takes them out again.
func TestAddRemove(t *testing.T) {
	corpus, src := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(corpus, "mill.txt"), []byte("# Mill\n\nThe old mill by the river ground flour until 1950.\n"), 0o644)
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": t.TempDir(), "CITEBOT_MAX_FILE_BYTES": "2000"}
	write := func(name, text string) string {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	herons := write("herons.md", "# Quarry Lake survey\n\nThe ranger at Quarry Lake counted 287 nesting herons in the spring of 1931.\n")
	bad := []string{
		write(".hidden.txt", "hidden"),
		write("tool.exe", "binary"),
		write("big.txt", strings.Repeat("word ", 500)),
		filepath.Join(src, "missing.txt"),
		src, // a directory
	}
	r := citebot(t, env, append([]string{"add", herons}, bad...)...)
	if r.err == nil {
		t.Errorf("add with bad files succeeded")
	}
	if !strings.Contains(r.stdout, "added herons.md") {
		t.Errorf("stdout %q", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	var errLines []string
	for _, l := range lines {
		if strings.HasPrefix(l, "citebot: add ") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != len(bad) {
		t.Errorf("stderr has %d error lines for %d bad files:\n%s", len(errLines), len(bad), r.stderr)
	}
	for _, want := range []string{"hidden", "unsupported", "too large", "missing.txt", "not a regular file"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	const q = "How many nesting herons did the ranger at Quarry Lake count?"
	if cited := citedSources(t, env, q); len(cited) == 0 || cited[0] != "herons.md" {
		t.Errorf("after add the answer cites %v", cited)
	}

	if r := citebot(t, env, "add", herons); r.err == nil || !strings.Contains(r.stderr, "--replace") {
		t.Errorf("second add: %v\n%s", r.err, r.stderr)
	}
	if r := citebot(t, env, "add", "--replace", "--json", herons); r.err != nil || !strings.Contains(r.stdout, `"source": "herons.md"`) {
		t.Errorf("add --replace: %v\n%s%s", r.err, r.stdout, r.stderr)
	}

	r = citebot(t, env, "remove", "herons.md", "nope.txt", "../mill.txt")
	if r.err == nil || !strings.Contains(r.stdout, "removed herons.md") || strings.Count(r.stderr, "citebot: remove ") != 2 {
		t.Errorf("remove: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(corpus, "herons.md")); !os.IsNotExist(err) {
		t.Errorf("herons.md still in the corpus: %v", err)
	}
	if cited := citedSources(t, env, q); strings.Contains(strings.Join(cited, " "), "herons.md") {
		t.Errorf("after remove the answer cites %v", cited)
	}
	if r := citebot(t, env, "add"); r.err == nil {
		t.Errorf("add without files succeeded")
	}
}
