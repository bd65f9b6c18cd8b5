package corpusdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"notes.txt", true},
		{"Relevé 2024 (final).md", true},
		{"100% done.txt", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../x.txt", false},
		{"a/b.txt", false},
		{`a\b.txt`, false},
		{"/etc/passwd", false},
		{".hidden.txt", false},
		{"nul\x00.txt", false},
		{"new\nline.txt", false},
		{"tab\t.txt", false},
		{"del\x7f.txt", false},
		{"bidi\u202e.txt", false},
		{" lead.txt", false},
		{"trail.txt ", false},
		{"a%2Fb.txt", false},
		{"c:x.txt", false},
		{"\xff.txt", false},
		{strings.Repeat("a", MaxNameBytes-4) + ".txt", true},
		{strings.Repeat("a", MaxNameBytes-3) + ".txt", false},
	}
	for _, tt := range tests {
		err := CheckName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadName) {
			t.Errorf("CheckName(%q) = %v, not ErrBadName", tt.name, err)
		}
	}
}

func newDir(t *testing.T) Dir {
	t.Helper()
	return Dir{Root: t.TempDir(), MaxBytes: 10, Supports: func(n string) bool { return filepath.Ext(n) == ".txt" }}
}

func TestWriteAndRemove(t *testing.T) {
	d := newDir(t)
	created, err := d.Write("a.txt", strings.NewReader("one"), false)
	if err != nil || !created {
		t.Fatalf("add: %v %v", created, err)
	}
	if _, err := d.Write("a.txt", strings.NewReader("two"), false); !errors.Is(err, ErrExists) {
		t.Errorf("second add: %v, want ErrExists", err)
	}
	created, err = d.Write("a.txt", strings.NewReader("two"), true)
	if err != nil || created {
		t.Fatalf("replace: %v %v", created, err)
	}
	if b, _ := os.ReadFile(filepath.Join(d.Root, "a.txt")); string(b) != "two" {
		t.Errorf("content %q", b)
	}
	if _, err := d.Write("b.txt", strings.NewReader("01234567890"), false); !errors.Is(err, ErrTooLarge) {
		t.Errorf("large: %v", err)
	}
	if _, err := d.Write("b.exe", strings.NewReader("x"), false); !errors.Is(err, ErrUnsupported) {
		t.Errorf("exe: %v", err)
	}
	if _, err := d.Write("../b.txt", strings.NewReader("x"), false); !errors.Is(err, ErrBadName) {
		t.Errorf("traversal: %v", err)
	}
	if err := d.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove("a.txt"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
	entries, _ := os.ReadDir(d.Root)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// Replacing a symbolic link replaces the link, never the file it leads to.
func TestReplaceLinkNotFollowed(t *testing.T) {
	d := newDir(t)
	outside := filepath.Join(t.TempDir(), "target.txt")
	os.WriteFile(outside, []byte("keep"), 0o644)
	if err := os.Symlink(outside, filepath.Join(d.Root, "l.txt")); err != nil {
		t.Skip(err)
	}
	if _, err := d.Write("l.txt", strings.NewReader("new"), true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}
}
