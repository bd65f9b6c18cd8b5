package rag

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrNoCorpus reports a corpus directory that does not exist or is not a
// directory.
var ErrNoCorpus = errors.New("corpus directory not found")

// Config holds what an Index is built from. Every field but DataDir is
// required; with an empty DataDir the index lives only in memory.
type Config struct {
	Loader   Loader
	Splitter Splitter
	Embedder Embedder
	// EmbedderID names the embedder and its settings; a snapshot built by
	// another embedder is discarded rather than mixed.
	EmbedderID string
	Store      Store
	Lexical    LexicalIndex
	// WordVectors, optional, measures how related two words are, so that a
	// question's word counts in part when a passage says it in other words.
	// By default the Embedder's, when it has them.
	WordVectors WordVectors
	DataDir     string
	// SaveEvery bounds how long ingest work may go unsaved; 0 means 30s.
	SaveEvery time.Duration
}

// Index keeps chunks, vectors and term statistics in step with a corpus
// directory and answers questions from them. It is safe for concurrent use:
// queries run alongside each other, Sync excludes them only while it swaps
// documents in.
type Index struct {
	cfg Config

	syncMu sync.Mutex // one Sync at a time

	mu     sync.RWMutex
	docs   map[string]*record // by source
	chunks map[string]Chunk   // by ID
	terms  termStats
	dims   int

	model    Model // the fitted answer models
	modelErr error // why model cannot be used (fitted for other features); train does not need it
}

// NewIndex returns an empty index; call Load to read its snapshot and Sync to
// bring it up to date with a corpus.
func NewIndex(cfg Config) (*Index, error) {
	switch {
	case cfg.Loader == nil, cfg.Splitter == nil, cfg.Embedder == nil, cfg.Store == nil, cfg.Lexical == nil:
		return nil, errors.New("index: loader, splitter, embedder, store and lexical index are required")
	case cfg.EmbedderID == "":
		return nil, errors.New("index: embedder id is required")
	}
	if cfg.SaveEvery == 0 {
		cfg.SaveEvery = 30 * time.Second
	}
	if cfg.WordVectors == nil {
		cfg.WordVectors, _ = cfg.Embedder.(WordVectors)
	}
	if cfg.WordVectors != nil {
		cfg.WordVectors = &cachedWordVectors{wv: cfg.WordVectors}
	}
	return &Index{cfg: cfg, docs: map[string]*record{}, chunks: map[string]Chunk{}, terms: newTermStats(), model: fitted, modelErr: fitted.check()}, nil
}

