package rag

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
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
	// Rarity, optional, tells how common a question's words are in general
	// use. By default the WordVectors', or the Embedder's, when they have
	// it; without it every word counts as rare.
	Rarity  WordRarity
	DataDir string
	// SaveEvery bounds how long ingest work may go unsaved; 0 means 30s.
	SaveEvery time.Duration
	// MaxFileBytes is the largest file Sync reads; a larger one is skipped.
	// 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
}

// DefaultMaxFileBytes is the largest file a Sync reads unless
// Config.MaxFileBytes says otherwise.
const DefaultMaxFileBytes = 64 << 20

// Index keeps chunks, vectors and term statistics in step with a corpus
// directory and answers questions from them. It is safe for concurrent use:
// queries run alongside each other, Sync excludes them only while it swaps
// documents in.
type Index struct {
	// cfg.Embedder remembers the vectors of the sentences answers are
	// chosen among (see cachedSentenceVectors); embedder is the one
	// configured, which embeds chunks.
	cfg      Config
	embedder Embedder

	syncMu sync.Mutex // one Sync at a time

	mu     sync.RWMutex
	docs   map[string]*record // by source
	chunks map[string]*Chunk  // by ID: the chunks of the records in docs
	terms  termStats
	dims   int
	// vocab numbers the words of the chunks questions have read; reads
	// holds, by chunk, those readings (see reading).
	vocab   *vocabulary
	readsMu sync.RWMutex
	reads   map[*Chunk]*chunkReading
	// skipped are the files the loader could not use, by source, so that
	// an unchanged one is not parsed again (see skippedFile).
	skipped map[string]skippedFile

	// acronyms is what the documents abbreviate, read when a question
	// first needs it (see inDocumentTerms); nil again when they change.
	acronyms atomic.Pointer[acronymTable]
	// spellings is the documents' vocabulary, read when a question first
	// has a word no chunk has (see inDocumentTerms); nil again when they
	// change.
	spellings atomic.Pointer[spellings]
	// grouped is the numbers the documents write with separators, read
	// when a question first has a number no chunk has (see groupThousands).
	grouped atomic.Pointer[groupedNumbers]
	// shown is the answers last given, for the follow-ups after them
	// (see shownTurns); nil again when the documents change.
	shown atomic.Pointer[shownTurns]
	// wordsRead is held by the one question that reads acronyms,
	// spellings or grouped (see readOnce).
	wordsRead sync.Mutex

	model    Model // the fitted answer models
	modelErr error // why model cannot be used (fitted for other features); train does not need it

	// unsaved is set while the index holds work the last save failed to
	// write, so that the next Sync saves even when nothing changed.
	unsaved atomic.Bool
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
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.WordVectors == nil {
		cfg.WordVectors, _ = cfg.Embedder.(WordVectors)
	}
	if cfg.Rarity == nil {
		cfg.Rarity, _ = cfg.WordVectors.(WordRarity)
	}
	if cfg.Rarity == nil {
		cfg.Rarity, _ = cfg.Embedder.(WordRarity)
	}
	chunks := cfg.Embedder
	cfg.Embedder = newCachedSentenceVectors(cfg.Embedder)
	return &Index{cfg: cfg, embedder: chunks, docs: map[string]*record{}, chunks: map[string]*Chunk{}, skipped: map[string]skippedFile{},
		terms: newTermStats(), vocab: newVocabulary(), reads: map[*Chunk]*chunkReading{},
		model: fitted, modelErr: fitted.check()}, nil
}

