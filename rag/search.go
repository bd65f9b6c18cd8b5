package rag

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// ErrEmptyQuestion reports a question with nothing to search for.
var ErrEmptyQuestion = errors.New("empty question")

// Passage is a retrieved chunk with its scores.
type Passage struct {
	Chunk
	// Score is the fitted ranker's probability that the passage holds the
	// answer. It orders the retrieved passages, except that an answer
	// lists the passage it quotes first (see Answer.Passages).
	Score float64 `json:"score"`
	// Dense is the cosine similarity of the chunk to the question; Lexical
	// its score in the lexical index's list (0 when that did not propose
	// it).
	Dense   float32 `json:"dense"`
	Lexical float32 `json:"lexical"`
}

// Search returns the k passages that best match question.
func (x *Index) Search(ctx context.Context, question string, k int) ([]Passage, error) {
	if x.modelErr != nil {
		return nil, x.modelErr
	}
	r, err := x.retrieve(ctx, question, k)
	if err != nil {
		return nil, err
	}
	r.rank(x.model.Passage)
	return r.top(k), nil
}

// candidate is a passage that retrieval proposed, with what the models
// measure of it.
type candidate struct {
	Passage
	in    passageInput
	feats []float64
	prob  float64
	m     measured // the passage read against the question
	read  *chunkReading
	// marked is set when the passage's document marks its headings
	// ("# Title", or in capitals; see marksHeadings); lineStart
	// and lineEnd when the passage starts and ends at a line's edge in its
	// document.
	marked, lineStart, lineEnd bool
	// tableHeader is, for a passage that starts inside a Markdown table
	// whose header row is in an earlier passage, that header; carried is
	// how many of its first sentences are rows under it.
	tableHeader string
	carried     int
	mask        termMask     // the question's terms in the passage and its title
	title       headingWords // the question's terms and the words of its document's title
	section     headingWords // and of the section it starts in
	doc         termMask     // the question's terms in its document's candidates
	// sents are the passage's sentences, measured when the passage first
	// reaches the top k (see Index.sentencesOf).
	sents    []sentence
	measured bool
}

// retrieval is what a question retrieved: every candidate passage of the
// dense and lexical searches, with its passage features.
type retrieval struct {
	question string
	q        query
	qvec     []float32
	cands    []*candidate
	// words numbers the words of the candidates (see passageWords).
	words *passageWords
	// quoted are the sentences the answer before quoted, and the one it
	// was chosen for, for a follow-up; nil otherwise.
	quoted []string
}

// retrieve finds candidate passages in two lists — the dense (vector) and
// the lexical (BM25) searches, or the store's own hybrid search — and
// measures each candidate's passage features for the ranker.
func (x *Index) retrieve(ctx context.Context, question string, k int) (*retrieval, error) {
	return x.retrieveIn(ctx, question, "", k)
}

// retrieveIn is retrieve for a question asked in a conversation: with
// context (the earlier questions it leans on, see conversationContext) the
// searches are for the context and the question together, and the
// question's own searches add what they find. The passage features are
// measured against the question alone.
func (x *Index) retrieveIn(ctx context.Context, question, context string, k int) (*retrieval, error) {
	return x.retrieveAs(ctx, question, question, context, k)
}

