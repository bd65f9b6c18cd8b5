package discord

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// excerpt is what a citation's embed field shows of its passage (text,
// made one line): at most limit UTF-16 units of Markdown, escaped so that
// the passage's own *, _, ~, `, |, [ ] and < show as written. When mark,
// the part of the passage the answer quotes, is in text, the excerpt is
// built around it with mark in bold, a little of what comes before it and
// more of what follows; otherwise it starts where focus (the answer's
// words citing the passage) does, as quote does. Where the excerpt cuts
// through a quotation, the quotation mark left open is closed (or the one
// left closing is opened), so that no quotation hangs.
func excerpt(text, mark, focus string, limit int) string {
	mark = oneLine(mark)
	ms := -1
	if mark != "" {
		ms = strings.Index(text, mark)
	}
	// Escapes and the bold markers make the Markdown longer than the text
	// it shows: shrink the text until the Markdown fits.
	for budget := limit; budget > 0; {
		var s string
		if ms < 0 {
			s = escapeMarkdown(balanceQuotes(quote(text, focus, budget)))
		} else {
			s = markedExcerpt(text, ms, ms+len(mark), budget)
		}
		n := utf16Len(s)
		if n <= limit {
			return s
		}
		budget -= n - limit
	}
	return ""
}

// markedExcerpt is text[ms:me] in bold with the words around it that fit
// in budget units (not counting escapes and the bold markers): before it
// up to a third of the room it leaves, after it the rest, before it again
// what the end of text leaves over.
func markedExcerpt(text string, ms, me, budget int) string {
	start, end := ms, me
	if utf16Len(text) <= budget {
		start, end = 0, len(text)
	} else if room := budget - utf16Len(text[ms:me]) - 2; room <= 0 {
		// The quote alone is too long: as much of it as fits.
		end = ms + len(strings.TrimSuffix(truncate(text[ms:me], budget-boolUnits(ms > 0)), "…"))
	} else {
		start = wordsBack(text, ms, room/3)
		room -= utf16Len(text[start:ms])
		end = wordsForward(text, me, room)
		room -= utf16Len(text[me:end])
		start = wordsBack(text, start, room)
	}
	before, marked, after := text[start:ms], text[ms:min(me, end)], text[min(me, end):end]
	if start > 0 {
		before = "…" + before
	}
	if end < len(text) {
		after += "…"
	}
	open, close := quoteMarks(before + marked + after)
	var b strings.Builder
	b.WriteString(escapeMarkdown(open + before))
	if m := strings.TrimSpace(marked); m != "" {
		b.WriteString("**" + escapeMarkdown(m) + "**")
	}
	b.WriteString(escapeMarkdown(after + close))
	return b.String()
}

func boolUnits(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wordsBack moves from pos towards the start of text by whole words while
// they fit in room units; it returns pos when none does.
func wordsBack(text string, pos, room int) int {
	for pos > 0 {
		prev := strings.LastIndexByte(strings.TrimRight(text[:pos], " "), ' ') + 1
		if n := utf16Len(text[prev:pos]); n > room {
			break
		} else {
			room -= n
		}
		pos = prev
	}
	return pos
}

// wordsForward moves from pos towards the end of text by whole words while
// they fit in room units.
func wordsForward(text string, pos, room int) int {
	for pos < len(text) {
		next := len(text)
		if i := strings.IndexByte(strings.TrimLeft(text[pos:], " "), ' '); i >= 0 {
			next = len(text) - len(strings.TrimLeft(text[pos:], " ")) + i
		}
		if n := utf16Len(text[pos:next]); n > room {
			break
		} else {
			room -= n
		}
		pos = next
	}
	return pos
}

// balanceQuotes closes the quotation s leaves open and opens the one it
// closes without opening: see quoteMarks.
func balanceQuotes(s string) string {
	open, close := quoteMarks(s)
	return open + s + close
}

// quotePairs are the quotation marks an excerpt balances, by opening mark.
// „ closes with “ (German); ’ closes ‘ only when one is open, since it is
// also the apostrophe.
var quotePairs = map[rune]rune{'“': '”', '«': '»', '‘': '’', '„': '“'}

// quoteMarks returns the marks to put before s (openings of quotations
// that close in s but opened before it) and after s (closings of those
// that open in s and go on after it).
func quoteMarks(s string) (open, close string) {
	var stack []rune // opening marks not yet closed
	var opens []rune // closing marks with no opening, in order
	straight := 0
	firstStraight := -1
	for i, r := range s {
		top := rune(0)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch {
		case r == '"':
			if straight == 0 {
				firstStraight = i
			}
			straight++
		case top != 0 && r == quotePairs[top]:
			stack = stack[:len(stack)-1]
		case quotePairs[r] != 0:
			stack = append(stack, r)
		case r == '”' || r == '»':
			opens = append(opens, map[rune]rune{'”': '“', '»': '«'}[r])
		}
	}
	var o, c strings.Builder
	for i := len(opens) - 1; i >= 0; i-- {
		o.WriteRune(opens[i])
	}
	for i := len(stack) - 1; i >= 0; i-- {
		c.WriteRune(quotePairs[stack[i]])
	}
	if straight%2 == 1 {
		// The lone straight quote is the first, closing what opened before
		// s, when it follows a word; otherwise the last, opening what goes
		// on after s.
		prev, _ := utf8.DecodeLastRuneInString(s[:firstStraight])
		if firstStraight > 0 && !unicode.IsSpace(prev) && prev != '(' && prev != '…' {
			return `"` + o.String(), c.String()
		}
		return o.String(), c.String() + `"`
	}
	return o.String(), c.String()
}

// mdLink is a URL: Discord links it as written, so it is not escaped.
var mdLink = regexp.MustCompile(`https?://[^\s<>]+`)

// escapeMarkdown writes s so that Discord shows it as written rather than
// as Markdown: a backslash before each character that would format
// (\ * _ ~ ` | [ ] <), and before a # > - + or "1." that would start a
// heading, quote or list. Links are left alone.
func escapeMarkdown(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range mdLink.FindAllStringIndex(s, -1) {
		escapeInto(&b, s[last:loc[0]], last == 0)
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	escapeInto(&b, s[last:], last == 0)
	return b.String()
}

func escapeInto(b *strings.Builder, s string, lineStart bool) {
	if lineStart {
		t := strings.TrimLeft(s, " ")
		b.WriteString(s[:len(s)-len(t)])
		s = t
		switch {
		case s != "" && strings.ContainsRune("#>-+", rune(s[0])):
			b.WriteByte('\\')
		default:
			if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && s[i] == '.' {
				b.WriteString(s[:i])
				b.WriteByte('\\')
				s = s[i:]
			}
		}
	}
	for _, r := range s {
		if strings.ContainsRune("\\*_~`|[]<", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}
