package rag

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Hash returns the hex SHA-256 of data.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// titleScanLines is how many of the kept text's first non-blank lines Title
// considers for a headingText.
const titleScanLines = 6

// titleMaxRunes is the longest line Title accepts as a headingText, and
// titleShortRunes the length it shortens a first sentence to.
const (
	titleMaxRunes   = 250
	titleMaxWords   = 40
	titleShortRunes = 80
)

// Title returns the document's title: the first headingText-like line among the
// first lines of the kept text (not too long, not ending like a sentence,
// not a date line, not boilerplate; Markdown '#' markers stripped), else the
// first sentence of the kept text shortened to about 80 characters on a word
// boundary with "…". It returns "" when nothing is kept.
func Title(text string, kept []Span) string {
	var first string
	seen := 0
	for _, sp := range spansWithin(text, kept) {
		for l := range strings.SplitSeq(text[sp.Start:sp.End], "\n") {
			l = strings.TrimSpace(l)
			if l == "" {
				continue
			}
			if first == "" {
				first = l
			}
			if h, ok := headingText(l); ok {
				return h
			}
			if seen++; seen == titleScanLines {
				return shortenTitle(leadSentence(first), titleShortRunes)
			}
		}
	}
	if first == "" {
		return ""
	}
	return shortenTitle(leadSentence(first), titleShortRunes)
}

// spansWithin returns the spans of kept that lie within text, so that callers
// can slice without checking.
func spansWithin(text string, kept []Span) []Span {
	out := make([]Span, 0, len(kept))
	for _, sp := range kept {
		if 0 <= sp.Start && sp.Start <= sp.End && sp.End <= len(text) {
			out = append(out, sp)
		}
	}
	return out
}

// headingText reports whether the trimmed line l reads as a headingText, and returns
// it without Markdown markers.
func headingText(l string) (string, bool) {
	md := strings.HasPrefix(l, "#")
	if md {
		l = strings.TrimSpace(strings.Trim(l, "#"))
	}
	if l == "" || utf8.RuneCountInString(l) > titleMaxRunes {
		return "", false
	}
	words := words(l)
	if len(words) == 0 || len(words) > titleMaxWords || countLetters(l) < 2 {
		return "", false
	}
	if !md && endsClause(l) {
		return "", false
	}
	if isDateLine(l) || isBoilerplate(l, words) {
		return "", false
	}
	return l, true
}

// endsClause reports whether s ends like a sentence or a clause (., !, ;,
// :, a comma or an ellipsis, possibly inside closing quotes). A question
// mark does not count: headlines ask questions.
func endsClause(s string) bool {
	r := lastRuneOutsideQuotes(s)
	return strings.ContainsRune(".!;:,…", r)
}

// lastRuneOutsideQuotes returns the last rune of s that is not a closing
// quote or bracket, or utf8.RuneError for an empty s.
func lastRuneOutsideQuotes(s string) rune {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(closingMarks, r)
	})
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// closingMarks are the quotes and brackets that may follow a sentence's final
// punctuation.
const closingMarks = "\"'’”»)]}"

// leadSentence returns the first sentence of line: up to the first ., ! or
// ? that is followed by a space and does not end an initial or a common
// abbreviation.
func leadSentence(line string) string {
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(line) && strings.IndexByte(`"')]`, line[j]) >= 0 {
			j++
		}
		if j < len(line) && line[j] != ' ' {
			continue
		}
		if c == '.' && endsAbbreviation(line[:i]) {
			continue
		}
		return line[:i+1]
	}
	return line
}

// endsAbbreviation reports whether s ends with a word that a period after it
// does not end a sentence: a single letter (an initial) or a common
// abbreviation.
func endsAbbreviation(s string) bool {
	k := strings.LastIndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	w := s[k+1:]
	if k >= 0 {
		_, size := utf8.DecodeRuneInString(s[k:])
		w = s[k+size:]
	}
	if utf8.RuneCountInString(w) == 1 {
		return true
	}
	switch strings.ToLower(w) {
	case "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "no", "gen", "col", "lt", "sen", "rep", "gov", "inc", "ltd", "co", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec":
		return true
	}
	return false
}

