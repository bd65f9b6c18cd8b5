package rag

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Answer is a reply to a question with the passages it cites.
type Answer struct {
	Question string `json:"question"`
	// Answer is the answer's text; each [n] in it names Citations' N. A
	// bracketed number quoted from a document (a footnote) is escaped as
	// Markdown escapes it, \[2\], so that it never reads as a citation.
	Answer string `json:"answer"`
	// Grounded is false when the documents do not answer the question; the
	// answer then says so and there are no citations.
	Grounded  bool       `json:"grounded"`
	Citations []Citation `json:"citations"`
	// Passages are the retrieved passages the answer was chosen from: the
	// one it quotes first, then the others best first. They are not part
	// of the JSON contract (front ends show Citations); citebot eval's
	// passage hits and a generated answer's prompt read them.
	Passages []Passage `json:"-"`
	// Confidence is the fitted model's probability (0–1) that the answer is
	// right: that the documents answer the question (the gate) and that
	// the quoted sentence is the answer. The answer is declined (Grounded
	// false) when the gate's probability is below the model's threshold.
	Confidence float64 `json:"confidence"`
	// Note says how the answer was made when it matters, e.g. that
	// generation was unavailable and the answer is extractive.
	Note string `json:"note,omitempty"`
}

// LowConfidence reports a grounded answer that is less likely right than
// not; front ends say so beside it.
func (a Answer) LowConfidence() bool { return a.Grounded && a.Confidence < 0.5 }

// Citation is a passage an answer cites as [N].
type Citation struct {
	N      int    `json:"n"`
	Source string `json:"source"`
	Title  string `json:"title"`
	Date   string `json:"date"`
	// Section is the path of headings the passage falls under
	// ("Vacation › Carry-over"), "" when the document has none there.
	Section string  `json:"section,omitempty"`
	Chunk   int     `json:"chunk"`
	Score   float64 `json:"score"`
	Text    string  `json:"text"`
	// Quote is the part of Text the answer quotes, verbatim: its sentence,
	// or the run from its first to its last quoted sentence. Front ends
	// mark it inside the passage. Empty for a generated answer, which
	// cites whole passages.
	Quote string `json:"quote,omitempty"`
}

// NoDocuments is the note on every answer from an index with no
// documents: the answer is not found because there is nothing to look in.
const NoDocuments = "0 documents indexed"

// NotFound is the answer given when the documents do not answer a question.
const NotFound = "The documents do not contain an answer to this question."

// Ask answers question extractively from the k best passages: the fitted
// ranker orders the retrieved passages, the fitted chooser picks the
// sentence that answers (and the next one when it only restates the
// question), and the fitted abstention model declines when the answer is
// unlikely to be right.
func (x *Index) Ask(ctx context.Context, question string, k int) (Answer, error) {
	return x.AskIn(ctx, question, nil, k)
}

// decision is an answer with what it was decided on, for training.
type decision struct {
	ans    Answer
	scored []*sentence // the candidate sentences of the top passages
	answer []float64   // the abstention model's features; nil without a candidate
	first  string      // the first quoted sentence, "" without a candidate
	quoted []string    // the sentences quoted and the one chosen, as in their passages
	gate   float64     // the gate's probability that the documents answer the question
	ruled  bool        // declined by a rule, whatever the gate says
	topic  string      // the conversation's document, for a turn answered from another one that did not move it (see answerAt)
}

