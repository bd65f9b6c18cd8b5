package rag

import (
	"cmp"
	"iter"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Acronyms: a question says "CEO" where the documents say "Chief
// Executive Officer". Neither the embedder nor the
// term statistics can tell that the two are one thing, and the question's
// word that no document has makes it look like a question about something
// else. expandAcronyms rewrites the question in the documents' own terms
// before it is searched for and measured.

// acronymTable is what the documents spell out: the capitalised phrases
// behind each set of initials.
type acronymTable struct {
	phrases map[string]map[string]int // lower-case initials → phrase → occurrences
}

// Bounds on what is taken for an acronym and for its phrase.
const (
	minAcronym, maxAcronym = 2, 6
)

// phraseConnectors may stand inside a capitalised phrase ("Department of
// Justice"); the initials are taken both with and without them.
var phraseConnectors = map[string]bool{"of": true, "and": true, "for": true, "&": true}

// acronymsOf reads the table from chunk texts.
func acronymsOf(texts iter.Seq[string]) *acronymTable {
	t := &acronymTable{phrases: map[string]map[string]int{}}
	for text := range texts {
		t.add(text)
	}
	return t
}

// add counts the phrases of text: runs of capitalised words, with
// connectors inside, that end at punctuation or at any other word.
func (t *acronymTable) add(text string) {
	var run []string // the current run of capitalised words and connectors
	flush := func() {
		if len(run) < minAcronym {
			run = run[:0]
			return
		}
		for len(run) > 0 && phraseConnectors[run[len(run)-1]] {
			run = run[:len(run)-1]
		}
		// A sentence's first word is capitalised whatever it is: "The
		// Chief Executive Officer" is "Chief Executive Officer".
		for len(run) > 0 && stopWords[strings.ToLower(run[0])] {
			run = run[1:]
		}
		if len(run) >= minAcronym {
			phrase := ""
			for _, in := range []bool{false, true} {
				ini := initials(run, in)
				if n := len(ini); n < minAcronym || n > maxAcronym {
					continue
				}
				m := t.phrases[ini]
				if m == nil {
					m = map[string]int{}
					t.phrases[ini] = m
				}
				if phrase == "" {
					phrase = strings.Join(run, " ")
				}
				m[phrase]++
			}
		}
		run = run[:0]
	}
	for f := range strings.FieldsSeq(text) {
		// Most words are neither capitalised nor a connector after one.
		if c := f[0]; c >= 'a' && c <= 'z' && len(run) == 0 {
			continue
		}
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && r != '&' })
		switch {
		case w == "":
			flush()
			continue
		case isCapitalised(w):
			run = append(run, w)
		case len(run) > 0 && phraseConnectors[w]:
			run = append(run, w)
		default:
			flush()
		}
		// A phrase does not run past a comma or the end of a sentence.
		if strings.IndexByte(",.;:!?)", f[len(f)-1]) >= 0 {
			flush()
		}
	}
	flush()
}

