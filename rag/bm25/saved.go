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
//	         the term, uvarint count of chunks, uvarint size of its list
//	lists    each term's posting list in that order, packed as the index
//	         keeps it in memory (see postings), the chunks numbered in the
//	         order of their IDs above
//	crc      uint32: CRC-32C of every byte before it
//
// A chunk's length is the sum of its counts, so it is not stored. The file
// is checked whole (size, checksum, every number in range) before the
// index takes anything from it; the lists are then the index's as they
// are, in one block.
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
	lists := make([]postings, len(terms))
	for i, t := range terms {
		lists[i] = x.post[x.terms[t]]
		if x.ndead > 0 {
			lists[i] = lists[i].renumbered(renum)
		}
	}
	put(uint64(len(terms)))
	for i, t := range terms {
		putString(t)
		put(uint64(lists[i].n))
		put(uint64(len(lists[i].data)))
		if len(buf) > 1<<16 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, l := range lists {
		if _, err := w.Write(l.data); err != nil {
			return err
		}
	}
	return nil
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
	return x.adopt(s)
}

// adopt makes the decoded index s, matched to its chunks, the index's, if
// the index is still empty.
func (x *Index) adopt(s *decoded) (bool, error) {
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
	clear(x.byTermID)
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
	// Every chunk, term and posting takes at least one byte, so no count
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
	}
	sizes := make([]int, len(s.post))
	total := 0
	prev := ""
	for i := range s.post {
		t := r.string()
		n, size := r.count(), r.count()
		if r.err != nil {
			break
		}
		if i > 0 && t <= prev {
			return nil, errors.New("terms out of order")
		}
		prev = t
		if n == 0 || size < n || size > r.left() {
			return nil, fmt.Errorf("term %q: list size out of range", t)
		}
		s.terms[t] = int32(i)
		s.post[i] = postings{n: int32(n)}
		sizes[i] = size
		total += size
	}
	if r.err != nil {
		return nil, r.err
	}
	if total != r.left() {
		return nil, errors.New("lists size mismatch")
	}
	// The lists, in one block of their own, each capped so that an append
	// copies it out rather than writing over the next.
	block := slices.Clone(r.b[r.off:])
	s.lens = make([]uint32, ndocs)
	off := 0
	for i := range s.post {
		p := &s.post[i]
		p.data = block[off : off+sizes[i] : off+sizes[i]]
		off += sizes[i]
		last, err := check(p, s.lens)
		if err != nil {
			return nil, err
		}
		p.last = last
	}
	return s, nil
}

// check reads a posting list of p.n chunks numbered below len(lens),
// adding each count to its chunk's length, and returns the last chunk's
// number.
func check(p *postings, lens []uint32) (int32, error) {
	b, d, n := p.data, int64(-1), 0
	for len(b) > 0 {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return 0, errors.New("corrupt posting list")
		}
		b = b[k:]
		tf := uint64(1)
		if v&1 != 0 {
			if tf, k = binary.Uvarint(b); k <= 0 || tf < 2 || tf > maxTF {
				return 0, errors.New("corrupt posting list")
			}
			b = b[k:]
		}
		gap := v >> 1
		if gap == 0 || gap > uint64(len(lens)) || d+int64(gap) >= int64(len(lens)) {
			return 0, errors.New("posting out of range")
		}
		d += int64(gap)
		lens[d] += uint32(tf)
		n++
	}
	if n != int(p.n) {
		return 0, errors.New("posting list length mismatch")
	}
	return int32(d), nil
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
