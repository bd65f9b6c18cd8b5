package rag

import (
	"math/bits"
	"slices"
	"sync/atomic"
)

// Measuring a text against a question: each passage is read once, word by
// word, into what the features need — which of the question's terms each
// sentence has (as a bit set), how often each occurs, which of its word
// pairs occur in a row — so that the work per candidate is one pass over
// its words and no per-sentence maps.

// termMask is a set of a question's terms: bit i stands for q.order[i].
// A question's terms past the 64th are not tracked.
type termMask uint64

const maxMaskTerms = 64

// covered is the IDF-weighted share of q's terms in m.
func (q *query) covered(m termMask) float64 {
	if q.weight == 0 {
		return 0
	}
	var hit float64
	for i, t := range q.order {
		if i < maxMaskTerms && m&(1<<i) != 0 {
			hit += q.terms[t]
		}
	}
	return hit / q.weight
}

// all is the set of all q's terms.
func (q *query) all() termMask {
	var m termMask
	for i := range q.order {
		if i < maxMaskTerms {
			m |= 1 << i
		}
	}
	return m
}

// rarest is the term of m with the largest IDF (the first of those of
// equal IDF), none for none.
func (q *query) rarest(m termMask) termMask {
	var best termMask
	var idf float64
	for i, t := range q.order {
		if i < maxMaskTerms && m&(1<<i) != 0 && (best == 0 || q.terms[t] > idf) {
			best, idf = 1<<i, q.terms[t]
		}
	}
	return best
}

// mask is the set of q's terms among the stems in have.
func (q *query) mask(have map[string]bool) termMask {
	var m termMask
	for i, t := range q.order {
		if i < maxMaskTerms && have[t] {
			m |= 1 << i
		}
	}
	return m
}

// measuredSentence is one sentence of a passage as the question sees it.
type measuredSentence struct {
	span     Span
	words    []int32  // its lower-case words, numbered in the question's passageWords
	mask     termMask // the question's terms it has
	pairs    termMask // the question's word pairs it has in a row (bit j: q.pairs[j])
	distinct int      // distinct content terms
	novel    int      // of them, terms the question lacks

	typeKnown, typeFound bool // whether it holds the asked type, once looked at
}

// measured is a passage read against a question.
type measured struct {
	sents []measuredSentence
	tf    []int   // occurrences of each question term, by its index in q.order
	n     int     // content words
	words []int32 // its distinct content words, numbered in the question's passageWords
}

// chunkReading is what measuring a text needs that no question changes:
// its sentences, its words numbered in the index's vocabulary, the
// distinct terms of each sentence. A chunk is read once (see
// Index.reading), not at each question that retrieves it.
type chunkReading struct {
	sents []readSentence
	vocab []int32 // the distinct words of the text, by number in the vocabulary
	n     int     // content words
}

// readSentence is one sentence of a chunkReading.
type readSentence struct {
	span     Span
	words    []int32 // its words in order, each an index into the reading's vocab
	distinct int     // distinct content terms
	// header is, for a row of a Markdown table, the sentence of the
	// table's header row, whose words name its cells; -1 for others.
	// head is set on a header row.
	header int32
	head   bool
	// types holds the answer types looked for in it (bit t) and found (bit
	// 16+t), of those whatever the question finds alike (see hasType).
	types atomic.Uint32
}

// typeOfQuestion reports the answer types whose presence in a text
// hasAnswerType decides with the question's words (a name the question
// does not say); the others it decides from the text alone, and a
// chunk's reading remembers them for every question.
func typeOfQuestion(t answerType) bool {
	return t == personType || t == placeType || t == nameType
}

// hasType reports whether the sentence, whose text is text, holds an
// answer of type t, which no question changes (see typeOfQuestion),
// looking at most once for all questions.
func (s *readSentence) hasType(text string, t answerType) bool {
	known, found := uint32(1)<<t, uint32(1)<<(16+t)
	if v := s.types.Load(); v&known != 0 {
		return v&found != 0
	}
	v := known
	if hasAnswerType(text, t, query{}) {
		v |= found
	}
	s.types.Or(v)
	return v&found != 0
}

// typeOf reports whether text, the sentence s read (nil when it was not
// read), holds an answer of type t to q: what no question changes is
// looked for once for all questions, the rest each time.
func (s *readSentence) typeOf(text string, t answerType, q *query) bool {
	switch {
	case s == nil:
		return hasAnswerType(text, t, *q)
	case t == placeType:
		return s.hasType(text, placeShapeType) || hasNewName(text, *q, false)
	case typeOfQuestion(t):
		return hasAnswerType(text, t, *q)
	}
	return s.hasType(text, t)
}

// number returns the numbers in v of the words of text's sentences
// spans, in order, each word's stem's number (-1: a stop word), and where
// each sentence's words end. It looks each word up once, holding v's lock
// for reading; only the words v lacks are added, under its lock for
// writing. The locks are released however it returns.
func (v *vocabulary) number(text string, spans []Span) (ids, stems []int32, ends []int) {
	// A word v lacks is -1 until it is added, and listed in unknown by
	// its place.
	type place struct {
		at   int
		word string
	}
	var unknown []place
	ends = make([]int, len(spans))
	func() {
		v.mu.RLock()
		defer v.mu.RUnlock()
		for si, sp := range spans {
			eachWord(text[sp.Start:sp.End], func(w string) {
				id, ok := v.ids[w]
				stem := int32(-1)
				if ok {
					stem = v.words[id].stemID
				} else {
					id = -1
					unknown = append(unknown, place{len(ids), w})
				}
				ids, stems = append(ids, id), append(stems, stem)
			})
			ends[si] = len(ids)
		}
	}()
	if len(unknown) > 0 {
		v.mu.Lock()
		defer v.mu.Unlock()
		for _, u := range unknown {
			ids[u.at] = v.add(u.word)
			stems[u.at] = v.words[ids[u.at]].stemID
		}
	}
	return ids, stems, ends
}

