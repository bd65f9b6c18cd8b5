package rag

import (
	"iter"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// query is what Ask knows of a question.
type query struct {
	terms   map[string]float64 // content term (stemmed) → IDF weight
	order   []string           // the terms in question order: sums over them are the same every time
	words   map[string]string  // content term → a surface word of it
	exact   map[string]bool    // terms that only match themselves: names, numbers
	weight  float64            // sum of the weights
	unknown float64            // share of the weight in terms no chunk has
	maxIDF  float64            // the IDF of a term no chunk has
	index   map[string]int     // term → its place in order
	pairs   map[[2]int]int     // consecutive content terms (by place) → the pair's number
	rarity  map[string]float64 // content term → how rare its word is in general use (0–1)
	want    answerType
	// absentCode is a code of the question that no chunk has (see
	// isCode), "" when none.
	absentCode string
	howMany    bool     // it opens "how many" or "how much"
	howLong    bool     // it opens "how long" (not "how long ago")
	focus      termMask // the term the question asks about ("budget" in "What is the budget of …"; see focusWord)
	given      termMask // the terms it points back to ("his round-table meeting"; see pointedWords)
	pointed    termMask // those after a pointing word ("this proclamation"; see demonstratedWords)
	yesNo      bool     // it opens with an auxiliary verb: "Is there …", "Can I …", "Does the hall have …"
	measuring  termMask // the terms that say it asks for an amount ("cost", "fee"; see measuringWords)
	asides     termMask // the terms that say how the amount is measured ("take", "monthly"; see measuringAsides)
	asked      termMask // for a fragment follow-up read whole, the terms of the fragment ("sundays" in "and on Sundays?"; see completed)
}

func (x *Index) analyse(q string) query { return x.analyseAs(q, q) }

// analyseAs reads the terms of q and what own asks: the type of answer it
// wants, its focus and what it points back to. A follow-up asked again
// with the questions it follows is read so (see askWithin): the terms of
// all, what the follow-up asks. (Taking the type of the questions it
// follows when it asks for none of its own was measured and not kept: no
// conversation gained, see the README. A fragment completed from the
// question before, "And on Sundays?" after "What time does the gym open
// on weekdays?", is read whole, its type too: see completed.)
func (x *Index) analyseAs(q, own string) query {
	a := query{terms: map[string]float64{}, words: map[string]string{}, rarity: map[string]float64{}, exact: map[string]bool{}, want: questionType(own)}
	for _, w := range names(q) {
		a.exact[stem(w)] = true
	}
	a.maxIDF = x.terms.idf("\x00") // no chunk has it
	var unknown float64
	a.index, a.pairs = map[string]int{}, map[[2]int]int{}
	last, prev := "", ""
	for _, w := range words(q) {
		after := prev
		prev = w
		if stopWords[w] || after == "how" && (amountWords[w] || w == "long" || w == "soon") {
			continue // "many" in "how many" is the question's, not its topic
		}
		t := stem(w)
		prev := last
		last = t
		if _, ok := a.terms[t]; ok || len(a.order) == maxMaskTerms {
			continue // seen, or past the terms a mask can hold
		}
		if prev != "" {
			p := [2]int{a.index[prev], len(a.order)}
			if _, ok := a.pairs[p]; !ok {
				a.pairs[p] = len(a.pairs)
			}
		}
		idf := x.terms.idf(t)
		a.terms[t] = idf
		a.index[t] = len(a.order)
		a.order = append(a.order, t)
		a.words[t] = w
		a.rarity[t] = x.rarity(w)
		a.weight += idf
		if idf >= a.maxIDF {
			unknown += idf
			if isCode(w) && a.absentCode == "" {
				a.absentCode = w
			}
		}
	}
	if a.weight > 0 {
		a.unknown = unknown / a.weight
	}
	a.yesNo = yesNoQuestion(own)
	a.howMany = howManyExpr.MatchString(own)
	a.howLong = a.want == durationType && howLongExpr.MatchString(own)
	a.given, a.pointed = a.mask(stemSet(pointedWords(own))), a.mask(stemSet(demonstratedWords(own)))
	a.measuring, a.asides = a.mask(measuringStems), a.mask(measuringAsideStems)
	if f := focusWord(own); f != "" {
		if i, ok := a.index[stem(f)]; ok && i < maxMaskTerms {
			a.focus = 1 << i
		}
	}
	return a
}

// yesNoQuestion reports a question that opens with an auxiliary verb, or
// its negation, after any "and" or "so": "Is there …", "Can I …", "And
// does the hall have …", "Isn't there …". "Do you know …" and "Can you
// tell me …" ask what follows them.
func yesNoQuestion(q string) bool {
	ws := words(q)
	for len(ws) > 0 && leadIns[ws[0]] {
		ws = ws[1:]
	}
	if len(ws) == 0 || !auxiliaries[ws[0]] && !negatedAuxiliaries[ws[0]] {
		return false
	}
	return !(len(ws) > 2 && ws[1] == "you" && (ws[2] == "know" || ws[2] == "tell"))
}

// leadIns open a question without being part of it.
var leadIns = map[string]bool{"and": true, "so": true, "but": true, "also": true, "ok": true, "okay": true, "then": true, "well": true}

// negatedAuxiliaries are the auxiliaries of "isn't", "don't", "can't"
// and the like, as words splits them.
var negatedAuxiliaries = map[string]bool{"isn": true, "aren": true, "wasn": true, "weren": true, "doesn": true, "don": true, "didn": true,
	"won": true, "wouldn": true, "cannot": true, "couldn": true, "shouldn": true, "hasn": true, "haven": true, "hadn": true, "mustn": true}

// isCode reports a word that names one thing by letters and digits
// together, as error codes, models and versions do ("e500", "iso9001",
// "v2"): a letter first, a digit after it. Ordinals and decades ("3rd",
// "1990s") start with their digits.
func isCode(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return r < utf8.RuneSelf && unicode.IsLetter(r) && strings.ContainsFunc(w, unicode.IsDigit)
}

// focusWord is what a what, which or how-many question asks about: the
// first content word after the question word, usually its noun ("What is
// the budget of …" → budget, "How many weapons …" → weapons; "the annual
// budget" gives "annual": there is no tagger to find the noun), "" for
// other questions.
func focusWord(q string) string {
	loc := whWord.FindStringIndex(q)
	if loc == nil {
		return ""
	}
	wh := strings.ToLower(q[loc[0]:loc[1]])
	rest := words(q[loc[1]:])
	switch wh {
	case "what", "which", "whose":
	case "how":
		if len(rest) == 0 || !amountWords[rest[0]] {
			return ""
		}
		rest = rest[1:]
	default:
		return ""
	}
	for i, w := range rest {
		if i >= 4 {
			break
		}
		if !stopWords[w] {
			return w
		}
	}
	return ""
}

// rarity is how rare w is in general use, 1 without a word model that
// knows.
func (x *Index) rarity(w string) float64 {
	if x.cfg.Rarity == nil {
		return 1
	}
	return x.cfg.Rarity.WordRarity(w)
}

// softCoverage is the IDF-weighted share of q's terms in have, where a
// term missing from have is partly covered by a related word among ws
// (words numbered in pw). Names and numbers get no such credit.
func (x *Index) softCoverage(q query, have termMask, ws iter.Seq[int32], pw *passageWords) float64 {
	if q.weight == 0 {
		return 0
	}
	var hit float64
	for i, t := range q.order {
		idf := q.terms[t]
		switch {
		case i < maxMaskTerms && have&(1<<i) != 0:
			hit += idf
		case !q.exact[t]:
			hit += idf * relatedCredit(pw.best(i, ws))
		}
	}
	return hit / q.weight
}

// Related-word credit: a word of cosine c ≥ minWordSim to a missing
// question word counts (c − minWordSim)/(1 − minWordSim) of it.
const minWordSim = 0.55

// relatedCredit is the credit for a question word that a text lacks, given
// the cosine c of the text's most related word to it: 0 when none is
// related enough.
func relatedCredit(c float64) float64 {
	if c < minWordSim {
		return 0
	}
	return (c - minWordSim) / (1 - minWordSim)
}

// names returns the lower-cased words of q that are names or numbers:
// capitalised words after the first, words with digits, and numbers,
// ordinals, months and days in words. Related words do not stand in for
// them ("June" is not "July", "Germany" not "France", "first" not
// "fourteenth").
func names(q string) []string {
	var out []string
	for i, f := range strings.Fields(q) {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f == "" {
			continue
		}
		r := []rune(f)[0]
		if (i > 0 && unicode.IsUpper(r)) || strings.ContainsFunc(f, unicode.IsDigit) || valueWords[strings.ToLower(f)] || calendarWords[strings.ToLower(f)] {
			out = append(out, words(f)...)
		}
	}
	return out
}

// valueWords are numbers and ordinals in words.
var valueWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " +
		"sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion " +
		"first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth " +
		"sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth hundredth thousandth millionth") {
		m[w] = true
	}
	return m
}()

