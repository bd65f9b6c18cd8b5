package glove

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/citebot/citebot/rag"
	"unsafe"
)

// modelName names the packed data in IDs.
const modelName = "glove-6b-100d"

// algorithmVersion is bumped whenever a change to the tokeniser, the
// weighting or the data changes the vectors of some text, so that indexes
// built before it are rebuilt.
const algorithmVersion = "v1"

// maxNGramDims bounds Options.NGramDims.
const maxNGramDims = 1 << 16

// Options tunes the sentence vector. The zero value is not useful; start from
// DefaultOptions.
type Options struct {
	// SIFA is the SIF parameter a: a word of Zipf probability p weighs
	// a/(a+p), so frequent words count little. 0 weighs every word 1.
	SIFA float64
	// SubtractMean removes the common component: the expected SIF-weighted
	// word vector under the vocabulary's Zipf distribution.
	SubtractMean bool
	// NGramDims is the size of the hashed character n-gram part; 0 leaves it
	// out, and then text with no vocabulary word embeds as a zero vector.
	NGramDims int
	// NGramWeight scales the unit n-gram part against the unit word part
	// before the whole vector is normalised.
	NGramWeight float64
}

// DefaultOptions returns the settings New is meant to be used with.
func DefaultOptions() Options {
	return Options{SIFA: 1e-3, SubtractMean: true, NGramDims: 256, NGramWeight: 0.5}
}

// Validate reports every option that is out of range.
func (o Options) Validate() error {
	var errs []error
	if !(o.SIFA >= 0) || math.IsInf(o.SIFA, 0) {
		errs = append(errs, fmt.Errorf("SIFA is %v, want a finite number >= 0", o.SIFA))
	}
	if o.NGramDims < 0 || o.NGramDims > maxNGramDims {
		errs = append(errs, fmt.Errorf("NGramDims is %d, want 0 to %d", o.NGramDims, maxNGramDims))
	}
	if !(o.NGramWeight >= 0) || math.IsInf(o.NGramWeight, 0) {
		errs = append(errs, fmt.Errorf("NGramWeight is %v, want a finite number >= 0", o.NGramWeight))
	}
	return errors.Join(errs...)
}

// Embedder embeds text with the packed GloVe vectors. It is stateless: the
// vector of a text depends only on the text and the Options, never on other
// texts. It is safe for concurrent use.
type Embedder struct {
	m    *model
	opts Options
	mean []float32 // nil unless opts.SubtractMean
	id   string
}

var _ rag.Embedder = (*Embedder)(nil)

// New returns an Embedder over the embedded vectors.
func New(opts Options) (*Embedder, error) {
	m, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	return newEmbedder(m, opts)
}

func newEmbedder(m *model, opts Options) (*Embedder, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("glove: options: %w", err)
	}
	e := &Embedder{m: m, opts: opts}
	mean := "nomean"
	if opts.SubtractMean {
		e.mean = m.commonComponent(opts.SIFA)
		mean = "mean"
	}
	ng := "ng=0"
	if opts.NGramDims > 0 {
		ng = fmt.Sprintf("ng=%dx%g", opts.NGramDims, opts.NGramWeight)
	}
	e.id = fmt.Sprintf("%s/sif=%g/%s/%s/%s", modelName, opts.SIFA, mean, ng, algorithmVersion)
	return e, nil
}

// ID identifies the model and options, e.g.
// "glove-6b-100d/sif=0.001/mean/ng=256x0.5/v1". Vectors from Embedders with
// different IDs are not comparable.
func (e *Embedder) ID() string { return e.id }

// Dimensions is the length of every vector: the word vector size plus
// NGramDims.
func (e *Embedder) Dimensions() int { return e.m.dims + e.opts.NGramDims }

// EmbedQuery returns the unit vector of text, or an all-zero vector when
// text has no tokens (callers treat it as "nothing to match").
func (e *Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("glove: embed query: %w", err)
	}
	var s scratch
	out := make([]float32, e.Dimensions())
	e.embed(&s, text, out)
	return out, nil
}

