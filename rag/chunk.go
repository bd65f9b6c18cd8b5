package rag

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitDocument cuts each kept span of doc with s and returns the pieces as
// chunks, in document order (by start, then end). Every chunk's Text is
// exactly doc.Text[Start:End], so a citation can point into the document;
// a chunk never crosses text that cleaning removed, and no two chunks have
// the same range.
//
// Pieces are located in their span searching forward from the previous
// piece's start, first verbatim and then ignoring differences in whitespace
// (for splitters that reflow text) and reading invalid UTF-8 bytes as
// U+FFFD (as splitters that range over runes do); a piece not found there
// is looked for from the start of the span. Pieces with no letter or digit
// are dropped. IDs are doc.Source + "#" + the chunk's ordinal, counted from
// 0 across the document; Title and Date are copied from doc.
//
// It fails when the kept spans are out of order or out of bounds, when the
// splitter fails, or when a piece is nowhere in its span.
func SplitDocument(doc Document, s Splitter) ([]Chunk, error) {
	return splitDocument(doc, s, docHeadings(doc))
}

// splitDocument is SplitDocument for a document whose headings hs are
// known.
func splitDocument(doc Document, s Splitter, hs []heading) ([]Chunk, error) {
	var ranges []Span
	prev := Span{Start: -1, End: -1}
	for _, sp := range doc.Kept {
		if sp.Start < 0 || sp.Start > sp.End || sp.End > len(doc.Text) || sp.Start < prev.End {
			return nil, fmt.Errorf("split %s: kept span [%d, %d) out of order or out of bounds", doc.Source, sp.Start, sp.End)
		}
		prev = sp
		seg := doc.Text[sp.Start:sp.End]
		pieces, err := s.SplitText(seg)
		if err != nil {
			return nil, fmt.Errorf("split %s: %w", doc.Source, err)
		}
		loc := locator{text: seg}
		var found []Span
		for i, p := range pieces {
			if !hasWordChar(p) {
				continue
			}
			r, ok := loc.find(p)
			if !ok {
				return nil, fmt.Errorf("split %s: piece %d of span [%d, %d) not found in the text", doc.Source, i, sp.Start, sp.End)
			}
			r.Start, r.End = trimByteRange(seg, r.Start, r.End)
			found = append(found, Span{Start: sp.Start + r.Start, End: sp.Start + r.End})
		}
		// A piece found only by looking back is out of order; a splitter may
		// also repeat a piece.
		slices.SortFunc(found, func(a, b Span) int {
			return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
		})
		ranges = append(ranges, slices.Compact(found)...)
	}
	chunks := make([]Chunk, len(ranges))
	for i, r := range ranges {
		chunks[i] = newChunk(doc, i, r)
	}
	setSections(doc, hs, chunks)
	return chunks, nil
}

// hasWordChar reports whether s has a letter or a digit.
func hasWordChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// locator finds a splitter's pieces in the text it split, in order.
type locator struct {
	text string
	prev Span // where the previous piece was found
	seen bool // whether a piece was found yet

	// squeezed is text without whitespace and offsets[i] the offset in text
	// of squeezed[i]; both are built on first use.
	squeezed []byte
	offsets  []int
}

// find returns the byte range of piece in the text. Pieces come in order,
// but overlapping pieces may start where the previous one did once their
// edges are trimmed; so find takes the first occurrence at or after the
// previous piece's start, unless that one lies within the previous piece
// from the same start, in which case a later occurrence (a repeat of the
// text, as in "Yes. Yes.") is preferred where there is one.
func (l *locator) find(piece string) (Span, bool) {
	p := strings.TrimSpace(piece)
	from := 0
	if l.seen {
		from = l.prev.Start
	}
	r, ok := l.search(p, from)
	if ok && l.seen && r.Start == l.prev.Start && r.End <= l.prev.End && from < len(l.text) {
		if later, ok := l.search(p, from+1); ok {
			r = later
		}
	}
	if !ok && from > 0 {
		r, ok = l.search(p, 0)
	}
	if ok {
		l.prev, l.seen = r, true
	}
	return r, ok
}

// search finds p at or after byte offset from, verbatim or else ignoring
// whitespace.
func (l *locator) search(p string, from int) (Span, bool) {
	if i := strings.Index(l.text[from:], p); i >= 0 && p != "" {
		return Span{Start: from + i, End: from + i + len(p)}, true
	}
	if l.offsets == nil {
		l.squeezed, l.offsets = squeezeSpace(l.text)
	}
	q, _ := squeezeSpace(p)
	if len(q) == 0 {
		return Span{}, false
	}
	lo, _ := slices.BinarySearch(l.offsets, from) // the first squeezed byte at or after from
	i := bytes.Index(l.squeezed[lo:], q)
	if i < 0 {
		return Span{}, false
	}
	first, last := lo+i, lo+i+len(q)-1
	return Span{Start: l.offsets[first], End: l.offsets[last] + 1}, true
}

// squeezeSpace returns s without whitespace, and for each byte it keeps its
// offset in s. An invalid UTF-8 byte becomes U+FFFD, as it does when a
// splitter ranges over the string, and all three bytes of that map to the
// invalid byte's offset.
func squeezeSpace(s string) ([]byte, []int) {
	out := make([]byte, 0, len(s))
	offsets := make([]int, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = utf8.AppendRune(out, utf8.RuneError)
			offsets = append(offsets, i, i, i)
		case !unicode.IsSpace(r):
			for k := range size {
				out = append(out, s[i+k])
				offsets = append(offsets, i+k)
			}
		}
		i += size
	}
	return out, offsets
}