// retrieveAs is retrieveIn measuring the passages against the terms of
// question and what own asks (see analyseAs).
func (x *Index) retrieveAs(ctx context.Context, question, own, context string, k int) (*retrieval, error) {
	question = strings.TrimSpace(question)
	if !strings.ContainsFunc(question, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return nil, ErrEmptyQuestion
	}
	if k <= 0 {
		k = 5
	}
	// The question is searched for and measured in the documents' terms;
	// the answer repeats it as asked.
	asked := question
	same := strings.TrimSpace(own) == question
	question = x.inDocumentTerms(question)
	if same {
		own = question
	} else {
		own = x.inDocumentTerms(own)
	}
	searched := []string{question}
	if context != "" {
		searched = []string{x.inDocumentTerms(context) + " " + question, question}
	}
	vecs := make([][]float32, len(searched))
	for i, s := range searched {
		v, err := x.cfg.Embedder.EmbedQuery(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("embed question: %w", err)
		}
		vecs[i] = v
	}
	// The dense score is the first search's: the context's and the
	// question's when in context.
	qvec := vecs[0]
	depth := max(4*k, 20)

	// Hold the read lock for the whole search, so that a document being
	// replaced is seen either before or after, never half-way.
	x.mu.RLock()
	defer x.mu.RUnlock()
	r := &retrieval{question: asked, q: x.analyseAs(question, own), qvec: qvec}
	fused := map[string]*candidate{}
	pm := x.newPassageMeasure(r)
	add := func(id string) *candidate {
		if c, ok := fused[id]; ok {
			return c
		}
		ch, ok := x.chunks[id]
		if !ok {
			return nil // the store knows a chunk the index does not
		}
		// Every candidate gets its dense score, however it was found.
		c := &candidate{Passage: Passage{Chunk: *ch, Dense: dot(qvec, x.docs[ch.Source].vectors[ch.Ordinal])}}
		c.in.proposedRank = -1
		c.read = x.reading(ch)
		if rec := x.docs[ch.Source]; rec != nil {
			t := rec.doc.Text
			c.marked = marksHeadings(rec.headings)
			before, after := strings.TrimRight(t[:min(ch.Start, len(t))], " \t"), strings.TrimLeft(t[min(ch.End, len(t)):], " \t")
			c.lineStart = before == "" || strings.HasSuffix(before, "\n")
			c.lineEnd = after == "" || after[0] == '\n' || after[0] == '\r'
			if rs := c.read.sents; len(rs) > 0 && rs[0].header < 0 && !rs[0].head && isTableRow(ch.Text[rs[0].span.Start:rs[0].span.End]) {
				c.tableHeader = carriedHeader(t, ch.Start)
			}
		}
		fused[id] = c
		r.cands = append(r.cands, c)
		pm.passage(c, c.read)
		return c
	}
	for i, s := range searched {
		// The dense list's passages are measured while the lexical search
		// goes on.
		dense, lexical, err := x.search(ctx, s, vecs[i], depth)
		if err == nil {
			for _, h := range dense {
				add(h.ChunkID)
			}
		}
		lex, lexErr := lexical()
		if err = errors.Join(err, lexErr); err != nil {
			return nil, err
		}
		for i, h := range lex {
			if c := add(h.ChunkID); c != nil && c.in.proposedRank < 0 {
				c.Lexical, c.in.proposedRank = h.Score, i
			}
		}
	}
	pm.finish()
	return r, nil
}

// search starts the dense and the lexical search for text at once (neither
// reads what the other does), or the store's own hybrid search (whose list
// is the lexical one). It returns the dense list and a function that waits
// for the lexical list, which must be called. x.mu is held.
func (x *Index) search(ctx context.Context, text string, vec []float32, depth int) (dense []Hit, lexical func() ([]Hit, error), err error) {
	if h, ok := x.cfg.Store.(HybridSearcher); ok {
		lex, err := h.Hybrid(ctx, text, vec, 2*depth)
		if err != nil {
			err = fmt.Errorf("hybrid search: %w", err)
		}
		return nil, func() ([]Hit, error) { return lex, nil }, err
	}
	var lex []Hit
	var lexErr error
	searched := make(chan struct{})
	go func() {
		defer close(searched)
		if lex, lexErr = x.cfg.Lexical.Search(ctx, text, depth); lexErr != nil {
			lexErr = fmt.Errorf("lexical search: %w", lexErr)
		}
	}()
	lexical = func() ([]Hit, error) {
		<-searched
		return lex, lexErr
	}
	if dense, err = x.cfg.Store.Query(ctx, vec, depth); err != nil {
		err = fmt.Errorf("dense search: %w", err)
	}
	return dense, lexical, err
}

// passageMeasure fills the candidates' passage features: what each
// passage holds of the question as it is found (passage), then what
// depends on all of them (finish).
type passageMeasure struct {
	x      *Index
	r      *retrieval
	pw     *passageWords
	titles map[string]headingWords // by title, and by section
	total  int                     // content words of the passages
}

// headingWords is a title or a heading as the question sees it.
type headingWords struct {
	mask  termMask
	words []int32
}

func (x *Index) newPassageMeasure(r *retrieval) *passageMeasure {
	pw := newPassageWordsIn(&r.q, x.cfg.WordVectors, x.vocab)
	r.words = pw
	return &passageMeasure{x: x, r: r, pw: pw, titles: map[string]headingWords{}}
}

