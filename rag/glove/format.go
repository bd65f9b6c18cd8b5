package glove

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"sync"
)

// vectorsBin is the packed vocabulary written by cmd/glovepack.
//
//go:embed vectors.bin
var vectorsBin []byte

// loadEmbedded parses vectorsBin once; the model aliases it.
var loadEmbedded = sync.OnceValues(func() (*model, error) {
	m, err := parse(vectorsBin)
	if err != nil {
		return nil, fmt.Errorf("glove: embedded vectors.bin: %w", err)
	}
	return m, nil
})

// The file format, version 1. All integers and floats are little-endian.
//
//	offset size  field
//	0      8     magic "CBGLOVE\x00"
//	8      4     version (1)
//	12     4     D, dimensions per vector
//	16     4     N, number of words
//	20     4     T, hash table slots (a power of two, > N)
//	24     4     W, total bytes of the words
//	28     4     CRC-32C (Castagnoli) of every byte after the 64-byte header
//	32     8     float64 a: the SIF parameter the stored common component is for
//	40     24    zero
//
// Then these sections follow, in order, each padded with zeros to a multiple
// of 8 bytes; row r of each belongs to the word of frequency rank r (0 is the
// most frequent):
//
//	float32[N]    scale of each row
//	int8[N*D]     quantised rows: component i of word r is rows[r*D+i]*scale[r]
//	float32[D]    the common component for a (see commonComponent)
//	uint32[N+1]   word offsets: word r is words[off[r]:off[r+1]]
//	uint32[T]     open-addressing hash table: slot s holds rank+1 of a word or
//	              0 for empty; a word starts at slot fnv1a64(word) & (T-1) and
//	              probes linearly
//	byte[W]       the words, UTF-8, lowercase, concatenated
//
// Nothing is decoded at load time: parse checks the header and the section
// sizes and keeps sub-slices of the blob. Lookups check every offset they
// read, so a corrupt table or offset yields "not found", never a panic; the
// checksum is verified by the tests, not at load time.
const (
	fileMagic   = "CBGLOVE\x00"
	fileVersion = 1
	headerSize  = 64
	maxDims     = 4096
)

var errCorrupt = errors.New("corrupt vectors file")

// model is a parsed vectors file. Its slices alias the blob it was parsed
// from and are never written. It is safe for concurrent use.
type model struct {
	dims   int
	count  int
	scales []byte // float32[count]
	rows   []byte // int8[count*dims]
	offs   []byte // uint32[count+1]
	table  []byte // uint32[slots]
	words  []byte
	crc    uint32
	body   []byte // everything after the header, for verify

	meanA    float64
	harmonic float64 // H_count, the Zipf normaliser

	mu    sync.Mutex
	means map[float64][]float32 // common components by SIF parameter
}

// parse checks blob's header and section sizes and returns a model that
// aliases blob.
func parse(blob []byte) (*model, error) {
	if len(blob) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", errCorrupt, len(blob))
	}
	if string(blob[:8]) != fileMagic {
		return nil, fmt.Errorf("%w: bad magic %q", errCorrupt, blob[:8])
	}
	le := binary.LittleEndian
	if v := le.Uint32(blob[8:]); v != fileVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", errCorrupt, v, fileVersion)
	}
	d, n := uint64(le.Uint32(blob[12:])), uint64(le.Uint32(blob[16:]))
	slots, wordBytes := uint64(le.Uint32(blob[20:])), uint64(le.Uint32(blob[24:]))
	a := math.Float64frombits(le.Uint64(blob[32:]))
	switch {
	case d == 0 || d > maxDims:
		return nil, fmt.Errorf("%w: %d dimensions", errCorrupt, d)
	case n == 0:
		return nil, fmt.Errorf("%w: no words", errCorrupt)
	case slots <= n || slots&(slots-1) != 0:
		return nil, fmt.Errorf("%w: %d hash slots for %d words", errCorrupt, slots, n)
	case !(a >= 0) || math.IsInf(a, 0):
		return nil, fmt.Errorf("%w: SIF parameter %v", errCorrupt, a)
	}
	pad := func(x uint64) uint64 { return (x + 7) &^ 7 }
	sizes := []uint64{4 * n, n * d, 4 * d, 4 * (n + 1), 4 * slots, wordBytes}
	want := uint64(headerSize)
	for _, s := range sizes {
		want += pad(s)
	}
	if uint64(len(blob)) != want {
		return nil, fmt.Errorf("%w: %d bytes, want %d for %d words of %d dimensions", errCorrupt, len(blob), want, n, d)
	}
	sec := make([][]byte, len(sizes))
	off := uint64(headerSize)
	for i, s := range sizes {
		sec[i] = blob[off : off+s : off+s]
		off += pad(s)
	}
	m := &model{
		dims:     int(d),
		count:    int(n),
		scales:   sec[0],
		rows:     sec[1],
		offs:     sec[3],
		table:    sec[4],
		words:    sec[5],
		crc:      le.Uint32(blob[28:]),
		body:     blob[headerSize:],
		meanA:    a,
		harmonic: harmonic(int(n)),
		means:    map[float64][]float32{a: decodeFloats(sec[2])},
	}
	return m, nil
}

