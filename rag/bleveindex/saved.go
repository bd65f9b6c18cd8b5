package bleveindex

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/citebot/citebot/rag"
)

// A saved index is a directory that SaveTo wrote: bleve's own on-disk
// copy of the index (its segments and root), and a marker file naming the
// layout, so that a copy made with another mapping is never opened.
const (
	markerFile = "citebot-lexical"
	marker     = "bleveindex 1: en analyzer, text and source fields, BM25\n"
)

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
	if err := os.WriteFile(filepath.Join(dir, markerFile), []byte(marker), 0o644); err != nil {
		return err
	}
	return syncTree(dir)
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
// for it, as they wait for any write). It reports false, having done
// nothing, when the index is not empty or dir holds no usable copy of as
// many chunks.
func (x *Index) AddSaved(ctx context.Context, chunks []rag.Chunk, dir string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("bleve add: %w", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, markerFile)); err != nil || string(b) != marker {
		return false, nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.usable(); err != nil {
		return false, fmt.Errorf("bleve add: %w", err)
	}
	if x.last != nil || len(x.sourceOf) > 0 {
		return false, nil
	}
	chunks = lastByID(chunks)
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		return false, nil
	}
	if n, err := idx.DocCount(); err != nil || n != uint64(len(chunks)) {
		idx.Close()
		return false, nil
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
