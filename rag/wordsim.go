package rag

import (
	"sync"
	"sync/atomic"
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
	n     atomic.Int64
	cache sync.Map // word → []float32 (nil: not in the vocabulary)
}

const maxCachedWords = 8192

func (c *cachedWordVectors) WordVector(w string) ([]float32, bool) {
	if v, ok := c.cache.Load(w); ok {
		vec := v.([]float32)
		return vec, vec != nil
	}
	vec, ok := c.wv.WordVector(w)
	if c.n.Load() < maxCachedWords {
		if _, loaded := c.cache.LoadOrStore(w, vec); !loaded {
			c.n.Add(1)
		}
	}
	return vec, ok
}

// wordSim measures word similarity with a per-question cache.
type wordSim struct {
	wv    WordVectors
	cache map[string][]float32
}

func newWordSim(wv WordVectors) *wordSim {
	return &wordSim{wv: wv, cache: map[string][]float32{}}
}

func (s *wordSim) vector(w string) []float32 {
	v, ok := s.cache[w]
	if !ok {
		v, _ = s.wv.WordVector(w)
		s.cache[w] = v
	}
	return v
}

// best returns the highest cosine similarity of word to one of words.
func (s *wordSim) best(word string, words []string) float64 {
	if s.wv == nil {
		return 0
	}
	qv := s.vector(word)
	if qv == nil {
		return 0
	}
	var best float32
	for _, w := range words {
		if v := s.vector(w); v != nil {
			best = max(best, dot(qv, v))
		}
	}
	return float64(best)
}
