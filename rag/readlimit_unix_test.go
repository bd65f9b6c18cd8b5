//go:build unix

package rag

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// readLimited stops at the limit even when the file grows after it was
// looked at: a pipe reports no size and yields more than the limit.
func TestReadLimitedBoundsTheRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		f.WriteString(strings.Repeat("grows and grows ", 1000))
	}()
	if data, err := readLimited(fifo, 1000); !errors.Is(err, errTooLarge) {
		t.Errorf("readLimited = %d bytes, %v; want errTooLarge", len(data), err)
	}
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte("just so"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int64{7, 8, 1 << 20} {
		if data, err := readLimited(small, limit); err != nil || string(data) != "just so" {
			t.Errorf("readLimited(limit %d) = %q, %v", limit, data, err)
		}
	}
	if _, err := readLimited(small, 6); !errors.Is(err, errTooLarge) {
		t.Errorf("readLimited(limit 6) = %v, want errTooLarge", err)
	}
	// A file swapped for a link after the listing is not read through it.
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}
	if data, err := readLimited(link, 1<<20); err == nil {
		t.Errorf("readLimited(link) = %q, want an error", data)
	}
}
