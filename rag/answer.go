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
	// Confidence is the evidence score the abstention decision was made on.
	Confidence float64 `json:"-"`
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

// NotFound is the answer given when the documents do not answer a question.
const NotFound = "The documents do not contain an answer to this question."

// Ask answers question extractively from the k best passages: it picks the
// sentence (or two) that best answer it, marks each with the [n] of its
// passage, and abstains when the evidence is too weak.
func (x *Index) Ask(ctx context.Context, question string, k int) (Answer, error) {
	passages, qvec, err := x.search(ctx, question, k)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Question: strings.TrimSpace(question), Passages: passages, Citations: []Citation{}}
	cands := candidates(passages)
	if len(cands) == 0 {
		ans.Answer = NotFound
		return ans, nil
	}
	texts := make([]string, len(cands))
	for i, c := range cands {
		texts[i] = c.text
	}
	vecs, err := x.cfg.Embedder.EmbedDocuments(ctx, texts)
	if err != nil {
		return Answer{}, fmt.Errorf("embed sentences: %w", err)
	}
	q := x.analyse(ans.Question)
	for i := range cands {
		x.score(&cands[i], q, qvec, vecs[i], passages)
	}
	picked, conf := choose(cands, q)
	ans.Confidence = conf
	if len(picked) == 0 || conf < abstainBelow {
		ans.Answer = NotFound
		return ans, nil
	}
	ans.Grounded = true
	ans.Answer, ans.Citations = compose(picked, passages)
	return ans, nil
}

// abstainBelow is the evidence score under which Ask abstains.
const abstainBelow = 0.42

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

// question is what Ask knows of a question.
type question struct {
	terms  map[string]float64 // content term → IDF weight
	weight float64            // sum of the weights
	want   answerType
}

type answerType int

const (
	anyType answerType = iota
	numberType
	dateType
	nameType
)

var (
	numberQuestion = regexp.MustCompile(`(?i)\b(how (many|much|long|old|often|far)|what (share|percentage|percent|proportion|number|fraction|amount)|which (share|percentage|number))\b`)
	dateQuestion   = regexp.MustCompile(`(?i)\b(when|what (year|date|day|month)|which (year|date|day|month)|since when)\b`)
	nameQuestion   = regexp.MustCompile(`(?i)^\s*(who|whom|whose)\b`)
	hasNumber      = regexp.MustCompile(`(?i)\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|third|quarter|percent)\b`)
	hasDate        = regexp.MustCompile(`(?i)\b(1[5-9]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow)\b|\d{1,2}\.\d{1,2}\.\d{2,4}`)
)

func (x *Index) analyse(q string) question {
	a := question{terms: map[string]float64{}}
	for t := range termSet(q) {
		w := x.terms.idf(t)
		a.terms[t] = w
		a.weight += w
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
// terms it contains, its embedding similarity to the question, and whether
// it holds the kind of thing asked for.
func (x *Index) score(s *sentence, q question, qvec, svec []float32, passages []Passage) {
	st := termSet(s.text)
	var hit float64
	for t, w := range q.terms {
		if st[t] {
			hit += w
		}
	}
	if q.weight > 0 {
		s.lexical = hit / q.weight
	}
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
	s.score = 0.55*s.lexical + 0.45*s.dense
	if s.typeOK && q.want != anyType {
		s.score += 0.05
	}
	// Prefer sentences from better passages, a little.
	s.score += 0.05 * passages[s.passage].Score / passages[0].Score
}

func matchesType(text string, q question) bool {
	switch q.want {
	case numberType:
		return hasNumber.MatchString(text)
	case dateType:
		return hasDate.MatchString(text)
	case nameType:
		return hasNewName(text, q)
	}
	return true
}

// hasNewName reports a capitalised word, not at the start of the sentence,
// that the question does not mention.
func hasNewName(text string, q question) bool {
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
// has one.
func choose(cands []sentence, q question) ([]sentence, float64) {
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cands[order[a]].score > cands[order[b]].score })
	best := -1
	for _, i := range order {
		if cands[i].typeOK || q.want == anyType || q.want == nameType {
			best = i
			break
		}
	}
	if best < 0 {
		return nil, 0
	}
	b := cands[best]
	picked := []sentence{b}
	// A sentence that mostly restates the question ("the regulation has two
	// goals") is followed by the one that carries the answer.
	if b.novelty < 0.4 && b.next >= 0 {
		picked = append(picked, cands[b.next])
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