// EmbedDocuments returns one vector per text, in order, as EmbedQuery would.
// It spreads the texts over GOMAXPROCS goroutines.
func (e *Embedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	dims := e.Dimensions()
	block := make([]float32, len(texts)*dims)
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = block[i*dims : (i+1)*dims : (i+1)*dims]
	}
	workers := min(runtime.GOMAXPROCS(0), len(texts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var s scratch
			for {
				i := int(next.Add(1) - 1)
				if i >= len(texts) || ctx.Err() != nil {
					return
				}
				e.embed(&s, texts[i], out[i])
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("glove: embed %d documents: %w", len(texts), err)
	}
	return out, nil
}

// WordVector returns the unit vector of one vocabulary word (case and Latin
// diacritics are ignored), or false if the vocabulary lacks it. Its length
// is the word vector size (100), not Dimensions.
func (e *Embedder) WordVector(word string) ([]float32, bool) {
	r, ok := e.rank(word)
	if !ok {
		return nil, false
	}
	v := make([]float32, e.m.dims)
	e.m.addRow(v, r, 1)
	normalise(v)
	return v, true
}

// WordRow returns the vector of one vocabulary word as the model keeps it
// (case and Latin diacritics ignored), or false if the vocabulary lacks it:
// int8 components in the word vector's direction, which WordVector scales
// to unit length. It is the model's own memory, not a copy, and must not
// be changed: a caller that compares many words to a few keeps the rows
// of all of them for the cost of a reference.
func (e *Embedder) WordRow(word string) ([]int8, bool) {
	r, ok := e.rank(word)
	if !ok {
		return nil, false
	}
	row := e.m.row(r)
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(row))), len(row)), true
}

// rank is word's rank in the vocabulary, case and Latin diacritics
// ignored; false if the vocabulary lacks it.
func (e *Embedder) rank(word string) (int, bool) {
	var key []byte
	for _, r := range word {
		key = appendFolded(key, r)
	}
	return e.m.lookup(key)
}

// WordRarity is how rare word is in general English, from its rank in the
// vocabulary (which is ordered by frequency in the text GloVe was trained
// on): log(rank+2)/log(count+2), near 0 for "the", 1 for a word outside the
// vocabulary.
func (e *Embedder) WordRarity(word string) float64 {
	r, ok := e.rank(word)
	if !ok {
		return 1
	}
	return math.Log(float64(r+2)) / math.Log(float64(e.m.count+2))
}

// Tokens returns the tokens a text is embedded from: lowercased, Latin
// diacritics folded, contractions expanded ("don't" → "do", "not"),
// possessive "'s" dropped, hyphenated words kept whole when the vocabulary
// has them and split into parts otherwise.
func (e *Embedder) Tokens(text string) []string {
	var toks []string
	e.eachToken(&scratch{}, text, func(tok []byte) { toks = append(toks, string(tok)) })
	return toks
}

// scratch is one goroutine's reusable buffers.
type scratch struct {
	word   []byte
	marked []byte
}

func (e *Embedder) eachToken(s *scratch, text string, fn func([]byte)) {
	s.word = scanWords(text, s.word, func(w []byte) { e.m.splitWord(w, fn) })
}

// embed writes the vector of text into out, which has Dimensions() zeros.
//
// The word part is the SIF-weighted mean of the vectors of the tokens in the
// vocabulary, minus the common component; the n-gram part is the sum over
// all tokens of their hashed character 3- to 5-grams, each token weighted by
// its SIF weight (1 if it is not in the vocabulary) and divided by the
// square root of its n-gram count. Each part is normalised and scaled by its
// weight (1 for the word part, NGramWeight for the n-gram part); then the
// whole is normalised. Out stays zero if text has no tokens.
func (e *Embedder) embed(s *scratch, text string, out []float32) {
	m := e.m
	words, grams := out[:m.dims], out[m.dims:]
	known := 0
	e.eachToken(s, text, func(tok []byte) {
		w := float32(1)
		if r, ok := m.lookup(tok); ok {
			w = m.sifWeight(e.opts.SIFA, r)
			m.addRow(words, r, w)
			known++
		}
		if len(grams) > 0 {
			s.marked = addNGrams(grams, s.marked, tok, w)
		}
	})
	if known > 0 && e.mean != nil {
		inv := 1 / float32(known)
		for i, c := range e.mean {
			words[i] = float32(words[i]*inv) - c // float32(): never fused
		}
	}
	normalise(words)
	if normalise(grams) {
		scale(grams, float32(e.opts.NGramWeight))
	}
	normalise(out)
}

