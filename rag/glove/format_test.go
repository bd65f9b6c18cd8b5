package glove

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"testing"
)

func mustLoad(t testing.TB) *model {
	t.Helper()
	m, err := loadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEmbeddedFile(t *testing.T) {
	m := mustLoad(t)
	if err := m.verify(); err != nil {
		t.Fatal(err)
	}
	if m.dims != 100 || m.count != 341479 {
		t.Fatalf("dims, count = %d, %d; want 100, 341479", m.dims, m.count)
	}
	for _, tc := range []struct {
		word string
		rank int
	}{{"the", 0}, {",", 1}, {"of", 3}, {"well-known", 8339}, {"kitten", 32413}, {"sandberger", 341478}} {
		if r, ok := m.lookup([]byte(tc.word)); !ok || r != tc.rank {
			t.Errorf("lookup(%q) = %d, %v; want %d, true", tc.word, r, ok, tc.rank)
		}
	}
	// Every word is found at its own rank.
	for r := range m.count {
		w, ok := m.word(r)
		if !ok {
			t.Fatalf("word(%d) corrupt", r)
		}
		if got, ok := m.lookup(w); !ok || got != r {
			t.Fatalf("lookup(%q) = %d, %v; want %d", w, got, ok, r)
		}
	}
	for _, w := range []string{"", "The", "mukhammed", "президент", strings.Repeat("a", 100)} {
		if r, ok := m.lookup([]byte(w)); ok {
			t.Errorf("lookup(%q) = %d, want not found", w, r)
		}
	}
}

// TestStoredCommonComponent checks the component cmd/glovepack stored
// against the one this package computes.
func TestStoredCommonComponent(t *testing.T) {
	m := mustLoad(t)
	if m.meanA != DefaultOptions().SIFA {
		t.Errorf("file's common component is for a = %g, DefaultOptions().SIFA = %g", m.meanA, DefaultOptions().SIFA)
	}
	stored := m.commonComponent(m.meanA)
	got := m.computeCommonComponent(m.meanA)
	var diff, norm float64
	for i := range got {
		diff += math.Abs(float64(got[i] - stored[i]))
		norm += math.Abs(float64(got[i]))
	}
	if norm == 0 || diff > 1e-4*norm {
		t.Errorf("stored common component differs from computed one: L1 diff %g, L1 norm %g", diff, norm)
	}
}

// packForTest encodes a vocabulary in the file format, independently of
// cmd/glovepack, with rows quantised as given and no stored common
// component (zeros, for a = 0.001).
func packForTest(dims int, words []string, rows [][]int8) []byte {
	n := len(words)
	slots := 2
	for slots <= n+n/3 {
		slots *= 2
	}
	pad := func(x int) int { return (x + 7) &^ 7 }
	var wb []byte
	for _, w := range words {
		wb = append(wb, w...)
	}
	b := make([]byte, headerSize+pad(4*n)+pad(n*dims)+pad(4*dims)+pad(4*(n+1))+pad(4*slots)+pad(len(wb)))
	le := binary.LittleEndian
	copy(b, fileMagic)
	le.PutUint32(b[8:], fileVersion)
	le.PutUint32(b[12:], uint32(dims))
	le.PutUint32(b[16:], uint32(n))
	le.PutUint32(b[20:], uint32(slots))
	le.PutUint32(b[24:], uint32(len(wb)))
	le.PutUint64(b[32:], math.Float64bits(0.001))
	off := headerSize
	for i := range n {
		le.PutUint32(b[off+4*i:], math.Float32bits(0.01))
	}
	off += pad(4 * n)
	for i, row := range rows {
		for j, q := range row {
			b[off+i*dims+j] = byte(q)
		}
	}
	off += pad(n*dims) + pad(4*dims)
	w := 0
	for i, word := range words {
		le.PutUint32(b[off+4*i:], uint32(w))
		w += len(word)
	}
	le.PutUint32(b[off+4*n:], uint32(w))
	off += pad(4 * (n + 1))
	for r, word := range words {
		s := int(fnv1a([]byte(word)) & uint64(slots-1))
		for le.Uint32(b[off+4*s:]) != 0 {
			s = (s + 1) % slots
		}
		le.PutUint32(b[off+4*s:], uint32(r+1))
	}
	off += pad(4 * slots)
	copy(b[off:], wb)
	le.PutUint32(b[28:], crc32.Checksum(b[headerSize:], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

func smallBlob() []byte {
	return packForTest(4, []string{"the", "cat", "sat"}, [][]int8{{1, 2, 3, 4}, {-5, 6, 0, 7}, {100, -100, 1, 0}})
}

func TestPackForTestRoundTrip(t *testing.T) {
	m, err := parse(smallBlob())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.verify(); err != nil {
		t.Fatal(err)
	}
	if r, ok := m.lookup([]byte("sat")); !ok || r != 2 {
		t.Fatalf("lookup(sat) = %d, %v", r, ok)
	}
	e, err := newEmbedder(m, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Tokens("The cat SAT."); !slices.Equal(got, []string{"the", "cat", "sat"}) {
		t.Fatalf("Tokens = %q", got)
	}
}

func TestParseCorrupt(t *testing.T) {
	good := smallBlob()
	edit := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	le := binary.LittleEndian
	for _, tc := range []struct {
		name string
		blob []byte
	}{
		{"nil", nil},
		{"short header", good[:10]},
		{"header only", good[:headerSize]},
		{"truncated", good[:len(good)-1]},
		{"extra byte", append(slices.Clone(good), 0)},
		{"bad magic", edit(func(b []byte) []byte { b[0] = 'X'; return b })},
		{"bad version", edit(func(b []byte) []byte { le.PutUint32(b[8:], 2); return b })},
		{"zero dims", edit(func(b []byte) []byte { le.PutUint32(b[12:], 0); return b })},
		{"huge dims", edit(func(b []byte) []byte { le.PutUint32(b[12:], math.MaxUint32); return b })},
		{"huge count", edit(func(b []byte) []byte { le.PutUint32(b[16:], math.MaxUint32); return b })},
		{"no words", edit(func(b []byte) []byte { le.PutUint32(b[16:], 0); return b })},
		{"slots not a power of two", edit(func(b []byte) []byte { le.PutUint32(b[20:], 6); return b })},
		{"too few slots", edit(func(b []byte) []byte { le.PutUint32(b[20:], 2); return b })},
		{"NaN a", edit(func(b []byte) []byte { le.PutUint64(b[32:], math.Float64bits(math.NaN())); return b })},
		{"word bytes", edit(func(b []byte) []byte { le.PutUint32(b[24:], 1000); return b })},
		{"real file truncated", vectorsBin[:len(vectorsBin)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if m, err := parse(tc.blob); !errors.Is(err, errCorrupt) {
				t.Fatalf("parse = %v, %v; want errCorrupt", m, err)
			}
		})
	}
}

// TestCorruptSections checks that garbage in the table and offsets, which
// parse does not read, makes lookups fail rather than panic.
func TestCorruptSections(t *testing.T) {
	blob := smallBlob()
	m, err := parse(blob)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.table {
		m.table[i] = byte(i*37 + 11)
	}
	for i := range m.offs {
		m.offs[i] = byte(255 - i*13)
	}
	if err := m.verify(); err == nil {
		t.Error("verify passed a corrupted body")
	}
	e, err := newEmbedder(m, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"the", "cat", "sat", "dog", ""} {
		m.lookup([]byte(w))
	}
	if _, err := e.EmbedQuery(t.Context(), "the cat sat on the well-known mat"); err != nil {
		t.Fatal(err)
	}
	// A table with no empty slot must not loop forever.
	for i := range m.table {
		m.table[i] = 0xff
	}
	if _, ok := m.lookup([]byte("cat")); ok {
		t.Error("lookup found a word in a garbage table")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(smallBlob())
	f.Add(vectorsBin[:headerSize])
	f.Fuzz(func(t *testing.T, blob []byte) {
		m, err := parse(blob)
		if err != nil {
			return
		}
		e, err := newEmbedder(m, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		m.lookup([]byte("cat"))
		e.Tokens("the cat-dog's well-known")
		if _, err := e.EmbedQuery(t.Context(), "the cat sat"); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parse(vectorsBin); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew measures New after the embedded file is parsed, with the
// stored common component.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
