package main

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The Dockerfile, .dockerignore and docker-compose.yml are checked here
// against the tree, as far as a test without a Docker engine can: what the
// build copies, what the build context leaves out, and the healthcheck.

// repoRoot is the module's root.
const repoRoot = "../.."

// dockerfile returns the Dockerfile's instructions, continuation lines
// joined, comments dropped.
func dockerfile(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	cur := ""
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || l == "" && cur == "" {
			continue
		}
		if more, ok := strings.CutSuffix(l, "\\"); ok {
			cur += more + " "
			continue
		}
		out = append(out, strings.Join(strings.Fields(cur+l), " "))
		cur = ""
	}
	return out
}

// buildCopies returns the sources of the build stage's COPY instructions
// (the context's paths the compiled binary is made from).
func buildCopies(t *testing.T) []string {
	t.Helper()
	var srcs []string
	for i, ins := range dockerfile(t) {
		if strings.HasPrefix(ins, "FROM ") && i > 0 {
			break // the build stage ends
		}
		f := strings.Fields(ins)
		if f[0] != "COPY" {
			continue
		}
		for _, s := range f[1 : len(f)-1] {
			if !strings.HasPrefix(s, "--") {
				srcs = append(srcs, path.Clean(s))
			}
		}
	}
	return srcs
}

// Every directory of the module that holds a Go package of the program is
// under one the build stage copies, so that a new top-level package breaks
// this test rather than the image's build.
func TestDockerfileCopiesEveryPackage(t *testing.T) {
	copied := buildCopies(t)
	for _, want := range []string{"go.mod", "go.sum"} {
		if !slices.Contains(copied, want) {
			t.Errorf("the build stage does not copy %s (copies %v)", want, copied)
		}
	}
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		top, _, _ := strings.Cut(rel, "/")
		if !slices.Contains(copied, top) {
			t.Errorf("%s: its directory %s is not copied by the Dockerfile's build stage (COPY %s ./%s)", rel, top, top, top)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dockerignore is a .dockerignore read as Docker reads it: each pattern
// matches a path or one of its parent directories, "**" any number of
// directories, and a later "!" pattern takes back an earlier exclusion.
type dockerignore []struct {
	re        *regexp.Regexp
	exclusion bool
}

func readDockerignore(t *testing.T) dockerignore {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ig dockerignore
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		excl := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(path.Clean(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/")), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch c := p[i]; {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("$")
		ig = append(ig, struct {
			re        *regexp.Regexp
			exclusion bool
		}{regexp.MustCompile(re.String()), !excl})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ig
}

// excludes reports whether the context leaves out the file at rel (a
// slash-separated path from the root).
func (ig dockerignore) excludes(rel string) bool {
	excluded := false
	for _, p := range ig {
		if p.exclusion == excluded {
			continue // nothing to change
		}
		match := p.re.MatchString(rel)
		for dir := path.Dir(rel); !match && dir != "."; dir = path.Dir(dir) {
			match = p.re.MatchString(dir)
		}
		if match {
			excluded = p.exclusion
		}
	}
	return excluded
}

// The build context keeps what the image is built from — the Go files the
// program compiles, the files they embed, NOTICE and the corpus — and
// leaves out the docs, the tests and their data, .git and CI, so that a
// change to those keeps the build's cache.
func TestDockerignore(t *testing.T) {
	ig := readDockerignore(t)
	copied := buildCopies(t)
	var needed []string
	embedRE := regexp.MustCompile(`(?m)^//go:embed (.+)$`)
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		rel = filepath.ToSlash(rel)
		top, _, _ := strings.Cut(rel, "/")
		switch {
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata"):
			return filepath.SkipDir
		case d.IsDir() || !slices.Contains(copied, top) || !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go"):
			return nil
		}
		needed = append(needed, rel)
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range embedRE.FindAllStringSubmatch(string(src), -1) {
			for _, pat := range strings.Fields(m[1]) {
				matches, _ := filepath.Glob(filepath.Join(filepath.Dir(p), pat))
				for _, e := range matches {
					_ = filepath.WalkDir(e, func(q string, d fs.DirEntry, err error) error {
						if err == nil && !d.IsDir() {
							r, _ := filepath.Rel(repoRoot, q)
							needed = append(needed, filepath.ToSlash(r))
						}
						return err
					})
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(needed, "rag/glove/vectors.bin") || !slices.Contains(needed, "bot/httpapi/web/index.html") {
		t.Fatalf("the embedded files were not found: %v", needed)
	}
	corpus, err := os.ReadDir(filepath.Join(repoRoot, "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range corpus {
		needed = append(needed, "corpus/"+e.Name())
	}
	needed = append(needed, "go.mod", "go.sum", "NOTICE", "corpus/notes.md", "corpus/sub/testdata/x.txt", "corpus/a_test.go")
	for _, rel := range needed {
		if ig.excludes(rel) {
			t.Errorf(".dockerignore leaves out %s, which the image is built from", rel)
		}
	}
	for _, rel := range []string{"README.md", "testdata/squad-dev/README.md", ".git/HEAD", ".ci/run", "docker-compose.yml",
		"cmd/citebot/docker_test.go", "rag/index_test.go", "rag/testdata/handbook/handbook.md", "rag/langchain/testdata/notes.md", "citebot"} {
		if !ig.excludes(rel) {
			t.Errorf(".dockerignore keeps %s, whose change would rebuild the image", rel)
		}
	}
}

// The image and compose check health with `citebot healthcheck` at the
// ENTRYPOINT's path; compose restarts citebot.
func TestDockerHealthcheck(t *testing.T) {
	var entry, health string
	for _, ins := range dockerfile(t) {
		switch {
		case strings.HasPrefix(ins, "ENTRYPOINT "):
			entry = strings.TrimPrefix(ins, "ENTRYPOINT ")
		case strings.HasPrefix(ins, "HEALTHCHECK "):
			health = ins
		}
	}
	bin := strings.Trim(entry, `[]"`)
	if bin == "" || !strings.HasSuffix(health, `CMD ["`+bin+`", "healthcheck"]`) {
		t.Errorf("HEALTHCHECK %q does not run %s healthcheck", health, bin)
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Restart     string
			Healthcheck struct{ Test []string }
		}
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatal(err)
	}
	c := compose.Services["citebot"]
	if c.Restart == "" || c.Restart == "no" {
		t.Errorf("compose: citebot has no restart policy (%q)", c.Restart)
	}
	if !slices.Equal(c.Healthcheck.Test, []string{"CMD", bin, "healthcheck"}) {
		t.Errorf("compose: citebot's healthcheck is %q, want CMD %s healthcheck", c.Healthcheck.Test, bin)
	}
}
