package discord

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MessageLimit is the most content a Discord message may hold, counted as
// Discord counts it: in UTF-16 code units.
const MessageLimit = 2000

// minSplitLimit is the smallest limit Split honours: room for a reopened
// code fence, its closing fence and some code.
const minSplitLimit = 64

// marker matches an answer's citation markers, [1] to [999].
var (
	marker      = regexp.MustCompile(`\[\d{1,3}\]`)
	wholeMarker = regexp.MustCompile(`^\[\d{1,3}\]$`)
)

// utf16Len is the length of s in UTF-16 code units, as Discord counts
// message lengths. An invalid UTF-8 byte counts as one unit: JSON encoding
// turns it into U+FFFD.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// Split cuts text into messages of at most limit UTF-16 code units (use
// MessageLimit). It cuts between words, preferring a paragraph break, then
// a line break, then the end of a sentence, in the second half of a
// message; it never separates a word from the [n] marker that follows it
// when it can help it, and never cuts inside a word, a [n] marker or a ```
// code block unless that word or block alone is longer than limit. Such a
// block is cut between its lines and each part is closed and reopened with
// its fence, so that every message renders as code.
//
// Whitespace at a cut is dropped, as is whitespace around the whole text;
// everything else is kept, so the messages joined with the dropped
// whitespace give back text. Text of only whitespace gives no messages. A
// limit below 64 is taken as 64.
func Split(text string, limit int) []string {
	spans := splitSpans(text, limit)
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.pre + text[s.start:s.end] + s.post
	}
	return out
}

// span is one message of a split: text[start:end], with a code fence
// reopened before it (pre) or closed after it (post) when it is part of a
// code block too long for one message.
type span struct {
	pre        string
	start, end int
	post       string
}

type segKind uint8

const (
	segSpace segKind = iota
	segWord          // a run of non-space characters outside code
	segCode          // a code block, from ``` to the next ```
)

type segment struct {
	kind       segKind
	start, end int
}

// segments cuts text into runs of whitespace, words and code blocks. A ```
// with no closing ``` after it is part of a word.
func segments(text string) []segment {
	var segs []segment
	for i := 0; i < len(text); {
		if strings.HasPrefix(text[i:], "```") {
			if j := strings.Index(text[i+3:], "```"); j >= 0 {
				end := i + 3 + j + 3
				segs = append(segs, segment{segCode, i, end})
				i = end
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		kind := segWord
		if unicode.IsSpace(r) {
			kind = segSpace
		}
		j := i + size
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r) != (kind == segSpace) {
				break
			}
			if kind == segWord && strings.HasPrefix(text[j:], "```") && strings.Contains(text[j+3:], "```") {
				break // a code block starts inside the word
			}
			j += size
		}
		segs = append(segs, segment{kind, i, j})
		i = j
	}
	return segs
}

// splitter holds one split's text and running UTF-16 lengths.
type splitter struct {
	text  string
	limit int
	// units[i] is the UTF-16 length of text[:i] for i at a rune start; in
	// the middle of a rune it repeats the value at the rune's start.
	units []int
}

func (sp *splitter) len(a, b int) int { return sp.units[b] - sp.units[a] }

func splitSpans(text string, limit int) []span {
	limit = max(limit, minSplitLimit)
	sp := &splitter{text: text, limit: limit, units: make([]int, len(text)+1)}
	n := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		for k := 0; k < size; k++ {
			sp.units[i+k] = n
		}
		n++
		if r >= 0x10000 {
			n++
		}
		i += size
	}
	sp.units[len(text)] = n

	var words []segment // the non-space segments
	for _, s := range segments(text) {
		if s.kind != segSpace {
			words = append(words, s)
		}
	}
	var out []span
	for i := 0; i < len(words); {
		first := words[i]
		if sp.len(first.start, first.end) > limit {
			if first.kind == segCode {
				out = append(out, sp.splitCode(first)...)
			} else {
				out = append(out, sp.splitWord(first)...)
			}
			i++
			continue
		}
		// Take words while they fit.
		last := i
		for last+1 < len(words) && sp.len(first.start, words[last+1].end) <= limit {
			last++
		}
		if last == len(words)-1 {
			out = append(out, span{start: first.start, end: words[last].end})
			break
		}
		cut := sp.bestCut(words, i, last)
		out = append(out, span{start: first.start, end: words[cut].end})
		i = cut + 1
	}
	return out
}

// bestCut chooses after which of words[from..last] to end a message: the
// last cut of the best kind in the second half of the message, else the
// last cut, avoiding one before a [n] marker if it can.
func (sp *splitter) bestCut(words []segment, from, last int) int {
	half := sp.limit / 2
	start := words[from].start
	best, bestRank := -1, 1
	fallback, fallbackRank := from, -1
	for k := from; k <= last; k++ {
		r := sp.cutRank(words[k], words[k+1])
		if r >= bestRank && sp.len(start, words[k].end) >= half {
			best, bestRank = k, r
		}
		if ok := min(r, 1); ok >= fallbackRank {
			fallback, fallbackRank = k, ok
		}
	}
	if best >= 0 {
		return best
	}
	return fallback
}

