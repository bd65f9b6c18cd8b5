package rag

import (
	"iter"
	"math"
)

// WordVectors is implemented by embedders that can give the vector of a
// single word; Ask uses it to credit a sentence that says a question's word
// in other words ("surveillance" for "monitoring").
type WordVectors interface {
	WordVector(word string) ([]float32, bool)
}

// WordRarity is implemented by word models that know how common a word is
// in general use: 0 for the most common word, 1 for one they have never
// seen. A question's word that the documents lack says more when it is
// rare ("platyctenids") than when it is common ("originate"), whatever
// corpus the documents are.
type WordRarity interface {
	WordRarity(word string) float64
}

// cachedWordVectors remembers the vectors it has looked up, for all
// questions: a corpus' vocabulary is bounded, and looking a word up costs a
// hash, a dequantisation and a normalisation. It stops adding words past
// maxCachedWords (about 3.5 MB), so that it cannot grow without bound; the
// words seen first, the common ones, stay.
type cachedWordVectors struct {
	wv    WordVectors
	cache *sharedCache[[]float32] // word → vector (nil: not in the vocabulary)
}

const maxCachedWords = 8192

func newCachedWordVectors(wv WordVectors) *cachedWordVectors {
	return &cachedWordVectors{wv: wv, cache: newSharedCache[[]float32](maxCachedWords)}
}

func (c *cachedWordVectors) WordVector(w string) ([]float32, bool) {
	if vec, ok := c.cache.load(w); ok {
		return vec, vec != nil
	}
	vec, ok := c.wv.WordVector(w)
	c.cache.store(w, vec)
	return vec, ok
}

// passageWords is what one question has learned of the words of the
// passages it reads. Each distinct word is looked up once per question —
// whether it is a stop word, its stem and whether that is one of the
// question's terms, and, when related-word credit asks, its similarity to
// each of the question's words — rather than at each of its occurrences in
// the forty or so candidate passages, which share most of their words.
// Passages then hold their words as numbers into it. It is not safe for
// concurrent use: a question is read by one goroutine.
type passageWords struct {
	q  *query
	wv WordVectors // nil: no related-word credit
	// ids numbers the words met so far; nil once no new word is expected
	// (see done), which frees it.
	ids   map[string]int32
	info  []wordInfo
	stems map[string]int32 // stem → its number
	// seen holds, by stem number, the stamp of the last sentence that
	// had the stem, for counting a sentence's distinct terms.
	seen  []uint32
	stamp uint32
	// qvecs are the vectors of the question's words, by place in q.order
	// (nil: not in the vocabulary), looked up on first need.
	qvecs    [][]float32
	qvecsSet bool
	// sims holds the similarity of word id to the question's word i at
	// id*len(q.order)+i; NaN until computed.
	sims []float32
}

// wordInfo is one word as a question sees it.
type wordInfo struct {
	stop   bool
	stem   int32 // the number of the word's stem
	term   int32 // the stem's place in q.order, -1 when the question lacks it
	vec    []float32
	vecSet bool
	word   string
}

func newPassageWords(q *query, wv WordVectors) *passageWords {
	return &passageWords{q: q, wv: wv, ids: map[string]int32{}, stems: map[string]int32{}}
}

// id returns w's number, looking the word up the first time.
func (p *passageWords) id(w string) int32 {
	if id, ok := p.ids[w]; ok {
		return id
	}
	id := int32(len(p.info))
	p.ids[w] = id
	in := wordInfo{stop: stopWords[w], stem: -1, term: -1, word: w}
	if !in.stop {
		t := stem(w)
		sn, ok := p.stems[t]
		if !ok {
			sn = int32(len(p.stems))
			p.stems[t] = sn
			p.seen = append(p.seen, 0)
		}
		in.stem = sn
		if i, ok := p.q.index[t]; ok {
			in.term = int32(i)
		}
	}
	p.info = append(p.info, in)
	for range p.q.order {
		p.sims = append(p.sims, float32(math.NaN()))
	}
	return id
}

// sentence starts a new sentence for firstInSentence.
func (p *passageWords) sentence() { p.stamp++ }

// firstInSentence reports whether the stem of word id is new to the
// current sentence, and marks it seen.
func (p *passageWords) firstInSentence(id int32) bool {
	sn := p.info[id].stem
	if p.seen[sn] == p.stamp {
		return false
	}
	p.seen[sn] = p.stamp
	return true
}

// done drops what only numbering new words needs, once every passage of
// the question is read: sentences later measured are among them.
func (p *passageWords) done() { p.ids, p.stems, p.seen = nil, nil, nil }

// best returns the highest cosine similarity of the question's word at
// place i to one of the words ws (by number; stop words are passed over),
// 0 when none is positive or either lacks a vector.
func (p *passageWords) best(i int, ws iter.Seq[int32]) float64 {
	if p.wv == nil {
		return 0
	}
	if !p.qvecsSet {
		p.qvecsSet = true
		p.qvecs = make([][]float32, len(p.q.order))
		for j, t := range p.q.order {
			p.qvecs[j], _ = p.wv.WordVector(p.q.words[t])
		}
	}
	qv := p.qvecs[i]
	if qv == nil {
		return 0
	}
	n := len(p.q.order)
	var best float32
	for id := range ws {
		in := &p.info[id]
		if in.stop {
			continue
		}
		s := &p.sims[int(id)*n+i]
		if *s != *s { // NaN: not yet computed
			if !in.vecSet {
				in.vecSet = true
				in.vec, _ = p.wv.WordVector(in.word)
			}
			*s = 0 // no vector: no credit, as a similarity of 0 gives none
			if in.vec != nil {
				*s = dot(qv, in.vec)
			}
		}
		best = max(best, *s)
	}
	return float64(best)
}