// shortenTitle returns s without a final period, cut to at most max runes on a
// word boundary with "…" appended when it was longer.
func shortenTitle(s string, max int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return strings.TrimSuffix(s, ".")
	}
	cut := 0
	n := 0
	for i, r := range s {
		if n == max {
			break
		}
		n++
		if unicode.IsSpace(r) {
			cut = i
		}
	}
	if cut == 0 { // one long word: cut on a rune boundary
		cut = len(s)
		n = 0
		for i := range s {
			if n == max {
				cut = i
				break
			}
			n++
		}
	}
	s = strings.TrimRightFunc(s[:cut], func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:–—-", r)
	})
	return s + "…"
}

// Date returns the first date written in the kept text as YYYY-MM-DD, or ""
// when there is none. It reads
//
//   - month names, full or abbreviated, in English or Russian:
//     "July 12, 2012", "Jul. 12 2012", "12 July 2012", "12th of July, 2012",
//     "12 июля 2012";
//   - ISO dates: "2012-07-12";
//   - dotted dates, day first: "12.07.2012";
//   - slashed dates, day first ("12/07/2012" is 12 July) unless the second
//     number is over 12 ("07/13/2012" is 13 July).
//
// Dates without a year ("June 10") are ignored, and so are impossible ones
// (month 13, 30 February): Date goes on to the next date in the text.
func Date(text string, kept []Span) string {
	for _, sp := range spansWithin(text, kept) {
		if d, _ := firstDate(text[sp.Start:sp.End]); d != "" {
			return d
		}
	}
	return ""
}

const (
	monthPattern = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?` +
		`|январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]|октябр[яь]|ноябр[яь]|декабр[яь])`
	dayPattern  = `(\d{1,2})(?:st|nd|rd|th)?`
	yearPattern = `(\d{4})`
)

// dateFormats are the date notations Date reads; each regexp's groups are
// read by its layout.
var dateFormats = []struct {
	re *regexp.Regexp
	// ymd maps the submatches (1-based) to year, month, day.
	ymd func(m []string) (y, mo, d int, ok bool)
}{
	{ // July 12, 2012 / Jul. 12 2012
		regexp.MustCompile(`(?i)\b` + monthPattern + `\.?\s+` + dayPattern + `,?\s+` + yearPattern + `\b`),
		func(m []string) (int, int, int, bool) { return namedDate(m[3], m[1], m[2]) },
	},
	{ // 12 July 2012 / 12th of July, 2012
		regexp.MustCompile(`(?i)\b` + dayPattern + `(?:\s+of)?\s+` + monthPattern + `\.?,?\s+` + yearPattern + `\b`),
		func(m []string) (int, int, int, bool) { return namedDate(m[3], m[2], m[1]) },
	},
	{ // 2012-07-12, 2012-07-12T10:00
		regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})(?:\b|T)`),
		func(m []string) (int, int, int, bool) { return numericDate(m[1], m[2], m[3]) },
	},
	{ // 12.07.2012
		regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`),
		func(m []string) (int, int, int, bool) { return numericDate(m[3], m[2], m[1]) },
	},
	{ // 12/07/2012, day first unless that cannot be
		regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})/(\d{4})\b`),
		func(m []string) (int, int, int, bool) {
			if n, _ := strconv.Atoi(m[2]); n > 12 {
				return numericDate(m[3], m[1], m[2])
			}
			return numericDate(m[3], m[2], m[1])
		},
	},
}

// firstDate returns the earliest valid date in s as YYYY-MM-DD and the byte
// range of its match, or "" when s has none. Every format holds a four-digit
// year, so the formats are only tried in a window around each such number,
// in order: a long text costs a byte scan, not a run of every regexp.
func firstDate(s string) (string, Span) {
	const before, after = 48, 16 // the longest date text around its year
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i == 4 {
			lo, hi := max(0, i-before), min(len(s), j+after)
			for lo > 0 && !utf8.RuneStart(s[lo]) {
				lo--
			}
			for hi < len(s) && !utf8.RuneStart(s[hi]) {
				hi++
			}
			if d, at := firstDateIn(s[lo:hi]); d != "" {
				return d, Span{Start: lo + at.Start, End: lo + at.End}
			}
		}
		i = j
	}
	return "", Span{Start: -1}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// firstDateIn is firstDate by trying every format over all of s.
