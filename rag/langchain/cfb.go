package langchain

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/richardlehane/mscfb"
)

// Word, Excel and PowerPoint 97–2003 files are compound files (OLE2): a
// small file system of storages and streams, read with
// github.com/richardlehane/mscfb. Each reader takes the streams it needs
// from the top level; a stream in a storage is an embedded object's.

// compoundStreams returns the top-level streams of the compound file data
// named in want, each no longer than the file, and the names of its other
// top-level streams, which say what kind of file it is (an older
// version's, an encrypted one's). Its errors wrap kind.
func compoundStreams(data []byte, kind error, want ...string) (streams map[string][]byte, others map[string]bool, err error) {
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", kind, err)
	}
	streams, others = map[string][]byte{}, map[string]bool{}
	for f, err := r.Next(); err == nil; f, err = r.Next() {
		switch {
		case len(f.Path) > 0: // in a storage: an embedded object's
			continue
		case !slices.Contains(want, f.Name):
			others[f.Name] = true
			continue
		}
		if f.Size < 0 || f.Size > int64(len(data)) {
			return nil, nil, fmt.Errorf("%w: stream %s of %d bytes in a file of %d", kind, f.Name, f.Size, len(data))
		}
		b := make([]byte, f.Size)
		if _, err := io.ReadFull(f, b); err != nil {
			return nil, nil, fmt.Errorf("%w: stream %s: %w", kind, f.Name, err)
		}
		streams[f.Name] = b
	}
	return streams, others, nil
}

// recoverCompound turns a panic of the compound file's reader, which a
// crafted file may cause, into an error wrapping kind; deferred by each
// reader with its named results.
func recoverCompound(kind error, text *string, err *error) {
	if r := recover(); r != nil {
		*text, *err = "", fmt.Errorf("%w: malformed file: %v", kind, r)
	}
}