// decide ranks r's passages with m, chooses the answer among the sentences
// of the k best and decides whether to abstain.
func (x *Index) decide(ctx context.Context, r *retrieval, m *Model, k int) (decision, error) {
	if k <= 0 {
		k = 5
	}
	r.rank(m.Passage)
	passages := r.top(k)
	d := decision{ans: Answer{Question: r.question, Passages: passages, Citations: []Citation{}, Answer: NotFound}}
	if len(passages) == 0 {
		return d, nil
	}
	top := r.cands[:len(passages)]
	if err := x.sentencesOf(ctx, r, top); err != nil {
		return decision{}, err
	}
	for rank, c := range top {
		for i := range c.sents {
			s := &c.sents[i]
			s.in.passageProb, s.in.passageRank = c.prob, rank
			s.feats = values(sentenceFeatures, &s.in)
			s.rank = rank
			if s.eligible {
				d.scored = append(d.scored, s)
			}
		}
	}
	rows := make([][]float64, len(d.scored))
	for i, s := range d.scored {
		rows[i] = s.feats
	}
	z := m.Sentence.probs(rows)
	var best, second *sentence
	for i, s := range d.scored {
		s.prob = z[i]
		switch {
		case best == nil || s.prob > best.prob:
			best, second = s, best
		case second == nil || s.prob > second.prob:
			second = s
		}
	}
	if best == nil {
		return d, nil
	}
	// A rule that answers with another sentence than the chooser's best
	// moves the chooser's belief to it: the gate reads the probability
	// and the margin the chooser gave its best.
	promote := func(alt *sentence) {
		alt.prob, best.prob = best.prob, alt.prob
		if second == alt {
			second = best
		}
		best = alt
	}
	if r.q.asked != 0 && best.terms&r.q.asked == 0 {
		// A fragment follow-up is answered by a sentence that has what
		// the fragment names ("Sunday" for "And on Sundays?"), where one
		// of the best sentence's passage does; the rest of the question
		// it completes says where.
		if alt := bestBeside(best, d.scored, func(s *sentence) bool { return s.terms&r.q.asked != 0 }); alt != nil {
			promote(alt)
		}
	}
	if v, ok := statedLength(r.question); ok && fitsLength(best.text, v) < 0 {
		// "If I cancel three weeks before, do I get my money back?":
		// of the lines that each give a band of time, the one whose band
		// holds the three weeks ("between 14 and 28 days before"), where
		// the best one's does not ("more than 28 days before"; see
		// bands), and that says the same of it: a row of the same table,
		// or a line alike (see alike).
		if alt := bestBeside(best, d.scored, func(s *sentence) bool {
			return fitsLength(s.text, v) > 0 && (s.header != "" && s.header == best.header || alike(s.text, best.text))
		}); alt != nil {
			promote(alt)
		}
	}
	t, measured := r.q.measured()
	if (r.q.yesNo || measured) && !best.addresses {
		// A yes/no question is answered by a sentence that speaks of what
		// it asks, where one of the best sentence's passage does: "There
		// are 18 spaces behind the building." under "Parking" for "Is
		// there parking at Millbrook Village Hall?", not the hall's
		// address, which has all the words of its name. So is a question
		// of an amount, by a sentence that also holds one: an amount is
		// the answer only when it is of the thing asked ("How much does a
		// crown cost at Riverside Dental?" is not answered by "The
		// Riverside Care Plan costs £16.50 per month."). Without one, the
		// rules below decline it (see answersOnlyTitle). The chooser's
		// belief in its best is not moved to the other: the gate reads
		// what the chooser thought of the sentence quoted.
		if alt := bestBeside(best, d.scored, func(s *sentence) bool {
			return s.addresses && (r.q.yesNo || s.hasType(t, &r.q))
		}); alt != nil {
			best, second = alt, best
		}
	}
	if slices.Contains(r.quoted, best.text) {
		// The sentence already read gives way to the one that adds to it.
		if alt := beyondQuoted(r, best, d.scored); alt != best {
			promote(alt)
		}
	}
	picked := []*sentence{best}
	c := top[best.rank]
	switch {
	case isQuestion(best.text) && best.next >= 0 && c.sents[best.next].eligible:
		// A question in the documents ("Q: How do I reset my password?")
		// is answered by what follows it, past the rest of the question
		// ("Q: My laptop has broken. What should I do?").
		next := best.next
		for isQuestion(c.sents[next].text) {
			after := c.sents[next].next
			if after < 0 || !c.sents[after].eligible {
				break
			}
			next = after
		}
		picked = []*sentence{&c.sents[next]}
		// A reply that opens without what was asked ("PRIYA: And the AGM
		// date?" — "MAYA: Oh yes. AGM will be Wednesday 16 October …")
		// goes on to the sentence after, where that one holds it: both are
		// quoted. Only types the text shows by its form (a date, a time, a
		// duration, an amount, a number, a frequency, a telephone number,
		// an email address), not persons, places or names.
		if after := c.sents[next].next; !typeOfQuestion(r.q.want) && r.q.want != anyType && !c.hasType(next, &r.q) &&
			after >= 0 && c.sents[after].eligible && !isQuestion(c.sents[after].text) && c.hasType(after, &r.q) {
			picked = append(picked, &c.sents[after])
		}
	case introduces(best.text) && best.next >= 0 && c.sents[best.next].eligible:
		// A sentence that ends in a colon ("… use self-service reset:")
		// promises what follows: the list's first item, the label's value.
		picked = append(picked, &c.sents[best.next])
	case best.in.novelty < 0.4 && best.next >= 0 && c.sents[best.next].eligible &&
		!(best.in.typeFound && !typeOfQuestion(r.q.want) && r.q.want != anyType):
		// A sentence that mostly restates the question is followed by the
		// next, which then holds the answer — unless it holds what was
		// asked by its form ("Main Hall: up to 120 people" for "how many
		// people does the main hall hold").
		picked = append(picked, &c.sents[best.next])
	default:
		// "Who can give me acupuncture?" — "He is also our only therapist
		// qualified to provide acupuncture.": who he is, the sentence
		// before says, and is quoted first.
		if i := slices.IndexFunc(c.sents, func(s sentence) bool { return s.span == best.span }); i > 0 &&
			(r.q.want == personType || r.q.want == nameType) && !best.in.typeFound && opensWithPronoun(best.text) &&
			c.sents[i-1].eligible && c.hasType(i-1, &r.q) {
			picked = []*sentence{&c.sents[i-1], best}
		}
	}
	// A question of a quantity, an amount or a duration whose quote holds
	// none is answered by the next sentence where that one holds it
	// ("… complete the Hazardous Substances Workshop. The workshop lasts
	// three hours."); the rules below decline it otherwise.
	if measured && !quotesType(picked, t, &r.q) {
		if last := picked[len(picked)-1]; last.next >= 0 {
			// On the question's subject ("the workshop"), not a question.
			if next := &c.sents[last.next]; next.eligible && next.terms != 0 && !isQuestion(next.text) && hasAnswerType(next.text, t, r.q) {
				picked = append(picked, next)
			}
		}
	}
	in := x.answerInput(r, top[best.rank], best, second)
	if in.typed && !in.typeFound {
		// The quote is what answers: a question in the documents is
		// answered by the reply after it, a colon's line by what it
		// introduces, and either may hold the type asked for.
		in.typeFound = quotesType(picked, r.q.want, &r.q)
	}
	d.answer = values(answerFeatures, &in)
	conf := m.confidence(d.answer)
	d.gate = m.Gate.prob(d.answer)
	d.first = quoteText(picked[0].text)
	d.quoted = []string{best.text}
	for _, s := range picked {
		if s != best {
			d.quoted = append(d.quoted, s.text)
		}
	}
	d.ans.Confidence = conf
	// A question of only function words ("why?") is declined whatever
	// the models say; so is one about a code no document has ("What does
	// error E500 mean?"), which the documents cannot answer however well
	// the rest of it matches (an answer about E104 would mislead). Neither
	// is in the training sets, so no fitted weight could say it. And a
	// "how many" or "how much" whose quote holds no quantity: on
	// squad-dev each of the 13 such answers was wrong, but the gate, one
	// weight for every kind of question, let them through; so is a
	// question of money ("How much was the farm fined?") whose quote
	// names no amount, nor that there is none to pay, and a "how long"
	// whose quote says no duration or length (see query.measured). So is
	// a yes/no question whose quote has no word of it but its
	// document's title's, and a question of an amount whose quote has
	// none but those and the words asking for an amount (see
	// answersOnlyTitle).
	d.ruled = (r.q.yesNo || measured) && answersOnlyTitle(best, picked) || r.q.weight == 0 || r.q.absentCode != "" || measured && !quotesType(picked, t, &r.q)
	if d.gate < m.AbstainBelow || d.ruled {
		return d, nil
	}
	d.ans.Grounded = true
	d.ans.Answer, d.ans.Citations = compose(picked, passages, x.sectionOf)
	if best.rank > 0 {
		// The passage quoted is the one cited first, and first in the
		// list: the chooser, which reads the passages' sentences, has the
		// last word on their order. A declined answer quotes nothing and
		// keeps the ranker's.
		ps := make([]Passage, 0, len(passages))
		ps = append(append(ps, passages[best.rank]), passages[:best.rank]...)
		d.ans.Passages = append(ps, passages[best.rank+1:]...)
	}
	return d, nil
}

