package rag

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean returns the ranges of text worth keeping, in order: the maximal runs
// of kept lines (blank lines between kept lines do not break a run), each
// trimmed of surrounding whitespace. Spans never include removed text, so
// every span is verbatim text.
//
// A line is removed when it is
//
//   - interface boilerplate: made only of share/social/navigation/comment
//     words ("Share this", "Go back Twitter Facebook Print", "Leave a
//     comment", "Read more", "12 views"), or a known kind of chrome sentence
//     (comment-form notices, cookie notices, newsletter and social sign-up
//     calls, copyright lines, tag lists);
//   - a short line in another script than the document's dominant one (a
//     stray "Цвет сайта" menu item in an English page);
//   - a short non-sentence line repeated within the document (site chrome);
//   - part of the site header: short non-sentence lines above removed chrome
//     that itself lies above the headline;
//   - a trailing footer line, after the last sentence, made only of words of
//     the removed site chrome ("The President of the Republic of ...").
//
// The first three rules spare authored structure: Markdown headings, lines
// in code fences and indented code; the site header's rule spares Markdown
// headings too (a guide's "# Title" above a "Version: 2.4.1" field is the
// document's). Inside kept lines, ids of 32 or more hex
// digits glued to the text ("security.030e63c6…d72-slider") are cut out and
// end the span. Clean errs on the side of keeping: a line that ends like a
// sentence is removed only when it matches a known chrome sentence.
func Clean(text string) []Span {
	lines := splitCleanLines(text)
	markBoilerplate(text, lines)
	markHeader(lines)
	markFooter(lines)
	return keptSpans(text, lines)
}

// LooksBinary reports whether data looks like a binary file rather than
// text: it contains a NUL byte, or more than a tenth of its first 8 KiB is
// control characters or bytes that neither UTF-8 nor Windows-1252 reads as
// text, or more than a third is invalid UTF-8 (legacy-encoded text has a few
// accented letters among ASCII, not runs of high bytes).
func LooksBinary(data []byte) bool {
	const sniff = 8 << 10
	if len(data) > sniff {
		data = data[:sniff]
		// Do not count a rune cut by the sniff limit as invalid.
		for i := 0; i < utf8.UTFMax && len(data) > 0 && !utf8.FullRune(data); i++ {
			data = data[:len(data)-1]
		}
	}
	bad, invalid := 0, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == 0:
			return true
		case r == utf8.RuneError && size == 1:
			invalid++
			if c := data[i]; c < 0xa0 && cp1252[c-0x80] == 0 {
				bad++
			}
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != '\v' && r != 0x1b:
			bad++
		}
		i += size
	}
	return bad*10 > len(data) || invalid*3 > len(data)
}

// cleanLine is one line of the text being cleaned.
type cleanLine struct {
	start, end int // the trimmed line's byte range; equal for a blank line
	text       string
	nwords     int  // how many words it has (see words); the words are not kept
	code       bool // inside a Markdown code fence, or indented like code
	removed    bool
	chrome     bool // removed as site chrome: its words name the site
}

func (l *cleanLine) blank() bool { return l.start == l.end }

func (l *cleanLine) kept() bool { return !l.blank() && !l.removed }

// splitCleanLines cuts text at '\n' and trims each line, noting which lines
// are code. It keeps no copy of the text: a line is a range of it and its
// word count, so that cleaning a large file costs little more than the
// file.
func splitCleanLines(text string) []cleanLine {
	lines := make([]cleanLine, 0, strings.Count(text, "\n")+1)
	fenced := false
	for start := 0; start <= len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		s, e := trimByteRange(text, start, end)
		l := cleanLine{start: s, end: e, text: text[s:e], nwords: countWords(text[s:e])}
		fence := strings.HasPrefix(l.text, "```") || strings.HasPrefix(l.text, "~~~")
		l.code = fenced || fence || strings.HasPrefix(text[start:end], "    ") || strings.HasPrefix(text[start:end], "\t")
		if fence {
			fenced = !fenced
		}
		lines = append(lines, l)
		start = end + 1
	}
	return lines
}

