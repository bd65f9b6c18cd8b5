package rag

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// ErrSnapshot reports a snapshot that cannot be used as saved: truncated,
// corrupted, from another program or version, or built by another embedder
// (the index is rebuilt from the corpus); or one whose saved lexical index
// is damaged (it is rebuilt from the snapshot's chunks), or whose chunks
// were made with other settings (every document is chunked and embedded
// again by the next Sync). The error says which.
var ErrSnapshot = errors.New("unusable index snapshot")

// ErrNotSaved reports that the snapshot could not be written (a full disk,
// a data directory that is not writable). The index in memory is up to
// date and answers; the next Sync or Save tries again.
var ErrNotSaved = errors.New("index snapshot not saved")

// SnapshotFile is the snapshot's file name inside the data directory.
const SnapshotFile = "index.snap"

// The snapshot format, version 3, all integers little-endian:
//
//	magic      [8]byte "CITEBOT\x00"
//	version    uint32
//	metaLen    uint64, then metaLen bytes: gob of snapshotMeta (which
//	           records the embedder and the settings the chunks were made
//	           with), every document's Text left empty and its length in
//	           TextLen
//	termsLen   uint64, then termsLen bytes: the term statistics (see
//	           encodeTerms), or none when termsLen is 0
//	textLen    uint64, then textLen bytes: every document's Text, in the
//	           order of the metadata's Documents, one after the other
//	dims       uint32
//	nvec       uint64, then nvec*dims float32: every chunk's vector, in
//	           document order then chunk order
//	crc        uint32: CRC-32C of every byte before it
//
// The texts are written straight from the documents, so that a save does
// not hold a copy of them (as gob does, in its buffer, of what it encodes).
// Version 2 is the same with each Text inside the metadata and no textLen
// and text block; version 1 is version 2 without termsLen and the term
// statistics. Both are still read; the statistics of version 1 are
// recomputed from the chunks.
//
// Next to the snapshot, a lexical index that can save itself (see
// lexicalSaver) is saved in a directory lexical-<random hex>, named in the
// metadata; it is written and synced before the snapshot that names it, and
// the directories of older snapshots are removed after it. A load that
// finds it starts the lexical index from it instead of indexing every
// chunk again; without it, or when the lexical index finds its copy
// damaged (it checks its own files), the load indexes them.
//
// The file is written to a temporary name, synced, renamed over the old one
// and the directory is synced, so a crash at any moment leaves either the old
// or the new snapshot, never a torn one. It is read in one pass: the vectors
// go straight from the file into the array the index keeps, and the checksum
// is computed on the way.
var snapshotMagic = [8]byte{'C', 'I', 'T', 'E', 'B', 'O', 'T', 0}

const snapshotVersion = 3

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type snapshotMeta struct {
	EmbedderID string
	Documents  []snapshotDoc
	// Lexical names the directory the lexical index was saved in, or "".
	Lexical string
	// Settings are those the chunks were made with; zero in snapshots
	// written before they were recorded.
	Settings indexSettings
	// Skipped are the files the loader could not use, by content: they
	// are not parsed again until they change (absent in older snapshots).
	Skipped []skippedFile
}

// skippedFile is a file the loader could not use: its content hash and
// why. A Sync that finds it unchanged skips it without parsing it again, so
// that a file that spins a parser to its time limit costs that once, not
// at every command.
type skippedFile struct {
	Source, Hash, Reason string
}

type snapshotDoc struct {
	Document Document // its Text is in the text block from version 3
	Chunks   []Span   // chunk offsets in Document.Text, by ordinal
	TextLen  int      // the length of Document.Text, from version 3
}

// record is one indexed document with its chunks and their vectors, and
// its headings, which give a quote its section.
type record struct {
	doc      Document
	chunks   []Chunk
	vectors  [][]float32
	headings []heading
	// loaded is set when chunks lie in the one array a snapshot's records
	// share with the lexical index (see snapshot.chunks and
	// Index.ownChunks).
	loaded bool
}

// snapshot is a decoded snapshot file.
type snapshot struct {
	recs []*record
	// chunks are every record's chunks, one after the other: each record's
	// are a part of it, so that the stores are given them without a copy
	// (the lexical index keeps what it is given until its first write);
	// vectors are theirs, likewise.
	chunks  []Chunk
	vectors [][]float32
	// terms are the term statistics of the chunks, nil when the file has
	// none or they were counted by another version of terms.
	terms *termCounts
	// lexical is the directory, in the data directory, the lexical index
	// was saved in with the snapshot, or "".
	lexical string
	// settings are those the chunks were made with.
	settings indexSettings
	// skipped are the files the loader could not use.
	skipped []skippedFile
	// dims is the length of every vector.
	dims int
}

