package rag

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sentenceSpans splits text into sentences and returns their byte ranges,
// trimmed of surrounding space. Line breaks end a sentence (list items,
// headings), but for those of text wrapped at a fixed width, plain or
// Markdown, which go on with the sentence (see wrapWidth, wrapped); so do
// . ! ? (with closing quotes or brackets) followed by space and a capital,
// digit or opening quote, unless the word before the stop is a known
// abbreviation or a single capital initial, or the stop ends a leader
// ("Saturday ...... 8:00am", see inLeader). A list item's marker
// ("- ", "• ", "2. ", "3) ") at the start of a line is no part of its
// sentence; a line that starts with "|" (a table's row) or with a
// Markdown heading's "#" marks is one sentence.
func sentenceSpans(text string) []Span {
	var out []Span
	start := 0
	emit := func(end int) {
		s, e := trimByteRange(text, start, end)
		if e > s {
			out = append(out, Span{s, e})
		}
		start = end
	}
	line := 0     // where the line being read begins
	phys := 0     // and where the last line break left off, within a wrapped line
	code := false // within a code block, whose lines are never joined
	width := wrapWidth(text)
	for i := 0; i < len(text); {
		if i == line {
			j := i
			for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			if n := listMarker(text[j:]); n > 0 && !isRule(lineAt(text, j)) {
				start, i = j+n, j+n
				continue
			}
			if j < len(text) && (text[j] == '|' || j-i <= 3 && atxHeading(text[j:])) {
				// A row of a Markdown table is one sentence, whatever
				// stops its cells hold ("| Rome | Max. 3 nights. Book early |"),
				// and so is a heading ("## 8. Conduct and Discipline": its
				// words after "8." are no sentence of their own).
				end := len(text)
				if k := strings.IndexByte(text[j:], '\n'); k >= 0 {
					end = j + k
				}
				start = j
				emit(end)
				i = end
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			if isFence(strings.TrimLeft(text[phys:i], " \t")) {
				code = !code
			}
			wrap := !code && (width > 0 && wrapped(text, phys, i, width) || hangs(text, line, i))
			phys = i + size
			if wrap {
				break // a line the writer's editor broke: the sentence goes on
			}
			emit(i)
			line = i + size
		case r == '.' || r == '!' || r == '?':
			j := i + size
			for j < len(text) {
				c, sz := utf8.DecodeRuneInString(text[j:])
				if !strings.ContainsRune(`"'”’»)]`, c) {
					break
				}
				j += sz
			}
			if endsSentence(text, i, j, r) {
				emit(j)
				i = j
				continue
			}
		}
		i += size
	}
	emit(len(text))
	return out
}

// atxHeading reports whether s starts with a Markdown heading's marks:
// one to six "#" and a space, a tab or the line's end.
func atxHeading(s string) bool {
	n := 0
	for n < len(s) && n < 7 && s[n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (n == len(s) || s[n] == ' ' || s[n] == '\t' || s[n] == '\n' || s[n] == '\r')
}

// wrapWidth is the width text's lines were wrapped at, by an editor or a
// mail program that breaks paragraphs into lines ("… not quorate within
// thirty minutes of the\ntime appointed …"), or 0 when its lines were not
// wrapped. The evidence is a line that breaks off inside a sentence,
// ending in a word or a comma with the next line going on in lower case;
// the width is the longest such line, between 40 and 120 characters (a
// long heading or address elsewhere in the text says nothing of it).
func wrapWidth(text string) int {
	width := 0
	prev := ""
	for l := range strings.Lines(text) {
		l = strings.TrimRight(l, " \t\r\n")
		next := strings.TrimLeft(l, " \t")
		if r, _ := utf8.DecodeRuneInString(next); unicode.IsLower(r) && prev != "" && !markdownLine(strings.TrimLeft(prev, " \t")) {
			if p, _ := utf8.DecodeLastRuneInString(prev); unicode.IsLetter(p) || p == ',' {
				width = max(width, utf8.RuneCountInString(prev))
			}
		}
		prev = l
	}
	if width < 40 || width > 120 {
		return 0
	}
	return width
}

// markdownLine reports a line that Markdown gives a meaning of its own,
// which no wrapped sentence runs into or out of: a heading, a code fence,
// a table's row or separator.
func markdownLine(s string) bool {
	return strings.HasPrefix(s, "#") || isFence(s) || isTableRow(s) || isTableSeparator(s)
}

// wrapped reports whether the line break at text[nl], ending the line that
// begins at start, was made by wrapping at width: the line has no stop at
// its end and is nearly too full to hold the next line's first word (within
// a few characters: wrapping programs differ), and the next line goes on
// with words, indented no less (an item's second line), not a list item,
// a Markdown heading or table row, a rule, a programme's time, the next
// row of a timetable laid out in columns (see rowAfter) or a blank; nor is
// a rule or a Markdown line wrapped into the next.
func wrapped(text string, start, nl, width int) bool {
	line := strings.TrimRight(text[start:nl], " \t\r")
	cur := strings.TrimLeft(line, " \t")
	if end := strings.TrimRight(cur, "*_`\"'”’)]"); end == "" || strings.ContainsAny(end[len(end)-1:], ".!?:;") {
		return false
	}
	next := lineAt(text, nl+1)
	trimmed := strings.TrimLeft(next, " \t")
	if trimmed == "" || markdownLine(cur) || markdownLine(trimmed) || isRule(cur) || isRule(trimmed) || listMarker(trimmed) > 0 || scheduleTime.MatchString(trimmed) ||
		rowAfter(line, next) || len(next)-len(trimmed) < len(line)-len(cur) {
		return false // a blank, a heading, a fence, a table, an item, a programme's time, a timetable's row, a line indented less
	}
	first, _, _ := strings.Cut(trimmed, " ")
	const slack = 10
	return utf8.RuneCountInString(line)+1+utf8.RuneCountInString(first) > width-slack
}

// scheduleTime opens a line of a programme or timetable ("11.15  Burnt
// mounds …", "9:30 Keynote").
var scheduleTime = regexp.MustCompile(`^\d{1,2}[.:]\d{2}\s`)

// isRule reports a line drawn across the page to set off what is above
// from what is below, of one character repeated three times or more:
// "-----", "=====", "* * *", "~~~". Plain text boxes its headings in them;
// no sentence runs through one.
func isRule(line string) bool {
	line = strings.TrimSpace(line)
	if len(line) < 3 || !strings.ContainsRune("-=_*~#+", rune(line[0])) {
		return false
	}
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case line[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// lineAt is the line of text that starts at i, without its line break.
func lineAt(text string, i int) string {
	if end := strings.IndexByte(text[i:], '\n'); end >= 0 {
		return text[i : i+end]
	}
	return text[i:]
}

// letterItem opens an item lettered or numbered in brackets: "(a) ",
// "(iv) ", "(B) ", "(12) ".
var letterItem = regexp.MustCompile(`^\([a-zA-Z0-9]{1,4}\)\s`)

// hangs reports whether the line break at text[nl] goes on with the entry
// that the line beginning at line opens: that line starts with a label (a
// programme's time, a list item's marker, a clause's number) or is a row
// in columns (see textColumn), and the next line is indented to the byte
// column where the entry's text starts after it (a hanging indent),
// without a label of its own, and goes on with the phrase the line broke
// off: in lower case, or with a quotation or a bracket:
//
//	09.00  KEYNOTE 3: Professor Mairead Quinlan
//	       "Reivers and Tower Houses"
//	Week 7  (24 Feb)  MIDTERM EXAM: Thursday 27 Feb, in the normal
//	                  lecture slot (50 minutes).
//
// Lines in capitals or with a capital under an entry are entries of their
// own ("4.2  FEES" over "     The fee is due …", "09.00  Registration"
// over "       Coffee in the foyer"), as are those under a line that ends
// in a colon.
func hangs(text string, line, nl int) bool {
	if nl+1 >= len(text) || text[nl+1] != ' ' {
		return false // most lines: not indented
	}
	next := strings.TrimRight(lineAt(text, nl+1), " \t\r")
	trimmed := strings.TrimLeft(next, " ")
	indent := len(next) - len(trimmed)
	if trimmed == "" || !opensContinuation(trimmed) {
		return false
	}
	cur := strings.TrimRight(lineAt(text[:nl], line), " \t\r") // the entry's first line sets the column
	rest := strings.TrimLeft(cur, " ")
	if strings.HasSuffix(strings.TrimRight(text[line:nl], " \t\r"), ":") || isRule(rest) || markdownLine(rest) {
		return false
	}
	col := 0
	if n := labelLen(rest); n > 0 {
		col = len(cur) - len(rest) + n
		for col < len(cur) && cur[col] == ' ' {
			col++
		}
	} else {
		col = textColumn(cur)
	}
	return col > 0 && col < len(cur) && indent == col && labelLen(trimmed) == 0 && !markdownLine(trimmed)
}

// opensContinuation reports a line that goes on with a phrase broken off
// at the end of the line before: it opens in lower case, with a
// quotation or with a bracket.
func opensContinuation(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r) || strings.ContainsRune(`"'“‘«(`, r)
}

// textColumn is the byte column where a row laid out in columns, as a
// timetable's or a form's are, has its last column's text: after the last
// run of two spaces or more within its first maxLabelColumn bytes, with
// no stop before it ("Week 7  (24 Feb)  MIDTERM …" → 18, "Labs:   Wed…"
// → 8); 0 for a line of prose ("days later.  The Chair", typed with two
// spaces after a full stop).
func textColumn(line string) int {
	line = strings.TrimRight(line, " \t\r")
	indent := len(line) - len(strings.TrimLeft(line, " "))
	head := line[:min(len(line), maxLabelColumn)]
	gap := strings.LastIndex(head, "  ")
	if gap <= indent || strings.ContainsAny(line[:gap], ".!?") {
		return 0
	}
	col := gap
	for col < len(line) && line[col] == ' ' {
		col++
	}
	if col >= len(line) {
		return 0
	}
	return col
}

// rowAfter reports whether next is a row of the same columns as cur: both
// laid out in columns (see textColumn), their text starting at the same
// column, as a timetable's rows line up. Justified or double-spaced
// prose has its gaps where its words fall.
func rowAfter(cur, next string) bool {
	c := textColumn(cur)
	return c > 0 && c == textColumn(next)
}

// maxLabelColumn is how far into a line, in bytes, the column of its
// entry's text may start.
const maxLabelColumn = 40

// labelLen is the length of the label an entry's line opens with (see
// hangs), its space included; 0 for none.
func labelLen(s string) int {
	if s == "" {
		return 0
	}
	// Only a digit, a bracket or a Roman numeral's letter opens one of
	// the labels that take a regexp.
	if c := s[0]; c >= '0' && c <= '9' || c == '(' || strings.IndexByte("IVXLC", c) >= 0 {
		for _, re := range []*regexp.Regexp{scheduleTime, letterItem, headingNumber} {
			if loc := re.FindStringIndex(s); loc != nil {
				return loc[1]
			}
		}
	}
	return listMarker(s)
}

// endsSentence decides whether the stop at text[i] (with closers up to j)
// ends a sentence.
func endsSentence(text string, i, j int, stop rune) bool {
	if j >= len(text) {
		return true
	}
	next, size := utf8.DecodeRuneInString(text[j:])
	if !unicode.IsSpace(next) {
		return false
	}
	k := j + size
	for k < len(text) {
		c, sz := utf8.DecodeRuneInString(text[k:])
		if !unicode.IsSpace(c) {
			break
		}
		k += sz
	}
	if k >= len(text) {
		return true
	}
	after, _ := utf8.DecodeRuneInString(text[k:])
	if !(unicode.IsUpper(after) || unicode.IsDigit(after) || strings.ContainsRune(`"'“‘«(–—-`, after)) {
		return false
	}
	if stop != '.' {
		return true
	}
	if inLeader(text, i) {
		return false // "Saturday ........ 8:00am - 6:00pm": a label and its value
	}
	// The word before the full stop.
	w := i
	for w > 0 {
		c, sz := utf8.DecodeLastRuneInString(text[:w])
		if unicode.IsSpace(c) || c == '(' {
			break
		}
		w -= sz
	}
	word := text[w:i]
	if utf8.RuneCountInString(word) == 1 && unicode.IsUpper([]rune(word)[0]) {
		return false // an initial: "K. Massimov"
	}
	return !abbreviations[strings.ToLower(strings.TrimLeft(word, `"'“‘«`))]
}

// inLeader reports whether the full stop at text[i] ends a leader: a run
// of dots, with at most two spaces between them, that leads the eye from
// a label to its value along a line of a price list, a timetable or a
// table of contents ("Adult swim ........ £5.20", "Saturday........
// 8:00am", "Chapter 3 .  .  .  . 41"): five or more, or four after a
// space. An ellipsis ("..."), three dots, may end a sentence, and so may
// four after a word ("Wait.... What?", "The road was long. . . . We
// arrived"); a leader never does.
func inLeader(text string, i int) bool {
	dots, start := 0, i
	for k := i; k >= 0; k-- {
		switch {
		case text[k] == '.':
			dots, start = dots+1, k
			continue
		case text[k] == ' ' && k > 0 && text[k-1] == '.':
			continue
		case text[k] == ' ' && k > 1 && text[k-1] == ' ' && text[k-2] == '.':
			continue
		}
		break
	}
	return dots >= 5 || dots >= 4 && start > 0 && (text[start-1] == ' ' || text[start-1] == '\t')
}

var abbreviations = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("mr mrs ms dr prof st sr jr gen col lt sgt capt gov sen rep no vs etc e.g i.e inc ltd co corp dept jan feb mar apr jun jul aug sep sept oct nov dec fig approx u.s u.k") {
		m[w] = true
	}
	return m
}()

// IsBullet reports a character that opens a list item: "-", "*", "+",
// the bullets of typography ("•", "▪", "➢", …) and those of the Private
// Use Area, where the Symbol and Wingdings fonts put theirs (a Word list
// printed to PDF reads "\uf0b7").
func IsBullet(r rune) bool {
	return strings.ContainsRune("-*+–•‣◦▪▫●○■□◆◇►▸➢➤✓✔∙", r) || 0xE000 <= r && r <= 0xF8FF
}

// listMarker returns the length of the list item marker that s opens
// with, and the space after it: a bullet ("- ", "* ", "+ ", "• ") or an
// item's number ("2. ", "10) "); 0 when s opens with none.
func listMarker(s string) int {
	n := 0
	if r, size := utf8.DecodeRuneInString(s); IsBullet(r) {
		n = size
	} else {
		for n < len(s) && n < 3 && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 0 || n == len(s) || s[n] != '.' && s[n] != ')' {
			return 0
		}
		n++
	}
	if n == len(s) || s[n] != ' ' && s[n] != '\t' {
		return 0
	}
	for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		n++
	}
	return n
}