// countWords returns len(words(s)) without building the words: the number
// of runs of letters and digits.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := r < utf8.RuneSelf && isASCIIAlnum(byte(r)) || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// appendWords returns words(s), diacritics not folded, in a slice that
// reuses *buf's storage, so that the next call with buf overwrites it.
func appendWords(buf *[]string, s string) []string {
	ws := (*buf)[:0]
	s = strings.ToLower(s) // s itself when there is nothing to lower
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			ws, start = append(ws, s[start:i]), -1
		}
	}
	if start >= 0 {
		ws = append(ws, s[start:])
	}
	*buf = ws
	return ws
}

// trimByteRange returns [start, end) without leading and trailing whitespace.
func trimByteRange(text string, start, end int) (int, int) {
	seg := text[start:end]
	t := strings.TrimLeftFunc(seg, unicode.IsSpace)
	start += len(seg) - len(t)
	t = strings.TrimRightFunc(t, unicode.IsSpace)
	return start, start + len(t)
}

// Line shapes.
const (
	shortWords    = 8   // a short line has at most this many words
	uiMaxWords    = 12  // an interface line has at most this many words
	foreignRunes  = 60  // a stray foreign line has at most this many runes
	foreignWords  = 6   // ... and at most this many words
	repeatedRunes = 100 // a repeated chrome line has at most this many runes
	repeatedWords = 10  // ... and at most this many words
	bodyWords     = 6   // a body sentence has at least this many words

	// maxBoilerplateWords is the most words a line isBoilerplate can
	// match has (isSocialCall's limit, the largest).
	maxBoilerplateWords = 60
)

// endsWithSentenceMark reports whether s ends with sentence-final punctuation,
// possibly inside closing quotes.
func endsWithSentenceMark(s string) bool {
	return strings.ContainsRune(".!?…", lastRuneOutsideQuotes(s))
}

// isBodyLine reports whether the line reads as running text.
func isBodyLine(l *cleanLine) bool {
	return endsWithSentenceMark(l.text) && l.nwords >= bodyWords
}

// isShortLabel reports whether the line is short and does not end like a
// sentence or clause: a label, a menu item, a headingText.
func isShortLabel(l *cleanLine) bool {
	return l.nwords <= shortWords && !strings.ContainsRune(".!?;:…", lastRuneOutsideQuotes(l.text))
}

// markBoilerplate removes interface lines, stray foreign-script lines and
// repeated chrome lines.
func markBoilerplate(text string, lines []cleanLine) {
	dom, share, letters := runningTextScript(text, lines)
	// Only lines that could be chrome are counted.
	var scratch []string // the words of one line at a time
	counts := make(map[string]int)
	for i := range lines {
		if !lines[i].blank() && isRepeatedChrome(&lines[i]) {
			counts[lines[i].text]++
		}
	}
	for i := range lines {
		l := &lines[i]
		switch {
		case l.blank() || l.code || strings.HasPrefix(l.text, "#"): // authored structure
		case l.nwords <= maxBoilerplateWords && isBoilerplate(l.text, appendWords(&scratch, l.text)):
			l.removed = true
		case letters >= 100 && share >= 0.8 && isForeign(l, dom):
			l.removed = true
		case counts[l.text] >= 2 && isRepeatedChrome(l):
			l.removed, l.chrome = true, true
		}
	}
}

// isRepeatedChrome reports whether a line that occurs more than once has the
// shape of site chrome rather than content.
func isRepeatedChrome(l *cleanLine) bool {
	if l.nwords < 2 || l.nwords > repeatedWords || utf8.RuneCountInString(l.text) > repeatedRunes {
		return false
	}
	if strings.ContainsRune("|>-*+", rune(l.text[0])) { // Markdown lists, quotes and tables
		return false
	}
	return !endsWithSentenceMark(l.text)
}

