package rag

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A document's sections are given by its Markdown headings ("# Benefits",
// "## Carry-over"), which the loaders of structured formats write too (a
// Word heading, a slide's title, a sheet's name), or else by its lines in
// capitals ("7. SPRING APPEAL"). A chunk's section is the
// path of headings in effect where its text begins, the document's title
// left out: "Vacation › Carry-over".

// sectionSep joins the headings of a section path.
const sectionSep = " › "

// heading is a Markdown heading line of a document.
type heading struct {
	pos   int // byte offset of the line
	end   int // byte offset just past the line
	level int // 1 for "#", 6 for "######"
	text  string
	// capitals is set on a heading that is a line in capitals, not marked
	// with "#" (see marksHeadings).
	capitals bool
}

// docHeadings returns doc's headings, a Markdown file's without their
// inline markup. A document without Markdown headings may mark them by
// writing them in capitals on a line of their own, numbered or not ("6.
// CATERING CONTRACT"), as minutes and reports in plain text do.
func docHeadings(doc Document) []heading {
	hs := headingsOf(doc.Text)
	if isMarkdown(doc.Source) {
		for i := range hs {
			hs[i].text = plainMarkdown(hs[i].text)
		}
	}
	if len(hs) == 0 {
		hs = capitalHeadings(doc.Text)
	}
	return hs
}

// marksHeadings reports whether a document whose headings are hs marks
// them all, so that a short line of its own is no heading but a paragraph
// or an item (see isHeading): with Markdown's "#", or in capitals when it
// has three or more such lines. A title in capitals over headings in lower
// case ("HISTORY OF THE TOWN", then "The railway") marks nothing.
func marksHeadings(hs []heading) bool {
	return len(hs) > 0 && (!hs[0].capitals || len(hs) >= 3)
}

// capitalHeadings returns the lines of text in capitals that read as
// headings (see capitalHeading), all of one level.
func capitalHeadings(text string) []heading { return eachLine(text, capitalHeading) }

// headingNumber is a heading's number in Roman numerals ("II. ", "IV) ")
// or in parts of one to three digits ("4.2 ", "3.1.2. ", and "25/36 ",
// the 36th item of the 2025 minutes; not a date, "12.03.2025"); a plain
// number ("6. ") is a list's marker.
var headingNumber = regexp.MustCompile(`^(?:[IVXLC]+[.)]|\d{1,3}(?:[./]\d{1,3})+[.)]?)\s+`)

// clockTime is a word of digits and letters that is a time, not a code:
// "5PM", "9AM-5PM".
var clockTime = regexp.MustCompile(`^\d{1,2}([:.]\d\d)?(AM|PM)(-\d{1,2}([:.]\d\d)?(AM|PM))?$`)

// ordinal is a word such as "25TH", a date's when a month stands beside
// it ("CLOSED 25TH DECEMBER"), a heading's otherwise ("24TH ANNUAL
// MEETING", "1ST XI CRICKET").
var ordinal = regexp.MustCompile(`^\d+(ST|ND|RD|TH)$`)

// bracketed is a heading's last words in brackets, letters only: "SWIM
// SCHOOL (CHILDREN)", not "(ABC)" nor "CREATE TABLE T (ID INT, NAME TEXT)".
var bracketed = regexp.MustCompile(`^[^()]*\pL[^()]*\([^(),]*\pL[^(),]*\)$`)