// hasBlankLine reports whether s holds an empty line, with or without
// carriage returns: a paragraph ends in it.
func hasBlankLine(s string) bool {
	return strings.Contains(strings.ReplaceAll(s, "\r", ""), "\n\n")
}

// answersOnlyTitle reports a quote that has none of the question's words
// but those of its document's title (and, for a question of an amount,
// the words that ask for one: see sentence.addresses). For a yes/no
// question: "Is there a car park at Thornbury Vale Library?" answered
// "Thornbury Vale Library is run by Thornbury Vale District Council …".
// For an amount: "How much does a crown cost at Riverside Dental?"
// answered "The Riverside Care Plan costs £16.50 per month." The
// documents name what they are about; an answer that only names it too
// says nothing of what was asked. A word of the question said otherwise
// ("bicycles" for "bike") does not count: word vectors put "street" as
// near "park" as many a synonym. The caller says which questions it
// applies to: for others it was measured and not kept (README).
func answersOnlyTitle(best *sentence, picked []*sentence) bool {
	if best.addresses {
		// The best sentence may be a question of an FAQ, quoted by the
		// reply after it ("Do you allow dogs?" — "Well-behaved pets are
		// welcome on a lead."): the question in the documents says what
		// the reply is about.
		return false
	}
	for _, s := range picked {
		if s.addresses {
			return false
		}
	}
	return true
}

// sectionOf is the section of the text at span sp of passage p, or the
// passage's own when its document has changed since it was retrieved.
func (x *Index) sectionOf(p Passage, sp Span) string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	r, ok := x.docs[p.Source]
	if !ok || p.End > len(r.doc.Text) || r.doc.Text[p.Start:p.End] != p.Text {
		return p.Section
	}
	return sectionAt(r.headings, r.doc.Title, p.Start+sp.Start)
}