// uiWords are the words of share buttons, social links, navigation and
// comment forms.
var uiWords = wordSet(
	// sharing and social networks
	"share", "shares", "sharing", "tweet", "retweet", "print", "printable", "email", "mail", "facebook", "twitter",
	"instagram", "telegram", "youtube", "tiktok", "linkedin", "whatsapp", "viber", "vk", "vkontakte",
	"odnoklassniki", "pinterest", "reddit", "tumblr", "snapchat", "wechat", "weibo", "rss", "like", "likes",
	"follow", "subscribe", "unsubscribe", "copy", "link", "copied",
	// navigation
	"back", "home", "homepage", "menu", "search", "next", "previous", "prev", "older", "newer",
	"more", "skip", "navigation", "toggle", "close", "sitemap",
	"related", "articles", "article", "posts", "post", "news", "stories", "tags", "tag", "topics", "categories",
	"category", "archive", "archives", "page", "pages", "view", "views", "version", "download", "login",
	"logout", "log", "sign", "register", "cookies", "cookie", "accept", "comment", "comments", "reply",
	"leave", "feedback", "contacts", "contact", "language", "english", "русский", "қазақша", "eng", "rus", "kaz",
	// the same in Russian
	"поделиться", "печать", "печати", "версия", "назад", "главная", "меню", "поиск", "комментарий",
	"комментарии", "ответить", "подписаться", "читать", "далее", "ещё", "еще", "новости", "просмотров",
)

// uiFillers may appear in an interface line without making it content.
var uiFillers = wordSet(
	"a", "an", "the", "this", "that", "to", "on", "in", "up", "via", "our", "us", "your", "with", "and", "or",
	"go", "read", "top", "open", "main", "content", "full", "from",
	"of", "for", "by", "all", "it", "e", "x", "me", "here", "now", "для", "в", "на", "и", "нас",
)

