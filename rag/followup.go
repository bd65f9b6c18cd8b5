package rag

import (
	"context"
	"slices"
	"strings"
	"unicode"
)

// AskIn answers question as asked after the earlier questions of a
// conversation (oldest first). A follow-up that leans on them ("And with
// the army?", "Who was the Prosecutor General then?", "What will it be
// responsible for?") is searched for together with the questions it
// follows, so that the passages they were about are among the candidates;
// its passages and sentences are still ranked, and the answer chosen and
// gated, on its own words — unless it names nothing of its own that the
// conversation's document (the one the answer before quoted) lacks
// ("What's her phone number?"): then that document answers it, read with
// the questions it follows (see askWithin). So may a question that reads
// as no follow-up but names no subject of its own ("where do we meet?"),
// and one answered from another document where the models are at least
// as sure of that document's answer. A question that names its subject
// is answered as Ask answers it. The answer each turn was given
// is read from what the index remembers of its last answers, where it
// does (see shownTurns).
func (x *Index) AskIn(ctx context.Context, question string, earlier []string, k int) (Answer, error) {
	d, err := x.answerIn(ctx, question, earlier, k)
	return d.ans, err
}

// answerIn is AskIn, returning the whole decision. An answer declined by
// an index with no documents says so (NoDocuments), in every mode.
func (x *Index) answerIn(ctx context.Context, question string, earlier []string, k int) (decision, error) {
	memo := x.memo() // before answering: a change of the documents meanwhile drops it
	d, err := x.answerAt(ctx, question, earlier, k, maxContextTurns)
	if err == nil {
		memo.put(question, earlier, k, d)
	}
	return d, err
}