// Load reads the snapshot in the data directory, if there is one. An
// unusable snapshot yields an error wrapping ErrSnapshot and leaves the index
// empty, so that the next Sync rebuilds it; callers report it and go on.
// A snapshot that is usable in part is loaded and yields one such error too,
// saying what is done about the rest: a damaged saved lexical index is
// rebuilt from the snapshot's chunks, chunks made with other settings
// (Versioned) are made again by the next Sync. The error's text is the
// whole warning.
func (x *Index) Load(ctx context.Context) error {
	if x.cfg.DataDir == "" {
		return nil
	}
	snap, err := readSnapshotFile(x.cfg.DataDir, x.cfg.EmbedderID)
	if err == nil && snap != nil {
		err = x.checkSnapshot(snap)
	}
	if errors.Is(err, ErrSnapshot) {
		return fmt.Errorf("%w; rebuilding the index from the corpus", err)
	}
	if err != nil || snap == nil {
		return err
	}
	stale := x.staleSettings(snap)
	var lexWarning error
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	// One batch for everything: the lexical index makes a segment per Add.
	// The records' own chunks, not a copy: the lexical index keeps them.
	chunks, vectors := snap.chunks, snap.vectors
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(chunks) > 0 {
		// The store takes the chunks in while the lexical index opens its
		// saved copy, which neither reads nor writes the store; indexing
		// them (when there is no usable copy) waits for the store, as a
		// lexical index that is a view of the store needs.
		var storeErr error
		stored := make(chan struct{})
		go func() {
			defer close(stored)
			storeErr = x.cfg.Store.Add(ctx, chunks, vectors)
		}()
		used, warning, err := x.addSavedLexical(ctx, snap, chunks)
		<-stored
		if storeErr != nil {
			return fmt.Errorf("load snapshot: store: %w", storeErr)
		}
		if err == nil && !used {
			err = x.cfg.Lexical.Add(ctx, chunks)
		}
		if err != nil {
			return fmt.Errorf("load snapshot: lexical index: %w", err)
		}
		lexWarning = warning
	}
	x.adoptSnapshot(snap)
	if lexWarning != nil {
		// The next Sync saves a sound copy, even if nothing changed.
		x.unsaved.Store(true)
	}
	return joinWarnings(lexWarning, stale)
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
	// ChangedSources are the sources added, updated or removed, in the
	// order the Sync changed them, for a log line to name; the counts are
	// the JSON.
	ChangedSources []string `json:"-"`
}

// Changed reports whether the Sync altered the index.
func (r SyncReport) Changed() bool { return r.Added+r.Updated+r.Removed > 0 }

// Skip names a file that was not indexed and why.
type Skip struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
	// Repeated is set when the file was skipped before for the same reason
	// and has not changed since: front ends need not warn of it again.
	Repeated bool `json:"repeated,omitempty"`
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
// When the Sync is done but the snapshot cannot be written, it returns the
// whole report and an error wrapping ErrNotSaved: the index answers from
// memory, and the next Sync (or Save) saves even if nothing changed.
// progress may be nil.
func (x *Index) Sync(ctx context.Context, dir string, progress func(Progress)) (SyncReport, error) {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()

	var rep SyncReport
	// A corpus named by a symbolic link is the directory it leads to (now:
	// a link re-pointed between Syncs is followed), which the walk would
	// not enter.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
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
			rep.ChangedSources = append(rep.ChangedSources, p.file.source)
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
		if x.rememberSkip(r) {
			dirty = true
		}
		switch {
		case r.reason != "":
			rep.Skipped = append(rep.Skipped, Skip{Source: r.file.source, Reason: r.reason, Repeated: r.remembered})
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
			// A failed save (ErrNotSaved) does not stop the Sync: the
			// index in memory is what answers. It is tried again at the
			// end.
			if x.save() == nil {
				dirty = false
			}
			lastSave = time.Now()
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, x.finishSync(dirty || len(batch) > 0, errors.Join(err, flush()))
	}
	if err := flush(); err != nil {
		return rep, x.finishSync(dirty, err)
	}

	x.mu.Lock()
	for src := range x.skipped {
		if !seen[src] {
			delete(x.skipped, src)
			dirty = true
		}
	}
	x.mu.Unlock()
	for _, src := range x.sources() {
		if seen[src] {
			continue
		}
		if err := x.remove(ctx, src); err != nil {
			return rep, x.finishSync(dirty, err)
		}
		rep.Removed++
		rep.ChangedSources = append(rep.ChangedSources, src)
		dirty = true
	}
	err = x.finishSync(dirty, nil)
	rep.Documents, rep.Chunks = x.Size()
	return rep, err
}

// rememberSkip records that the loader could not use r's file, or forgets
// that it could not once it is usable or skipped for another reason, and
// reports whether that changed what the snapshot holds.
func (x *Index) rememberSkip(r prepared) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r.remembered {
		return false
	}
	was, ok := x.skipped[r.file.source]
	if r.hash == "" {
		if r.reason == "" && r.rec == nil {
			return false // unchanged and indexed
		}
		delete(x.skipped, r.file.source)
		return ok
	}
	now := skippedFile{Source: r.file.source, Hash: r.hash, Reason: r.reason}
	x.skipped[r.file.source] = now
	return !ok || was != now
}