func stemSet(ws []string) map[string]bool {
	set := make(map[string]bool, len(ws))
	for _, w := range ws {
		if !stopWords[w] {
			set[stem(w)] = true
		}
	}
	return set
}

// measured reports the type of a question that asks in so many words for
// a measure — an amount of money ("How much does it cost", "What is the
// fee"), a quantity ("how many", "how much") or a duration or length
// ("how long") — which its answer must hold.
func (q *query) measured() (answerType, bool) {
	switch {
	case q.want == moneyType:
		return moneyType, true
	case q.howMany:
		return numberType, true
	case q.howLong:
		return durationType, true
	}
	return anyType, false
}

// measuringWords say that a question asks for an amount, not of what:
// "cost" in "How much does a crown cost?", "rent" in "What is the annual
// rent?".
var measuringWords = strings.Fields("cost costs costing price prices priced charge charges charged fee fees pay paid pays paying " +
	"spend spent spends amount total rate rates rent rents fare fares fine fines fined tuition salary wage wages budget")

// measuringAsides say how an amount is measured, and may say of what:
// "take" in "How long does a bulky waste collection take?", "monthly" in
// "How much is the monthly membership?". A quote need not have them, but
// one that has them speaks of what was asked ("It takes five working days
// to approve a permit.").
var measuringAsides = strings.Fields("take takes taking last lasts wait hold holds seat seats fit fits " +
	"hourly daily nightly weekly monthly yearly annual annually")

// measuringStems and measuringAsideStems are the stems of measuringWords
// and measuringAsides, as a question's terms are.
var measuringStems, measuringAsideStems = stemSet(measuringWords), stemSet(measuringAsides)

// howManyExpr is a question that asks for a quantity in so many words.
var howManyExpr = regexp.MustCompile(`(?i)^\W*how (many|much)\b`)

// howLongExpr is a question that asks for a duration or a length in so
// many words.
var howLongExpr = regexp.MustCompile(`(?i)^\W*how long\b`)
