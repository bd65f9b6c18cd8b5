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

// spellings is the documents' vocabulary: each lower-case word of letters,
// with the number of its occurrences, by its first letter.
type spellings struct {
	byFirst map[rune][]spelling
}

type spelling struct {
	word  string
	runes []rune
	n     int
}

// spellingsOf reads the vocabulary from chunk texts.
func spellingsOf(texts iter.Seq[string]) *spellings {
	counts := map[string]int{}
	for text := range texts {
		for _, w := range words(text) {
			if utf8.RuneCountInString(w) >= minSpelt-2 && lettersOnly(w) {
				counts[w]++
			}
		}
	}
	s := &spellings{byFirst: map[rune][]spelling{}}
	for w, n := range counts {
		r, _ := utf8.DecodeRuneInString(w)
		s.byFirst[r] = append(s.byFirst[r], spelling{word: w, runes: []rune(w), n: n})
	}
	return s
}

// lettersOnly reports a word of letters alone.
func lettersOnly(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

// correct returns the documents' word that w (lower case, folded) is
// nearest, "" when none is within reach: the fewest slips, then the most
// frequent, then the first in order. A word keeps its first letter; few
// slips change it, and it keeps the search small.
func (s *spellings) correct(w string) string {
	rw := []rune(w)
	if len(rw) < minSpelt || !lettersOnly(w) {
		return ""
	}
	reach := 1
	if len(rw) >= longSpelt {
		reach = 2
	}
	best, bestD, bestN := "", reach+1, 0
	for _, c := range s.byFirst[rw[0]] {
		if abs(len(c.runes)-len(rw)) > reach {
			continue
		}
		d := slips(rw, c.runes, reach)
		if d < bestD || d == bestD && (c.n > bestN || c.n == bestN && c.word < best) {
			best, bestD, bestN = c.word, d, c.n
		}
	}
	if bestD > reach {
		return ""
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// slips is the number of letters inserted, dropped, replaced or swapped
// with the next that make a of b (the optimal string alignment distance),
// or bound+1 when it is more than bound.
func slips(a, b []rune, bound int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
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
	changed := false
	for i, f := range fields {
		start := strings.IndexFunc(f, unicode.IsLetter)
		if start < 0 {
			continue
		}
		end := strings.LastIndexFunc(f, unicode.IsLetter)
		_, n := utf8.DecodeRuneInString(f[end:])
		core, trail := f[start:end+n], f[end+n:]
		for _, poss := range []string{"'s", "’s"} {
			if c, ok := strings.CutSuffix(core, poss); ok && c != "" {
				core, trail = c, poss+trail // "Acmee's"
			}
		}
		ws := words(core)
		if len(ws) != 1 || stopWords[ws[0]] || known(ws[0]) || !rare(ws[0]) {
			continue
		}
		fix := table().correct(ws[0])
		if fix == "" {
			continue
		}
		fields[i] = f[:start] + inCaseOf(core, fix) + trail
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