// answerAt is answerIn asking the turns before a follow-up again at most
// depth deep.
func (x *Index) answerAt(ctx context.Context, question string, earlier []string, k, depth int) (decision, error) {
	if x.modelErr != nil {
		return decision{}, x.modelErr
	}
	context := conversationContext(question, earlier)
	var topic string // the conversation's document: the one the answer before quoted, or that one's topic
	var whole string // a fragment follow-up read whole (see completed)
	if context != "" {
		whole = completed(question, earlier)
	}
	r, err := x.retrieveFragment(ctx, question, whole, context, k)
	if err != nil {
		return decision{}, err
	}
	absent := whole != "" && r.q.asked == 0
	if absent {
		// A day, a code or a name the fragment brings that no document
		// has ("And on Mondays?" where the timetable names none) is
		// declined as the fragment alone would be, not answered with the
		// slot the question before asked about.
		whole = ""
		if r, err = x.retrieveIn(ctx, question, context, k); err != nil {
			return decision{}, err
		}
	}
	if depth > 0 && len(earlier) > 0 && (context != "" || namesNoSubject(question)) {
		// What the user was shown last: a follow-up asks for more than
		// it quoted, and a question that names no subject of its own
		// ("where do we meet?"; not "When is the village fete?") may be
		// about what it was about (below). It is the answer the index
		// gave that turn where the index remembers it (see shownTurns);
		// otherwise, after a restart or on another replica, the turn is
		// asked again with the turns before it that a follow-up reads
		// (its passages' readings and sentence vectors are cached by
		// then). A chain of such turns is asked again at most
		// maxContextTurns deep, the deepest without this rule, so a
		// longer chain may then be answered otherwise than it was. An
		// earlier turn that cannot be answered ("??") quoted nothing.
		last := len(earlier) - 1
		prev, ok := x.memo().get(earlier[last], earlier[:last], k)
		if !ok {
			prev, err = x.answerAt(ctx, earlier[last], earlier[max(0, last-maxContextTurns):last], k, depth-1)
		}
		switch {
		case ctx.Err() != nil:
			return decision{}, ctx.Err()
		case err == nil && prev.ans.Grounded:
			r.quoted = prev.quoted
			topic = prev.ans.Passages[0].Source
			if prev.topic != "" {
				// A turn answered from another document than the
				// conversation's did not move the conversation (below).
				topic = prev.topic
			}
			// "Is it paid?" after "How long is the meal break …?" asks
			// whether the meal break is: a pronoun for the subject of the
			// question before is read as that subject, where the
			// follow-up's own words are all in the conversation's document.
			if subj, as := subjectOf(earlier[last]), ""; context != "" && whole == "" && namesNothingElse(r, topic) {
				if subj != "" {
					as = withSubject(question, subj, antecedents)
				} else if role, pronouns := roleOf(earlier[last]); role != "" {
					// "What is her email?" after "Who is the clerk?":
					// the clerk's.
					as = withSubject(question, role, pronouns)
				}
				if as != "" {
					rs, err := x.retrieveAs(ctx, as, question, context, k)
					if err != nil {
						return decision{}, err
					}
					rs.question, rs.quoted = question, r.quoted
					r = rs
				}
			}
			if context != "" && asksOfQuote(r, question, prev.ans.Answer) {
				// "Who runs it?" after "Clinic: Diabetes review; …; Run
				// by: Dr Ramanathan and Kerry Osei.": that answer again.
				prev.ans.Question = question
				return prev, nil
			}
		}
	}
	d, err := x.decide(ctx, r, &x.model, k)
	if err != nil {
		return decision{}, err
	}
	if topic != "" && (!d.ans.Grounded || d.ans.Passages[0].Source != topic) {
		// A turn that says nothing of a subject of its own ("What's her
		// phone number?", "Is it paid?", "And on Sundays?", and one that
		// reads as no follow-up: "where do we meet?" after "When is the
		// Brook Clean-up Day?") is about what the conversation is about:
		// its own words ("number", "paid", "meet") match any document, so
		// the conversation's document answers it, read with the
		// questions it follows.
		otherTitle := namesAnotherTitle(r, topic)
		sure := namesNothingElse(r, topic) && (context != "" || !otherTitle)
		// One that has words of its own, names no other document's title
		// and is answered from another document ("do I need to buy a
		// ticket?" after the budget of a residents' Christmas social,
		// answered with a rail line's refund) is answered from the
		// conversation's where the models are at least as sure of its
		// answer there ("Tickets are free, but residents are asked to
		// register"): the conversation is taken to stay on its subject
		// unless the documents answer it better elsewhere. Only where the
		// first search found a passage of that document, a cheap sign
		// that it may answer (the second search, read with the turns
		// before, might find others).
		drifted := d.ans.Grounded && !absent && !otherTitle &&
			slices.ContainsFunc(r.cands, func(c *candidate) bool { return c.Source == topic })
		if sure || drifted {
			// Where that document does not answer it, the answer stays.
			// Like the turn asked again, this is a refinement: only a
			// cancelled ctx fails it.
			alt, ok, err := x.askWithin(ctx, question, whole, context, topic, r.quoted, k)
			if ctx.Err() != nil {
				return decision{}, ctx.Err()
			}
			if err == nil && ok && (sure || alt.ans.Confidence >= d.ans.Confidence) {
				d = alt
			}
		}
		if d.ans.Grounded && d.ans.Passages[0].Source != topic && !otherTitle {
			// Answered from another document all the same, the turn
			// leaves the conversation where it was: "can I bring my kids?"
			// after "who runs it?" about a garden centre's workshop,
			// answered from a hospital's leaflet, is still about the
			// workshop. A turn that names another document's title moves
			// it there.
			d.topic = topic
		}
	}
	if !d.ans.Grounded {
		if docs, _ := x.Size(); docs == 0 {
			d.ans.Note = NoDocuments
		}
	}
	return d, nil
}