// socialNetworks are the names that mark a newsletter or follow-us line.
var socialNetworks = wordSet(
	"facebook", "twitter", "instagram", "telegram", "youtube", "tiktok", "linkedin", "whatsapp", "viber",
	"vk", "vkontakte", "odnoklassniki", "pinterest", "reddit", "tumblr", "snapchat", "wechat", "weibo",
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// boilerplatePhrases match chrome written as sentences; each applies only to
// lines of at most maxWords words.
var boilerplatePhrases = []struct {
	re       *regexp.Regexp
	maxWords int
}{
	// comment forms
	{regexp.MustCompile(`(?i)^(your )?e-?mail( address)? will not be published`), 20},
	{regexp.MustCompile(`(?i)^required fields are marked`), 20},
	{regexp.MustCompile(`(?i)^(save my name|notify me of (new|follow-up)|you must be logged in|cancel reply)`), 30},
	{regexp.MustCompile(`(?i)^(leave|post|add|write|submit) (a |your )?(comment|reply|review)s?( here| below)?\s*[.!:]?$`), 8},
	// navigation and links to other pages
	{regexp.MustCompile(`(?i)^(skip|jump) to (the )?(main )?(content|navigation|menu)`), 8},
	{regexp.MustCompile(`(?i)^(read more|read also|also read|see also|related( articles| news| posts| stories)?|more (news|stories))\s*[:›»>→|–—-]`), 25},
	{regexp.MustCompile(`(?i)^(tags|keywords|categories|filed under|posted in)\s*:`), 30},
	// cookie notices, which address the reader
	{regexp.MustCompile(`(?i)^(?:.*\b(you|your)\b.*\b(we|this (web)?site|our (web)?site) uses? cookies\b|.*\b(we|this (web)?site|our (web)?site) uses? cookies\b.*\b(you|your)\b|.*\baccept (all )?cookies\b|.*\bcookie (settings|preferences|consent)\b)`), 60},
	// copyright footers
	{regexp.MustCompile(`(?i)^©|^\(c\)\s*\d{4}|^copyright\s*(©|\(c\))?\s*\d{4}|\ball rights reserved\b`), 25},
	// newsletter calls, which address the reader
	{regexp.MustCompile(`(?i)^(?:.*\b(sign up|subscribe)\b.*\b(sent directly|straight to your|to your inbox|newsletter)\b|.*\b(sent directly to you|delivered to your inbox)\b.*\b(sign up|subscribe)\b).*\b(you|your|our)\b`), 60},
}

// isBoilerplate reports whether the trimmed line l, with words words, is
// interface boilerplate.
func isBoilerplate(l string, words []string) bool {
	if len(words) == 0 {
		return false
	}
	if isInterfaceLine(words) {
		return true
	}
	for _, p := range boilerplatePhrases {
		if len(words) <= p.maxWords && p.re.MatchString(l) {
			return true
		}
	}
	return isSocialCall(words)
}

// isInterfaceLine reports whether a line is made only of interface words
// and fillers, with at least one interface word.
func isInterfaceLine(words []string) bool {
	if len(words) > uiMaxWords {
		return false
	}
	ui := false
	for _, w := range words {
		switch {
		case uiWords[w]:
			ui = true
		case uiFillers[w] || isAllDigits(w):
		default:
			return false
		}
	}
	return ui
}

// isSocialCall reports whether a line asks the reader to follow or subscribe
// to "us" on several social networks.
func isSocialCall(words []string) bool {
	if len(words) > 60 {
		return false
	}
	call, reader, networks := false, false, 0
	for i, w := range words {
		switch {
		case socialNetworks[w]:
			networks++
		case w == "subscribe" || w == "follow" || w == "sign" && i+1 < len(words) && words[i+1] == "up":
			call = true
		case w == "our" || w == "us" || w == "you" || w == "your":
			reader = true
		}
	}
	return call && reader && networks >= 3
}

func isAllDigits(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// writingSystems are the writing systems Clean tells apart; Han, Hiragana and
// Katakana count as one.
var writingSystems = [][]*unicode.RangeTable{
	{unicode.Latin},
	{unicode.Cyrillic},
	{unicode.Greek},
	{unicode.Arabic},
	{unicode.Hebrew},
	{unicode.Han, unicode.Hiragana, unicode.Katakana},
	{unicode.Hangul},
	{unicode.Devanagari},
	{unicode.Thai},
	{unicode.Georgian},
	{unicode.Armenian},
}

// scriptOf returns the index in writingSystems of r's script, or -1.
func scriptOf(r rune) int {
	if r < 0x80 {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return 0
		}
		return -1
	}
	if !unicode.IsLetter(r) {
		return -1
	}
	for i, tabs := range writingSystems {
		if unicode.In(r, tabs...) {
			return i
		}
	}
	return -1
}

// scriptCounts returns how many letters of s are in each script.
func scriptCounts(s string) (counts [16]int, total int) {
	for _, r := range s {
		if i := scriptOf(r); i >= 0 {
			counts[i]++
			total++
		}
	}
	return counts, total
}

// dominantScript returns the script most of text's letters are in, the
// share of letters in it, and the number of letters counted.
func dominantScript(text string) (script int, share float64, letters int) {
	counts, total := scriptCounts(text)
	return dominant(counts, total)
}

// dominant returns the script with the most letters in counts, its share
// of total and total.
func dominant(counts [16]int, total int) (script int, share float64, letters int) {
	if total == 0 {
		return -1, 0, 0
	}
	best := 0
	for i, n := range counts {
		if n > counts[best] {
			best = i
		}
	}
	return best, float64(counts[best]) / float64(total), total
}

// runningTextScript returns the dominant script of the lines that read as
// running text (or of all of text when none does), its share and the number
// of letters counted.
func runningTextScript(text string, lines []cleanLine) (script int, share float64, letters int) {
	var counts [16]int
	total, running := 0, false
	for i := range lines {
		if lines[i].nwords >= bodyWords {
			c, n := scriptCounts(lines[i].text)
			for k := range counts {
				counts[k] += c[k]
			}
			total, running = total+n, true
		}
	}
	if !running {
		return dominantScript(text)
	}
	return dominant(counts, total)
}

// isForeign reports whether l is a short non-sentence line written mostly
// in another script than dom.
func isForeign(l *cleanLine, dom int) bool {
	if l.nwords > foreignWords || utf8.RuneCountInString(l.text) > foreignRunes || endsWithSentenceMark(l.text) {
		return false
	}
	s, share, n := dominantScript(l.text)
	return n >= 2 && s != dom && share > 0.5
}

// markHeader removes the site header: when a headline is identifiable (the
// last headingText-like line before the first body sentence, date lines
// skipped) and removed chrome lies above it, the short labels above that
// chrome are chrome too.
func markHeader(lines []cleanLine) {
	body := -1
	for i := range lines {
		if lines[i].kept() && isBodyLine(&lines[i]) {
			body = i
			break
		}
	}
	headline := -1
	for i := body - 1; i >= 0; i-- {
		l := &lines[i]
		if !l.kept() || isDateLine(l.text) {
			continue
		}
		if _, ok := headingText(l.text); ok {
			headline = i
		}
		break
	}
	last := -1 // the last removed line above the headline
	for i := headline - 1; i >= 0; i-- {
		if lines[i].removed {
			last = i
			break
		}
	}
	if last <= 0 {
		return
	}
	for i := range last {
		if lines[i].kept() && !isShortLabel(&lines[i]) {
			return
		}
	}
	for i := range last {
		if lines[i].kept() && !strings.HasPrefix(lines[i].text, "#") {
			lines[i].removed, lines[i].chrome = true, true
		}
	}
}

// siteStopwords are left out when comparing a footer line with the chrome.
var siteStopwords = wordSet("the", "of", "a", "an", "and", "in", "on", "at", "to", "for", "by", "with", "from")

// markFooter removes short labels after the last body sentence whose words
// all occur in the removed site chrome.
func markFooter(lines []cleanLine) {
	chrome := make(map[string]bool)
	for i := range lines {
		if lines[i].chrome {
			for _, w := range words(lines[i].text) {
				chrome[w] = true
			}
		}
	}
	if len(chrome) == 0 {
		return
	}
	last := -1
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].kept() && isBodyLine(&lines[i]) {
			last = i
			break
		}
	}
	if last < 0 {
		return
	}
	for i := last + 1; i < len(lines); i++ {
		l := &lines[i]
		if !l.kept() || !isShortLabel(l) {
			continue
		}
		namedDate := 0
		for _, w := range words(l.text) {
			switch {
			case chrome[w]:
				namedDate++
			case siteStopwords[w]:
			default:
				namedDate = -l.nwords - 1
			}
		}
		if namedDate > 0 {
			l.removed = true
		}
	}
}

