package rag

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	porterstemmer "github.com/blevesearch/go-porterstemmer"
	"golang.org/x/text/unicode/norm"
)

// words splits text into lower-cased runs of letters and digits, Latin
// letters without their diacritics.
func words(text string) []string {
	ws := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range ws {
		ws[i] = foldLatin(w)
	}
	return ws
}

// foldLatin drops the diacritics of a word's Latin letters ("temür" →
// "temur", "céloron" → "celoron"): people type names without them. Other
// scripts are kept as they are.
func foldLatin(w string) string {
	if isASCII(w) {
		return w
	}
	var b strings.Builder
	for _, r := range w {
		if r >= utf8.RuneSelf && unicode.Is(unicode.Latin, r) {
			if base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r))); base < utf8.RuneSelf {
				r = base
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// eachWord calls fn with each word of text in order, as words returns them,
// without building the lower-cased copy and the slice: a word that is
// already lower-case ASCII is passed as a substring of text.
func eachWord(text string, fn func(w string)) {
	for i := 0; i < len(text); {
		start, ascii, lower := i, true, true
		for i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				if !isASCIIWordByte(c) {
					break
				}
				if 'A' <= c && c <= 'Z' {
					lower = false
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && size == 1 {
				break // strings.ToLower turns it into U+FFFD, not a letter
			}
			if r = unicode.ToLower(r); !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			ascii = false
			i += size
		}
		switch {
		case i == start:
			// A separator: skip one byte or rune.
			if text[i] < utf8.RuneSelf {
				i++
			} else {
				_, size := utf8.DecodeRuneInString(text[i:])
				i += size
			}
		case ascii && lower:
			fn(text[start:i])
		case ascii:
			fn(strings.ToLower(text[start:i]))
		default:
			fn(foldLatin(strings.ToLower(text[start:i])))
		}
	}
}

func isASCIIWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// stem returns the Porter stem of a lower-case word; words shorter than four
// letters and non-ASCII words are their own stems. Stems are cached: a
// corpus repeats its words, and stemming is most of the cost of term
// statistics and of scoring passages against a question.
func stem(w string) string {
	if len(w) < 4 || !isASCII(w) {
		return w
	}
	if s, ok := stemCache.load(w); ok {
		return s
	}
	s := porterstemmer.StemString(w)
	stemCache.store(w, s)
	return s
}

// stemCacheMax bounds each stem cache (about 100 bytes an entry); the most
// frequent words fill it first, and rarer words met after it is full are
// stemmed every time.
const stemCacheMax = 1 << 16

var stemCache = newSharedCache[string](stemCacheMax) // word -> stem

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// termsVersion is stored with term statistics in snapshots. Bump it
// whenever words, stem or stopWords change which terms a text has, so that
// statistics counted the old way are counted again on load.
const termsVersion = 3 // 2: Latin diacritics folded; 3: contractions' fragments are stop words

// termStats counts, for each term, the chunks it occurs in, for IDF weights.
type termStats struct {
	mu  sync.RWMutex
	df  map[string]int
	n   int
	set map[string]struct{} // scratch for add and remove; s.mu must be held
	// stems caches stem for add and remove, which hold s.mu: cheaper than
	// the shared cache, which must be safe for concurrent use.
	stems map[string]string
}

func newTermStats() termStats { return termStats{df: map[string]int{}} }

func (s *termStats) add(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	for t := range s.termSet(text) {
		if _, ok := s.df[t]; !ok {
			t = strings.Clone(t) // t may be a substring of the chunk
		}
		s.df[t]++
	}
}

func (s *termStats) remove(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	for t := range s.termSet(text) {
		if s.df[t]--; s.df[t] <= 0 {
			delete(s.df, t)
		}
	}
}

// termSet returns the distinct terms of text in s's scratch set, valid
// until the next call; s.mu must be held.
func (s *termStats) termSet(text string) map[string]struct{} {
	if s.set == nil {
		s.set, s.stems = map[string]struct{}{}, map[string]string{}
	}
	clear(s.set)
	eachWord(text, func(w string) {
		if stopWords[w] {
			return
		}
		t, ok := s.stems[w]
		if !ok {
			t = stem(w)
			if len(s.stems) < stemCacheMax {
				s.stems[strings.Clone(w)] = t
			}
		}
		s.set[t] = struct{}{}
	})
	return s.set
}

// replace sets the statistics to those of n chunks with document
// frequencies df, as a snapshot recorded them.
func (s *termStats) replace(n int, df map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n, s.df = n, df
}

// snapshot returns the number of chunks and a copy of the document
// frequencies.
func (s *termStats) snapshot() (int, map[string]int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	df := make(map[string]int, len(s.df))
	for t, n := range s.df {
		df[t] = n
	}
	return s.n, df
}

// idf is BM25's inverse document frequency; a term no chunk contains gets
// the largest weight.
func (s *termStats) idf(t string) float64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, df := float64(s.n), float64(s.df[t])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// stopWords are English function words and question words that carry no
// topic.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at be
		because been before being below between both but by can could did do does doing down during each
		few for from further had has have having he her here hers herself him himself his how i if in into
		is it its itself just me more most my myself no nor not now of off on once only or other our ours
		ourselves out over own same she should so some such than that the their theirs them themselves then
		there these they this those through to too under until up very was we were what when where which
		while who whom whose why will with would you your yours yourself yourselves s t don shall may might
		must according said says say one ones
		m ll re ve d isn aren wasn weren doesn didn hasn haven hadn couldn wouldn shouldn mustn needn shan mightn`) {
		m[w] = true
	}
	return m
}()

// vocabulary numbers the words of the chunks that questions have read,
// and their stems, with what is known of each word whatever the question:
// whether it is a stop word, its stem, its vector. Words are added, never
// removed: it holds at most the corpus' vocabulary, as the term statistics
// do. It is safe for concurrent use.
type vocabulary struct {
	mu    sync.RWMutex
	ids   map[string]int32
	stems map[string]int32 // stem → its number
	words []*vocabWord     // by number
	// vectors counts the words whose vector is kept (see vector).
	vectors atomic.Int64
}

// vocabWord is one word of the vocabulary. Its fields never change once
// it is added, but for vec.
type vocabWord struct {
	word   string
	stem   string // "" for a stop word
	stemID int32  // the number of stem; -1 for a stop word
	stop   bool
	// vec is the word's vector once looked up (see vocabulary.vector).
	vec atomic.Pointer[wordVector]
}

// wordVector is a word's vector: its unit vector v, or the word model's
// own row of it and the inverse of the row's length; neither when the
// model lacks the word.
type wordVector struct {
	v   []float32
	row []int8
	inv float32
}

// has reports whether the word model has the word.
func (wv *wordVector) has() bool { return wv.v != nil || wv.row != nil }

// cosine is the cosine similarity of the word and the unit vector q.
func (wv *wordVector) cosine(q []float32) float32 {
	if wv.row != nil {
		return dotRow(q, wv.row) * wv.inv
	}
	return dot(q, wv.v)
}

func newVocabulary() *vocabulary {
	return &vocabulary{ids: map[string]int32{}, stems: map[string]int32{}}
}

// add returns w's number, numbering it if it is new; v.mu must be held
// for writing.
func (v *vocabulary) add(w string) int32 {
	if id, ok := v.ids[w]; ok {
		return id
	}
	w = strings.Clone(w) // w may be a substring of a chunk
	id := int32(len(v.words))
	vw := &vocabWord{word: w, stop: stopWords[w], stemID: -1}
	if !vw.stop {
		vw.stem = stem(w)
		sn, ok := v.stems[vw.stem]
		if !ok {
			sn = int32(len(v.stems))
			v.stems[vw.stem] = sn
		}
		vw.stemID = sn
	}
	v.words = append(v.words, vw)
	v.ids[w] = id
	return id
}

// id returns w's number, numbering it if it is new.
func (v *vocabulary) id(w string) int32 {
	v.mu.RLock()
	id, ok := v.ids[w]
	v.mu.RUnlock()
	if ok {
		return id
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.add(w)
}

// list returns the words numbered so far. Its entries are pointers that
// never change, so that it may be read without the lock.
func (v *vocabulary) list() []*vocabWord {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.words
}

// stemIDs returns the numbers of the stems ts (-1 for a stem no word of
// the vocabulary has) and how many stems were numbered then: a word added
// later may have a stem numbered later, one of ts among them.
func (v *vocabulary) stemIDs(ts []string) (ids []int32, known int32) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	ids = make([]int32, len(ts))
	for i, t := range ts {
		ids[i] = -1
		if sn, ok := v.stems[t]; ok {
			ids[i] = sn
		}
	}
	return ids, int32(len(v.stems))
}

// maxVocabVectors bounds the words whose vectors the vocabulary keeps as
// floats (about 400 bytes each, 3 MB); a word past it is looked up each
// time. A word model that gives its rows (wordRows) has every word's row
// kept instead, for about 90 bytes a word.
const maxVocabVectors = 1 << 13

// wordRows is implemented by word models that keep each word's vector as
// a row of int8 components (rag/glove), and give it without a copy.
type wordRows interface {
	WordRow(word string) ([]int8, bool)
}

// vector returns the vector of w, one of v's words, from wv, looking it up
// once for all questions.
func (v *vocabulary) vector(w *vocabWord, wv WordVectors) *wordVector {
	if p := w.vec.Load(); p != nil {
		return p
	}
	if wr, ok := wv.(wordRows); ok {
		row, _ := wr.WordRow(w.word)
		vec := &wordVector{row: row}
		if n := rowLength(row); n > 0 {
			vec.inv = float32(1 / n)
		} else {
			vec.row = nil
		}
		if !w.vec.CompareAndSwap(nil, vec) {
			return w.vec.Load()
		}
		return vec
	}
	f, _ := wv.WordVector(w.word)
	vec := &wordVector{v: f}
	if v.vectors.Load() < maxVocabVectors && w.vec.CompareAndSwap(nil, vec) {
		v.vectors.Add(1)
	}
	return vec
}

// rowLength is the Euclidean length of row.
func rowLength(row []int8) float64 {
	var ss float64
	for _, x := range row {
		ss += float64(x) * float64(x)
	}
	return math.Sqrt(ss)
}