// retrieveFragment is retrieveIn for question, or for whole, the
// fragment question completed, where that is not "": its terms and the
// type of answer it asks for are the whole question's, and the terms of
// the fragment's own words are marked as asked — none when the fragment
// names a day, a code or a name that no chunk has (a word such as "kids"
// may be said otherwise: "children").
func (x *Index) retrieveFragment(ctx context.Context, question, whole, context string, k int) (*retrieval, error) {
	if whole == "" {
		return x.retrieveIn(ctx, question, context, k)
	}
	r, err := x.retrieveAs(ctx, whole, whole, context, k)
	if err != nil {
		return nil, err
	}
	r.question = question
	r.q.asked = r.q.mask(stemSet(fragment(question)))
	for i, t := range r.q.order {
		if i < maxMaskTerms && r.q.asked&(1<<i) != 0 && r.q.terms[t] >= r.q.maxIDF && r.q.exact[t] {
			r.q.asked = 0
			break
		}
	}
	return r, nil
}

// asksOfQuote reports a follow-up that refers back ("who runs it?",
// "which release is that?") and whose words, and the type of answer it
// asks for, are all in the answer before (answer, as shown: a table's row
// with its labels, "…; Run by: Dr Ramanathan"): it asks for what that
// answer already says.
func asksOfQuote(r *retrieval, question, answer string) bool {
	if p := strandedPreposition(question); p != "" {
		// "Where from?" of "Dirty uniform is collected … from the linen
		// room": what follows its preposition there.
		aw := words(answer)
		i := slices.Index(aw, p)
		return i >= 0 && i+1 < len(aw)
	}
	if len(r.q.order) == 0 || !refersBack(question) || r.q.want != anyType && !hasAnswerType(answer, r.q.want, r.q) {
		return false // "When is it held?" of "The fete is held on the green." asks for more
	}
	all := r.q.all()
	return r.q.mask(stemSet(words(answer)))&all == all
}

// strandedPreposition is the preposition of a question of a question
// word and a preposition alone ("Where from?", "Who by?", "Who with?",
// "What for?"), which asks what follows that preposition in the answer
// before; "" for any other question. "Since when?" and "By when?" ask
// for a date, whatever the answer before said.
func strandedPreposition(question string) string {
	ws := words(question)
	if len(ws) != 2 || !prepositions[ws[1]] {
		return ""
	}
	switch ws[0] {
	case "where", "who", "whom", "what", "which":
		return ws[1]
	}
	return ""
}

// refersBack reports a question that points back with a pronoun or a
// pointing word ("it", "that", "this").
func refersBack(question string) bool {
	return slices.ContainsFunc(words(question), func(w string) bool { return referring[w] || w == "that" || w == "this" })
}

// maxContextTurns bounds how far back a chain of follow-ups is followed.
const maxContextTurns = 3

// conversationContext is what a follow-up is searched for with: the
// question it follows, and the one before that while each leans on the
// one before it. It is "" for a question that stands on its own, or the
// first of a conversation.
func conversationContext(question string, earlier []string) string {
	if len(earlier) == 0 || !IsFollowUp(question) {
		return ""
	}
	var ctx []string
	for i := len(earlier) - 1; i >= 0 && len(ctx) < maxContextTurns; i-- {
		ctx = append([]string{earlier[i]}, ctx...)
		if !IsFollowUp(earlier[i]) {
			break
		}
	}
	return strings.Join(ctx, " ")
}