// lexicalSaver is a lexical index that can be saved with a snapshot and
// started from the saved copy, as bm25.Index and bleveindex.Index can.
type lexicalSaver interface {
	// SaveTo writes the index as it is into dir, which does not exist.
	SaveTo(dir string) error
	// AddSaved is Add for an empty index given the directory SaveTo wrote
	// when the index held exactly chunks. It reports false, having done
	// nothing, when it cannot use it: with an error wrapping ErrSnapshot
	// when the copy is missing or damaged (it must check, and never panic
	// on a damaged copy), with nil when the index is not empty. Any other
	// error is the index's own.
	AddSaved(ctx context.Context, chunks []Chunk, dir string) (bool, error)
}

// termCounts are term statistics as a snapshot stores them.
type termCounts struct {
	n  int            // chunks counted
	df map[string]int // chunks each term occurs in
}

// Save writes the snapshot now, if the index has a data directory. Sync
// saves on its own; Save is for callers that choose the moment (a server
// shutting down, a benchmark).
func (x *Index) Save() error { return x.save() }

// writeSnapshot atomically replaces dir/SnapshotFile with recs and no term
// statistics or settings.
func writeSnapshot(dir, embedderID string, dims int, recs []*record) error {
	return writeSnapshotTerms(dir, snapshotMeta{EmbedderID: embedderID}, dims, recs, nil, nil)
}

// writeSnapshotTerms atomically replaces dir/SnapshotFile with recs, made
// with settings, and their term statistics (none if terms is nil), and
// saves lex with it unless lex is nil.
func writeSnapshotTerms(dir string, meta snapshotMeta, dims int, recs []*record, terms *termCounts, lex lexicalSaver) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return fmt.Errorf("data dir %s: lock: %w", dir, err)
	}
	defer unlock()
	// Holding the lock, any temporary snapshot is a crashed writer's.
	removeTemps(dir)
	tmp, err := os.CreateTemp(dir, ".index-*.tmp")
	if err != nil {
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	lexical := saveLexical(dir, lex)
	if lexical != "" {
		defer func() {
			if err != nil {
				os.RemoveAll(filepath.Join(dir, lexical))
			}
		}()
	}
	crc := crc32.New(castagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(tmp, crc), 1<<20)
	meta.Lexical = lexical
	if err := encodeSnapshot(w, meta, dims, recs, terms); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := binary.Write(tmp, binary.LittleEndian, crc.Sum32()); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, SnapshotFile)); err != nil {
		return fmt.Errorf("replace snapshot: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	removeLexical(dir, lexical)
	return nil
}

// saveLexical saves lex into a new directory of dir and returns its name,
// or "" if lex is nil or cannot be saved: a saved lexical index only spares
// the next load from indexing every chunk.
func saveLexical(dir string, lex lexicalSaver) string {
	if lex == nil {
		return ""
	}
	var id [8]byte
	rand.Read(id[:])
	name := "lexical-" + hex.EncodeToString(id[:])
	tmp := filepath.Join(dir, ".lexical-"+hex.EncodeToString(id[:])+".tmp")
	if err := lex.SaveTo(tmp); err != nil {
		os.RemoveAll(tmp)
		return ""
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.RemoveAll(tmp)
		return ""
	}
	if err := syncDir(dir); err != nil {
		os.RemoveAll(filepath.Join(dir, name))
		return ""
	}
	return name
}

// removeLexical deletes the saved lexical indexes of dir but keep.
func removeLexical(dir, keep string) {
	old, _ := filepath.Glob(filepath.Join(dir, "lexical-*"))
	for _, o := range old {
		if filepath.Base(o) != keep {
			os.RemoveAll(o)
		}
	}
}

// removeTemps deletes temporary snapshots and lexical indexes left by
// writers that crashed.
func removeTemps(dir string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, ".index-*.tmp"))
	lex, _ := filepath.Glob(filepath.Join(dir, ".lexical-*.tmp"))
	for _, t := range append(tmps, lex...) {
		os.RemoveAll(t)
	}
}