// cutRank rates a cut between two words: 4 at a paragraph break, 3 at a
// line break, 2 after a sentence, 1 elsewhere, 0 before a [n] marker on the
// same line (which would strand the marker from its sentence).
func (sp *splitter) cutRank(a, b segment) int {
	gap := sp.text[a.end:b.start]
	switch {
	case strings.Contains(gap, "\n\n"):
		return 4
	case strings.Contains(gap, "\n"):
		return 3
	case b.kind == segWord && startsWithMarker(sp.text[b.start:b.end]):
		return 0
	case a.kind == segWord && endsSentence(sp.text[:a.end]):
		return 2
	}
	return 1
}

func startsWithMarker(w string) bool {
	loc := marker.FindStringIndex(w)
	return loc != nil && loc[0] == 0
}

// endsSentence reports whether text ends a sentence, looking past
// trailing [n] markers, quotes and brackets.
func endsSentence(text string) bool {
	w := strings.TrimRight(trimMarkers(text), `"'”’)]`)
	return strings.HasSuffix(w, ".") || strings.HasSuffix(w, "!") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "…")
}

// trimMarkers removes [n] markers, and the spaces between them, from the end
// of text.
func trimMarkers(text string) string {
	for {
		t := strings.TrimRightFunc(text, unicode.IsSpace)
		open := strings.LastIndexByte(t, '[')
		if !strings.HasSuffix(t, "]") || open < 0 || !wholeMarker.MatchString(t[open:]) {
			return t
		}
		text = t[:open]
	}
}

// splitWord cuts a word longer than the limit into pieces that fit, never
// inside a [n] marker and, where it can, not between a character and the
// marks combined with it.
func (sp *splitter) splitWord(w segment) []span {
	var out []span
	for start := w.start; start < w.end; {
		if sp.len(start, w.end) <= sp.limit {
			out = append(out, span{start: start, end: w.end})
			break
		}
		p := sp.fit(start, w.end, sp.limit)
		out = append(out, span{start: start, end: p})
		start = p
	}
	return out
}

// splitCode cuts a code block longer than the limit between its lines,
// closing the fence at the end of each part and reopening it (with the
// block's language) at the start of the next.
func (sp *splitter) splitCode(c segment) []span {
	const closing = "\n```"
	reopen := "```\n"
	if nl := strings.IndexByte(sp.text[c.start:c.end], '\n'); nl >= 0 {
		lang := sp.text[c.start+3 : c.start+nl]
		if utf16Len(lang) <= 20 && !strings.ContainsAny(lang, "` \t\r") {
			reopen = "```" + lang + "\n"
		}
	}
	var out []span
	pre := ""
	for start := c.start; start < c.end; {
		if utf16Len(pre)+sp.len(start, c.end) <= sp.limit {
			out = append(out, span{pre: pre, start: start, end: c.end})
			break
		}
		budget := sp.limit - utf16Len(pre) - utf16Len(closing)
		p := sp.fit(start, c.end, budget)
		end, next := p, p
		if nl := strings.LastIndexByte(sp.text[start:p], '\n'); nl > 0 {
			end, next = start+nl, start+nl+1
		}
		out = append(out, span{pre: pre, start: start, end: end, post: closing})
		start, pre = next, reopen
	}
	return out
}

// fit returns the furthest cut p in (start, end) with text[start:p] at
// most budget units long, moved back out of a [n] marker and off combining
// marks; it always makes progress.
func (sp *splitter) fit(start, end, budget int) int {
	p := start
	for p < end {
		_, size := utf8.DecodeRuneInString(sp.text[p:])
		if sp.len(start, p+size) > budget {
			break
		}
		p += size
	}
	if p == start { // budget below one character: take one anyway
		_, size := utf8.DecodeRuneInString(sp.text[p:])
		return p + size
	}
	// A marker is at most 5 bytes: look only around p.
	lo, hi := max(start+1, p-4), min(end, p+4)
	for _, m := range marker.FindAllStringIndex(sp.text[lo:hi], -1) {
		if a, b := lo+m[0], lo+m[1]; a < p && p < b {
			p = a
			break
		}
	}
	q := p
	for q > start && q < end && joinsPrevious(sp.text, q) {
		_, size := utf8.DecodeLastRuneInString(sp.text[:q])
		q -= size
	}
	if q > start {
		p = q
	}
	return p
}

// joinsPrevious reports whether the character at i belongs with the one
// before it: a combining mark, a variation selector, a skin tone or a
// zero-width joiner on either side.
func joinsPrevious(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Variation_Selector, r) ||
		r == 0x200d || prev == 0x200d || (r >= 0x1f3fb && r <= 0x1f3ff) // skin tone modifiers
}
