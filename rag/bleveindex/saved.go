package bleveindex

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/citebot/citebot/rag"
)

// A saved index is a directory that SaveTo wrote: bleve's own on-disk
// copy of the index (its segments and root), and a manifest. The manifest's
// first line names the layout, so that a copy made with another mapping is
// never opened; then comes a line per file of the copy, "crc size path"
// (CRC-32C in hex, size in bytes, slash path under the directory), and last
// "sum crc", the CRC-32C of the lines before it. bleve checks nothing of
// what it reads (a truncated segment or a flipped byte panics or silently
// changes scores), so AddSaved opens a copy only once every file matches
// the manifest.
const (
	manifestFile = "citebot-lexical"
	marker       = "bleveindex 3: en analyzer with ASCII folding, text and source fields, BM25; checksummed"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// saved is the read-only copy of a saved index that an index answers from
// after AddSaved, until its first write.
type saved struct {
	mu sync.RWMutex // held (read) by searches using idx
	// idx is the opened copy; nil once the index has moved to memory.
	idx bleve.Index
	// chunks are what the copy holds, indexed in memory on the first write.
	chunks []rag.Chunk
}

// SaveTo writes the index as it is once queued writes are done into dir,
// which must not exist, and syncs it to disk. AddSaved uses it.
func (x *Index) SaveTo(dir string) error {
	if err := x.settled(context.Background()); err != nil {
		return fmt.Errorf("bleve save: %w", err)
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("bleve save: %s exists", dir)
	}
	x.saved.mu.RLock()
	src := x.saved.idx
	if src == nil {
		src = x.idx
	}
	err := copyIndex(src, dir)
	x.saved.mu.RUnlock()
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("bleve save: %w", err)
	}
	return nil
}

func copyIndex(src bleve.Index, dir string) error {
	c, ok := src.(bleve.IndexCopyable)
	if !ok {
		return errors.New("index cannot be copied")
	}
	if err := c.CopyTo(bleve.FileSystemDirectory(dir)); err != nil {
		return err
	}
	if err := writeManifest(dir); err != nil {
		return err
	}
	return syncTree(dir)
}

// writeManifest writes the manifest of the files under dir.
func writeManifest(dir string) error {
	var b strings.Builder
	b.WriteString(marker + "\n")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		sum, size, err := checksum(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%08x %d %s\n", sum, size, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	fmt.Fprintf(&b, "sum %08x\n", crc32.Checksum([]byte(b.String()), castagnoli))
	return os.WriteFile(filepath.Join(dir, manifestFile), []byte(b.String()), 0o644)
}

// checksum returns the CRC-32C and size of the file at path.
func checksum(path string) (uint32, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	n, err := io.Copy(h, bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return 0, 0, err
	}
	return h.Sum32(), n, nil
}

// verifyCopy checks every file of the copy in dir against its manifest.
func verifyCopy(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errors.New("no manifest")
		}
		return err
	}
	text := string(b)
	body, last, ok := cutLastLine(text)
	if !ok || !strings.HasPrefix(body, marker+"\n") {
		return errors.New("manifest of another layout or damaged")
	}
	want, ok := strings.CutPrefix(last, "sum ")
	if !ok || want != fmt.Sprintf("%08x", crc32.Checksum([]byte(body), castagnoli)) {
		return errors.New("manifest damaged")
	}
	entries := strings.Split(strings.TrimSuffix(strings.TrimPrefix(body, marker+"\n"), "\n"), "\n")
	if len(entries) == 1 && entries[0] == "" {
		return errors.New("manifest lists no files")
	}
	for _, e := range entries {
		crc, rest, ok1 := strings.Cut(e, " ")
		size, name, ok2 := strings.Cut(rest, " ")
		wantSize, err := strconv.ParseInt(size, 10, 64)
		if !ok1 || !ok2 || err != nil || !filepath.IsLocal(filepath.FromSlash(name)) {
			return fmt.Errorf("manifest line %q", e)
		}
		sum, n, err := checksum(filepath.Join(dir, filepath.FromSlash(name)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%s is missing", name)
		case err != nil:
			return err
		case n != wantSize:
			return fmt.Errorf("%s holds %d bytes, not %d", name, n, wantSize)
		case fmt.Sprintf("%08x", sum) != crc:
			return fmt.Errorf("%s: checksum mismatch", name)
		}
	}
	return nil
}

