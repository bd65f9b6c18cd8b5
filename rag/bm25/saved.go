package bm25

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/citebot/citebot/rag"
)

// A saved index is a directory that SaveTo wrote, holding one file,
// savedFile, all integers little-endian or unsigned varints:
//
//	magic    [8]byte "CITEBM25"
//	version  uint32
//	analysis uvarint length, then the analyzer's name (analysisName): a
//	         copy analysed otherwise is not used
//	ndocs    uvarint, then per live chunk: uvarint length, its ID
//	nterms   uvarint, then per term in increasing order: uvarint length,
//	         the term, uvarint count of chunks, then per chunk by
//	         increasing number: uvarint number minus the one before (the
//	         first minus −1), uvarint count of the term in it
//	crc      uint32: CRC-32C of every byte before it
//
// Chunks are numbered in the order of their IDs in the file; a chunk's
// length is the sum of its counts, so it is not stored. The file is
// checked whole (size, checksum, every number in range) before the index
// takes anything from it.
const (
	savedFile    = "bm25.idx"
	savedVersion = 1
	// analysisName names what made the terms; change it when
	// rag/textanalyzer gives other tokens.
	analysisName = "textanalyzer 1: bleve en analyzer, possessives, lower case, stop words, porter, ASCII folding"
)

var (
	savedMagic = [8]byte{'C', 'I', 'T', 'E', 'B', 'M', '2', '5'}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// SaveTo writes the index as it is into dir, which must not exist, and
// syncs it to disk. AddSaved uses it.
func (x *Index) SaveTo(dir string) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return fmt.Errorf("bm25 save: %w", ErrClosed)
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("bm25 save: %s exists", dir)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("bm25 save: %w", err)
	}
	if err := x.writeFile(filepath.Join(dir, savedFile)); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("bm25 save: %w", err)
	}
	if err := syncDir(dir); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("bm25 save: %w", err)
	}
	return nil
}

// writeFile writes and syncs the saved file; x.mu must be held (read).
func (x *Index) writeFile(path string) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	crc := crc32.New(castagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	if err := x.encode(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, crc.Sum32()); err != nil {
		return err
	}
	return f.Sync()
}

