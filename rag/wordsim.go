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

// passageWords is what one question has learned of the words of the
// passages it reads. Each distinct word is looked up once per question —
// whether it is one of the question's terms, and, when related-word credit
// asks, its similarity to each of the question's words — rather than at
// each of its occurrences in the forty or so candidate passages, which
// share most of their words. Passages then hold their words as numbers
// into it. It is not safe for concurrent use: a question is read by one
// goroutine.
type passageWords struct {
	q     *query
	wv    WordVectors // nil: no related-word credit
	vocab *vocabulary
	// qstems are the numbers of the question's stems in vocab, by place in
	// q.order (-1: none of its words has it), as they were when the
	// question began, when vocab had numbered knownStems stems.
	qstems     []int32
	knownStems int32
	// ids numbers the words met so far by their number in vocab; nil once
	// no new word is expected (see done), which frees it.
	ids  *wordNumbers
	info []wordInfo
	// qvecs are the vectors of the question's words, by place in q.order
	// (nil: not in the vocabulary), looked up on first need.
	qvecs    [][]float32
	qvecsSet bool
	// sims holds the similarity of word id to the question's word i at
	// id*len(q.order)+i; NaN until computed.
	sims []float32
	// best's state: the question's word it compares (its place, its
	// vector), the similarities it is computing, and the highest so far.
	visit   func(int32) bool
	term    int
	qv      []float32
	slots   [4]*float32
	pending int
	rows    [4]*wordVector
	highest float32
}

// wordInfo is one word as a question sees it.
type wordInfo struct {
	word *vocabWord
	term int32 // the stem's place in q.order, -1 when the question lacks it
	stop bool
}

// newPassageWords returns the words of q's passages, numbered in a
// vocabulary of their own (see newPassageWordsIn).
func newPassageWords(q *query, wv WordVectors) *passageWords {
	return newPassageWordsIn(q, wv, newVocabulary())
}

// newPassageWordsIn returns the words of q's passages, whose readings
// number their words in v.
func newPassageWordsIn(q *query, wv WordVectors, v *vocabulary) *passageWords {
	p := &passageWords{q: q, wv: wv, vocab: v, ids: newWordNumbers(1024),
		info: make([]wordInfo, 0, 1024), sims: make([]float32, 0, 1024*len(q.order))}
	p.qstems, p.knownStems = v.stemIDs(q.order)
	return p
}

// id returns w's number, looking the word up the first time.
func (p *passageWords) id(w string) int32 {
	g := p.vocab.id(w)
	if id, ok := p.ids.get(g); ok {
		return id
	}
	return p.add(g, p.vocab.list())
}

// number returns the numbers of the words vs (numbered in the
// vocabulary), looking up those met for the first time.
func (p *passageWords) number(vs []int32) []int32 {
	out := make([]int32, len(vs))
	var list []*vocabWord
	for i, g := range vs {
		id, ok := p.ids.get(g)
		if !ok {
			if list == nil {
				list = p.vocab.list()
			}
			id = p.add(g, list)
		}
		out[i] = id
	}
	return out
}

// add numbers the word g of the vocabulary, whose words are list.
func (p *passageWords) add(g int32, list []*vocabWord) int32 {
	id := int32(len(p.info))
	p.ids.put(g, id)
	vw := list[g]
	in := wordInfo{stop: vw.stop, term: -1, word: vw}
	switch {
	case in.stop:
	case vw.stemID < p.knownStems:
		for i, sn := range p.qstems {
			if sn == vw.stemID {
				in.term = int32(i)
				break
			}
		}
	default: // a stem numbered since the question began
		if i, ok := p.q.index[vw.stem]; ok {
			in.term = int32(i)
		}
	}
	p.info = append(p.info, in)
	for range p.q.order {
		p.sims = append(p.sims, float32(math.NaN()))
	}
	return id
}

// wordNumbers maps the numbers of words in the vocabulary to their
// numbers in a question's passageWords. It is a table of open addressing
// rather than a Go map, which took three times as long for these keys
// (small integers, looked up some four thousand times a question).
type wordNumbers struct {
	slots []uint64 // (vocabulary number + 1) << 32 | question's number; 0: empty
	n     int
	shift uint // 32 - log2(len(slots))
}

// newWordNumbers returns a table for about n words before it grows.
func newWordNumbers(n int) *wordNumbers {
	size, shift := 16, uint(28)
	for size < 2*n {
		size, shift = 2*size, shift-1
	}
	return &wordNumbers{slots: make([]uint64, size), shift: shift}
}

