package textanalyzer

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// Token is a term of analysed text: what bleve's analysis.Token holds,
// without a heap object of its own.
type Token struct {
	// Term is the token's term: folded, lower-cased, stemmed. Terms are
	// shared between tokens and calls.
	Term string
	// ID numbers the term in this process, from 1, or is 0: tokens with
	// the same ID other than 0 have the same term, and tokens with the
	// same term have the same ID unless one of them is 0. Most terms have
	// a number; those the term cache has no room for, and those of text
	// that is not ASCII once folded, have none.
	ID uint32
	// Start and End are the byte offsets of the token's word in the text
	// once folded (which is the text itself when it is ASCII).
	Start, End int
	// Position is the word's number in the text, from 1, stop words
	// included.
	Position int
	// Type is analysis.Numeric for a word with digits and no letters,
	// analysis.Ideographic for Han, Hiragana and Katakana, else
	// analysis.AlphaNumeric.
	Type analysis.TokenType
}

// Analyzer analyses text into exactly the tokens New's analyzer gives,
// with less work: text that is ASCII once folded (most English text) is
// split into words and filtered in one pass here, each distinct word
// looked up once in a cache of its term; other text goes through bleve's
// steps. The zero Analyzer is ready to use. It is not safe for concurrent
// use: use one per goroutine.
type Analyzer struct {
	toks  []Token
	lower []byte
	// folds caches the folding of the runes above ASCII met so far.
	folds map[rune]string
}

// foldsMax bounds an Analyzer's cache of foldings.
const foldsMax = 4096

// slow is New's analyzer less its folding step, for text that is not
// ASCII once folded.
var slow = sync.OnceValue(func() analysis.Analyzer {
	cfg := Config()
	delete(cfg, "char_filters")
	a, err := custom.AnalyzerConstructor(cfg, registry.NewCache())
	if err != nil {
		panic(err) // the names in Config are bleve's own or registered at init
	}
	return a
})

// fold is bleve's ASCII folding.
var fold = asciifolding.New()

// Analyze returns the tokens of text, valid until the next call.
func (a *Analyzer) Analyze(text string) []Token {
	a.toks = a.toks[:0]
	if !isASCII(text) {
		folded, ascii := a.fold(text)
		if !ascii {
			for _, t := range slow().Analyze(folded) {
				a.toks = append(a.toks, Token{Term: string(t.Term), Start: t.Start, End: t.End, Position: t.Position, Type: t.Type})
			}
			return a.toks
		}
		text = string(folded)
	}
	pos := 0
	for i := 0; ; {
		start, end, numeric := nextWord(text, i)
		if start == len(text) {
			return a.toks
		}
		i = end
		pos++
		w := text[start:end]
		// bleve's possessive filter: a final "'s" or "'S" goes.
		if n := len(w); n >= 2 && (w[n-1] == 's' || w[n-1] == 'S') && w[n-2] == '\'' {
			w = w[:n-2]
		}
		a.lower = a.lower[:0]
		for j := 0; j < len(w); j++ {
			c := w[j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			a.lower = append(a.lower, c)
		}
		e := asciiTerm(a.lower)
		if e.stop {
			continue
		}
		typ := analysis.AlphaNumeric
		if numeric {
			typ = analysis.Numeric
		}
		a.toks = append(a.toks, Token{Term: e.term, ID: e.id, Start: start, End: end, Position: pos, Type: typ})
	}
}

// fold returns text folded as bleve's ASCII folding folds it, and whether
// that is ASCII. That folding maps each rune on its own (to one rune or
// more), an invalid byte as the rune U+FFFD, so the folding of each rune
// above ASCII is cached.
func (a *Analyzer) fold(text string) (folded []byte, ascii bool) {
	if a.folds == nil || len(a.folds) >= foldsMax {
		a.folds = map[rune]string{}
	}
	folded = make([]byte, 0, len(text)+len(text)/4)
	ascii = true
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			folded = append(folded, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		f, ok := a.folds[r]
		if !ok {
			f = string(fold.Filter(utf8.AppendRune(nil, r)))
			a.folds[r] = f
		}
		ascii = ascii && isASCII(f)
		folded = append(folded, f...)
	}
	return folded, ascii
}

// stopWords is the stop list of bleve's English stop filter.
var stopWords = func() analysis.TokenMap {
	m, err := registry.NewCache().TokenMapNamed(en.StopName)
	if err != nil {
		panic(err)
	}
	return m
}()

// terms caches asciiTerm's answers for termCacheMax words, in a table of
// open addressing that every Analyzer shares: a word is found without a
// lock, by one hash. The cached terms are numbered.
var terms struct {
	seed  maphash.Seed
	slots []atomic.Pointer[cachedTerm] // termSlots of them, made at first use
	once  sync.Once
	mu    sync.Mutex        // held to fill a slot
	n     int               // slots filled, under mu
	ids   map[string]uint32 // the numbers of the cached terms, under mu
}

const (
	termCacheMax = 1 << 17
	// termSlots keeps the table at most half full.
	termSlots = 2 * termCacheMax
)

// cachedTerm is a lower-cased word's term and its number, or stop when it
// is a stop word.
type cachedTerm struct {
	hash uint64
	word string
	term string
	id   uint32
	stop bool
}

// asciiTerm returns the term of a lower-cased ASCII word, as bleve's stop
// and porter filters leave it, or stop when the stop filter drops it.
func asciiTerm(w []byte) *cachedTerm {
	terms.once.Do(func() {
		terms.seed = maphash.MakeSeed()
		terms.slots = make([]atomic.Pointer[cachedTerm], termSlots)
		terms.ids = map[string]uint32{}
	})
	h := maphash.Bytes(terms.seed, w)
	for i := h % termSlots; ; i = (i + 1) % termSlots {
		e := terms.slots[i].Load()
		if e == nil {
			break
		}
		if e.hash == h && e.word == string(w) {
			return e
		}
	}
	e := &cachedTerm{hash: h, word: string(w)}
	if _, ok := stopWords[e.word]; ok {
		e.stop = true
	} else {
		e.term = string(analysis.BuildTermFromRunes(porterstemmer.StemWithoutLowerCasing(bytes.Runes(w))))
	}
	terms.mu.Lock()
	defer terms.mu.Unlock()
	if terms.n >= termCacheMax {
		return e // unnumbered
	}
	for i := h % termSlots; ; i = (i + 1) % termSlots {
		f := terms.slots[i].Load()
		if f == nil {
			break
		}
		if f.hash == h && f.word == e.word {
			return f // another Analyzer's, since
		}
	}
	if !e.stop {
		id, ok := terms.ids[e.term]
		if !ok {
			id = uint32(len(terms.ids) + 1)
			terms.ids[e.term] = id
		}
		e.id = id
	}
	for i := h % termSlots; ; i = (i + 1) % termSlots {
		if terms.slots[i].Load() == nil {
			terms.slots[i].Store(e)
			break
		}
	}
	terms.n++
	return e
}