// encodeSnapshot writes recs as a snapshot whose metadata is meta (its
// Documents are filled from recs).
func encodeSnapshot(w io.Writer, meta snapshotMeta, dims int, recs []*record, terms *termCounts) error {
	meta.Documents = make([]snapshotDoc, len(recs))
	nvec, textLen, size := 0, 0, 0
	for i, r := range recs {
		spans := make([]Span, len(r.chunks))
		for j, c := range r.chunks {
			spans[j] = Span{c.Start, c.End}
		}
		doc := r.doc
		doc.Text = ""
		meta.Documents[i] = snapshotDoc{Document: doc, Chunks: spans, TextLen: len(r.doc.Text)}
		nvec += len(r.vectors)
		textLen += len(r.doc.Text)
		size += 16*len(r.chunks) + 8*len(doc.Kept) + 256
	}
	var metaBuf bytes.Buffer
	metaBuf.Grow(size)
	if err := gob.NewEncoder(&metaBuf).Encode(meta); err != nil {
		return err
	}
	le := binary.LittleEndian
	hdr := make([]byte, 0, 32)
	hdr = append(hdr, snapshotMagic[:]...)
	hdr = le.AppendUint32(hdr, snapshotVersion)
	hdr = le.AppendUint64(hdr, uint64(metaBuf.Len()))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	if _, err := w.Write(metaBuf.Bytes()); err != nil {
		return err
	}
	tb := encodeTerms(terms)
	if _, err := w.Write(le.AppendUint64(hdr[:0], uint64(len(tb)))); err != nil {
		return err
	}
	if _, err := w.Write(tb); err != nil {
		return err
	}
	if _, err := w.Write(le.AppendUint64(hdr[:0], uint64(textLen))); err != nil {
		return err
	}
	for _, r := range recs {
		if _, err := io.WriteString(w, r.doc.Text); err != nil {
			return err
		}
	}
	hdr = le.AppendUint32(hdr[:0], uint32(dims))
	hdr = le.AppendUint64(hdr, uint64(nvec))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 4*dims)
	for _, r := range recs {
		for _, v := range r.vectors {
			if len(v) != dims {
				return fmt.Errorf("vector of %d dims in a %d-dim index", len(v), dims)
			}
			b := buf
			if littleEndian {
				// The vector's own bytes are what the file holds.
				b = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*dims)
			} else {
				for i, f := range v {
					le.PutUint32(buf[4*i:], math.Float32bits(f))
				}
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeTerms encodes term statistics: termsVersion uint32, the number of
// chunks counted uint64, the number of terms uint64, then each term in
// order as uvarint length, bytes, uvarint document frequency. nil encodes
// as nothing.
func encodeTerms(t *termCounts) []byte {
	if t == nil {
		return nil
	}
	keys := make([]string, 0, len(t.df))
	size := 20
	for k := range t.df {
		keys = append(keys, k)
		size += len(k) + 2*binary.MaxVarintLen32
	}
	slices.Sort(keys)
	le := binary.LittleEndian
	b := make([]byte, 0, size)
	b = le.AppendUint32(b, termsVersion)
	b = le.AppendUint64(b, uint64(t.n))
	b = le.AppendUint64(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(t.df[k]))
	}
	return b
}

// decodeTerms reads what encodeTerms wrote; statistics of another
// termsVersion decode as nil.
func decodeTerms(b []byte) (*termCounts, error) {
	if len(b) == 0 {
		return nil, nil
	}
	le := binary.LittleEndian
	if len(b) < 20 {
		return nil, errors.New("truncated term statistics")
	}
	if le.Uint32(b) != termsVersion {
		return nil, nil
	}
	n, count := le.Uint64(b[4:]), le.Uint64(b[12:])
	b = b[20:]
	if count > uint64(len(b))/2 || n > math.MaxInt32 {
		return nil, errors.New("term statistics size mismatch")
	}
	// One string holds every term; the map's keys are slices of it.
	all := string(b)
	df := make(map[string]int, count)
	off := 0
	for range count {
		l, k := binary.Uvarint(b[off:])
		if k <= 0 || l > uint64(len(b)-off-k) {
			return nil, errors.New("corrupt term statistics")
		}
		off += k
		term := all[off : off+int(l)]
		off += int(l)
		d, k := binary.Uvarint(b[off:])
		if k <= 0 || d == 0 || d > n {
			return nil, errors.New("corrupt term statistics")
		}
		off += k
		df[term] = int(d)
	}
	if off != len(b) {
		return nil, errors.New("term statistics size mismatch")
	}
	return &termCounts{n: int(n), df: df}, nil
}

// readSnapshot loads dir/SnapshotFile. It returns (nil, nil) when there is no
// snapshot, and an error wrapping ErrSnapshot when the file cannot be used.
func readSnapshot(dir, embedderID string) ([]*record, error) {
	s, err := readSnapshotFile(dir, embedderID)
	if s == nil {
		return nil, err
	}
	return s.recs, err
}

// readSnapshotFile is readSnapshot with the term statistics.
func readSnapshotFile(dir, embedderID string) (*snapshot, error) {
	path := filepath.Join(dir, SnapshotFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	s, err := decode(f, st.Size(), embedderID)
	if err != nil {
		var rerr readError
		if errors.As(err, &rerr) {
			return nil, fmt.Errorf("read snapshot %s: %w", path, rerr.err)
		}
		return nil, fmt.Errorf("%w %s: %v", ErrSnapshot, path, err)
	}
	return s, nil
}

func decodeSnapshot(data []byte, embedderID string) ([]*record, error) {
	s, err := decode(bytes.NewReader(data), int64(len(data)), embedderID)
	if err != nil {
		return nil, err
	}
	return s.recs, nil
}

// readError is a failure to read the file, as opposed to a file that
// cannot be used.
type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }

// snapshotReader reads a snapshot of known size, keeping its checksum.
type snapshotReader struct {
	r    io.Reader
	left int64 // bytes not yet read
	crc  hash.Hash32
}

// next reads exactly len(p) bytes, failing if the file has fewer left.
func (s *snapshotReader) next(p []byte) error {
	if int64(len(p)) > s.left {
		return errors.New("truncated")
	}
	if _, err := io.ReadFull(s.r, p); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return errors.New("truncated")
		}
		return readError{err}
	}
	s.left -= int64(len(p))
	s.crc.Write(p)
	return nil
}

