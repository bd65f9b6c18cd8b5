package rag

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Spelling: people misspell ("goverment", "ARPNET" for ARPANET). A
// misspelt word is one no chunk has, so it finds nothing, and it makes the
// question look like one about something else. correctSpelling rewrites
// such a word as the documents' word it is one slip from (two, for a long
// word) before the question is searched for and measured, as search tools
// offer "did you mean".

// A word is corrected only when a word model ranks it this rare or rarer
// in general English (see WordRarity): about beyond the 100,000 commonest
// words of GloVe's 400,000. A common word the documents lack ("wages",
// "thought") is a question about something else, not a slip for "wales"
// or "though"; without a word model nothing is corrected.
const minSpeltRarity = 0.9

// Bounds on what is corrected: words shorter than minSpelt letters have
// too many neighbours to guess among; a word of longSpelt letters or more
// may be two slips from its spelling, a shorter one only one.
const (
	minSpelt  = 5
	longSpelt = 8
)

// maxSpelt is the most words of one question that are looked up to be
// corrected: each costs a search of the documents' words of about its
// length, and a question of many unknown words is about something else.
const maxSpelt = 3

// spellings is the documents' vocabulary: each lower-case word of letters
// that a correction could give, with the number of its occurrences, by its
// first letter and its length in letters.
type spellings struct {
	words map[spellKey][]spelling
}

type spellKey struct {
	first   rune
	letters int
}

type spelling struct {
	word string
	n    int
}

// spellingsOf reads the vocabulary from chunk texts.
func spellingsOf(texts iter.Seq[string]) *spellings {
	counts := map[string]int{}
	for text := range texts {
		eachWord(text, func(w string) {
			if len(w) < minSpelt-1 {
				return // no word corrected is more than one letter longer
			}
			if n, ok := counts[w]; ok {
				counts[w] = n + 1
			} else if spellable(w) {
				// A copy: w may be a slice of the chunk's text, or of a
				// lower-cased copy of it, which the table would keep.
				counts[strings.Clone(w)] = 1
			}
		})
	}
	s := &spellings{words: map[spellKey][]spelling{}}
	for w, n := range counts {
		r, _ := utf8.DecodeRuneInString(w)
		k := spellKey{r, utf8.RuneCountInString(w)}
		s.words[k] = append(s.words[k], spelling{word: w, n: n})
	}
	return s
}

// spellable reports a word of letters of a script that writes words apart:
// Latin, Greek or Cyrillic. In Chinese, Japanese or Thai a "word" is a
// whole clause, and one letter from another is another clause ("年假",
// annual leave, is not a slip for "病假", sick leave).
func spellable(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) || !unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic) {
			return false
		}
	}
	return w != ""
}

// correct returns the documents' word that w (lower case, folded) is
// nearest, "" when none is within reach: the fewest slips, then the most
// frequent, then the first in order. A word keeps its first letter; few
// slips change it, and it keeps the search small.
func (s *spellings) correct(w string) string {
	rw := []rune(w)
	if len(rw) < minSpelt || !spellable(w) {
		return ""
	}
	reach := 1
	if len(rw) >= longSpelt {
		reach = 2
	}
	sc := newSlipRows(len(rw) + reach)
	best, bestD, bestN := "", reach+1, 0
	for letters := len(rw) - reach; letters <= len(rw)+reach; letters++ {
		for _, c := range s.words[spellKey{rw[0], letters}] {
			d := sc.slips(rw, c.word, reach)
			if d < bestD || d == bestD && (c.n > bestN || c.n == bestN && c.word < best) {
				best, bestD, bestN = c.word, d, c.n
			}
		}
	}
	if bestD > reach {
		return ""
	}
	return best
}

// slipRows is the memory of slips, reused from one word to the next.
type slipRows struct {
	prev2, prev, cur []int
	b                []rune
}

func newSlipRows(n int) *slipRows {
	return &slipRows{make([]int, n+1), make([]int, n+1), make([]int, n+1), make([]rune, 0, n)}
}

// slips is the number of letters inserted, dropped, replaced or swapped
// with the next that make a of word (the optimal string alignment
// distance), or bound+1 when it is more than bound.
func (sc *slipRows) slips(a []rune, word string, bound int) int {
	b := sc.b[:0]
	for _, r := range word {
		b = append(b, r)
	}
	sc.b = b
	if len(b)+1 > len(sc.cur) {
		*sc = *newSlipRows(len(b))
		sc.b = b
	}
	prev2, prev, cur := sc.prev2[:len(b)+1], sc.prev[:len(b)+1], sc.cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			low = min(low, v)
		}
		if low > bound {
			return bound + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], bound+1)
}

// correctSpelling rewrites q's words that no chunk has and that are one
// slip (two, for a long word) from a word of the documents as that word,
// in the case they were typed in ("charecterized" → "characterized",
// "ARPNET" → "ARPANET"), when rare reports them rare in general English.
// q is returned as it is when every word is known. known reports a word
// some chunk has; table is called only when one is not.
func correctSpelling(q string, known, rare func(string) bool, table func() *spellings) string {
	fields := strings.Fields(q)
	changed, tried := false, 0
	for i, f := range fields {
		if tried == maxSpelt {
			break
		}
		w := qwordOf(f) // "Acmee's": the word is "Acmee"
		if w.core == "" {
			continue
		}
		ws := words(w.core)
		if len(ws) != 1 || stopWords[ws[0]] || known(ws[0]) || !rare(ws[0]) {
			continue
		}
		tried++
		fix := table().correct(ws[0])
		if fix == "" {
			continue
		}
		fields[i] = w.lead + inCaseOf(w.core, fix) + w.trail
		changed = true
	}
	if !changed {
		return q
	}
	return strings.Join(fields, " ")
}

// inCaseOf writes w (lower case) in the case typed was written in: all in
// capitals, capitalised or lower case.
func inCaseOf(typed, w string) string {
	switch {
	case isAllCaps(typed) && utf8.RuneCountInString(typed) > 1:
		return strings.ToUpper(w)
	case unicode.IsUpper([]rune(typed)[0]):
		r, n := utf8.DecodeRuneInString(w)
		return string(unicode.ToUpper(r)) + w[n:]
	}
	return w
}