// readText reads text, numbering its words in v (see vocabulary.number),
// so that questions read chunks at once.
func readText(v *vocabulary, text string) *chunkReading {
	spans := sentenceSpans(text)
	rd := &chunkReading{sents: make([]readSentence, len(spans))}
	// The words' numbers in v, in order, and for each its stem's number
	// (-1: a stop word).
	ids, stems, ends := v.number(text, spans)
	// Number the text's distinct words in rd.vocab, and count each
	// sentence's distinct content stems.
	local := newWordNumbers(len(ids))
	all := make([]int32, len(ids))
	var sentStems []int32
	start := 0
	for si, end := range ends {
		sentStems = sentStems[:0]
		for j := start; j < end; j++ {
			k, ok := local.get(ids[j])
			if !ok {
				k = int32(len(rd.vocab))
				local.put(ids[j], k)
				rd.vocab = append(rd.vocab, ids[j])
			}
			all[j] = k
			if stems[j] >= 0 {
				rd.n++
				sentStems = append(sentStems, stems[j])
			}
		}
		rd.sents[si] = readSentence{span: spans[si], distinct: countDistinct(sentStems), header: -1,
			words: all[start:end:end]}
		start = end
	}
	markTables(text, rd.sents)
	return rd
}

// countDistinct returns the number of distinct values in s, which it
// reorders.
func countDistinct(s []int32) int {
	slices.Sort(s)
	n := 0
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			n++
		}
	}
	return n
}

// measure reads text against q, numbering its words in pw.
func measure(q *query, text string, pw *passageWords) measured {
	return pw.measure(readText(pw.vocab, text))
}

// measure reads a chunk against the question. A sentence's novel terms
// are its distinct terms less the question's it has: every term of a
// question has a bit in a mask.
func (pw *passageWords) measure(rd *chunkReading) measured {
	q := pw.q
	ids := pw.number(rd.vocab)
	m := measured{sents: make([]measuredSentence, len(rd.sents)), tf: make([]int, len(q.order)), n: rd.n}
	total := 0
	for i := range rd.sents {
		total += len(rd.sents[i].words)
	}
	block := make([]int32, total)
	for si := range rd.sents {
		rs := &rd.sents[si]
		s := &m.sents[si]
		s.span, s.distinct = rs.span, rs.distinct
		s.words, block = block[:len(rs.words):len(rs.words)], block[len(rs.words):]
		last := -1
		for j, k := range rs.words {
			id := ids[k]
			s.words[j] = id
			in := &pw.info[id]
			if in.stop {
				continue
			}
			if in.term < 0 {
				last = -1
				continue
			}
			i := int(in.term)
			m.tf[i]++
			if i < maxMaskTerms {
				s.mask |= 1 << i
			}
			if last >= 0 {
				if p, ok := q.pairs[[2]int{last, i}]; ok && p < maxMaskTerms {
					s.pairs |= 1 << p
				}
			}
			last = i
		}
		s.novel = s.distinct - bits.OnesCount64(uint64(s.mask))
	}
	// A table's row has the words of its header too: "| Paris | 180 euros |"
	// is the nightly limit in Paris.
	for si := range m.sents {
		if h := rd.sents[si].header; h >= 0 {
			m.sents[si].mask |= m.sents[h].mask
		}
	}
	m.words = make([]int32, 0, len(ids))
	for _, id := range ids {
		if !pw.info[id].stop {
			m.words = append(m.words, id)
		}
	}
	return m
}

// pairShare is the share of q's word pairs in p.
func (q *query) pairShare(p termMask) float64 {
	if len(q.pairs) == 0 {
		return 0
	}
	n := 0
	for ; p != 0; p &= p - 1 {
		n++
	}
	return float64(n) / float64(len(q.pairs))
}

// typedText is the text of a sentence as an answer of type t is looked
// for in it: a table's row (under header) read as it is quoted, its cells
// named by the header, where t is money — "Price (£): 19.20" is an amount
// of money where "| 19.20 |" is a number. For money only: other labels
// would lend every row their type ("Room 101", "Since 2019"), and their
// capitals would read as names.
func typedText(text, header string, t answerType) string {
	if header != "" && t == moneyType {
		return tableRowText(header, text)
	}
	return text
}

// rowHeader is, for sentence i of the passage that is a row of a
// Markdown table, the table's header row; "" for any other sentence.
func (c *candidate) rowHeader(i int) string {
	if c.read != nil && i < len(c.read.sents) && c.read.sents[i].header >= 0 {
		h := c.read.sents[c.read.sents[i].header].span
		return c.Text[h.Start:h.End]
	}
	if i < c.carried {
		return c.tableHeader
	}
	return ""
}

// hasType reports whether sentence i of c holds the type of answer q asks
// for, looking at most once: the ranker asks for some sentences, the
// chooser for those of the top passages. Where the question's words do
// not matter, its chunk's reading looks once for all questions.
func (c *candidate) hasType(i int, q *query) bool {
	s := &c.m.sents[i]
	if !s.typeKnown {
		s.typeKnown = true
		text := typedText(c.Text[s.span.Start:s.span.End], c.rowHeader(i), q.want)
		var read *readSentence
		if c.read != nil {
			read = &c.read.sents[i]
		}
		s.typeFound = read.typeOf(text, q.want, q)
	}
	return s.typeFound
}