// nextLen reads a uint64 length and checks that the file has that many
// bytes left besides reserve.
func (s *snapshotReader) nextLen(reserve int64) (int, error) {
	var b [8]byte
	if err := s.next(b[:]); err != nil {
		return 0, err
	}
	n := binary.LittleEndian.Uint64(b[:])
	if n > uint64(max(s.left-reserve, 0)) {
		return 0, errors.New("truncated")
	}
	return int(n), nil
}

// decode reads a snapshot of size bytes from r.
func decode(r io.Reader, size int64, embedderID string) (*snapshot, error) {
	le := binary.LittleEndian
	sr := &snapshotReader{r: r, left: size, crc: crc32.New(castagnoli)}
	var hdr [12]byte
	if size < int64(len(hdr)) {
		return nil, errors.New("not a citebot snapshot")
	}
	if err := sr.next(hdr[:]); err != nil {
		return nil, err
	}
	if !bytes.Equal(hdr[:8], snapshotMagic[:]) {
		return nil, errors.New("not a citebot snapshot")
	}
	version := le.Uint32(hdr[8:])
	if version < 1 || version > snapshotVersion {
		return nil, fmt.Errorf("snapshot version %d, want %d", version, snapshotVersion)
	}
	// What every snapshot ends with: dims, nvec and the checksum.
	const tail = 4 + 8 + 4
	metaLen, err := sr.nextLen(tail)
	if err != nil {
		return nil, err
	}
	metaBuf := make([]byte, metaLen)
	if err := sr.next(metaBuf); err != nil {
		return nil, err
	}
	var termBuf []byte
	if version >= 2 {
		n, err := sr.nextLen(tail)
		if err != nil {
			return nil, err
		}
		termBuf = make([]byte, n)
		if err := sr.next(termBuf); err != nil {
			return nil, err
		}
	}
	var textBuf []byte
	if version >= 3 {
		n, err := sr.nextLen(tail)
		if err != nil {
			return nil, err
		}
		textBuf = make([]byte, n)
		if err := sr.next(textBuf); err != nil {
			return nil, err
		}
	}
	var vhdr [12]byte
	if err := sr.next(vhdr[:]); err != nil {
		return nil, err
	}
	dims, nvec := int(le.Uint32(vhdr[:])), le.Uint64(vhdr[4:])
	switch {
	case dims == 0 && nvec == 0 && sr.left == 4:
		// An index of no chunks, saved before any vector set its
		// dimensions (a corpus of no readable file yet).
	case dims <= 0 || nvec > uint64(sr.left)/4/uint64(dims) || uint64(sr.left) != nvec*uint64(dims)*4+4:
		return nil, errors.New("vector block size mismatch")
	}
	floats := make([]float32, int(nvec)*dims)
	if err := readFloats(sr, floats); err != nil {
		return nil, err
	}
	var sum [4]byte
	got := sr.crc.Sum32()
	if _, err := io.ReadFull(sr.r, sum[:]); err != nil {
		return nil, errors.New("truncated")
	}
	if le.Uint32(sum[:]) != got {
		return nil, errors.New("checksum mismatch (truncated or corrupted)")
	}

	// Only now that the checksum holds is the content trusted.
	var meta snapshotMeta
	if err := gob.NewDecoder(bytes.NewReader(metaBuf)).Decode(&meta); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	if meta.EmbedderID != embedderID {
		return nil, fmt.Errorf("built by embedder %q, not %q", meta.EmbedderID, embedderID)
	}
	terms, err := decodeTerms(termBuf)
	if err != nil {
		return nil, err
	}
	if version >= 3 {
		if err := setTexts(meta.Documents, textBuf); err != nil {
			return nil, err
		}
		textBuf = nil
	}
	recs := make([]*record, 0, len(meta.Documents))
	chunks, vectors := make([]Chunk, nvec), make([][]float32, nvec)
	next := 0
	for _, sd := range meta.Documents {
		d := sd.Document
		if len(sd.Chunks) > int(nvec)-next {
			return nil, errors.New("fewer vectors than chunks")
		}
		end := next + len(sd.Chunks)
		r := &record{doc: d, chunks: chunks[next:end:end], vectors: vectors[next:end:end], loaded: true}
		for i, sp := range sd.Chunks {
			if sp.Start < 0 || sp.End > len(d.Text) || sp.Start > sp.End {
				return nil, fmt.Errorf("chunk %d of %s out of range", i, d.Source)
			}
			r.chunks[i] = newChunk(d, i, sp)
			r.vectors[i] = floats[next*dims : (next+1)*dims : (next+1)*dims]
			next++
		}
		r.headings = docHeadings(d)
		setSections(d, r.headings, r.chunks)
		recs = append(recs, r)
	}
	if next != int(nvec) {
		return nil, errors.New("more vectors than chunks")
	}
	if terms != nil && terms.n != next {
		return nil, fmt.Errorf("term statistics of %d chunks for %d", terms.n, next)
	}
	if l := meta.Lexical; l != "" && (filepath.Base(l) != l || !strings.HasPrefix(l, "lexical-")) {
		return nil, fmt.Errorf("lexical index directory %q", l)
	}
	return &snapshot{recs: recs, chunks: chunks, vectors: vectors, terms: terms, lexical: meta.Lexical, settings: meta.Settings, skipped: meta.Skipped, dims: dims}, nil
}

