//go:build unix

package rag

import (
	"os"
	"syscall"
)

// openFile opens a corpus file for reading without following a symbolic
// link in its last element: a file swapped for a link after the corpus was
// listed is not read through it.
func openFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
