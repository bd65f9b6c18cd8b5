package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The corpus copied for the index without one document holds what the
// index reads but that document: a link is copied as the file it leads
// to, and hidden files, links out of the corpus and the document itself
// are left out.
func TestCopyCorpusWithout(t *testing.T) {
	src, outside := t.TempDir(), t.TempDir()
	for name, text := range map[string]string{
		"a.txt":          "Alpha.",
		"sub/b.md":       "Beta.",
		"sub/c.txt":      "Gamma.",
		".hidden/d.txt":  "Delta.",
		"sub/.e.txt":     "Epsilon.",
		"odd%41name.txt": "Zeta.",
	} {
		path := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("Secret."), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(src, "a.txt"), filepath.Join(src, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(src, "out.txt")); err != nil {
		t.Fatal(err)
	}

	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	// The file odd%41name.txt is indexed with its '%' escaped.
	if err := copyCorpusWithout(dst, src, "sub/c.txt"); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			t.Errorf("%s copied as a link", path)
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
		t.Errorf("copied %q, want %q", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "link.txt")); err != nil || string(b) != "Alpha." {
		t.Errorf("link.txt copied as %q, %v; want the text it leads to", b, err)
	}

	// Left out by its source name, escaped as the index names it.
	dst2 := filepath.Join(t.TempDir(), "copy")
	if err := os.Mkdir(dst2, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyCorpusWithout(dst2, src, "odd%2541name.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst2, "odd%41name.txt")); !os.IsNotExist(err) {
		t.Errorf("odd%%41name.txt copied though its source was left out: %v", err)
	}
}