func firstDateIn(s string) (string, Span) {
	best, at := "", Span{Start: -1}
	for _, f := range dateFormats {
		for _, loc := range f.re.FindAllStringSubmatchIndex(s, -1) {
			if at.Start >= 0 && loc[0] >= at.Start {
				break
			}
			end := loc[len(loc)-1] // the end of the last group: the date itself
			if !digitBoundary(s, loc[0], end) {
				continue
			}
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			y, mo, d, ok := f.ymd(m)
			if !ok || !validDate(y, mo, d) {
				continue
			}
			best, at = isoDate(y, mo, d), Span{Start: loc[0], End: end}
			break
		}
	}
	return best, at
}

// digitBoundary reports whether the match s[i:j] is not glued to further
// digits or dotted/slashed numbers ("1.12.07.2012", "2012-07-123").
func digitBoundary(s string, i, j int) bool {
	if i > 0 {
		c := s[i-1]
		if c >= '0' && c <= '9' || (c == '.' || c == '/' || c == '-') && i > 1 && s[i-2] >= '0' && s[i-2] <= '9' {
			return false
		}
	}
	if j < len(s) {
		c := s[j]
		if c >= '0' && c <= '9' || (c == '.' || c == '/' || c == '-') && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
			return false
		}
	}
	return true
}

// namedDate reads a date whose month is a name.
func namedDate(year, month, day string) (int, int, int, bool) {
	mo := monthNumber(month)
	y, err1 := strconv.Atoi(year)
	d, err2 := strconv.Atoi(day)
	return y, mo, d, mo > 0 && err1 == nil && err2 == nil
}

// numericDate reads a date written in digits.
func numericDate(year, month, day string) (int, int, int, bool) {
	y, err1 := strconv.Atoi(year)
	mo, err2 := strconv.Atoi(month)
	d, err3 := strconv.Atoi(day)
	return y, mo, d, err1 == nil && err2 == nil && err3 == nil
}

// monthPrefixes maps the first three letters of a month name, in English
// and Russian, to its number.
var monthPrefixes = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
	"янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6,
	"июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}

// monthNumber returns the number of a month name matched by monthPattern,
// or 0.
func monthNumber(name string) int {
	r := []rune(strings.ToLower(name))
	if len(r) < 3 {
		return 0
	}
	return monthPrefixes[string(r[:3])]
}

// validDate reports whether y-mo-d is a real calendar date in a plausible
// range of years.
func validDate(y, mo, d int) bool {
	if y < 1000 || y > 2999 || mo < 1 || mo > 12 || d < 1 {
		return false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && int(t.Month()) == mo
}

func isoDate(y, mo, d int) string {
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// dateNoise is what may accompany a date on a date line besides digits and
// punctuation: weekday names, am/pm and words such as "updated".
var dateNoise = regexp.MustCompile(`(?i)\b(?:monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun|a\.?m|p\.?m|` +
	`updated|published|posted|modified|last|on|at|date|time|utc|gmt)\b\.?` +
	`|(?i)(?:понедельник|вторник|среда|четверг|пятница|суббота|воскресенье)`)

// isDateLine reports whether the line l is a date with at most numbers,
// times, weekday names and punctuation around it ("July 12, 2012",
// "02.04.2021 60", "Updated: Monday, 12 July 2012 10:30 am").
func isDateLine(l string) bool {
	d, at := firstDate(l)
	if d == "" {
		return false
	}
	rest := l[:at.Start] + " " + l[at.End:]
	return countLetters(dateNoise.ReplaceAllString(rest, " ")) == 0
}

// countLetters returns the number of letters in s.
func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