// IsFollowUp reports whether a question leans on what was asked before:
// it opens with a word that continues ("And with the army?", "What about
// Porto?"), refers back with a pronoun or a pointing word ("his meeting",
// "that meeting", "then"), or names too little to stand alone.
func IsFollowUp(question string) bool {
	ws := words(question)
	if len(ws) == 0 {
		return false
	}
	if continuing[ws[0]] || len(ws) > 1 && (ws[0] == "what" || ws[0] == "how") && ws[1] == "about" {
		return true
	}
	content := 0
	for i, w := range ws {
		next := ""
		if i+1 < len(ws) {
			next = ws[i+1]
		}
		switch {
		case referring[w]:
			return true
		case (w == "this" || w == "these" || w == "those") && next != "" && !stopWords[next]:
			return true // "this policy"
		case w == "that" && (i > 0 && prepositions[ws[i-1]] || i+2 == len(ws) && !stopWords[next]):
			// "at that meeting", "Who chaired that meeting?"; not the "that"
			// that joins clauses ("say that the army …") or opens a relative
			// one ("the law that bans guns").
			return true
		case (w == "then" || w == "there") && i == len(ws)-1:
			return true
		case w == "that" && i == len(ws)-1:
			return true // "Which release is that?"
		case !stopWords[w] && !kindOfAnswer(w):
			content++
		}
	}
	return content == 0
}

// kindOfAnswer reports a word that names only the kind of answer wanted
// ("budget", "cost", "deadline", "email", "phone"): a question of such
// words alone ("What's the budget?") names no subject of its own.
func kindOfAnswer(w string) bool {
	_, keyword := keywordNouns[w]
	return answerNouns[w] || keyword || phoneWords[w] || measureNoun(w)
}

// pointedWords are the words a question points back to with a
// possessive or a pointing word: "round-table meeting" in "Where was his
// round-table meeting held?", "uprisings" in "Where did these uprisings
// take place?", "annual report" in "What did their annual report say?".
// They run to the next stop word, short of the question's last word,
// where a question that inverts its verb puts the verb ("… held?"); so
// "Who spoke at that meeting?" points back to nothing it can tell.
func pointedWords(question string) []string { return pointedBy(question, pointing) }

// demonstratedWords are the pointedWords that follow a pointing word, not
// a possessive: "proclamation" in "When was this proclamation issued?"
// must have been spoken of; "phone" in "What's her phone number?" need
// not.
func demonstratedWords(question string) []string { return pointedBy(question, demonstratives) }

// pointedBy is pointedWords for the words in openers (and "that" after a
// preposition).
func pointedBy(question string, openers map[string]bool) []string {
	ws := words(question)
	var out []string
	for i, w := range ws {
		if !openers[w] && !(w == "that" && i > 0 && prepositions[ws[i-1]]) || i+1 >= len(ws)-1 {
			continue // not pointing, or nothing between it and the last word
		}
		for _, n := range ws[i+1 : len(ws)-1] {
			if stopWords[n] {
				break
			}
			out = append(out, n)
		}
	}
	return out
}

// pointing are the possessives and pointing words that open a noun phrase
// naming what was said before.
var pointing = map[string]bool{
	"this": true, "these": true, "those": true, "his": true, "her": true, "its": true, "their": true,
}

// demonstratives are the pointing words that are no possessives.
var demonstratives = map[string]bool{"this": true, "these": true, "those": true}

// continuing are words that open a question which continues the one
// before.
var continuing = map[string]bool{"and": true, "but": true, "also": true, "so": true, "then": true}

// referring are pronouns that refer to someone or something named before.
var referring = map[string]bool{
	"he": true, "him": true, "his": true, "she": true, "her": true, "hers": true,
	"it": true, "its": true, "they": true, "them": true, "their": true, "theirs": true,
}

// prepositions that a pointing "that" or "this" can follow ("at that
// meeting", "in this case").
var prepositions = map[string]bool{
	"at": true, "in": true, "on": true, "of": true, "from": true, "for": true, "with": true, "by": true,
	"during": true, "to": true, "after": true, "before": true, "about": true, "since": true, "until": true,
}