// Load reads the snapshot in the data directory, if there is one. An
// unusable snapshot yields an error wrapping ErrSnapshot and leaves the index
// empty, so that the next Sync rebuilds it; callers report it and go on.
func (x *Index) Load(ctx context.Context) error {
	if x.cfg.DataDir == "" {
		return nil
	}
	snap, err := readSnapshotFile(x.cfg.DataDir, x.cfg.EmbedderID)
	if err != nil || snap == nil {
		return err
	}
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	// One batch for everything: the lexical index makes a segment per Add.
	n := 0
	for _, r := range snap.recs {
		n += len(r.chunks)
	}
	chunks := make([]Chunk, 0, n)
	vectors := make([][]float32, 0, n)
	for _, r := range snap.recs {
		chunks = append(chunks, r.chunks...)
		vectors = append(vectors, r.vectors...)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(chunks) > 0 {
		if err := x.cfg.Store.Add(ctx, chunks, vectors); err != nil {
			return fmt.Errorf("load snapshot: store: %w", err)
		}
		if err := x.addLexical(ctx, snap, chunks); err != nil {
			return fmt.Errorf("load snapshot: lexical index: %w", err)
		}
	}
	x.adoptSnapshot(snap)
	return nil
}

// SyncReport says what a Sync changed.
type SyncReport struct {
	Added     int    `json:"added"`
	Updated   int    `json:"updated"`
	Removed   int    `json:"removed"`
	Unchanged int    `json:"unchanged"`
	Documents int    `json:"documents"`
	Chunks    int    `json:"chunks"`
	Skipped   []Skip `json:"skipped,omitempty"`
}

// Changed reports whether the Sync altered the index.
func (r SyncReport) Changed() bool { return r.Added+r.Updated+r.Removed > 0 }

// Skip names a file that was not indexed and why.
type Skip struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Progress is reported after each file a Sync looks at.
type Progress struct {
	Done, Total int
	Source      string
}

// Sync brings the index up to date with the files under dir: new files are
// added, changed ones (by content hash) replace their chunks, removed ones
// leave the index, unchanged ones cost a read and a hash. A file that cannot
// be used is skipped and named in the report; it never stops the Sync. Files
// are read, chunked and embedded in parallel and written to the stores in
// batches. The snapshot is saved when something changed, and at least every
// Config.SaveEvery during a long Sync, so an interrupted Sync resumes.
// progress may be nil.
func (x *Index) Sync(ctx context.Context, dir string, progress func(Progress)) (SyncReport, error) {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()

	var rep SyncReport
	files, err := listCorpus(dir)
	if err != nil {
		return rep, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := x.prepare(ctx, files)

	seen := make(map[string]bool, len(files))
	var batch []prepared
	batchChunks, dirty, lastSave := 0, false, time.Now()
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := x.putBatch(ctx, batch); err != nil {
			return err
		}
		for _, p := range batch {
			if p.old {
				rep.Updated++
			} else {
				rep.Added++
			}
		}
		batch, batchChunks, dirty = batch[:0], 0, true
		return nil
	}
	done := 0
	for r := range results {
		if r.err != nil {
			cancel()
			return rep, x.finishSync(dirty || len(batch) > 0, errors.Join(r.err, flush()))
		}
		seen[r.file.source] = true
		switch {
		case r.reason != "":
			rep.Skipped = append(rep.Skipped, Skip{Source: r.file.source, Reason: r.reason})
			if r.old {
				// The file is now unusable: drop its stale chunks too.
				if err := x.remove(ctx, r.file.source); err != nil {
					cancel()
					return rep, x.finishSync(true, err)
				}
				dirty = true
			}
		case r.rec == nil:
			rep.Unchanged++
		default:
			batch = append(batch, r)
			batchChunks += len(r.rec.chunks)
		}
		done++
		if progress != nil {
			progress(Progress{Done: done, Total: len(files), Source: r.file.source})
		}
		if batchChunks >= syncBatchChunks || len(batch) > 0 && time.Since(lastSave) > x.cfg.SaveEvery {
			if err := flush(); err != nil {
				cancel()
				return rep, x.finishSync(dirty, err)
			}
		}
		if dirty && time.Since(lastSave) > x.cfg.SaveEvery {
			if err := x.save(); err != nil {
				cancel()
				return rep, err
			}
			dirty, lastSave = false, time.Now()
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, x.finishSync(dirty || len(batch) > 0, errors.Join(err, flush()))
	}
	if err := flush(); err != nil {
		return rep, x.finishSync(dirty, err)
	}

	for _, src := range x.sources() {
		if seen[src] {
			continue
		}
		if err := x.remove(ctx, src); err != nil {
			return rep, x.finishSync(dirty, err)
		}
		rep.Removed++
		dirty = true
	}
	if err := x.finishSync(dirty, nil); err != nil {
		return rep, err
	}
	rep.Documents, rep.Chunks = x.Size()
	return rep, nil
}

// syncBatchChunks is how many new chunks are written to the stores at once:
// a lexical index pays per write, not per chunk.
const syncBatchChunks = 2048

// finishSync saves what was done before returning cause, so that work is not
// lost when a Sync is cancelled or fails part way.
func (x *Index) finishSync(dirty bool, cause error) error {
	if dirty {
		if err := x.save(); err != nil {
			return errors.Join(cause, err)
		}
	}
	return cause
}

type corpusFile struct {
	path, source string
}

// listCorpus returns the regular, non-hidden files under dir in a stable
// order.
func listCorpus(dir string) ([]corpusFile, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w: %s", ErrNoCorpus, dir)
	}
	var files []corpusFile
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // an unreadable sub-directory is skipped by the walk
		}
		name := d.Name()
		if path != dir && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files = append(files, corpusFile{path: path, source: filepath.ToSlash(rel)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list corpus %s: %w", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].source < files[j].source })
	return files, nil
}

// prepared is one file after the parallel stage: unchanged (rec nil, no
// reason), skipped (reason), or a new record to write. old tells whether the
// index held the source before.
type prepared struct {
	file   corpusFile
	rec    *record
	reason string
	old    bool
	err    error
}

// prepare reads, hashes, parses, chunks and embeds files on all cores. The
// results come in any order; the channel closes when all are done or ctx
// ends.
func (x *Index) prepare(ctx context.Context, files []corpusFile) <-chan prepared {
	jobs := make(chan corpusFile)
	out := make(chan prepared)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				r := x.prepareFile(ctx, f)
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// prepareFile does the per-file work of a Sync. Problems with the file
// itself are a skip with a reason; only failures of the pipeline (the
// embedder) are errors.
func (x *Index) prepareFile(ctx context.Context, f corpusFile) prepared {
	x.mu.RLock()
	old := x.docs[f.source]
	x.mu.RUnlock()
	p := prepared{file: f, old: old != nil}
	data, err := os.ReadFile(f.path)
	if err != nil {
		p.reason = fmt.Sprintf("unreadable: %v", errors.Unwrap(err))
		return p
	}
	hash := Hash(data)
	if old != nil && old.doc.Hash == hash {
		return p
	}
	doc, reason := x.parse(ctx, f.source, data, hash)
	if reason != "" {
		p.reason = reason
		return p
	}
	p.rec, p.err = x.build(ctx, doc)
	return p
}

// parse loads and cleans one file; a non-empty reason means it is skipped.
func (x *Index) parse(ctx context.Context, source string, data []byte, hash string) (Document, string) {
	if len(data) == 0 {
		return Document{}, "empty file"
	}
	text, err := x.cfg.Loader.Load(ctx, source, data)
	switch {
	case errors.Is(err, ErrUnsupported):
		return Document{}, "unsupported file type"
	case err != nil:
		return Document{}, fmt.Sprintf("cannot be read: %v", err)
	case LooksBinary(data) && !isBinaryFormat(source):
		return Document{}, "binary file"
	}
	if !utf8.ValidString(text) {
		// Not UTF-8: most likely a legacy single-byte encoding.
		text = decodeWindows1252(text)
	}
	kept := Clean(text)
	if len(kept) == 0 {
		return Document{}, "no text after cleaning"
	}
	return Document{
		Source: source,
		Title:  Title(text, kept),
		Date:   Date(text, kept),
		Hash:   hash,
		Text:   text,
		Kept:   kept,
	}, ""
}

// decodeWindows1252 reads text as Windows-1252 (a superset of Latin-1 for
// printable text), the usual encoding of text files that are not UTF-8.
func decodeWindows1252(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xa0 && cp1252[c-0x80] != 0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// cp1252 maps bytes 0x80–0x9f of Windows-1252; 0 marks an undefined byte.
var cp1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// isBinaryFormat reports formats whose loader reads binary data.
func isBinaryFormat(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".pdf")
}

// build chunks and embeds a document.
func (x *Index) build(ctx context.Context, doc Document) (*record, error) {
	chunks, err := SplitDocument(doc, x.cfg.Splitter)
	if err != nil {
		return nil, fmt.Errorf("chunk %s: %w", doc.Source, err)
	}
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = embedText(c)
	}
	vecs, err := x.cfg.Embedder.EmbedDocuments(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("embed %s: %w", doc.Source, err)
	}
	if len(vecs) != len(chunks) {
		return nil, fmt.Errorf("embed %s: %d vectors for %d chunks", doc.Source, len(vecs), len(chunks))
	}
	return &record{doc: doc, chunks: chunks, vectors: vecs}, nil
}

// embedText is what is embedded for a chunk: its text, headed by the
// document's title so that a passage is found by what its document is about.
func embedText(c Chunk) string {
	if c.Title == "" || strings.Contains(c.Text, c.Title) {
		return c.Text
	}
	return c.Title + "\n" + c.Text
}

// putBatch writes several prepared records as one batch, under one lock.
func (x *Index) putBatch(ctx context.Context, batch []prepared) error {
	var chunks []Chunk
	var vectors [][]float32
	for _, p := range batch {
		chunks = append(chunks, p.rec.chunks...)
		vectors = append(vectors, p.rec.vectors...)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, p := range batch {
		if err := x.drop(ctx, p.rec.doc.Source); err != nil {
			return err
		}
	}
	if len(chunks) > 0 {
		if err := x.cfg.Store.Add(ctx, chunks, vectors); err != nil {
			return fmt.Errorf("store: add %d chunks: %w", len(chunks), err)
		}
		if err := x.cfg.Lexical.Add(ctx, chunks); err != nil {
			return fmt.Errorf("lexical index: add %d chunks: %w", len(chunks), err)
		}
	}
	for _, p := range batch {
		x.adopt(p.rec)
	}
	return nil
}

// remove drops a source from the index.
func (x *Index) remove(ctx context.Context, src string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.drop(ctx, src); err != nil {
		return err
	}
	if old := x.docs[src]; old != nil {
		x.forget(old)
		delete(x.docs, src)
	}
	return nil
}

// drop deletes a source's chunks from the store and the lexical index;
// x.mu must be held.
func (x *Index) drop(ctx context.Context, src string) error {
	if err := x.cfg.Store.DeleteSource(ctx, src); err != nil {
		return fmt.Errorf("store: delete %s: %w", src, err)
	}
	if err := x.cfg.Lexical.DeleteSource(ctx, src); err != nil {
		return fmt.Errorf("lexical index: delete %s: %w", src, err)
	}
	return nil
}

// adopt makes rec the index's record of its source; x.mu must be held.
func (x *Index) adopt(rec *record) {
	if old := x.docs[rec.doc.Source]; old != nil {
		x.forget(old)
	}
	x.docs[rec.doc.Source] = rec
	for _, c := range rec.chunks {
		x.chunks[c.ID] = c
		x.terms.add(c.Text)
	}
	if x.dims == 0 && len(rec.vectors) > 0 {
		x.dims = len(rec.vectors[0])
	}
}

// forget removes rec's chunks from the lookup tables; x.mu must be held.
func (x *Index) forget(rec *record) {
	for _, c := range rec.chunks {
		delete(x.chunks, c.ID)
		x.terms.remove(c.Text)
	}
}

func (x *Index) sources() []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]string, 0, len(x.docs))
	for s := range x.docs {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// save writes the snapshot; it holds the read lock so that no document is
// swapped in while the snapshot is taken.
func (x *Index) save() error {
	if x.cfg.DataDir == "" {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	recs := make([]*record, 0, len(x.docs))
	for _, s := range sortedKeys(x.docs) {
		recs = append(recs, x.docs[s])
	}
	return writeSnapshotTerms(x.cfg.DataDir, x.cfg.EmbedderID, x.dims, recs, x.termCounts(), x.lexicalSaver())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Size returns the number of indexed documents and chunks.
func (x *Index) Size() (docs, chunks int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.docs), len(x.chunks)
}

// DocumentInfo describes one indexed document.
type DocumentInfo struct {
	Source string `json:"source"`
	Title  string `json:"title"`
	Date   string `json:"date,omitempty"`
	Chunks int    `json:"chunks"`
}

// Documents lists the indexed documents by source.
func (x *Index) Documents() []DocumentInfo {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]DocumentInfo, 0, len(x.docs))
	for _, s := range sortedKeys(x.docs) {
		r := x.docs[s]
		out = append(out, DocumentInfo{Source: s, Title: r.doc.Title, Date: r.doc.Date, Chunks: len(r.chunks)})
	}
	return out
}

// Document returns one indexed document, with its text.
func (x *Index) Document(source string) (Document, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	r, ok := x.docs[source]
	if !ok {
		return Document{}, false
	}
	return r.doc, true
}