// verify checks the body against the header's checksum. It reads the whole
// file, so it is for tests and tools, not for loading.
func (m *model) verify() error {
	if got := crc32.Checksum(m.body, crc32.MakeTable(crc32.Castagnoli)); got != m.crc {
		return fmt.Errorf("%w: checksum %08x, header says %08x", errCorrupt, got, m.crc)
	}
	return nil
}

// lookup returns the frequency rank of word, which must be lowercase.
func (m *model) lookup(word []byte) (int, bool) {
	le := binary.LittleEndian
	slots := uint64(len(m.table) / 4)
	mask := slots - 1
	s := fnv1a(word) & mask
	for range slots {
		e := le.Uint32(m.table[4*s:])
		if e == 0 {
			return 0, false
		}
		if r := int(e - 1); r < m.count {
			if w, ok := m.word(r); ok && bytes.Equal(w, word) {
				return r, true
			}
		}
		s = (s + 1) & mask
	}
	return 0, false
}

// word returns the word of rank r, or false if its offsets are corrupt.
func (m *model) word(r int) ([]byte, bool) {
	le := binary.LittleEndian
	start, end := le.Uint32(m.offs[4*r:]), le.Uint32(m.offs[4*r+4:])
	if start > end || int(end) > len(m.words) {
		return nil, false
	}
	return m.words[start:end], true
}

// scale returns the dequantisation factor of row r.
func (m *model) scale(r int) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(m.scales[4*r:]))
}

// row returns the quantised components of word r; see scale.
func (m *model) row(r int) []byte {
	return m.rows[r*m.dims : (r+1)*m.dims]
}

// prob is the Zipf probability of rank r: 1/((r+1)·H_N).
func (m *model) prob(r int) float64 {
	return 1 / (float64(r+1) * m.harmonic)
}

// sifWeight is a/(a+p(r)), the SIF weight of rank r; a = 0 weighs every word
// 1.
func (m *model) sifWeight(a float64, r int) float32 {
	if a == 0 {
		return 1
	}
	return float32(a / (a + m.prob(r)))
}

// commonComponent returns Σ_r p(r)·w(r)·v_r, the expected SIF-weighted word
// vector when words are drawn from the vocabulary's Zipf distribution, for
// SIF parameter a. The file stores it for one a; others are computed once
// (about 30 ms) and cached.
func (m *model) commonComponent(a float64) []float32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.means[a]; ok {
		return c
	}
	c := m.computeCommonComponent(a)
	m.means[a] = c
	return c
}

// computeCommonComponent computes what commonComponent caches.
func (m *model) computeCommonComponent(a float64) []float32 {
	sum := make([]float64, m.dims)
	for r := range m.count {
		c := m.prob(r) * float64(m.sifWeight(a, r)) * float64(m.scale(r))
		for i, q := range m.row(r) {
			sum[i] += float64(c * float64(int8(q))) // never fused
		}
	}
	out := make([]float32, m.dims)
	for i, x := range sum {
		out[i] = float32(x)
	}
	return out
}

// harmonic returns H_n = Σ_{k=1..n} 1/k: summed for small n, else from its
// asymptotic expansion, which is exact to float64 precision there.
func harmonic(n int) float64 {
	if n < 1000 {
		var h float64
		for k := n; k >= 1; k-- {
			h += 1 / float64(k)
		}
		return h
	}
	x := float64(n)
	const eulerGamma = 0.57721566490153286061
	return math.Log(x) + eulerGamma + 1/(2*x) - 1/(12*x*x) + 1/(120*x*x*x*x)
}

func decodeFloats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// fnv1a is 64-bit FNV-1a.
func fnv1a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