func (t *wordNumbers) slot(g int32) int { return int((uint32(g) * 0x9e3779b1) >> t.shift) }

// get returns the question's number for the vocabulary's word g.
func (t *wordNumbers) get(g int32) (int32, bool) {
	key, mask := uint64(uint32(g)+1)<<32, len(t.slots)-1
	for i := t.slot(g); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if s&^0xffffffff == key {
			return int32(uint32(s)), true
		}
	}
}

// put records id as the question's number for g, which it lacks.
func (t *wordNumbers) put(g, id int32) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots, t.shift, t.n = make([]uint64, 2*len(old)), t.shift-1, 0
		for _, s := range old {
			if s != 0 {
				t.put(int32(uint32(s>>32)-1), int32(uint32(s)))
			}
		}
	}
	mask := len(t.slots) - 1
	i := t.slot(g)
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = uint64(uint32(g)+1)<<32 | uint64(uint32(id))
	t.n++
}

// done drops what only numbering new words needs, once every passage of
// the question is read: sentences later measured are among them.
func (p *passageWords) done() { p.ids = nil }

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
	// The similarities not yet computed are computed four at a time (see
	// dotRow4); until then their slots hold 0, which a later occurrence of
	// the same word reads without harm, 0 being where best starts.
	p.term, p.qv, p.highest, p.pending = i, qv, 0, 0
	if p.visit == nil {
		// Made once a question: a loop's body passed to ws would be a
		// function allocated at each call.
		p.visit = p.visitWord
	}
	ws(p.visit)
	p.flush(qv)
	return float64(p.highest)
}

// visitWord is best's step for the word id.
func (p *passageWords) visitWord(id int32) bool {
	in := &p.info[id]
	if in.stop {
		return true
	}
	s := &p.sims[int(id)*len(p.q.order)+p.term]
	if *s != *s { // NaN: not yet computed
		*s = 0 // no vector: no credit, as a similarity of 0 gives none
		if vec := p.vocab.vector(in.word, p.wv); vec.has() {
			p.slots[p.pending], p.rows[p.pending] = s, vec
			if p.pending++; p.pending == len(p.slots) {
				p.flush(p.qv)
			}
			return true
		}
	}
	p.highest = max(p.highest, *s)
	return true
}

// flush computes the similarities pending in best.
func (p *passageWords) flush(qv []float32) {
	r := &p.rows
	switch {
	case p.pending == len(p.slots) && r[0].row != nil && r[1].row != nil && r[2].row != nil && r[3].row != nil:
		a, b, c, d := dotRow4(qv, r[0].row, r[1].row, r[2].row, r[3].row)
		*p.slots[0], *p.slots[1], *p.slots[2], *p.slots[3] = a*r[0].inv, b*r[1].inv, c*r[2].inv, d*r[3].inv
	default:
		for j, s := range p.slots[:p.pending] {
			*s = r[j].cosine(qv)
		}
	}
	for _, s := range p.slots[:p.pending] {
		p.highest = max(p.highest, *s)
	}
	p.pending = 0
}

// dotRow returns the dot product of q with the int8 components of row, as
// long as q, summed as dotRows4 sums it.
func dotRow(q []float32, row []int8) float32 {
	q = q[:min(len(q), len(row))]
	s, _, _, _ := dotRows4(q, row, row, row, row)
	return s
}

// dotRow4 returns the dot products of q with the rows a, b, c and d, each
// summed as dotRow sums it; rows of another length than q are summed over
// their common part, one at a time.
func dotRow4(q []float32, a, b, c, d []int8) (sa, sb, sc, sd float32) {
	n := len(q)
	if len(a) != n || len(b) != n || len(c) != n || len(d) != n {
		return dotRow(q, a), dotRow(q, b), dotRow(q, c), dotRow(q, d)
	}
	return dotRows4(q, a, b, c, d)
}

// dotRows4Generic is dotRows4 in Go: each row summed in its own order, the
// same whatever the other rows are.
func dotRows4Generic(q []float32, a, b, c, d []int8) (sa, sb, sc, sd float32) {
	n := len(q)
	a, b, c, d = a[:n], b[:n], c[:n], d[:n]
	for k, x := range q {
		sa += x * float32(a[k])
		sb += x * float32(b[k])
		sc += x * float32(c[k])
		sd += x * float32(d[k])
	}
	return sa, sb, sc, sd
}
