package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The corpus copied for the index without one document holds what the
// index reads but that document: a link inside the corpus is copied as the
// file it leads to, and hidden files, links to them, links out of the
// corpus and the document itself are left out, whether the corpus is
// named by a relative path or by a link.
func TestCopyCorpusWithout(t *testing.T) {
	base := t.TempDir()
	src, outside := filepath.Join(base, "corpus"), filepath.Join(base, "outside")
	for name, text := range map[string]string{
		"corpus/a.txt":          "Alpha.",
		"corpus/sub/b.md":       "Beta.",
		"corpus/sub/c.txt":      "Gamma.",
		"corpus/.hidden/d.txt":  "Delta.",
		"corpus/sub/.e.txt":     "Epsilon.",
		"corpus/odd%41name.txt": "Zeta.",
		"outside/secret.txt":    "Secret.",
	} {
		path := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"link.txt":   filepath.Join(src, "a.txt"),
		"out.txt":    filepath.Join(outside, "secret.txt"),
		"hidden.txt": filepath.Join(src, ".hidden", "d.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(src, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(src, filepath.Join(base, "corpus-link")); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(base); err != nil {
		t.Fatal(err)
	}

	for _, from := range []string{src, "corpus", "corpus-link"} {
		dst := t.TempDir()
		if err := copyCorpusWithout(dst, from, "sub/c.txt"); err != nil {
			t.Fatal(from, err)
		}
		var got []string
		err := filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				t.Errorf("%s: %s copied as a link", from, path)
			}
			rel, _ := filepath.Rel(dst, path)
			got = append(got, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if want := []string{"a.txt", "link.txt", "odd%41name.txt", "sub/b.md"}; !slices.Equal(got, want) {
			t.Errorf("from %s copied %q, want %q", from, got, want)
		}
		if b, err := os.ReadFile(filepath.Join(dst, "link.txt")); err != nil || string(b) != "Alpha." {
			t.Errorf("from %s link.txt copied as %q, %v; want the text it leads to", from, b, err)
		}
	}

	// Left out by its source name, escaped as the index names it.
	dst := t.TempDir()
	if err := copyCorpusWithout(dst, src, "odd%2541name.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "odd%41name.txt")); !os.IsNotExist(err) {
		t.Errorf("odd%%41name.txt copied though its source was left out: %v", err)
	}
	// A document the corpus does not hold is an error, not a copy of all.
	if err := copyCorpusWithout(t.TempDir(), src, "nosuch.txt"); err == nil {
		t.Error("left out a document the corpus does not hold without an error")
	}
}
