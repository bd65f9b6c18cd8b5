package rag

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Answer is a reply to a question with the passages it cites.
type Answer struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
	// Grounded is false when the documents do not answer the question; the
	// answer then says so and there are no citations.
	Grounded  bool       `json:"grounded"`
	Citations []Citation `json:"citations"`
	// Passages are the retrieved passages the answer was chosen from, best
	// first; they are not part of the JSON contract.
	Passages []Passage `json:"-"`
	// Confidence is the fitted model's probability (0–1) that the answer is
	// right; the answer is declined (Grounded false) below AbstainBelow.
	Confidence float64 `json:"confidence"`
	// Note says how the answer was made when it matters, e.g. that
	// generation was unavailable and the answer is extractive.
	Note string `json:"note,omitempty"`
}

// Citation is a passage an answer cites as [N].
type Citation struct {
	N      int     `json:"n"`
	Source string  `json:"source"`
	Title  string  `json:"title"`
	Date   string  `json:"date"`
	Chunk  int     `json:"chunk"`
	Score  float64 `json:"score"`
	Text   string  `json:"text"`
}

// LowConfidence reports a grounded answer that is less likely right than
// not; front ends say so beside it.
func (a Answer) LowConfidence() bool { return a.Grounded && a.Confidence < 0.5 }

// NotFound is the answer given when the documents do not answer a question.
const NotFound = "The documents do not contain an answer to this question."

// Ask answers question extractively from the k best passages: it picks the
// sentence (or two) that best answer it, marks each with the [n] of its
// passage, and abstains when the evidence is too weak.
func (x *Index) Ask(ctx context.Context, question string, k int) (Answer, error) {
	ans, _, err := x.answer(ctx, question, k)
	return ans, err
}

// answer is Ask, also returning the scored candidate sentences.
func (x *Index) answer(ctx context.Context, question string, k int) (Answer, []sentence, error) {
	passages, qvec, q, err := x.search(ctx, question, k)
	if err != nil {
		return Answer{}, nil, err
	}
	ans := Answer{Question: strings.TrimSpace(question), Passages: passages, Citations: []Citation{}}
	cands := candidates(passages)
	if len(cands) == 0 {
		ans.Answer = NotFound
		return ans, cands, nil
	}
	texts := make([]string, len(cands))
	for i, c := range cands {
		texts[i] = c.text
	}
	vecs, err := x.cfg.Embedder.EmbedDocuments(ctx, texts)
	if err != nil {
		return Answer{}, nil, fmt.Errorf("embed sentences: %w", err)
	}
	sim := newWordSim(x.cfg.WordVectors)
	for i := range cands {
		x.score(&cands[i], q, qvec, vecs[i], passages, sim)
	}
	picked, conf := choose(cands, q, x.scoring.SecondWithin)
	ans.Confidence = conf
	// No answer shares nothing with its question: a question of only
	// function words ("why?") or a best sentence that matches none of its
	// terms is declined whatever the embedding similarity.
	if len(picked) == 0 || conf < x.scoring.AbstainBelow || q.weight == 0 || picked[0].lexical == 0 {
		ans.Answer = NotFound
		return ans, cands, nil
	}
	ans.Grounded = true
	ans.Answer, ans.Citations = compose(picked, passages)
	return ans, cands, nil
}

// scoring weighs the evidence an extractive answer is chosen on. The values
// were set on the development questions (see the README's evaluation
// section) and are not per-corpus knobs.
type scoring struct {
	Lexical, Dense float64 // weights of term coverage and embedding similarity
	TypeBonus      float64 // the sentence holds the kind of thing asked for
	PlaceBonus     float64 // a "where" question and a sentence naming places
	ShortPenalty   float64 // a line of a few words: a dateline or heading
	Passage        float64 // weight of the passage's fused rank score
	MinWordSim     float64 // word cosine under which words are unrelated
	SoftWeight     float64 // credit for a related word, at cosine 1
	RerankCoverage float64 // passage re-scoring: weight of question coverage
	RerankDense    float64 // and of dense similarity
	SecondWithin   float64 // a second sentence is added when it scores this share of the best
	AbstainBelow   float64 // the evidence score under which Ask abstains
}

var defaultScoring = scoring{
	Lexical: 0.55, Dense: 0.45,
	TypeBonus: 0.05, PlaceBonus: 0.05, ShortPenalty: 0.1, Passage: 0.05,
	MinWordSim: 0.55, SoftWeight: 1,
	RerankCoverage: 0.5, RerankDense: 0.5, SecondWithin: 0.9,
	AbstainBelow: 0.35,
}

// sentence is a candidate answer sentence inside a retrieved passage.
type sentence struct {
	passage int  // index into the passages
	span    Span // byte range in the passage text
	text    string
	next    int // index of the following sentence in the same passage, or -1

	lexical, dense, novelty float64
	typeOK                  bool
	score                   float64
}