// beyondQuoted is the answer to a follow-up whose best sentence is the
// one the answer before quoted: the user has read it, so the words the
// follow-up shares with it, and those it points back to ("these
// uprisings" after "… the Huguenot rebellions"), say what the follow-up is
// about; the words it lacks ask for more ("Where was his round-table
// meeting held?" after "This opinion was expressed today at the
// round-table meeting by …"). The best-scored other sentence of the same
// passage that has a lacking word, and the type of answer asked for,
// answers instead; without one best stays. A follow-up that lacks no word
// of best but asks for a type best does not hold by its form ("When are
// they held?" after "Flu clinics are held in the church hall.") is
// answered so by the best-scored other sentence that holds it.
func beyondQuoted(r *retrieval, best *sentence, scored []*sentence) *sentence {
	var answers func(s *sentence) bool
	switch lacks := r.q.all() &^ best.terms &^ r.q.given; {
	case lacks != 0:
		answers = func(s *sentence) bool { return s.terms&lacks != 0 && (!s.in.typed || s.in.typeFound) }
	case best.in.typed && !best.in.typeFound && !typeOfQuestion(r.q.want):
		// "When are they held?" after "Flu clinics are held in the
		// church hall.": what it lacks is the date.
		answers = func(s *sentence) bool { return s.in.typeFound }
	default:
		return best
	}
	// Not away from what a fragment follow-up names ("Sunday").
	keeps := func(s *sentence) bool { return best.terms&r.q.asked == 0 || s.terms&r.q.asked != 0 }
	if alt := bestBeside(best, scored, func(s *sentence) bool { return keeps(s) && answers(s) }); alt != nil {
		return alt
	}
	return best
}

// bestBeside is the best-scored sentence of best's passage, other than
// best, for which ok holds; nil when none does.
func bestBeside(best *sentence, scored []*sentence, ok func(*sentence) bool) *sentence {
	var alt *sentence
	for _, s := range scored {
		if s != best && s.rank == best.rank && ok(s) && (alt == nil || s.prob > alt.prob) {
			alt = s
		}
	}
	return alt
}

// sentence is a candidate answer sentence inside a retrieved passage.
type sentence struct {
	span     Span // byte range in the passage text
	text     string
	next     int      // index of the following sentence in the same passage, or -1
	eligible bool     // false for a heading or the document's title: never an answer alone
	header   string   // for a row of a Markdown table, its header row
	terms    termMask // the question's terms it has, by its own words
	// addresses is whether the sentence speaks of what the question asks
	// beyond what its document is about (see answersOnlyTitle): the
	// sentence or the heading over it has a word of the question other
	// than its document's title's (for a question of an amount, other
	// than the words asking for one too); or the question has no such
	// word, or for an amount none but words saying how it is measured
	// ("take", "monthly"); or, for an amount, the sentence names nothing
	// but the amount and the sentence before it in its paragraph has the
	// rarest such word, or, opening its paragraph, its passage has every
	// such word ("It costs £60 a year.").
	addresses bool
	read      *readSentence // what every question may reuse of it
	in        sentenceInput
	feats     []float64
	prob      float64
	rank      int // of its passage
}