// namesNothingElse reports whether a follow-up (r) says nothing of a
// subject of its own: each of its terms is in the passages retrieved from
// the document topic or names the kind of answer it wants ("phone
// number", "email", "cost"), and what it points back to with "this",
// "these" or "those" is in the passage the answer before quoted ("When was
// this proclamation issued?" after an answer that spoke of none is about
// another proclamation).
func namesNothingElse(r *retrieval, topic string) bool {
	var in, said termMask
	for _, c := range r.cands {
		if c.Source == topic {
			in |= c.mask
			if slices.ContainsFunc(r.quoted, func(q string) bool { return strings.Contains(c.Text, q) }) {
				said |= c.mask
			}
		}
	}
	if len(r.q.order) == 0 {
		// "When is it?" asks for a date of what the answer before was
		// about; "Why?" and "And?" ask for nothing it can tell, and are
		// declined as Ask declines them.
		return r.q.want != anyType
	}
	for i, t := range r.q.order {
		if i < maxMaskTerms && r.q.pointed&(1<<i) != 0 {
			if said&(1<<i) == 0 {
				return false // "this proclamation", when the answer before spoke of none
			}
			continue
		}
		if i < maxMaskTerms && in&(1<<i) != 0 {
			continue
		}
		if kindOfAnswer(r.q.words[t]) {
			continue
		}
		return false
	}
	return true
}

// answerNouns name a kind of answer beyond those of typeNouns.
var answerNouns = map[string]bool{"email": true, "e-mail": true, "mail": true, "extension": true, "address": true, "website": true, "contact": true, "name": true}

// measureNoun reports a noun that asks for a date, a time or a quantity
// ("year", "time", "number", "cost"), not one that names a subject of its
// own as typeNouns' persons, places and bodies do ("river", "church").
func measureNoun(w string) bool {
	switch typeNouns[w] {
	case dateType, timeType, numberType:
		return true
	}
	return false
}

// askWithin answers a follow-up from the document topic alone, read with
// the questions it follows (context), or whole when it is a fragment
// completed (see completed): "What's her phone number?" after
// "Who coordinates the swim school?" is about the coordinator the answer
// before named. ok is false when that document does not answer it.
func (x *Index) askWithin(ctx context.Context, question, whole, context, topic string, quoted []string, k int) (d decision, ok bool, err error) {
	var r *retrieval
	if whole != "" {
		r, err = x.retrieveFragment(ctx, question, whole, "", k)
	} else {
		r, err = x.retrieveAs(ctx, context+" "+question, question, "", k)
	}
	if err != nil {
		return decision{}, false, err
	}
	own := r.cands[:0]
	for _, c := range r.cands {
		if c.Source == topic {
			own = append(own, c)
		}
	}
	if len(own) == 0 {
		return decision{}, false, nil
	}
	r.cands, r.quoted = own, quoted
	d, err = x.decide(ctx, r, &x.model, k)
	if err != nil || !d.ans.Grounded || repeats(d, quoted, &r.q) {
		return decision{}, false, err
	}
	d.ans.Question = question
	return d, true, nil
}

// repeats reports an answer to a follow-up that quotes again what the
// answer before quoted, though that holds no answer of the type it asks
// for by a pattern of its own: a telephone number, an email address, an
// amount of money, a date, a time, a duration or a frequency. "What's her
// phone number?" may be answered by "… Megan Holt, who can be reached on
// 01632 960 175." again; "What's her email?", "Where is it?", "How old are
// they?" and "What about the cost?" are not by "The Swim School is
// coordinated by Megan Holt.": any digit reads as a number, any name as a
// person or a place.
func repeats(d decision, quoted []string, q *query) bool {
	if len(d.quoted) == 0 || !slices.Contains(quoted, d.quoted[0]) {
		return false // the sentence chosen is new, whatever it quotes with it
	}
	switch q.want {
	case phoneType, emailType, moneyType, dateType, timeType, durationType, frequencyType:
		return !slices.ContainsFunc(d.quoted, func(s string) bool { return hasAnswerType(s, q.want, *q) })
	}
	return true
}

// determiners may open the subject a question inverts its verb before.
var determiners = map[string]bool{
	"the": true, "a": true, "an": true, "my": true, "our": true, "your": true, "this": true, "that": true, "these": true, "those": true,
}