func candidates(passages []Passage) []sentence {
	var out []sentence
	for pi, p := range passages {
		spans := sentenceSpans(p.Text)
		for si, sp := range spans {
			s := sentence{passage: pi, span: sp, text: p.Text[sp.Start:sp.End], next: -1}
			if si+1 < len(spans) {
				s.next = len(out) + 1
			}
			out = append(out, s)
		}
	}
	return out
}

// query is what Ask knows of a question.
type query struct {
	terms  map[string]float64 // content term (stemmed) → IDF weight
	words  map[string]string  // content term → a surface word of it
	exact  map[string]bool    // terms that only match themselves: names, numbers
	weight float64            // sum of the weights
	want   answerType
	place  bool // a "where" question: names of places are welcome
}

type answerType int

const (
	anyType answerType = iota
	numberType
	dateType
	nameType
)

var (
	numberQuestion = regexp.MustCompile(`(?i)\b(how (many|much|long|old|often|far|big|large|high)|(what|which) (was |is |are |were )?(the )?(share|percentage|percent|proportion|number|fraction|amount|population|size|cost|price|rate|budget|total|count|area|length|distance|age|salary|sum))\b`)
	dateQuestion   = regexp.MustCompile(`(?i)\b(when|what (year|date|day|month)|which (year|date|day|month)|since when)\b`)
	nameQuestion   = regexp.MustCompile(`(?i)^\s*(who|whom|whose)\b`)
	hasNumber      = regexp.MustCompile(`(?i)\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|third|quarter|percent)\b`)
	hasPlace       = regexp.MustCompile(`\b(in|at|near|from|inside|outside|across|throughout|within)\s+(the\s+)?(\p{Lu}\p{L}+|(apartment|residential|office|public|military|border)?\s*(districts?|regions?|city|cities|towns?|villages?|provinces?|countries|country|capital|streets?|squares?|buildings?|houses?|homes?|residences?|airports?|stations?|areas?|offices?|schools?|facilities|facility|settlements?|parks?|hospitals?|ports?))\b`)
	placeQuestion  = regexp.MustCompile(`(?i)^\s*where\b|\bin which (city|country|region|district|place|town)\b`)
	dateExpr       = regexp.MustCompile(`(?i)\b((jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(st|nd|rd|th)?(,? \d{4})?|\d{1,2}(st|nd|rd|th)? (of )?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?( \d{4})?|(1[5-9]|20)\d\d|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b`)
	hasDate        = regexp.MustCompile(`(?i)\b(1[5-9]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow)\b|\d{1,2}\.\d{1,2}\.\d{2,4}`)
)

func (x *Index) analyse(q string) query {
	a := query{terms: map[string]float64{}, words: map[string]string{}, exact: map[string]bool{}, place: placeQuestion.MatchString(q)}
	for _, w := range names(q) {
		a.exact[stem(w)] = true
	}
	for _, w := range words(q) {
		if stopWords[w] {
			continue
		}
		t := stem(w)
		if _, ok := a.terms[t]; ok {
			continue
		}
		idf := x.terms.idf(t)
		a.terms[t] = idf
		a.words[t] = w
		a.weight += idf
	}
	switch {
	case numberQuestion.MatchString(q):
		a.want = numberType
	case dateQuestion.MatchString(q):
		a.want = dateType
	case nameQuestion.MatchString(q):
		a.want = nameType
	}
	return a
}

// score rates how well s answers q: the IDF-weighted share of the question's
// terms it contains (a term it lacks counts in part when the sentence has a
// word of similar meaning), its embedding similarity to the question, and
// whether it holds the kind of thing asked for.
func (x *Index) score(s *sentence, q query, qvec, svec []float32, passages []Passage, sim *wordSim) {
	sw := words(s.text)
	st := stemSet(sw)
	s.lexical = x.coverageOf(q, st, sw, sim)
	s.dense = float64(dot(qvec, svec))
	novel := 0
	for t := range st {
		if _, ok := q.terms[t]; !ok {
			novel++
		}
	}
	if len(st) > 0 {
		s.novelty = float64(novel) / float64(len(st))
	}
	s.typeOK = matchesType(s.text, q)
	sc := x.scoring
	s.score = sc.Lexical*s.lexical + sc.Dense*s.dense
	if s.typeOK && q.want != anyType {
		s.score += sc.TypeBonus
	}
	if q.place && hasPlace.MatchString(s.text) {
		s.score += sc.PlaceBonus
	}
	// A line of a few words (a dateline) or the document's title states no
	// answer.
	if len(st) < 4 || s.text == passages[s.passage].Title {
		s.score -= sc.ShortPenalty
	}
	// Prefer sentences from better passages, a little.
	if top := passages[0].Score; top > 0 {
		s.score += sc.Passage * passages[s.passage].Score / top
	}
}