// passage measures c's passage, read as rd, against the question.
func (pm *passageMeasure) passage(c *candidate, rd *chunkReading) {
	q, pw := &pm.r.q, pm.pw
	c.m = pw.measure(rd)
	if c.tableHeader != "" {
		// The rows the passage opens with are under a header it does not
		// hold: they have its words too.
		hm := pm.heading(c.tableHeader).mask
		for i := range c.m.sents {
			rs := &rd.sents[i]
			if rs.header >= 0 || rs.head || !isTableRow(c.Text[rs.span.Start:rs.span.End]) {
				break
			}
			c.m.sents[i].mask |= hm
			c.carried = i + 1
		}
	}
	pm.total += c.m.n
	tt := pm.heading(c.Title)
	c.title, c.section = tt, pm.heading(c.Section)
	tm := tt.mask
	var pairs termMask
	c.mask = tm
	for si, s := range c.m.sents {
		c.mask |= s.mask
		pairs |= s.pairs
		cov := q.covered(s.mask)
		c.in.bestSentence = max(c.in.bestSentence, cov)
		if si > 0 {
			c.in.bestWindow = max(c.in.bestWindow, q.covered(s.mask|c.m.sents[si-1].mask))
		}
		if q.want != anyType && s.mask != 0 && c.hasType(si, q) {
			c.in.bestTyped = max(c.in.bestTyped, cov)
		}
	}
	c.in.bestWindow = max(c.in.bestWindow, c.in.bestSentence)
	c.in.exact = q.covered(c.mask)
	c.in.title = q.covered(tm)
	c.in.coverage = pm.x.softCoverage(*q, c.mask, func(yield func(int32) bool) {
		for _, w := range c.m.words {
			if !yield(w) {
				return
			}
		}
		for _, w := range tt.words {
			if !yield(w) {
				return
			}
		}
	}, pw)
	c.in.bigrams = q.pairShare(pairs)
	c.in.first = c.Ordinal == 0
	c.in.dense = float64(c.Dense)
}

// heading returns a title or a section as the question sees it, reading
// each once.
func (pm *passageMeasure) heading(text string) headingWords {
	if text == "" {
		return headingWords{}
	}
	h, ok := pm.titles[text]
	if !ok {
		ws := words(text)
		h.mask = pm.r.q.mask(stemSet(ws))
		for _, w := range ws {
			h.words = append(h.words, pm.pw.id(w))
		}
		pm.titles[text] = h
	}
	return h
}

// finish measures what depends on every candidate, once all are found.
func (pm *passageMeasure) finish() {
	r, q, total := pm.r, &pm.r.q, pm.total
	pm.pw.done()
	// What the retrieved passages of each document cover together: a
	// question about another subject finds its words in passages of many
	// documents, none covering much.
	docs := map[string]termMask{}
	for _, c := range r.cands {
		docs[c.Source] |= c.mask
	}
	avg := 1.0
	if len(r.cands) > 0 && total > 0 {
		avg = float64(total) / float64(len(r.cands))
	}
	var bmax, dmax float64
	for _, c := range r.cands {
		c.doc = docs[c.Source]
		c.in.document = q.covered(c.doc)
		c.in.bm25 = bm25(*q, c.m.tf, c.m.n, avg)
		bmax, dmax = max(bmax, c.in.bm25), max(dmax, c.in.dense)
	}
	byBM25 := append([]*candidate(nil), r.cands...)
	sort.SliceStable(byBM25, func(i, j int) bool { return byBM25[i].in.bm25 > byBM25[j].in.bm25 })
	byDense := append([]*candidate(nil), r.cands...)
	sort.SliceStable(byDense, func(i, j int) bool { return byDense[i].in.dense > byDense[j].in.dense })
	for i := range r.cands {
		byBM25[i].in.lexRank, byDense[i].in.denseRnk = i, i
	}
	for _, c := range r.cands {
		c.in.bm25Max, c.in.denseMax = bmax, dmax
		c.feats = values(passageFeatures, &c.in)
	}
}

// bm25 is the Okapi BM25 score (k1 1.2, b 0.75) of a passage with term
// counts tf and length n against q, over q's total IDF; avg is the mean
// length of the candidates, a stand-in for the corpus mean that any store
// can give.
func bm25(q query, tf []int, n int, avg float64) float64 {
	if q.weight == 0 {
		return 0
	}
	const k1, b = 1.2, 0.75
	var s float64
	for i, t := range q.order {
		idf := q.terms[t]
		f := float64(tf[i])
		if f == 0 {
			continue
		}
		s += idf * f * (k1 + 1) / (f + k1*(1-b+b*float64(n)/avg))
	}
	return s / q.weight
}

// rank orders the candidates by the ranker's probability, ties by ID.
func (r *retrieval) rank(m Ranker) {
	rows := make([][]float64, len(r.cands))
	for i, c := range r.cands {
		rows[i] = c.feats
	}
	z := m.probs(rows)
	for i, c := range r.cands {
		c.prob = z[i]
		c.Score = c.prob
	}
	sort.Slice(r.cands, func(i, j int) bool {
		if r.cands[i].prob != r.cands[j].prob {
			return r.cands[i].prob > r.cands[j].prob
		}
		return r.cands[i].ID < r.cands[j].ID
	})
}

// top returns the first k ranked passages.
func (r *retrieval) top(k int) []Passage {
	if k <= 0 {
		k = 5
	}
	n := min(k, len(r.cands))
	out := make([]Passage, n)
	for i := range out {
		out[i] = r.cands[i].Passage
	}
	return out
}
