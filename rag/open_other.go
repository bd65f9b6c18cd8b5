//go:build !unix

package rag

import "os"

// openFile opens a corpus file for reading; where O_NOFOLLOW is not
// available a file swapped for a link after the corpus was listed is read
// through it.
func openFile(path string) (*os.File, error) { return os.Open(path) }