// sentencesOf measures the sentences of the candidates cs that have not
// been measured yet, embedding them in one batch.
func (x *Index) sentencesOf(ctx context.Context, r *retrieval, cs []*candidate) error {
	// What a question of an amount asks it of: what it names besides the
	// words that ask for one ("crown" in "How much does a crown cost at
	// Riverside Dental?", not "cost"; see sentence.addresses). (A count
	// of such a word, "How many fines were issued?", loses it too:
	// keeping them for counts let an off-topic question of squad-dev
	// through on "total", README.)
	_, measuring := r.q.measured()
	asks := r.q.all()
	if measuring {
		asks &^= r.q.measuring
	}
	var todo []*sentence
	for _, c := range cs {
		if c.measured {
			continue
		}
		c.measured = true
		ms := c.m.sents
		c.sents = make([]sentence, len(ms))
		// A sentence is read under its document's title and the heading
		// over it: "The target is £85,000." under "Spring fundraising
		// appeal" is the appeal's target. The heading is the passage's
		// section until a heading in the passage takes its place.
		over := c.section
		// What the question asks beyond what the document is about, each
		// sentence read under its heading ("Parking" over "There are 18
		// spaces behind the building."; see answersOnlyTitle). A title
		// that is the document's first sentence, shortened, is the words
		// of the sentence it opens.
		beyondTitle, opener := asks&^c.title.mask, strings.TrimSuffix(c.Title, "…")
		var titleStems map[string]bool // made for a question of an amount
		// A line that ends in a colon is read with the lines indented
		// under it, or listed under it at its own indentation, as a
		// heading is with its section: "Saturday 17 October: 8.30 to 9.00
		// am" under "Registration desk opening times:" is the desk's time.
		// A colon line that is itself an item covers only the items
		// nested under it, not its siblings.
		var intro, runIn headingWords
		introIndent := -1 // the indentation of intro's line; -1 for none
		introItem := false
		for i, m := range ms {
			text := c.Text[m.span.Start:m.span.End]
			s := &c.sents[i]
			rs := &c.read.sents[i]
			heading := isHeading(c.Text, m.span, c.marked, c.lineStart, c.lineEnd)
			row := rs.header >= 0 || i < c.carried // a row of a Markdown table
			*s = sentence{span: m.span, text: text, next: -1, terms: m.mask, read: rs,
				eligible: !heading && text != c.Title && !rs.head && !isTableSeparator(text) && !(isCells(text) && !row) && !isBlanks(text)}
			if heading && (strings.HasPrefix(text, "#") || inCapitalsLine(c.Text, m.span)) {
				over = headingWords{mask: m.mask, words: m.words}
			}
			indent, item, opens := lineOpening(c.Text, m.span)
			if introIndent >= 0 && opens && !(indent > introIndent || item && !introItem && indent == introIndent) {
				intro, introIndent = headingWords{}, -1
			}
			if opens {
				runIn = headingWords{}
				rest, _, _ := strings.Cut(c.Text[m.span.End:], "\n")
				if !heading && (runInHeading(text) || runInTitle(text, rest)) && strings.TrimSpace(rest) != "" {
					// "3.4 Pedals. The pedals are marked L and R. …": a
					// numbered clause's title, read with the clause's
					// sentences as a heading is with its section, and no
					// answer of its own; so is one without a number
					// ("Late arrival. If you arrive …").
					s.eligible = false
					runIn = headingWords{mask: m.mask, words: m.words}
				}
			}
			under := m.mask | c.title.mask | over.mask | intro.mask | runIn.mask
			lent := [][]int32{m.words, c.title.words, over.words, intro.words, runIn.words}
			if opens && !heading && introduces(text) && endsLine(c.Text, m.span) {
				intro, introIndent, introItem = headingWords{mask: over.mask | m.mask, words: slices.Concat(over.words, m.words)}, indent, item
			}
			s.header = c.rowHeader(i)
			if i+1 < len(ms) {
				s.next = i + 1
			}
			s.in.lexical = x.softCoverage(r.q, under, func(yield func(int32) bool) {
				for _, ws := range lent {
					for _, w := range ws {
						if !yield(w) {
							return
						}
					}
				}
			}, r.words)
			s.in.exact = r.q.covered(under)
			beyond := beyondTitle
			if opener != "" && strings.HasPrefix(text, opener) {
				beyond = asks
			}
			s.addresses = beyond == 0 || under&beyond != 0 || measuring && beyond&^r.q.asides == 0
			if !s.addresses && measuring {
				if titleStems == nil {
					titleStems = stemSet(words(c.Title))
				}
				if namesNothing(text, titleStems) {
					// "It costs £52 for one bin.", "50p per item": a
					// sentence that names nothing but an amount gives the
					// amount of what the sentence before it in its
					// paragraph names, where that one has the rarest word
					// asked ("You need to subscribe each year.",
					// "Overdue books"; not "Reservations"), or, opening its
					// paragraph, of what its passage is about, where the
					// passage has every word asked ("It costs £60 a
					// year." on the permit's page, for residents). Under
					// "The old bridge", "The bridge cost three million
					// pounds." names nothing but the title's bridge.
					if i > 0 && !hasBlankLine(c.Text[ms[i-1].span.End:m.span.Start]) {
						s.addresses = ms[i-1].mask&r.q.rarest(beyond&^r.q.asides) != 0
					} else {
						s.addresses = beyond&^r.q.asides&^c.mask == 0
					}
				}
			}
			s.in.own = s.in.lexical
			if len(c.title.words)+len(over.words)+len(intro.words)+len(runIn.words) > 0 {
				s.in.own = x.softCoverage(r.q, m.mask, slices.Values(m.words), r.words)
			}
			if m.distinct > 0 {
				s.in.novelty = float64(m.novel) / float64(m.distinct)
			}
			s.in.contentTerms = m.distinct
			s.in.item = opens && item
			s.in.bigrams = r.q.pairShare(m.pairs)
			s.in.typed = r.q.want != anyType
			s.in.focused, s.in.focusFound = r.q.focus != 0, m.mask&r.q.focus != 0
			s.in.typeFound = s.in.typed && c.hasType(i, &r.q)
			s.in.position = i
			var around termMask
			if i > 0 {
				around |= ms[i-1].mask
			}
			if i+1 < len(ms) {
				around |= ms[i+1].mask
			}
			s.in.context = r.q.covered(around)
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	texts := make([]string, len(todo))
	for i, s := range todo {
		texts[i] = s.text
	}
	vecs, err := x.cfg.Embedder.EmbedDocuments(ctx, texts)
	if err != nil {
		return fmt.Errorf("embed sentences: %w", err)
	}
	if len(vecs) != len(texts) {
		return fmt.Errorf("embed sentences: %d vectors for %d sentences", len(vecs), len(texts))
	}
	for i, s := range todo {
		s.in.dense = float64(dot(r.qvec, vecs[i]))
	}
	return nil
}

// answerInput measures the question and its chosen answer, quoted from
// the passage top, for the abstention model.
func (x *Index) answerInput(r *retrieval, top *candidate, best, second *sentence) answerInput {
	in := answerInput{
		sentenceProb: best.prob, passageProb: top.prob,
		typed: r.q.want != anyType, typeFound: best.in.typeFound,
		focused: best.in.focused, focusFound: best.in.focusFound,
		lexical: best.in.own, sentenceDense: best.in.dense, dense: float64(top.Dense), terms: len(r.q.terms),
		unknown: r.q.unknown, bm25: top.in.bm25, bm25Max: top.in.bm25Max,
	}
	for _, c := range r.cands {
		in.coverage = max(in.coverage, c.in.exact)
		in.sentenceCoverage = max(in.sentenceCoverage, c.in.bestSentence)
	}
	if second != nil {
		in.secondProb = second.prob
	}
	if r.q.weight > 0 {
		var missing, rarest, rareWeight float64
		var names, namesMissing int
		for i, t := range r.q.order {
			idf, rare := r.q.terms[t], r.q.rarity[t]
			has := i < maxMaskTerms && top.mask&(1<<i) != 0
			rareWeight += rare
			if idf >= r.q.maxIDF {
				in.unknownRare += rare
				in.rarestUnknown = max(in.rarestUnknown, rare)
			}
			if !has {
				in.missingRare += rare
				in.rarestMissingWord = max(in.rarestMissingWord, rare)
			}
			if i >= maxMaskTerms || top.doc&(1<<i) == 0 {
				in.documentMissingRare += rare
			}
			if r.q.exact[t] {
				names++
				if !has {
					namesMissing++
				}
			}
			if i >= maxMaskTerms || top.doc&(1<<i) == 0 {
				in.documentMissing += idf
			}
			if !has {
				missing += idf
				rarest = max(rarest, idf)
			} else {
				in.matched += idf
				in.rarestMatched = max(in.rarestMatched, idf)
			}
		}
		in.missing = missing / r.q.weight
		if rareWeight > 0 {
			in.unknownRare /= rareWeight
			in.missingRare /= rareWeight
			in.documentMissingRare /= rareWeight
		}
		in.documentMissing /= r.q.weight
		if names > 0 {
			in.namesMissing = float64(namesMissing) / float64(names)
		}
		if r.q.maxIDF > 0 {
			in.rarestMissing = rarest / r.q.maxIDF
			in.matched /= r.q.maxIDF
			in.rarestMatched /= r.q.maxIDF
		}
	}
	return in
}

// isQuestion reports a sentence that asks rather than says ("Q: How do I
// reset my password?" in a list of questions and answers, and any
// sentence an FAQ marks with "Q:"): it answers no question, however many
// of its words it shares.
func isQuestion(s string) bool {
	if t := strings.ToLower(strings.TrimLeft(s, " *_")); strings.HasPrefix(t, "q:") || strings.HasPrefix(t, "question:") {
		return true // an FAQ's question, however it ends ("Q: My laptop has broken.")
	}
	s = strings.TrimRight(s, "\"'”’)]» *_`")
	return strings.HasSuffix(s, "?")
}

// isCells reports a line of cells joined by " | " that is no row of a
// Markdown table (those are found by markTables): the header row the
// loaders write over a table's rows ("Specification | Aura T3"), a site's
// menu.
func isCells(s string) bool { return !strings.HasPrefix(s, "|") && strings.Contains(s, " | ") }

// isBlanks reports a line that is no prose: a form's blank to fill in
// ("Signed: ........ (Chair) Date: .......", "I, ______ (name), agree"),
// a code block's fence ("```sh") or a rule ("-----", see isRule). A dot
// leader before a value ("Child swim ........ £3.20", "Introduction .....
// 3") is prose enough.
func isBlanks(s string) bool {
	if isFence(s) || isRule(s) {
		return true
	}
	if !strings.Contains(s, "....") && !strings.Contains(s, "____") && !strings.Contains(s, "……") {
		return false // most lines: no regexp
	}
	for _, m := range blankRun.FindAllStringIndex(s, -1) {
		rest := strings.TrimLeft(s[m[1]:], " \t")
		if r, _ := utf8.DecodeRuneInString(rest); rest == "" || !unicode.IsDigit(r) && !strings.ContainsRune("$€£¥₹₽₸", r) {
			return true
		}
	}
	return false
}

// blankRun is a form's blank: four or more dots or underscores.
var blankRun = regexp.MustCompile(`(\.{4,}|_{4,}|…{2,})`)

// quotesType reports whether one of the picked sentences holds an answer
// of type t that q does not already say.
func quotesType(picked []*sentence, t answerType, q *query) bool {
	return slices.ContainsFunc(picked, func(s *sentence) bool { return s.hasType(t, q) })
}

// hasType reports whether the sentence holds an answer of type t (see
// readSentence.typeOf).
func (s *sentence) hasType(t answerType, q *query) bool {
	return s.read.typeOf(typedText(s.text, s.header, t), t, q)
}

// opensWithPronoun reports a sentence whose subject is a pronoun for
// someone named before it.
func opensWithPronoun(s string) bool {
	w, _, _ := strings.Cut(strings.TrimLeft(s, " \"'“‘(*_"), " ")
	switch strings.ToLower(w) {
	case "he", "she", "they", "his", "her", "their":
		return true
	}
	return false
}

// introduces reports a sentence that ends in a colon: it introduces what
// follows it.
func introduces(s string) bool {
	return strings.HasSuffix(strings.TrimRight(s, " *_`"), ":")
}

// runInHeading reports a numbered clause's run-in title: "3.4 Pedals.",
// "12.1 Late submission.", "5.3 Adjusting lever travel." — a clause
// number with a point inside it and one to three words, the first
// capitalised, ending in a full stop. A list's "1. Remove the cover." and
// a longer instruction ("12.2 Switch off the mains.") are none.
func runInHeading(s string) bool {
	return runInExpr.MatchString(s) && len(strings.Fields(s)) <= 4
}

// runInTitle reports a title run into its paragraph without a number,
// as a bold title reads once the bold is gone: "Cancellations." before
// "Please give at least 48 hours' notice if you need to cancel …", "Late
// arrival." before "If you arrive more than 15 minutes late …" — one to
// three words, the first capitalised, ending in a full stop, with no
// function word ("Dogs are welcome.", "Parking is free." say something),
// nor a reply ("Yes."), a word of which the rest of its line (rest)
// takes up, as a paragraph takes up its title ("Free. Booking
// essential." and "Closed. Reopens Monday." are answers).
func runInTitle(s, rest string) bool {
	if !runInTitleExpr.MatchString(s) {
		return false
	}
	ws := words(s)
	if slices.ContainsFunc(ws, func(w string) bool { return stopWords[w] || replyWords[w] }) {
		return false
	}
	said := stemSet(words(rest))
	return slices.ContainsFunc(ws, func(w string) bool { return said[stem(w)] })
}

// replyWords open an answer, not a section: "Yes. Dogs are welcome …".
var replyWords = map[string]bool{"yes": true, "no": true, "ok": true, "okay": true, "sorry": true, "thanks": true}

var (
	runInExpr      = regexp.MustCompile(`^\d+(\.\d+)+\.?\s+\p{Lu}[\p{L}'’-]*(\s+[\p{L}'’-]+){0,2}\.$`)
	runInTitleExpr = regexp.MustCompile(`^\p{Lu}[\p{L}'’-]*(\s+[\p{L}'’&-]+){0,2}\.$`)
)

// lineOpening reads the line of text where the sentence at sp starts:
// whether the sentence opens it (after its indentation and a list item's
// marker), how far the line is indented, and whether it is a list item.
func lineOpening(text string, sp Span) (indent int, item, opens bool) {
	start := strings.LastIndexByte(text[:sp.Start], '\n') + 1
	prefix := text[start:sp.Start]
	rest := strings.TrimLeft(prefix, " \t")
	indent = len(prefix) - len(rest)
	if rest == "" {
		return indent, false, true
	}
	if n := listMarker(rest); n == len(rest) {
		return indent, true, true
	}
	return indent, false, false
}

// underLine reports whether the line of text where sp starts comes right
// under a line with words on it, not under a blank or the top of text.
func underLine(text string, sp Span) bool {
	start := strings.LastIndexByte(text[:sp.Start], '\n')
	if start < 0 {
		return false
	}
	prev := text[:start]
	prev = prev[strings.LastIndexByte(prev, '\n')+1:]
	return strings.TrimSpace(prev) != ""
}

// endsLine reports whether the sentence at sp ends its line of text.
func endsLine(text string, sp Span) bool {
	rest, _, _ := strings.Cut(text[sp.End:], "\n")
	return strings.TrimSpace(rest) == ""
}

// isHeading reports a sentence of passage text that is a Markdown heading,
// a line in capitals (see capitalHeading) or, in a document that does not
// mark its headings, a line of its own without a full stop — a heading, a
// title, a list label — that is not indented right under another line (an
// item of it: "  Saturday 17 October: 8.30 to 9.00 am"). In a document
// that marks them (marked, see marksHeadings: Markdown, the structured
// formats, whose loaders write headings so, and plain text with its
// headings in capitals), such a line is a paragraph (a slide's point, a table's caption, an item) unless the
// passage cuts it off: it is the passage's first line and the passage
// starts inside a line of its document (lineStart false), or its last and
// the passage ends inside one (lineEnd false).
func isHeading(text string, sp Span, marked, lineStart, lineEnd bool) bool {
	s := text[sp.Start:sp.End]
	if strings.HasPrefix(s, "#") || inCapitalsLine(text, sp) {
		// "6. CATERING CONTRACT", "APOLOGIES:": a line in capitals is a
		// heading, numbered or not, in any document (see capitalHeading).
		return true
	}
	if r, _ := utf8.DecodeLastRuneInString(s); strings.ContainsRune(`.!?:;"'”’)]…`, r) {
		return false
	}
	if len(strings.Fields(s)) > 12 {
		return false
	}
	if marked {
		cutAtStart := !lineStart && !strings.Contains(text[:sp.Start], "\n")
		cutAtEnd := !lineEnd && !strings.Contains(text[sp.End:], "\n")
		return cutAtStart || cutAtEnd
	}
	indent, item, opens := lineOpening(text, sp)
	ownLine := opens && !item
	if ownLine && indent > 0 && underLine(text, sp) {
		// An item indented under the line before ("  Saturday 17
		// October: 8.30 to 9.00 am"); a heading may be centred, with a
		// blank line above it.
		return false
	}
	// The end of the passage ends a line too: a heading is often the last
	// line of a chunk, and a sentence cut off there is no answer either.
	return ownLine && endsLine(text, sp)
}

// inCapitalsLine reports whether the line of text that holds the span sp
// is a heading in capitals.
func inCapitalsLine(text string, sp Span) bool {
	start := strings.LastIndexByte(text[:sp.Start], '\n') + 1
	end := strings.IndexByte(text[sp.End:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += sp.End
	}
	_, ok := capitalHeading(text[start:end])
	return ok
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range min(len(a), len(b)) {
		s += a[i] * b[i]
	}
	return s
}

// compose joins the picked sentences, each followed by the [n] of its
// passage, and returns the cited passages numbered by first use. A
// citation's section is the one its first quoted sentence is in (section
// of the passage and the sentence's span), which a passage that spans
// headings may not start in.
func compose(picked []*sentence, passages []Passage, section func(Passage, Span) string) (string, []Citation) {
	num := map[int]int{}
	var cites []Citation
	var quoted []Span // per citation, the run of its quoted sentences
	var b strings.Builder
	for i, s := range picked {
		n, ok := num[s.rank]
		if ok {
			q := &quoted[n-1]
			q.Start, q.End = min(q.Start, s.span.Start), max(q.End, s.span.End)
		} else {
			p := passages[s.rank]
			n = len(cites) + 1
			num[s.rank] = n
			cites = append(cites, Citation{
				N: n, Source: p.Source, Title: p.Title, Date: p.Date, Section: section(p, s.span),
				Chunk: p.Ordinal, Score: p.Score, Text: p.Text,
			})
			quoted = append(quoted, s.span)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		q := quoteText(s.text)
		if s.header != "" {
			// A table's row is quoted as a sentence that names its cells.
			q = tableRowText(s.header, s.text)
		}
		if isMarkdown(passages[s.rank].Source) {
			q = plainMarkdown(q)
		}
		fmt.Fprintf(&b, "%s [%d]", escapeMarkers(q), n)
	}
	for i, q := range quoted {
		cites[i].Quote = cites[i].Text[q.Start:q.End]
	}
	return b.String(), cites
}

// escapeMarkers writes a document's own bracketed numbers ("Hugo Brandt
// [2]", a footnote) as Markdown escapes, \[2\], so that only the answer's
// own markers read as citations: Discord shows the escape as the original
// brackets, the page and the command line unescape it.
func escapeMarkers(s string) string {
	return markerRE.ReplaceAllStringFunc(s, func(m string) string {
		return `\[` + m[1:len(m)-1] + `\]`
	})
}

// quoteText is s as quoted: a quotation mark that opens it and never
// closes (or closes it and never opened) is trimmed, so that the quote is
// still verbatim but not left hanging.
func quoteText(s string) string {
	for _, p := range [][2]string{{"“", "”"}, {"‘", "’"}, {"«", "»"}, {`"`, `"`}} {
		open, close := p[0], p[1]
		if open == close {
			// Straight quotes pair from the left; only a lone one is known
			// to be unmatched at either end.
			if strings.Count(s, open) == 1 {
				switch {
				case strings.HasPrefix(s, open):
					s = strings.TrimSpace(s[len(open):])
				case strings.HasSuffix(s, open):
					s = strings.TrimSpace(s[:len(s)-len(open)])
				}
			}
			continue
		}
		if strings.HasPrefix(s, open) {
			rest := s[len(open):]
			c, o := strings.Index(rest, close), strings.Index(rest, open)
			if c < 0 || (o >= 0 && o < c) {
				s = strings.TrimSpace(rest) // the first mark opens and never closes
			}
		}
		if strings.HasSuffix(s, close) {
			head := s[:len(s)-len(close)]
			o, c := strings.LastIndex(head, open), strings.LastIndex(head, close)
			if o < 0 || (c >= 0 && c > o) {
				s = strings.TrimSpace(head) // the last mark closes and never opened
			}
		}
	}
	return s
}
