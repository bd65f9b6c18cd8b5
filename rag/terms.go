package rag

import (
	"math"
	"strings"
	"sync"
	"unicode"

	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// terms splits text into lower-cased, stemmed content words: the units that
// question/passage overlap is measured in. Stop words are dropped.
func terms(text string) []string {
	var out []string
	for _, w := range words(text) {
		if stopWords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// words splits text into lower-cased runs of letters and digits.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func stem(w string) string {
	if len(w) < 4 || !isASCII(w) {
		return w
	}
	return porterstemmer.StemString(w)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// termStats counts, for each term, the chunks it occurs in, for IDF weights.
type termStats struct {
	mu sync.RWMutex
	df map[string]int
	n  int
}

func newTermStats() termStats { return termStats{df: map[string]int{}} }

func (s *termStats) add(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	for t := range termSet(text) {
		s.df[t]++
	}
}

func (s *termStats) remove(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	for t := range termSet(text) {
		if s.df[t]--; s.df[t] <= 0 {
			delete(s.df, t)
		}
	}
}

// idf is BM25's inverse document frequency; a term no chunk contains gets
// the largest weight.
func (s *termStats) idf(t string) float64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, df := float64(s.n), float64(s.df[t])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

func termSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, t := range terms(text) {
		set[t] = true
	}
	return set
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
		must according said says say one ones`) {
		m[w] = true
	}
	return m
}()
