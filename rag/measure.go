package rag

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
	tf    []int // occurrences of each question term, by its index in q.order
	n     int   // content words
}

// measure reads text against q, numbering its words in pw.
func measure(q *query, text string, pw *passageWords) measured {
	spans := sentenceSpans(text)
	m := measured{sents: make([]measuredSentence, len(spans)), tf: make([]int, len(q.order))}
	for si, sp := range spans {
		s := &m.sents[si]
		s.span = sp
		pw.sentence()
		last := -1
		eachWord(text[sp.Start:sp.End], func(w string) {
			id := pw.id(w)
			s.words = append(s.words, id)
			in := pw.info[id]
			if in.stop {
				return
			}
			m.n++
			i, ok := int(in.term), in.term >= 0
			if pw.firstInSentence(id) {
				s.distinct++
				if !ok {
					s.novel++
				}
			}
			if !ok {
				last = -1
				return
			}
			m.tf[i]++
			if i < maxMaskTerms {
				s.mask |= 1 << i
			}
			if last >= 0 {
				if j, ok := q.pairs[[2]int{last, i}]; ok && j < maxMaskTerms {
					s.pairs |= 1 << j
				}
			}
			last = i
		})
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

// hasType reports whether sentence i of c holds the type of answer q asks
// for, looking at most once: the ranker asks for some sentences, the
// chooser for those of the top passages.
func (c *candidate) hasType(i int, q *query) bool {
	s := &c.m.sents[i]
	if !s.typeKnown {
		s.typeKnown = true
		s.typeFound = hasAnswerType(c.Text[s.span.Start:s.span.End], q.want, *q)
	}
	return s.typeFound
}