// coverage is the IDF-weighted share of q's terms that ws (lower-cased
// words) contain; a term they lack is partly covered by a related word.
func (x *Index) coverage(q query, ws []string, sim *wordSim) float64 {
	return x.coverageOf(q, stemSet(ws), ws, sim)
}

// coverageOf is coverage with the stems of ws already known.
func (x *Index) coverageOf(q query, have map[string]bool, ws []string, sim *wordSim) float64 {
	if q.weight == 0 {
		return 0
	}
	var distinct []string // content words once each, for related-word credit
	var hit float64
	for t, idf := range q.terms {
		switch {
		case have[t]:
			hit += idf
		case !q.exact[t]:
			if distinct == nil {
				distinct = contentWords(ws)
			}
			hit += idf * x.relatedCredit(q.words[t], distinct, sim)
		}
	}
	return hit / q.weight
}

// contentWords returns the distinct words of ws that are not stop words.
func contentWords(ws []string) []string {
	seen := make(map[string]bool, len(ws))
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		if !stopWords[w] && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// relatedCredit is the credit for a word that ws lack: by the most related
// of ws, 0 when none is related enough.
func (x *Index) relatedCredit(word string, ws []string, sim *wordSim) float64 {
	c := sim.best(word, ws)
	if c < x.scoring.MinWordSim {
		return 0
	}
	return x.scoring.SoftWeight * (c - x.scoring.MinWordSim) / (1 - x.scoring.MinWordSim)
}

// names returns the lower-cased words of q that are names or numbers:
// capitalised words after the first, and words with digits. Related words
// do not stand in for them ("June" is not "July", "Germany" not "France").
func names(q string) []string {
	var out []string
	for i, f := range strings.Fields(q) {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f == "" {
			continue
		}
		r := []rune(f)[0]
		if (i > 0 && unicode.IsUpper(r)) || strings.ContainsFunc(f, unicode.IsDigit) {
			out = append(out, words(f)...)
		}
	}
	return out
}

func stemSet(ws []string) map[string]bool {
	set := make(map[string]bool, len(ws))
	for _, w := range ws {
		if !stopWords[w] {
			set[stem(w)] = true
		}
	}
	return set
}

func matchesType(text string, q query) bool {
	switch q.want {
	case numberType:
		// A date is not a quantity: "June 10" answers no "how many".
		return hasNumber.MatchString(dateExpr.ReplaceAllString(text, " "))
	case dateType:
		return hasDate.MatchString(text)
	case nameType:
		return hasNewName(text, q)
	}
	return true
}

// hasNewName reports a capitalised word, not at the start of the sentence,
// that the question does not mention.
func hasNewName(text string, q query) bool {
	for i, w := range strings.Fields(text) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if i == 0 || w == "" || !unicode.IsUpper([]rune(w)[0]) {
			continue
		}
		if _, ok := q.terms[stem(strings.ToLower(w))]; !ok {
			return true
		}
	}
	return false
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range min(len(a), len(b)) {
		s += a[i] * b[i]
	}
	return s
}

// choose picks the answer sentences and the confidence to abstain on. A
// question asking for a number or a date is only answered by a sentence that
// has one. A sentence that mostly restates the question is followed by the
// next one; otherwise a runner-up within secondWithin of the best score is
// added, since extractive evidence is often split across two sentences.
func choose(cands []sentence, q query, secondWithin float64) ([]sentence, float64) {
	var order []int
	for i, c := range cands {
		if c.typeOK || q.want == anyType || q.want == nameType {
			order = append(order, i)
		}
	}
	if len(order) == 0 {
		return nil, 0
	}
	sort.SliceStable(order, func(a, b int) bool { return cands[order[a]].score > cands[order[b]].score })
	b := cands[order[0]]
	picked := []sentence{b}
	switch {
	case b.novelty < 0.4 && b.next >= 0:
		picked = append(picked, cands[b.next])
	case len(order) > 1 && cands[order[1]].score >= secondWithin*b.score && cands[order[1]].text != b.text:
		picked = append(picked, cands[order[1]])
	}
	return picked, b.score
}

// compose joins the picked sentences, each followed by the [n] of its
// passage, and returns the cited passages numbered by first use.
func compose(picked []sentence, passages []Passage) (string, []Citation) {
	num := map[int]int{}
	var cites []Citation
	var b strings.Builder
	for i, s := range picked {
		n, ok := num[s.passage]
		if !ok {
			p := passages[s.passage]
			n = len(cites) + 1
			num[s.passage] = n
			cites = append(cites, Citation{
				N: n, Source: p.Source, Title: p.Title, Date: p.Date,
				Chunk: p.Ordinal, Score: p.Score, Text: p.Text,
			})
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s [%d]", s.text, n)
	}
	return b.String(), cites
}
