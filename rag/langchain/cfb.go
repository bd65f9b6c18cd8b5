package langchain

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/richardlehane/mscfb"
)

// Word, Excel and PowerPoint 97–2003 files are compound files (OLE2): a
// small file system of storages and streams, read with
// github.com/richardlehane/mscfb. Each reader takes the streams it needs
// from the top level; a stream in a storage is an embedded object's. An
// Outlook message (msg.go) keeps its attachments in storages, and reads
// the streams it needs from them with compoundTree.

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
		b, err := compoundStream(f, f.Name, len(data), kind)
		if err != nil {
			return nil, nil, err
		}
		streams[f.Name] = b
	}
	return streams, others, nil
}

// compoundTree returns the streams of the compound file data at any
// depth whose paths want accepts, by path, and the paths of its storages.
// A path is the names of the storages an entry is in and its own, joined
// by "/" ("__attach_version1.0_#00000000/__substg1.0_3707001F"). A path
// that comes twice is read once; each stream is no longer than the file,
// and the streams read together are no longer than it either, as they
// are in a file whose streams do not share sectors. Its errors wrap kind.
func compoundTree(data []byte, kind error, want func(path string) bool) (streams map[string][]byte, storages []string, err error) {
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", kind, err)
	}
	streams = map[string][]byte{}
	total := 0
	for f, err := r.Next(); err == nil; f, err = r.Next() {
		p := strings.Join(append(slices.Clone(f.Path), f.Name), "/")
		if f.FileInfo().IsDir() {
			storages = append(storages, p)
			continue
		}
		if _, ok := streams[p]; ok || !want(p) {
			continue
		}
		if f.Size > int64(len(data)-total) && f.Size <= int64(len(data)) {
			return nil, nil, fmt.Errorf("%w: streams of more than the file's %d bytes", kind, len(data))
		}
		b, err := compoundStream(f, p, len(data), kind)
		if err != nil {
			return nil, nil, err
		}
		total += len(b)
		streams[p] = b
	}
	return streams, storages, nil
}

// compoundStream reads the stream f, named name in errors, of a file of
// size bytes, refusing one longer than the file. Its errors wrap kind.
func compoundStream(f *mscfb.File, name string, size int, kind error) ([]byte, error) {
	if f.Size < 0 || f.Size > int64(size) {
		return nil, fmt.Errorf("%w: stream %s of %d bytes in a file of %d", kind, name, f.Size, size)
	}
	b := make([]byte, f.Size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%w: stream %s: %w", kind, name, err)
	}
	return b, nil
}

// recoverCompound turns a panic of the compound file's reader, which a
// crafted file may cause, into an error wrapping kind; deferred by each
// reader with its named results.
func recoverCompound(kind error, text *string, err *error) {
	if r := recover(); r != nil {
		*text, *err = "", fmt.Errorf("%w: malformed file: %v", kind, r)
	}
}
