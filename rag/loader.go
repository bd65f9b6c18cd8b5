package rag

import (
	"context"
	"errors"
)

// ErrUnsupported reports a file whose kind no Loader reads.
var ErrUnsupported = errors.New("unsupported file type")

// Loader extracts the text of one file. data is the whole file; name is its
// path, used to pick a format by extension. It returns ErrUnsupported
// (wrapped) for a format it does not read.
type Loader interface {
	Load(ctx context.Context, name string, data []byte) (string, error)
}

// BinaryFormats is implemented by a Loader that reads some formats as
// bytes (archives, PDF): their files are neither decoded as text first nor
// skipped as binary.
type BinaryFormats interface {
	ReadsBinary(name string) bool
}

// Splitter cuts text into passages of roughly even size. The passages are
// near-verbatim pieces of text in order (whitespace at their edges may be
// trimmed); the caller locates them in text to recover byte offsets.
type Splitter interface {
	SplitText(text string) ([]string, error)
}