// ForgetSkipped makes the next Sync try again the files the loader could
// not use, changed or not (a parser's time limit may have been met on a
// busy machine).
func (x *Index) ForgetSkipped() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.skipped) > 0 {
		clear(x.skipped)
		x.unsaved.Store(true)
	}
}

// syncBatchChunks is how many new chunks are written to the stores at once:
// a lexical index pays per write, not per chunk.
const syncBatchChunks = 2048

// storeBatchChunks is the most chunks passed to a store in one call. A
// lexical index holds the analysis of a whole call while it builds its
// segment: ingesting one 16 MiB file peaked at 15.9, 16.5, 17.5 and 24.5
// times the file's size in heap with calls of 512, 1024, 2048 and 16384
// chunks (bleve).
const storeBatchChunks = 1024

// finishSync saves what was done before returning cause, so that work is not
// lost when a Sync is cancelled or fails part way.
func (x *Index) finishSync(dirty bool, cause error) error {
	if dirty || x.unsaved.Load() {
		if err := x.save(); err != nil {
			return errors.Join(cause, err)
		}
	}
	return cause
}

// corpusFile is a file of the corpus: where to read it and the source it is
// indexed as. A non-empty reason means it is skipped, with that reason.
type corpusFile struct {
	path, source string
	rel          string // its path under the corpus, slash-separated
	reason       string
}

// CorpusFile is a file of a corpus directory that Sync reads.
type CorpusFile struct {
	Source string // the source it is indexed as
	Rel    string // its path under the directory, slash-separated
	Path   string // where it is read: the file, or the one its link leads to
}

// CorpusFiles lists the files of the corpus directory dir that Sync reads,
// in Sync's order, by Sync's rules: hidden files and folders are left out,
// and so is a symbolic link that leads out of dir, to a hidden file or to
// no regular file.
func CorpusFiles(dir string) ([]CorpusFile, error) {
	files, err := listCorpus(dir)
	if err != nil {
		return nil, err
	}
	out := make([]CorpusFile, 0, len(files))
	for _, f := range files {
		if f.reason == "" {
			out = append(out, CorpusFile{Source: f.source, Rel: f.rel, Path: f.path})
		}
	}
	return out, nil
}

// listCorpus returns the regular, non-hidden files under dir in a stable
// order. A symbolic link to a regular file inside dir is read as a file of
// its own name; any other link (to a directory, outside dir, or dangling)
// is listed as skipped, with the reason, and never followed.
func listCorpus(dir string) ([]corpusFile, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs // the message says which folder, wherever it was run
		}
		return nil, fmt.Errorf("%w: %s", ErrNoCorpus, dir)
	}
	// Where links lead is compared with the root's real path.
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoCorpus, dir, err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, fmt.Errorf("list corpus %s: %w", dir, err)
	}
	// The walk is of the real folder: a corpus named by a link to it
	// ("--corpus docs", docs → /srv/handbook) is read as the folder itself.
	var files []corpusFile
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			return nil // an unreadable sub-directory is skipped by the walk
		}
		name := d.Name()
		if path != root && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		link := d.Type()&fs.ModeSymlink != 0
		if !d.Type().IsRegular() && !link {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		f := corpusFile{path: path, rel: rel, source: SourceName(rel)}
		if link {
			f.path, f.reason = followLink(root, path)
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list corpus %s: %w", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].source < files[j].source })
	return files, nil
}

// followLink resolves the symbolic link at path. It returns the real path
// of the regular file it leads to when that lies inside root (a real,
// absolute path) and is not hidden, and otherwise why it is skipped: a link
// leading out of the corpus would let a document name any file the process
// can read, and one to a hidden file would index what the walk leaves out
// (such as an index kept in the corpus).
func followLink(root, path string) (target, reason string) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", "symbolic link that leads nowhere"
	}
	if real, err = filepath.Abs(real); err != nil {
		return "", "symbolic link that cannot be resolved"
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", "symbolic link to a file outside the corpus (not followed)"
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, ".") && part != "." {
			return "", "symbolic link to a hidden file (not followed)"
		}
	}
	st, err := os.Stat(real)
	switch {
	case err != nil:
		return "", "symbolic link that leads nowhere"
	case st.IsDir():
		return "", "symbolic link to a directory (not followed)"
	case !st.Mode().IsRegular():
		return "", "symbolic link to something other than a file"
	}
	return real, ""
}