// encode writes the index, less its dead chunks, renumbered; x.mu must be
// held (read).
func (x *Index) encode(w *bufio.Writer) error {
	renum := make([]int32, len(x.ids))
	n := int32(0)
	for d := range x.ids {
		renum[d] = -1
		if !x.dead[d] {
			renum[d] = n
			n++
		}
	}
	var buf []byte
	put := func(v uint64) { buf = binary.AppendUvarint(buf, v) }
	putString := func(s string) { put(uint64(len(s))); buf = append(buf, s...) }
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, savedMagic[:]...)
	buf = binary.LittleEndian.AppendUint32(buf, savedVersion)
	putString(analysisName)
	put(uint64(n))
	for d, id := range x.ids {
		if !x.dead[d] {
			putString(id)
		}
		if len(buf) > 1<<16 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	terms := make([]string, 0, len(x.terms))
	for t, i := range x.terms {
		if x.livePostings(i) > 0 {
			terms = append(terms, t)
		}
	}
	slices.Sort(terms)
	put(uint64(len(terms)))
	for _, t := range terms {
		p := &x.post[x.terms[t]]
		putString(t)
		put(uint64(x.livePostings(x.terms[t])))
		prev := int32(-1)
		for j, d := range p.docs {
			r := renum[d]
			if r < 0 {
				continue
			}
			put(uint64(r - prev))
			put(uint64(p.tfs[j]))
			prev = r
		}
		if len(buf) > 1<<16 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// livePostings is the number of live chunks in term i's list; x.mu must
// be held.
func (x *Index) livePostings(i int32) int {
	p := &x.post[i]
	if x.ndead == 0 {
		return len(p.docs)
	}
	n := 0
	for _, d := range p.docs {
		if !x.dead[d] {
			n++
		}
	}
	return n
}

// AddSaved is Add(ctx, chunks) for an empty index, given the directory
// SaveTo wrote when the index held exactly chunks: rather than analysing
// them, the index reads the terms it saved. The file is checked whole
// first.
//
// It reports false, having done nothing, when the index is not empty, and
// false with an error wrapping rag.ErrSnapshot when dir holds no usable
// copy of these chunks (missing, damaged, of another format or analysis,
// of other chunks): the caller then indexes the chunks with Add, and may
// say why. Any other error is the index's own (closed, cancelled).
func (x *Index) AddSaved(ctx context.Context, chunks []rag.Chunk, dir string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("bm25 add: %w", err)
	}
	unusable := func(err error) error {
		return fmt.Errorf("%w: saved BM25 index %s: %v", rag.ErrSnapshot, filepath.Base(dir), err)
	}
	if x.Count() > 0 {
		return false, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, savedFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, unusable(errors.New("no " + savedFile + " (another lexical index's copy?)"))
	}
	if err != nil {
		return false, unusable(err)
	}
	s, err := decode(data)
	if err != nil {
		return false, unusable(err)
	}
	if err := s.match(chunks); err != nil {
		return false, unusable(err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return false, fmt.Errorf("bm25 add: %w", ErrClosed)
	}
	if len(x.ids) > 0 {
		return false, nil
	}
	x.ids, x.srcs, x.lens, x.dead = s.ids, s.srcs, s.lens, make([]bool, len(s.ids))
	x.byID, x.bySource = s.byID, map[string][]int32{}
	for d, src := range s.srcs {
		x.bySource[src] = append(x.bySource[src], int32(d))
	}
	x.terms, x.post = s.terms, s.post
	x.live, x.ndead = len(s.ids), 0
	x.sumLen = 0
	for _, l := range s.lens {
		x.sumLen += uint64(l)
	}
	return true, nil
}

// decoded is a saved index read from its file.
type decoded struct {
	// savedIDs are the chunk IDs as the file holds them, until match
	// gives the index the caller's.
	savedIDs  [][]byte
	ids, srcs []string
	lens      []uint32
	byID      map[string]int32
	terms     map[string]int32
	post      []postings
}

// decode reads a saved file, checking every part of it.
func decode(data []byte) (*decoded, error) {
	le := binary.LittleEndian
	if len(data) < len(savedMagic)+4+4 {
		return nil, errors.New("truncated")
	}
	body, sum := data[:len(data)-4], le.Uint32(data[len(data)-4:])
	if [8]byte(body[:8]) != savedMagic {
		return nil, errors.New("not a saved BM25 index")
	}
	if v := le.Uint32(body[8:]); v != savedVersion {
		return nil, fmt.Errorf("format version %d, want %d", v, savedVersion)
	}
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("checksum mismatch (truncated or corrupted)")
	}
	r := &reader{b: body, off: 12}
	if name := r.string(); r.err == nil && name != analysisName {
		return nil, fmt.Errorf("analysed as %q, not %q", name, analysisName)
	}
	// Every chunk and every posting takes at least one byte, so no count
	// may exceed the bytes left.
	ndocs := r.count()
	s := &decoded{}
	if r.err == nil {
		s.savedIDs = make([][]byte, ndocs)
	}
	for d := range s.savedIDs {
		s.savedIDs[d] = r.bytes()
	}
	nterms := r.count()
	if r.err == nil {
		s.terms = make(map[string]int32, nterms)
		s.post = make([]postings, nterms)
		s.lens = make([]uint32, ndocs)
	}
	// The lists share two arrays, each list capped, so that an append
	// copies it out rather than writing over the next.
	var docs []int32
	var tfs []uint16
	prevTerm := ""
	for i := range s.post {
		t := r.string()
		np := r.count()
		if r.err != nil {
			break
		}
		if i > 0 && t <= prevTerm {
			return nil, errors.New("terms out of order")
		}
		if np == 0 {
			return nil, fmt.Errorf("term %q in no chunk", t)
		}
		prevTerm = t
		if len(docs)+np > cap(docs) {
			// Enough for the rest of the file, as every posting takes at
			// least two bytes.
			docs = make([]int32, 0, max(np, r.left()/2))
			tfs = make([]uint16, 0, cap(docs))
		}
		lo := len(docs)
		d := int64(-1)
		for range np {
			delta, tf := r.uvarint(), r.uvarint()
			d += int64(delta)
			if r.err != nil {
				break
			}
			if delta == 0 || d >= int64(ndocs) || tf == 0 || tf > maxTF {
				return nil, fmt.Errorf("term %q: posting out of range", t)
			}
			s.lens[d] += uint32(tf)
			docs = append(docs, int32(d))
			tfs = append(tfs, uint16(tf))
		}
		s.terms[t] = int32(i)
		s.post[i] = postings{docs: docs[lo:len(docs):len(docs)], tfs: tfs[lo:len(tfs):len(tfs)]}
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(r.b) {
		return nil, errors.New("trailing bytes")
	}
	return s, nil
}

// match checks that the decoded index holds exactly chunks, each once,
// and takes their IDs and sources (the index shares the caller's strings).
func (s *decoded) match(chunks []rag.Chunk) error {
	if len(chunks) != len(s.savedIDs) {
		return fmt.Errorf("holds %d chunks, not %d", len(s.savedIDs), len(chunks))
	}
	given := make(map[string]int, len(chunks))
	for i, c := range chunks {
		given[c.ID] = i
	}
	if len(given) != len(chunks) {
		return errors.New("a chunk ID given twice")
	}
	s.ids, s.srcs = make([]string, len(chunks)), make([]string, len(chunks))
	s.byID = make(map[string]int32, len(chunks))
	for d, id := range s.savedIDs {
		i, ok := given[string(id)]
		if !ok {
			return fmt.Errorf("holds chunk %q, not given", id)
		}
		c := &chunks[i]
		if _, dup := s.byID[c.ID]; dup {
			return fmt.Errorf("holds chunk %q twice", id)
		}
		s.ids[d], s.srcs[d] = c.ID, c.Source
		s.byID[c.ID] = int32(d)
	}
	s.savedIDs = nil
	return nil
}

// reader reads varints and strings from b, remembering the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) left() int { return len(r.b) - r.off }

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.err = errors.New("truncated or corrupted number")
		return 0
	}
	r.off += n
	return v
}

// count reads a count of things that take at least a byte each.
func (r *reader) count() int {
	v := r.uvarint()
	if r.err == nil && (v > uint64(r.left()) || v > math.MaxInt32) {
		r.err = errors.New("count larger than the file")
		return 0
	}
	return int(v)
}

// bytes reads a length and that many bytes, which it returns in place.
func (r *reader) bytes() []byte {
	n := r.count()
	if r.err != nil {
		return nil
	}
	b := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

func (r *reader) string() string { return string(r.bytes()) }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