// setTexts gives each document its text from the text block of a version 3
// snapshot, each its own string, so that a document dropped later does not
// keep the others' texts.
func setTexts(docs []snapshotDoc, block []byte) error {
	off := 0
	for i := range docs {
		n := docs[i].TextLen
		if n < 0 || n > len(block)-off {
			return errors.New("text block size mismatch")
		}
		docs[i].Document.Text = string(block[off : off+n])
		off += n
	}
	if off != len(block) {
		return errors.New("text block size mismatch")
	}
	return nil
}

// littleEndian reports whether float32s are stored as the snapshot stores
// them, so that they can be read in place.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// readFloats fills fs from the vector block.
func readFloats(sr *snapshotReader, fs []float32) error {
	if len(fs) == 0 {
		return nil
	}
	if littleEndian {
		return sr.next(unsafe.Slice((*byte)(unsafe.Pointer(&fs[0])), 4*len(fs)))
	}
	buf := make([]byte, 1<<16)
	for len(fs) > 0 {
		n := min(len(buf)/4, len(fs))
		if err := sr.next(buf[:4*n]); err != nil {
			return err
		}
		for i := range n {
			fs[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		fs = fs[n:]
	}
	return nil
}

// newChunk makes the ordinal-th chunk of d covering sp.
func newChunk(d Document, ordinal int, sp Span) Chunk {
	return Chunk{
		ID:      d.Source + "#" + strconv.Itoa(ordinal),
		Source:  d.Source,
		Title:   d.Title,
		Date:    d.Date,
		Ordinal: ordinal,
		Start:   sp.Start,
		End:     sp.End,
		Text:    d.Text[sp.Start:sp.End],
	}
}

// adoptSnapshot makes s's records the index's; x.mu must be held. Into an
// empty index the snapshot's term statistics are taken as they are, rather
// than counted again from every chunk.
func (x *Index) adoptSnapshot(s *snapshot) {
	for _, f := range s.skipped {
		x.skipped[f.Source] = f
	}
	if s.terms == nil || len(x.docs) > 0 || len(x.chunks) > 0 {
		for _, r := range s.recs {
			x.adopt(r)
		}
		return
	}
	n := 0
	for _, r := range s.recs {
		n += len(r.chunks)
	}
	x.chunks = make(map[string]*Chunk, n)
	for _, r := range s.recs {
		x.docs[r.doc.Source] = r
		for i := range r.chunks {
			x.chunks[r.chunks[i].ID] = &r.chunks[i]
		}
		if x.dims == 0 && len(r.vectors) > 0 {
			x.dims = len(r.vectors[0])
		}
	}
	x.terms.replace(s.terms.n, s.terms.df)
	x.dropDerived()
}

// addSavedLexical starts the lexical index from the copy saved with the
// snapshot where there is one it can use, and reports whether it did; the
// caller then gives it the chunks with Add. A saved copy that is damaged or
// missing is not an error but a warning, returned as such (wrapping
// ErrSnapshot); err is a failure of the lexical index. x.mu must be held.
func (x *Index) addSavedLexical(ctx context.Context, s *snapshot, chunks []Chunk) (used bool, warning, err error) {
	ls, ok := x.cfg.Lexical.(lexicalSaver)
	if !ok || s.lexical == "" {
		return false, nil, nil
	}
	used, err = ls.AddSaved(ctx, chunks, filepath.Join(x.cfg.DataDir, s.lexical))
	if used {
		return true, nil, nil
	}
	if errors.Is(err, ErrSnapshot) {
		return false, fmt.Errorf("%w; indexed the snapshot's chunks again", err), nil
	}
	return false, nil, err
}

// checkSnapshot returns an error wrapping ErrSnapshot when s cannot be
// used at all: its vectors are not as long as the embedder's.
func (x *Index) checkSnapshot(s *snapshot) error {
	d, ok := x.cfg.Embedder.(interface{ Dimensions() int })
	if !ok || len(s.recs) == 0 || s.dims == d.Dimensions() {
		return nil
	}
	return fmt.Errorf("%w %s: vectors of %d dimensions, the embedder makes %d",
		ErrSnapshot, filepath.Join(x.cfg.DataDir, SnapshotFile), s.dims, d.Dimensions())
}

// staleSettings compares the settings s was made with to the index's. When
// they differ, it marks every record of s stale (its hash forgotten, so
// that the next Sync chunks and embeds the file again; until then the old
// chunks answer) and returns a warning wrapping ErrSnapshot that says why.
func (x *Index) staleSettings(s *snapshot) error {
	why := changedSettings(s.settings, x.settings())
	if why == "" || len(s.recs) == 0 {
		return nil
	}
	for _, r := range s.recs {
		r.doc.Hash = ""
	}
	s.skipped = nil // another loader may read them
	return fmt.Errorf("%w %s: %s; every document is chunked and embedded again by the next sync",
		ErrSnapshot, filepath.Join(x.cfg.DataDir, SnapshotFile), why)
}

// lexicalSaver returns the lexical index if it can be saved with a
// snapshot, else nil.
func (x *Index) lexicalSaver() lexicalSaver {
	ls, _ := x.cfg.Lexical.(lexicalSaver)
	return ls
}

// termCounts returns the index's term statistics for a snapshot; x.mu must
// be held (read).
func (x *Index) termCounts() *termCounts {
	n, df := x.terms.snapshot()
	return &termCounts{n: n, df: df}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync data dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync data dir: %w", err)
	}
	return nil
}

// joinWarnings returns the non-nil warnings as one error whose text is
// theirs joined by "; ", or nil when there are none.
func joinWarnings(warnings ...error) error {
	var out error
	for _, w := range warnings {
		switch {
		case w == nil:
		case out == nil:
			out = w
		default:
			out = fmt.Errorf("%w; %w", out, w)
		}
	}
	return out
}