// addRow adds w times the dequantised vector of rank r to v.
func (m *model) addRow(v []float32, r int, w float32) {
	addScaled(v, m.row(r), w*m.scale(r))
}

// addScaledGeneric adds c times the int8 components of row (as bytes) to
// v, one at a time.
func addScaledGeneric(v []float32, row []byte, c float32) {
	row = row[:len(v)]
	for i, q := range row {
		// float32() rounds the product before the sum, as amd64 does and
		// as the kernel does: Go may otherwise fuse the two (arm64 does).
		v[i] += float32(c * float32(int8(q)))
	}
}

// addNGrams adds the character 3- to 5-grams of "<tok>", each hashed to a
// signed unit in v, scaled by w/sqrt(count). marked is scratch space; it
// returns it for reuse.
func addNGrams(v []float32, marked, tok []byte, w float32) []byte {
	marked = append(append(append(marked[:0], '<'), tok...), '>')
	if ascii(tok) {
		// A rune a byte: the n-grams are runs of bytes.
		runes := len(marked)
		unit := w / float32(math.Sqrt(float64(nGramCount(runes))))
		dims := uint64(len(v))
		for i := range runes {
			h := uint64(14695981039346656037)
			for n := 1; n <= 5 && i+n <= runes; n++ {
				h ^= uint64(marked[i+n-1])
				h *= 1099511628211
				if n >= 3 {
					f := mix64(h)
					v[(f>>32)*dims>>32] += signed(unit, f)
				}
			}
		}
		return marked
	}
	addNGramRunes(v, marked, w)
	return marked
}

// addNGramRunes adds the character 3- to 5-grams of marked as addNGrams
// does, rune by rune: for a text that is not all ASCII.
func addNGramRunes(v []float32, marked []byte, w float32) {
	// starts holds the byte offset of each rune, plus len(marked).
	var startsBuf [64]int
	starts := startsBuf[:0]
	for i := range string(marked) {
		starts = append(starts, i)
	}
	runes := len(starts)
	starts = append(starts, len(marked))
	unit := w / float32(math.Sqrt(float64(nGramCount(runes))))
	dims := uint64(len(v))
	for i := range runes {
		h := uint64(14695981039346656037)
		for n := 1; n <= 5 && i+n <= runes; n++ {
			for _, c := range marked[starts[i+n-1]:starts[i+n]] {
				h ^= uint64(c)
				h *= 1099511628211
			}
			if n >= 3 {
				f := mix64(h)
				v[(f>>32)*dims>>32] += signed(unit, f)
			}
		}
	}
}

// nGramCount is the number of 3- to 5-grams of a text of runes runes, at
// least 1 (a text shorter than 3 has none; its unit is never used).
func nGramCount(runes int) int {
	count := 0
	for n := 3; n <= 5; n++ {
		count += max(0, runes-n+1)
	}
	return max(count, 1)
}

// signed is unit with the sign the hash f gives it: +unit for an even f,
// −unit for an odd one. Adding −unit is subtracting unit, to the bit; a
// branch on f's random bit would be mispredicted half the time.
func signed(unit float32, f uint64) float32 {
	return math.Float32frombits(math.Float32bits(unit) ^ uint32(f&1)<<31)
}

// ascii reports whether b is all ASCII.
func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// mix64 is MurmurHash3's 64-bit finaliser; FNV-1a's low bits mix poorly.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// normalise scales v to unit length and reports whether it was non-zero.
func normalise(v []float32) bool {
	var ss float64
	for _, x := range v {
		ss += float64(float64(x) * float64(x)) // never fused
	}
	if ss == 0 {
		return false
	}
	scale(v, float32(1/math.Sqrt(ss)))
	return true
}

func scale(v []float32, c float32) {
	for i := range v {
		v[i] *= c
	}
}