// SourceName returns the source a file of the corpus is indexed as, given
// its slash-separated path relative to the corpus root. Valid UTF-8 names
// without control characters are kept as they are; bytes that are not
// UTF-8 and control characters (C0, DEL, C1) are written as %XX, and so is
// a '%' that is followed by two hex digits, so that every name stays
// distinct and the original bytes can be recovered by reading each %XX as
// one byte.
func SourceName(rel string) string {
	clean := true
	for i, r := range rel {
		if r == utf8.RuneError || isControlRune(r) || r == '%' && hexAt(rel, i+1) && hexAt(rel, i+2) {
			clean = false
			break
		}
	}
	if clean {
		return rel
	}
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	esc := func(c byte) { b.WriteByte('%'); b.WriteByte(hexDigits[c>>4]); b.WriteByte(hexDigits[c&15]) }
	for i := 0; i < len(rel); {
		r, size := utf8.DecodeRuneInString(rel[i:])
		switch {
		case r == utf8.RuneError && size <= 1, isControlRune(r),
			r == '%' && hexAt(rel, i+1) && hexAt(rel, i+2):
			for k := range max(size, 1) {
				esc(rel[i+k])
			}
		default:
			b.WriteString(rel[i : i+size])
		}
		i += max(size, 1)
	}
	return b.String()
}

// isControlRune reports C0 and C1 control characters and DEL.
func isControlRune(r rune) bool { return r < 0x20 || 0x7f <= r && r < 0xa0 }

func hexAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
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
	// hash is the content hash of a file the loader could not use (the
	// reason says why), to remember it by; "" for other skips.
	hash string
	// remembered is set when the file was skipped as remembered, without
	// parsing it again.
	remembered bool
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
	if f.reason != "" {
		p.reason = f.reason
		return p
	}
	data, err := readLimited(f.path, x.cfg.MaxFileBytes)
	switch {
	case errors.Is(err, errTooLarge):
		p.reason = fmt.Sprintf("larger than max_file_bytes (%d bytes)", x.cfg.MaxFileBytes)
		return p
	case err != nil:
		p.reason = fmt.Sprintf("unreadable: %v", errors.Unwrap(err))
		return p
	}
	hash := Hash(data)
	if old != nil && old.doc.Hash == hash {
		return p
	}
	x.mu.RLock()
	skipped, ok := x.skipped[f.source]
	x.mu.RUnlock()
	if ok && skipped.Hash == hash {
		p.reason, p.hash, p.remembered = skipped.Reason, hash, true
		return p
	}
	doc, reason := x.parse(ctx, f.source, data, hash)
	if err := ctx.Err(); err != nil {
		// A loader stopped by the cancellation says nothing about the
		// file: the Sync fails, and the file keeps its chunks.
		p.err = err
		return p
	}
	if reason != "" {
		p.reason = reason
		p.hash = hash
		return p
	}
	p.rec, p.err = x.build(ctx, doc)
	return p
}

// unsupported is the reason a file of a type the loader does not read is
// skipped.
const unsupported = "unsupported file type"

// errTooLarge reports a file over the size limit.
var errTooLarge = errors.New("file too large")

// readLimited reads the file at path, or fails with errTooLarge when it
// holds more than limit bytes. The size is checked before reading, and the
// read stops after limit+1 bytes, so a file that grows meanwhile (or a
// sparse one that claims little) is bounded too.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, errTooLarge
	}
	r := io.LimitReader(f, limit+1)
	// One allocation for a file that keeps its size (+1 to see the end).
	data := make([]byte, 0, st.Size()+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, errTooLarge
		}
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
	}
}