// hexRuns returns the byte ranges of s's runs of 32 or more hex digits:
// generated ids that page widgets leave glued to the text. They are the
// matches of `[0-9a-fA-F]{32,}` (which the tests check), found in one pass
// rather than by the regexp package's backtracker, which was a third of
// cleaning a document.
func hexRuns(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		if !isHexDigit(s[i]) {
			i++
			continue
		}
		start := i
		for i < len(s) && isHexDigit(s[i]) {
			i++
		}
		if i-start >= 32 {
			out = append(out, [2]int{start, i})
		}
	}
	return out
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// junkRanges returns the byte ranges of s that are generated ids glued to
// the text, with any "-suffix" attached to them.
func junkRanges(s string) []Span {
	var out []Span
	for _, m := range hexRuns(s) {
		start, end := m[0], m[1]
		run := s[start:end]
		if !strings.ContainsAny(run, "0123456789") || !strings.ContainsAny(run, "abcdefABCDEF") {
			continue
		}
		// Letters a-f of a word glued in front of the id are not part of it.
		if extra := len(run) - 32; extra > 0 && !strings.ContainsAny(run[:extra], "0123456789") {
			start += extra
		}
		suffix := end < len(s) && (s[end] == '-' || s[end] == '_')
		glued := start > 0 && !unicode.IsSpace(rune(s[start-1]))
		if !suffix && !glued || len(out) > 0 && start < out[len(out)-1].End {
			continue
		}
		for end < len(s) && (s[end] == '-' || s[end] == '_' || isASCIIAlnum(s[end])) {
			end++
		}
		out = append(out, Span{Start: start, End: end})
	}
	return out
}

func isASCIIAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// keptSpans joins the kept lines into maximal runs, cutting out junk ids.
func keptSpans(text string, lines []cleanLine) []Span {
	var spans []Span
	open := false // whether the next kept text continues the last span
	for i := range lines {
		l := &lines[i]
		if l.blank() {
			continue
		}
		if l.removed {
			open = false
			continue
		}
		pos := l.start
		for _, j := range append(junkRanges(l.text), Span{Start: len(l.text), End: len(l.text)}) {
			s, e := trimByteRange(text, pos, l.start+j.Start)
			if s < e {
				if open {
					spans[len(spans)-1].End = e
				} else {
					spans = append(spans, Span{Start: s, End: e})
				}
				open = true
			}
			if j.Start < j.End { // junk ends the span
				open = false
			}
			pos = l.start + j.End
		}
	}
	return spans
}