// initials are the lower-case first letters of the phrase's words, with
// or without its connectors'.
func initials(phrase []string, connectors bool) string {
	var b strings.Builder
	for _, w := range phrase {
		if w == "&" || phraseConnectors[w] && !connectors {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isAllCaps reports a word of capital letters only ("CEO", "NATO").
func isAllCaps(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsUpper(r) }) < 0
}

// shouted reports a question written in capitals ("WHO IS THE CEO?"),
// whose words are not acronyms.
func shouted(ws []qword) bool {
	caps, letters := 0, 0
	for _, w := range ws {
		if w.core != "" {
			letters++
			if isAllCaps(w.core) {
				caps++
			}
		}
	}
	return letters > 1 && caps == letters
}

// isRoman reports a Roman numeral of I, V and X ("Harold II", "World War
// I"), never an acronym.
func isRoman(w string) bool {
	return strings.Trim(w, "IVX") == ""
}

// isCapitalised reports a word that starts with a capital and has a small
// letter after it ("Chief", "McDonald").
func isCapitalised(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && strings.IndexFunc(w[n:], unicode.IsLower) >= 0
}

// phraseFor is the phrase the documents spell acronym a out with most
// often, "" when they never do.
func (t *acronymTable) phraseFor(a string) string {
	best, n := "", 0
	for p, c := range t.phrases[strings.ToLower(a)] {
		if c > n || c == n && cmp.Less(p, best) {
			best, n = p, c
		}
	}
	return best
}

// qword is a word of a question with the punctuation around it.
type qword struct{ lead, core, trail string }

// qwordOf cuts a field of a question into its word, from its first letter
// to its last, and what stands before and after it; a possessive "'s" is
// not the word's ("CEO's"). A field without letters is all lead.
func qwordOf(f string) qword {
	start := strings.IndexFunc(f, unicode.IsLetter)
	if start < 0 {
		return qword{lead: f}
	}
	end := strings.LastIndexFunc(f, unicode.IsLetter)
	_, n := utf8.DecodeRuneInString(f[end:])
	w := qword{f[:start], f[start : end+n], f[end+n:]}
	for _, poss := range []string{"'s", "’s", "'S", "’S"} {
		if core, ok := strings.CutSuffix(w.core, poss); ok && core != "" {
			w.core, w.trail = core, poss+w.trail
		}
	}
	return w
}

// expandAcronyms rewrites q in the documents' terms: an acronym of q that
// no chunk has becomes the phrase the documents spell it out with ("Who is
// the CEO?" → "Who is the Chief Executive Officer?"), in a question all in
// capitals too ("WHO IS THE CEO?"), possessive or not ("the CEO's
// salary"). q is returned as it is when every word is known. known
// reports a word some chunk has; table is called only when one is not.
func expandAcronyms(q string, known func(w string) bool, table func() *acronymTable) string {
	fields := strings.Fields(q)
	ws := make([]qword, len(fields))
	unknown := false
	for i, f := range fields {
		ws[i] = qwordOf(f)
		if ws[i].core == "" {
			continue
		}
		if l := strings.ToLower(ws[i].core); !stopWords[l] && !known(l) {
			unknown = true
		}
	}
	if !unknown {
		return q
	}
	t := table()
	caps := shouted(ws)
	out := make([]string, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		// An acronym is typed in capitals; in a question all in capitals,
		// its short words may be acronyms. Not in lower case: the table
		// holds every capitalised run, people's names too, so "pc" would
		// become "Priya Chandran". A function word ("WHO", "IT") is none,
		// nor letters glued to figures (the "TH" of "17TH").
		l := strings.ToLower(w.core)
		typed := isAllCaps(w.core) && !isRoman(w.core) && (!caps || len(l) <= 4)
		glued := strings.IndexFunc(w.lead, unicode.IsDigit) >= 0 // "17th"; "KS2" is Key Stage 2
		if w.core != "" && typed && !glued && !stopWords[l] && !known(l) {
			if p := t.phraseFor(l); p != "" {
				out = append(out, w.lead+p+w.trail)
				continue
			}
		}
		out = append(out, w.lead+w.core+w.trail)
	}
	return strings.Join(out, " ")
}

// inDocumentTerms is question rewritten by expandAcronyms, splitCodes,
// groupThousands and correctSpelling against the indexed chunks. The table of acronyms and
// the documents' words are read from the chunks the first time a question
// needs them and kept until the documents change.
func (x *Index) inDocumentTerms(question string) string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	none := x.terms.idf("\x00") // no chunk has it
	known := func(w string) bool {
		for _, t := range words(w) {
			if x.terms.idf(stem(t)) >= none {
				return false
			}
		}
		return true
	}
	texts := func(yield func(string) bool) {
		for _, c := range x.chunks {
			if !yield(c.Text) {
				return
			}
		}
	}
	table := func() *acronymTable {
		return readOnce(&x.acronyms, &x.wordsRead, func() *acronymTable { return acronymsOf(texts) })
	}
	spelt := func() *spellings {
		return readOnce(&x.spellings, &x.wordsRead, func() *spellings { return spellingsOf(texts) })
	}
	rare := func(w string) bool {
		return x.cfg.Rarity != nil && x.cfg.Rarity.WordRarity(w) >= minSpeltRarity
	}
	writes := func(n string) bool {
		return readOnce(&x.grouped, &x.wordsRead, func() *groupedNumbers { return groupedNumbersOf(texts) }).set[n]
	}
	return correctSpelling(groupThousands(splitCodes(expandAcronyms(question, known, table), known), known, writes), known, rare, spelt)
}