// subjectOf is the subject a question asks about when it inverts its verb
// before it: "meal break" in "How long is the meal break for staff?",
// "late shift" in "What time does the late shift start?" — the run of
// content words after the auxiliary and a determiner (a possessive's "s"
// inside it), short of its last word after "do", "can" and the like,
// which is the question's verb. It is "" for a question whose subject is
// its question word ("What should be created under the Ministry?", "Who
// coordinates the swim school?"), a person it asks to be named ("Who's
// the secretary?") or a noun it asks to be named ("Which quote did the
// council accept?"): a pronoun after those stands for the answer, not for
// a word of the question. The words keep their case: a name stays one.
func subjectOf(question string) string {
	ts := tokens(question)
	ws := lowered(ts)
	if len(ws) > 1 && (ws[0] == "which" || ws[0] == "what") && !auxiliaries[ws[1]] && !contracted[ws[1]] && !measureNoun(ws[1]) {
		// "Which quote did the council accept?": a pronoun after it
		// stands for the quote the answer names ("How much was it?");
		// "What time does the late shift start?" asks a time of the shift.
		return ""
	}
	if len(ws) > 0 && (ws[0] == "who" || ws[0] == "whom" || ws[0] == "whose") {
		return ""
	}
	for i := 1; i < len(ws) && i <= 4; i++ {
		if !auxiliaries[ws[i]] && !contracted[ws[i]] {
			continue
		}
		j := i + 1
		for j < len(ws) && determiners[ws[j]] {
			j++
		}
		var run []string
		k := j
		for ; k < len(ws) && (!stopWords[ws[k]] || ws[k] == "s" && len(run) > 0 && k+1 < len(ws) && !stopWords[ws[k+1]]); k++ {
			if ws[k] != "s" {
				run = append(run, ts[k])
			}
		}
		if !beForms[ws[i]] && len(run) > 1 {
			run = run[:len(run)-1] // "does the late shift start": the verb
		}
		return strings.Join(run, " ")
	}
	return ""
}

// beForms are the auxiliaries of "be", after which a question's subject
// runs to its end ("When is the village fete?").
var beForms = map[string]bool{"is": true, "are": true, "was": true, "were": true, "s": true, "re": true}

// tokens are the words of text as words reads them, in their own case.
func tokens(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// lowered is tokens as words gives them: lower case, Latin letters folded.
func lowered(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = foldLatin(strings.ToLower(t))
	}
	return out
}

// antecedents are the pronouns for a thing named before: "Is it paid?",
// "When does it finish?", "How quickly do they reply?".
var antecedents = map[string]bool{"it": true, "its": true, "they": true, "them": true, "their": true}

// namesNoSubject reports a question that names no subject of its own
// but asks of the asker's own doing ("where do we meet?", "what should I
// bring?", "can I get my money back?", "Who do I call if there's a
// problem at night?") or whether there is a thing ("is there a joining
// fee?"): in a conversation, about what the turns before were about. A
// question with a subject ("When is the village fete?"), a role ("Who
// is the chair of the parish council?") or one it names otherwise ("Who
// chairs the parish council?") names its own.
func namesNoSubject(question string) bool {
	if subjectOf(question) != "" {
		return false
	}
	if role, _ := roleOf(question); role != "" {
		return false
	}
	ws := words(question)
	for i, w := range ws {
		if askers[w] || (w == "there" && i > 0 && beForms[ws[i-1]]) {
			return true
		}
	}
	return false
}

// namesAnotherTitle reports a question with a word of the title of a
// document other than topic among its candidates' ("Can I park at the
// hospital?", where the hospital's visitor guide is one, after a
// question about the library, whose page names the hospital in
// passing): it names a subject of its own, though it asks of the
// asker's doing. Words that name the kind of answer ("cost", "times")
// do not count.
func namesAnotherTitle(r *retrieval, topic string) bool {
	var kinds termMask
	for i, t := range r.q.order {
		if i < maxMaskTerms && kindOfAnswer(r.q.words[t]) {
			kinds |= 1 << i
		}
	}
	return slices.ContainsFunc(r.cands, func(c *candidate) bool { return c.Source != topic && c.title.mask&^kinds != 0 })
}