// parse loads and cleans one file; a non-empty reason means it is skipped.
func (x *Index) parse(ctx context.Context, source string, data []byte, hash string) (Document, string) {
	if len(data) == 0 {
		return Document{}, "empty file"
	}
	if !x.isBinaryFormat(source) {
		data = decodeBOM(data)
	}
	text, err := x.cfg.Loader.Load(ctx, source, data)
	switch {
	case errors.Is(err, ErrUnsupported):
		return Document{}, unsupported
	case err != nil:
		return Document{}, fmt.Sprintf("cannot be read: %v", err)
	case LooksBinary(data) && !x.isBinaryFormat(source):
		return Document{}, "binary file"
	}
	if !utf8.ValidString(text) {
		// Not UTF-8: most likely a legacy single-byte encoding.
		text = decodeWindows1252(text)
	}
	text = strings.TrimPrefix(text, byteOrderMark)
	kept := Clean(text)
	if len(kept) == 0 {
		return Document{}, "no text after cleaning"
	}
	title := Title(text, kept)
	if isMarkdown(source) {
		title = plainMarkdown(title) // "**Acme** handbook" reads "Acme handbook"
	}
	return Document{
		Source: source,
		Title:  title,
		Date:   Date(text, kept),
		Hash:   hash,
		Text:   text,
		Kept:   kept,
	}, ""
}

// byteOrderMark is U+FEFF, which some editors write at the start of a file
// to mark its encoding; it is not text.
const byteOrderMark = "\uFEFF"

// decodeBOM reads a file that starts with a byte order mark: UTF-16 (little
// or big endian) is decoded to UTF-8, and the mark itself is dropped. Data
// without one is returned as it is.
func decodeBOM(data []byte) []byte {
	switch {
	case len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf:
		return data[3:]
	case len(data) >= 2 && data[0] == 0xff && data[1] == 0xfe:
		return decodeUTF16(data[2:], binary.LittleEndian)
	case len(data) >= 2 && data[0] == 0xfe && data[1] == 0xff:
		return decodeUTF16(data[2:], binary.BigEndian)
	}
	return data
}

// decodeUTF16 decodes UTF-16 in the given byte order to UTF-8. Unpaired
// surrogates and a trailing odd byte become U+FFFD.
func decodeUTF16(data []byte, order binary.ByteOrder) []byte {
	out := make([]byte, 0, len(data)+len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		r := rune(order.Uint16(data[i:]))
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if i+3 < len(data) {
				r2 = rune(order.Uint16(data[i+2:]))
			}
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				r = d
				i += 2
			} else {
				r = utf8.RuneError
			}
		}
		out = utf8.AppendRune(out, r)
	}
	if len(data)%2 == 1 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return out
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

// isBinaryFormat reports formats whose loader reads binary data: those the
// Loader says it reads as bytes (BinaryFormats), and PDF.
func (x *Index) isBinaryFormat(name string) bool {
	if b, ok := x.cfg.Loader.(BinaryFormats); ok {
		return b.ReadsBinary(name)
	}
	return strings.EqualFold(filepath.Ext(name), ".pdf")
}

// build chunks and embeds a document.
func (x *Index) build(ctx context.Context, doc Document) (*record, error) {
	headings := docHeadings(doc)
	chunks, err := splitDocument(doc, x.cfg.Splitter, headings)
	if err != nil {
		return nil, fmt.Errorf("chunk %s: %w", doc.Source, err)
	}
	// In batches, so that the texts to embed (which repeat each chunk,
	// headed by the title) and the embedder's own work are bounded by the
	// batch rather than the document.
	vecs := make([][]float32, 0, len(chunks))
	texts := make([]string, 0, min(len(chunks), embedBatch))
	for lo := 0; lo < len(chunks); lo += embedBatch {
		batch := chunks[lo:min(lo+embedBatch, len(chunks))]
		texts = texts[:0]
		for _, c := range batch {
			texts = append(texts, embedText(c))
		}
		vs, err := x.embedder.EmbedDocuments(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("embed %s: %w", doc.Source, err)
		}
		if len(vs) != len(batch) {
			return nil, fmt.Errorf("embed %s: %d vectors for %d chunks", doc.Source, len(vs), len(batch))
		}
		vecs = append(vecs, vs...)
	}
	return &record{doc: doc, chunks: chunks, vectors: vecs, headings: headings}, nil
}