// numberRun is a run of digits with the points and commas inside it.
var numberRun = regexp.MustCompile(`[0-9]+(?:[.,][0-9]+)*`)

// groupedNumbers are the numbers the documents write with separators
// inside them ("2,000", "12,345.50"), each whole: "2,345" is not one of
// "12,345".
type groupedNumbers struct{ set map[string]bool }

func groupedNumbersOf(texts iter.Seq[string]) *groupedNumbers {
	g := &groupedNumbers{set: map[string]bool{}}
	for t := range texts {
		for _, n := range numberRun.FindAllString(t, -1) {
			if strings.ContainsAny(n, ".,") {
				g.set[n] = true
			}
		}
	}
	return g
}

// groupThousands writes a whole number of question that no chunk has
// ("£2000", "15000 people": five to nine digits, or four after a currency
// sign; no separators) with its thousands set off by commas ("£2,000") when
// a document writes it so (writes). A number that may be a year ("in
// 1600"), a code or part of one ("the 1600s", "ref 12345-67890", "#20001",
// "order 0012345") or a telephone number ("01632 960452") is left alone.
func groupThousands(question string, known, writes func(string) bool) string {
	var b strings.Builder
	last := 0
	for _, loc := range numberRun.FindAllStringIndex(question, -1) {
		n := question[loc[0]:loc[1]]
		head := strings.TrimRight(question[:loc[0]], " ")
		before, _ := utf8.DecodeLastRuneInString(question[:loc[0]])
		after, _ := utf8.DecodeRuneInString(question[loc[1]:])
		prev, _ := utf8.DecodeLastRuneInString(head)
		money := strings.ContainsRune("£$€", before)
		switch {
		case len(n) > 9, len(n) < 4, len(n) == 4 && !money, n[0] == '0', strings.ContainsAny(n, ".,"),
			unicode.IsLetter(before) || strings.ContainsRune("-#/", before), unicode.IsLetter(after) || strings.ContainsRune("-/", after),
			unicode.IsDigit(prev), known(n):
			continue
		}
		var g strings.Builder
		for i := range len(n) {
			if i > 0 && (len(n)-i)%3 == 0 {
				g.WriteByte(',')
			}
			g.WriteByte(n[i])
		}
		if !writes(g.String()) {
			continue
		}
		b.WriteString(question[last:loc[0]])
		b.WriteString(g.String())
		last = loc[1]
	}
	if last == 0 {
		return question
	}
	b.WriteString(question[last:])
	return b.String()
}

// readOnce returns p's value, reading it with read the first time: one
// question reads it under mu while the others wait for it, rather than
// read the documents again.
func readOnce[T any](p *atomic.Pointer[T], mu *sync.Mutex, read func() *T) *T {
	if v := p.Load(); v != nil {
		return v
	}
	mu.Lock()
	defer mu.Unlock()
	if v := p.Load(); v != nil {
		return v
	}
	v := read()
	p.Store(v)
	return v
}

// codeParts splits a code ("E307") into its runs of letters and digits.
var codeParts = regexp.MustCompile(`[A-Za-z]+|[0-9]+`)

// splitCodes writes a code of question that no chunk has ("E307", see
// isCode) as its runs of letters and digits ("E 307") when the documents
// have each: they write it apart ("E-307").
func splitCodes(question string, known func(string) bool) string {
	return codeWord.ReplaceAllStringFunc(question, func(w string) string {
		if !isCode(strings.ToLower(w)) || known(w) {
			return w
		}
		parts := codeParts.FindAllString(w, -1)
		for _, p := range parts {
			if !known(p) {
				return w
			}
		}
		return strings.Join(parts, " ")
	})
}

// codeWord is a run of ASCII letters and digits.
var codeWord = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9]*[0-9][A-Za-z0-9]*\b`)