// askers are the pronouns of the one who asks, or of whom they ask.
var askers = map[string]bool{"i": true, "me": true, "my": true, "we": true, "us": true, "our": true, "you": true, "your": true}

// persons are the pronouns for a person named before: "What is her
// email?", "How do I complain to him?".
var persons = map[string]bool{"he": true, "him": true, "his": true, "she": true, "her": true, "hers": true}

// roleOf is the role a question asks to be named the holder of, and the
// pronouns for that holder: "clerk" in "Who is the clerk?" (she, her, he
// …), "practice manager at Fernleigh Road Surgery" in "Who's the practice
// manager at Fernleigh Road Surgery?", "trustees" in "Who are the
// trustees?" (they, them, their) — the content words after "who is the",
// with a phrase of "of", "at", "for" or "in" after them. It is "" for any
// other question, and where the role is another's ("Who is the clerk's
// assistant?") or a relative clause says who is meant ("Who is the man
// who founded Oxfam?"): a pronoun then stands for the answer.
func roleOf(question string) (string, map[string]bool) {
	ts := tokens(question)
	ws := lowered(ts)
	if len(ws) < 4 || ws[0] != "who" || !beForms[ws[1]] || ws[2] != "the" {
		return "", nil
	}
	pronouns := persons
	if ws[1] == "are" || ws[1] == "were" || ws[1] == "re" {
		pronouns = people
	}
	var run []string
	k := 3
	content := func() {
		for ; k < len(ws) && !stopWords[ws[k]]; k++ {
			run = append(run, ts[k])
		}
	}
	content()
	if len(run) == 0 {
		return "", nil
	}
	if k < len(ws) && roleLinks[ws[k]] {
		run = append(run, ts[k])
		k++
		for k < len(ws) && determiners[ws[k]] {
			k++ // "of the school": the school
		}
		content()
	}
	if k < len(ws) {
		return "", nil // "clerk's assistant", "man who founded …"
	}
	return strings.Join(run, " "), pronouns
}

// roleLinks join a role to what it is of ("head of the school",
// "manager at the surgery").
var roleLinks = map[string]bool{"of": true, "at": true, "for": true, "in": true}

// people are the pronouns for people named before.
var people = map[string]bool{"they": true, "them": true, "their": true, "theirs": true}

// withSubject is question with its first pronoun of those in pronouns
// replaced by subject: "Is it paid" after "How long is the meal break?"
// reads "Is meal break paid". It is "" when question has no such pronoun.
func withSubject(question, subject string, pronouns map[string]bool) string {
	ts := tokens(question)
	for i, w := range lowered(ts) {
		if pronouns[w] {
			ts[i] = subject
			return strings.Join(ts, " ")
		}
	}
	return ""
}

// slotClass is the kind of slot a word fills in a question that another
// word of the same kind can take: a day of the week, a month, a code of
// the same letters ("Q2" and "Q3", not "mp3"), a year, who it is for
// ("adults", "children") or a size ("small", "large"). "" for any other
// word.
func slotClass(w string) string {
	d := strings.TrimSuffix(w, "s")
	switch {
	case d == "weekday" || d == "weekend" || calendarWords[d] && strings.HasSuffix(d, "day"):
		return "day"
	case calendarWords[d]:
		return "month"
	case isCode(w):
		return "code " + strings.TrimRightFunc(w, unicode.IsDigit)
	case len(w) == 4 && strings.Trim(w, "0123456789") == "" && (w[:2] == "18" || w[:2] == "19" || w[:2] == "20"):
		return "year"
	case audiences[stem(w)]:
		return "audience"
	case sizes[w]:
		return "size"
	}
	return ""
}