// capitalHeading reads line as a heading in capitals: at most twelve
// words of capitals (three letters or more in all) and nothing but
// letters, spaces and a few joining marks, after a number if it has one
// ("6.", "II.", "4.2", "25/36"; then with a word of four letters or more,
// and not a time or a price: "09.00 REGISTRATION", "4.50 EACH"), before a
// colon if it has one. It may end in words in brackets ("SWIM SCHOOL
// (CHILDREN)") and hold one code of letters and digits ("SCHOOL SERVICE
// 14S", "COVID-19 UPDATE", "24TH ANNUAL MEETING"), but no number of its
// own, nor a clock time or a date: "ROOM 101", "OPEN 24 HOURS", "LAST
// ENTRY 5PM", "CLOSED 25TH DECEMBER", "TEL 01632 960 175", "TOTAL
// £8,400", "HDMI 2.1" and "SELECT * FROM USERS" are none. A
// bullet's item ("- GDPR") is no heading. The heading's text is without
// its number and colon.
func capitalHeading(line string) (heading, bool) {
	s := strings.TrimSpace(line)
	if strings.ContainsFunc(s, unicode.IsLower) {
		return heading{}, false // most lines, and every sentence asked about: no regexp
	}
	if n := listMarker(s); n > 0 {
		if r, _ := utf8.DecodeRuneInString(s); IsBullet(r) {
			return heading{}, false
		}
		s = s[n:]
	} else if loc := headingNumber.FindStringIndex(s); loc != nil {
		if scheduleTime.MatchString(s[:loc[1]]) {
			// Two digits after one point read as minutes, or pence: "09.00
			// REGISTRATION", "4.50 EACH" (and "3.10 RISKS": sections
			// numbered past nine are rarer than times and prices), not as
			// a heading's number ("4.2", "1.2.10", "3.10.").
			return heading{}, false
		}
		s = s[loc[1]:]
		if !slices.ContainsFunc(strings.Fields(s), func(w string) bool { return utf8.RuneCountInString(w) >= 4 }) {
			return heading{}, false
		}
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ":"))
	fields := strings.Fields(s)
	if s == "" || !inCapitals(s) || len(fields) > 12 ||
		strings.ContainsFunc(s, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" &-'’/,()", r)
		}) ||
		strings.ContainsAny(s, "()") && !bracketed.MatchString(s) {
		return heading{}, false
	}
	codes := 0
	for i, w := range fields {
		if ordinal.MatchString(w) && (i > 0 && calendarWords[strings.ToLower(fields[i-1])] || i+1 < len(fields) && calendarWords[strings.ToLower(fields[i+1])]) {
			return heading{}, false // "CLOSED 25TH DECEMBER": a date
		}
		if strings.ContainsFunc(w, unicode.IsDigit) {
			if !strings.ContainsFunc(w, unicode.IsLetter) || clockTime.MatchString(w) {
				return heading{}, false // "ROOM 101": a number, not a title
			}
			codes++
		}
	}
	if codes > 1 {
		return heading{}, false // "LONDON SW1A 1AA": an address
	}
	return heading{level: 1, text: s, capitals: true}, true
}

// inCapitals reports text whose letters, three or more, are all capitals.
func inCapitals(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n >= 3
}

// headingsOf returns text's Markdown (ATX) headings in order.
func headingsOf(text string) []heading { return eachLine(text, parseHeading) }

// eachLine returns the headings that read finds in text's lines, each with
// its line's offsets.
func eachLine(text string, read func(line string) (heading, bool)) []heading {
	var out []heading
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		if h, ok := read(text[pos:end]); ok {
			h.pos, h.end = pos, end
			out = append(out, h)
		}
		pos = end + 1
	}
	return out
}

// parseHeading reads line as a Markdown heading: one to six "#", a space,
// the text (closing "#"s dropped).
func parseHeading(line string) (heading, bool) {
	line = strings.TrimRight(line, " \t\r")
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 || !strings.HasPrefix(s, "#") {
		return heading{}, false
	}
	level := len(s) - len(strings.TrimLeft(s, "#"))
	rest := s[level:]
	if level > 6 || rest == "" || rest[0] != ' ' && rest[0] != '\t' {
		return heading{}, false
	}
	text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(rest), "#"))
	if text == "" {
		return heading{}, false
	}
	return heading{level: level, text: text}, true
}

// sectionAt is the section at byte pos of a document titled title whose
// headings are hs: the path of the headings before pos, the title left out.
func sectionAt(hs []heading, title string, pos int) string {
	var stack []heading
	for _, h := range hs {
		if h.pos >= pos {
			break
		}
		for len(stack) > 0 && stack[len(stack)-1].level >= h.level {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, h)
	}
	return sectionPath(stack, title)
}

// sectionPath joins the headings of stack, the document's title left out.
func sectionPath(stack []heading, title string) string {
	var path []string
	for _, h := range stack {
		if strings.EqualFold(h.text, title) && len(path) == 0 {
			continue // the document's title is no section
		}
		path = append(path, h.text)
	}
	return strings.Join(path, sectionSep)
}

// setSections gives each of doc's chunks, in document order, its section,
// hs being doc's headings (docHeadings).
func setSections(doc Document, hs []heading, chunks []Chunk) {
	if len(hs) == 0 {
		return
	}
	var stack []heading
	next := 0
	for i := range chunks {
		c := &chunks[i]
		// Headings the chunk opens with are its own: the section starts
		// where its first other line does.
		at := c.Start
		for j := next; j < len(hs) && hs[j].pos <= at && at <= c.End; j++ {
			if hs[j].pos >= c.Start && hs[j].pos == at {
				at = min(hs[j].end+1, c.End)
				for at < c.End && (doc.Text[at] == '\n' || doc.Text[at] == '\r' || doc.Text[at] == ' ') {
					at++
				}
			}
		}
		for next < len(hs) && hs[next].pos < at {
			h := hs[next]
			for len(stack) > 0 && stack[len(stack)-1].level >= h.level {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, h)
			next++
		}
		c.Section = sectionPath(stack, doc.Title)
	}
}