// embedBatch is how many chunks are embedded in one call.
const embedBatch = 512

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
	// In slices, so that what a store holds while it takes them in (the
	// lexical index analyses a whole Add at once) is bounded by the slice,
	// not by the largest file.
	for lo := 0; lo < len(chunks); lo += storeBatchChunks {
		hi := min(lo+storeBatchChunks, len(chunks))
		if err := x.cfg.Store.Add(ctx, chunks[lo:hi], vectors[lo:hi]); err != nil {
			return fmt.Errorf("store: add %d chunks: %w", hi-lo, err)
		}
		if err := x.cfg.Lexical.Add(ctx, chunks[lo:hi]); err != nil {
			return fmt.Errorf("lexical index: add %d chunks: %w", hi-lo, err)
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
	x.dropDerived()
	for i := range rec.chunks {
		c := &rec.chunks[i]
		x.chunks[c.ID] = c
		x.terms.add(c.Text)
	}
	if x.dims == 0 && len(rec.vectors) > 0 {
		x.dims = len(rec.vectors[0])
	}
}

// dropDerived drops what the index derives from its documents' words and
// keeps until they change: the acronyms, the spellings, the grouped
// numbers and the answers last given, each made again when next needed.
func (x *Index) dropDerived() {
	x.acronyms.Store(nil)
	x.spellings.Store(nil)
	x.grouped.Store(nil)
	x.shown.Store(nil)
}

// forget removes rec's chunks from the lookup tables; x.mu must be held.
func (x *Index) forget(rec *record) {
	x.dropDerived()
	x.readsMu.Lock()
	defer x.readsMu.Unlock()
	if rec.loaded {
		x.ownChunks(rec)
	}
	for i := range rec.chunks {
		c := &rec.chunks[i]
		delete(x.chunks, c.ID)
		delete(x.reads, c)
		x.terms.remove(c.Text)
	}
}

// ownChunks gives each record whose chunks a snapshot load put in one
// shared array (record.loaded) an array of its own, but for except, which
// is being forgotten. It runs the first time such a record is forgotten,
// so that the shared array, and with it the texts of the documents
// forgotten, is freed once the lexical index lets go of it too (it keeps
// what Load gave it until its first write). The chunks move: the lookup
// tables are updated. The shared array is only read, as the lexical index
// may be reading it. x.mu and x.readsMu must be held.
func (x *Index) ownChunks(except *record) {
	for _, r := range x.docs {
		if !r.loaded {
			continue
		}
		r.loaded = false
		if r == except {
			continue
		}
		own := slices.Clone(r.chunks)
		for i := range own {
			old, c := &r.chunks[i], &own[i]
			x.chunks[c.ID] = c
			if rd, ok := x.reads[old]; ok {
				delete(x.reads, old)
				x.reads[c] = rd
			}
		}
		r.chunks = own
	}
	except.loaded = false
}

// maxReadings bounds the chunks whose readings are kept (about 1.7 KB
// each, 6.8 MB, in a heap profile of every allocation at 10k chunks; with
// the word and sentence vectors and the vocabulary, the caches hold about
// 15 MB once full); past it, a chunk read replaces one at random.
const maxReadings = 1 << 12

// reading returns the reading of c, one of the index's chunks, reading it
// the first time a question retrieves it; x.mu must be held.
func (x *Index) reading(c *Chunk) *chunkReading {
	x.readsMu.RLock()
	rd := x.reads[c]
	x.readsMu.RUnlock()
	if rd != nil {
		return rd
	}
	rd = readText(x.vocab, c.Text)
	x.readsMu.Lock()
	defer x.readsMu.Unlock()
	if old := x.reads[c]; old != nil {
		return old
	}
	if len(x.reads) >= maxReadings {
		for k := range x.reads { // a map's order is random
			delete(x.reads, k)
			break
		}
	}
	x.reads[c] = rd
	return rd
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
	meta := snapshotMeta{EmbedderID: x.cfg.EmbedderID, Settings: x.settings()}
	for _, s := range sortedKeys(x.skipped) {
		meta.Skipped = append(meta.Skipped, x.skipped[s])
	}
	err := writeSnapshotTerms(x.cfg.DataDir, meta, x.dims, recs, x.termCounts(), x.lexicalSaver())
	x.unsaved.Store(err != nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotSaved, err)
	}
	return nil
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