// cutLastLine splits text, which must end with a newline, before its last
// line, and returns that line without the newline.
func cutLastLine(text string) (before, last string, ok bool) {
	text, ok = strings.CutSuffix(text, "\n")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(text, '\n')
	if i < 0 {
		return "", "", false
	}
	return text[:i+1], text[i+1:], true
}

// openCopy opens the copy in dir read-only and counts its documents. A
// panic inside bleve (which trusts what it reads) is an error like any
// other.
func openCopy(dir string) (idx bleve.Index, n uint64, err error) {
	defer func() {
		if r := recover(); r != nil {
			if idx != nil {
				func() {
					defer func() { recover() }()
					idx.Close()
				}()
			}
			idx, n, err = nil, 0, fmt.Errorf("bleve failed to read it: %v", r)
		}
	}()
	idx, err = bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		return nil, 0, err
	}
	if n, err = idx.DocCount(); err != nil {
		idx.Close()
		return nil, 0, err
	}
	return idx, n, nil
}

// syncTree flushes every file and directory under dir to disk.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

// AddSaved is Add(ctx, chunks) for an empty index, given the directory
// SaveTo wrote when the index held exactly chunks: rather than indexing
// them, the index answers from that copy, opened read-only, until its first
// write, which indexes chunks in memory in the background (searches wait
// for it, as they wait for any write). Every file of the copy is checked
// against the manifest SaveTo wrote before bleve reads it.
//
// It reports false, having done nothing, when the index is not empty, and
// false with an error wrapping rag.ErrSnapshot when dir holds no usable
// copy of as many chunks (missing, damaged, of another layout): the caller
// then indexes the chunks with Add, and may say why. Any other error is
// the index's own (closed, cancelled).
func (x *Index) AddSaved(ctx context.Context, chunks []rag.Chunk, dir string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("bleve add: %w", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.usable(); err != nil {
		return false, fmt.Errorf("bleve add: %w", err)
	}
	if x.last != nil || len(x.sourceOf) > 0 {
		return false, nil
	}
	unusable := func(err error) error {
		return fmt.Errorf("%w: saved BM25 index %s: %v", rag.ErrSnapshot, filepath.Base(dir), err)
	}
	if err := verifyCopy(dir); err != nil {
		return false, unusable(err)
	}
	chunks = lastByID(chunks)
	idx, n, err := openCopy(dir)
	if err != nil {
		return false, unusable(err)
	}
	if n != uint64(len(chunks)) {
		idx.Close()
		return false, unusable(fmt.Errorf("holds %d chunks, not %d", n, len(chunks)))
	}
	for _, c := range chunks {
		x.sourceOf[c.ID] = c.Source
		x.bySource[c.Source] = append(x.bySource[c.Source], c.ID)
	}
	x.saved.mu.Lock()
	x.saved.idx, x.saved.chunks = idx, chunks
	x.saved.mu.Unlock()
	return true, nil
}

// leaveSaved moves the index from its saved copy to memory before a write:
// the copy's chunks are queued to be indexed and the copy is closed once
// they are. x.mu must be held.
func (x *Index) leaveSaved() {
	x.saved.mu.Lock()
	idx, chunks := x.saved.idx, x.saved.chunks
	x.saved.idx, x.saved.chunks = nil, nil
	x.saved.mu.Unlock()
	if idx == nil {
		return
	}
	x.enqueue(func() error {
		err := x.index(chunks)
		return errors.Join(err, idx.Close())
	})
}

// searchSaved runs req on the saved copy if the index still answers from
// it, and reports whether it did.
func (x *Index) searchSaved(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, bool, error) {
	x.saved.mu.RLock()
	defer x.saved.mu.RUnlock()
	if x.saved.idx == nil {
		return nil, false, nil
	}
	res, err := x.saved.idx.SearchInContext(ctx, req)
	return res, true, err
}

// countSaved returns the saved copy's count if the index still answers from
// it.
func (x *Index) countSaved() (uint64, bool) {
	x.saved.mu.RLock()
	defer x.saved.mu.RUnlock()
	if x.saved.idx == nil {
		return 0, false
	}
	n, err := x.saved.idx.DocCount()
	return n, err == nil
}