// sizes are the sizes a price or a rule may be given by: "and for a
// small one?" after "How much does a bath and brush cost for a large
// dog?" asks the small dog's price.
var sizes = map[string]bool{"small": true, "medium": true, "large": true, "giant": true, "big": true, "little": true, "tiny": true}

// sizeHeads may follow a size that fills a slot: "a small one", "large
// ones", "medium size".
var sizeHeads = map[string]bool{"one": true, "ones": true, "size": true, "sized": true, "sizes": true}

// audiences are the stems of who a price or a rule is for: "And for
// children?" after "How much is an adult ticket?" asks the children's
// price.
var audiences = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("adults children kids juniors seniors students concessions infants babies toddlers teens teenagers members visitors guests families") {
		m[stem(w)], m[stem(strings.TrimSuffix(w, "s"))] = true, true
	}
	m["child"] = true
	return m
}()

// fragment is the words a follow-up adds when it is a fragment of the
// question before ("And on Sundays?", "what about Q3", "and in 2023?"):
// it opens with "and", "but", "what about" or "how about", and has no
// auxiliary or question word of its own. Nil otherwise.
func fragment(question string) []string {
	ws := lowered(tokens(question)) // as completed reads the question's tokens
	switch {
	case len(ws) > 1 && (ws[0] == "and" || ws[0] == "but"):
		ws = ws[1:]
	case len(ws) > 2 && (ws[0] == "what" || ws[0] == "how") && ws[1] == "about":
		ws = ws[2:]
	default:
		return nil
	}
	for _, w := range ws {
		if auxiliaries[w] || contracted[w] || whWords[w] {
			return nil
		}
	}
	return ws
}

// whWords open a question of its own.
var whWords = map[string]bool{"who": true, "whom": true, "whose": true, "what": true, "which": true, "when": true, "where": true, "why": true, "how": true}

// completed is a fragment follow-up read as the question it is a part of:
// "and in Q3?" after "How much did the East make in Q2 2024?" (and
// perhaps a follow-up between them) reads "How much did the East make in
// Q3 2024". The words of the fragment take the place of the words of the
// same slot (a day, a month, a code, a year, who it is for, a size) in the latest
// earlier question that has one, itself completed first if it is a
// fragment too, and of the preposition before them when the fragment
// brings its own; "" when the fragment fills no such slot.
func completed(question string, earlier []string) string {
	frag := fragment(question)
	classes := map[string]bool{}
	for i, w := range frag {
		c := slotClass(w)
		if c == "size" && i+1 < len(frag) && !sizeHeads[frag[i+1]] {
			// "What about the large print books?": a noun of its own
			// after the size, not a slot of the question before.
			continue
		}
		if c != "" {
			classes[c] = true
		}
	}
	if len(classes) == 0 {
		return ""
	}
	qs := tokens(question)
	fragTokens := qs[len(qs)-len(frag):]
	for i := len(earlier) - 1; i >= 0 && i >= len(earlier)-maxContextTurns; i-- {
		base := earlier[i]
		if fragment(base) != nil {
			// "And on Mondays?" after "And on Sundays?": the question that
			// one completes.
			if base = completed(base, earlier[:i]); base == "" {
				continue
			}
		}
		ts := tokens(base)
		ws := lowered(ts)
		var out []string
		placed := false
		for j, w := range ws {
			if !classes[slotClass(w)] {
				out = append(out, ts[j])
				continue
			}
			if n := len(out); n > 0 && prepositions[strings.ToLower(out[n-1])] && prepositions[frag[0]] {
				out = out[:n-1] // "on Saturdays" gives way to "on Sundays"
			}
			if !placed {
				out = append(out, fragTokens...)
				placed = true
			}
		}
		if placed {
			return strings.Join(out, " ")
		}
	}
	return ""
}
