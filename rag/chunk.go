package rag

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitDocument cuts each kept span of doc with s and returns the pieces as
// chunks, in document order. Every chunk's Text is exactly
// doc.Text[Start:End], so a citation can point into the document; a chunk
// never crosses text that cleaning removed.
//
// Pieces are located in the span searching forward from the previous
// piece's start, first verbatim and then ignoring differences in whitespace
// (for splitters that reflow text). Pieces with no letter or digit are
// dropped. IDs are doc.Source + "#" + the chunk's ordinal, counted from 0
// across the document; Title and Date are copied from doc.
func SplitDocument(doc Document, s Splitter) ([]Chunk, error) {
	var chunks []Chunk
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
		loc := newLocator(seg)
		for i, p := range pieces {
			if !hasWordChar(p) {
				continue
			}
			start, end, ok := loc.find(p)
			if !ok {
				return nil, fmt.Errorf("split %s: piece %d of span [%d, %d) not found in the text", doc.Source, i, sp.Start, sp.End)
			}
			start, end = trimByteRange(seg, start, end)
			chunks = append(chunks, Chunk{
				ID:      doc.Source + "#" + strconv.Itoa(len(chunks)),
				Source:  doc.Source,
				Title:   doc.Title,
				Date:    doc.Date,
				Ordinal: len(chunks),
				Start:   sp.Start + start,
				End:     sp.Start + end,
				Text:    doc.Text[sp.Start+start : sp.Start+end],
			})
		}
	}
	return chunks, nil
}

// hasWordChar reports whether s has a letter or a digit.
func hasWordChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// locator finds a splitter's pieces in the text it split, in order.
type locator struct {
	text string
	from int // where the search for the next piece starts

	// squeezed is text without whitespace and offsets[i] the offset in text
	// of squeezed[i]; both are built on first use.
	squeezed []byte
	offsets  []int
}

func newLocator(text string) *locator { return &locator{text: text} }

// find returns the byte range of piece in the text at or after the previous
// piece's start (strictly after it, so that repeated pieces are told apart).
func (l *locator) find(piece string) (start, end int, ok bool) {
	p := strings.TrimSpace(piece)
	if i := strings.Index(l.text[l.from:], p); i >= 0 {
		start = l.from + i
		l.advance(start)
		return start, start + len(p), true
	}
	return l.findSqueezed(p)
}

// advance moves the search start past the rune at start.
func (l *locator) advance(start int) {
	_, size := utf8.DecodeRuneInString(l.text[start:])
	l.from = start + max(size, 1)
	if l.from > len(l.text) {
		l.from = len(l.text)
	}
}

// findSqueezed finds p ignoring all whitespace in both p and the text.
func (l *locator) findSqueezed(p string) (start, end int, ok bool) {
	if l.offsets == nil {
		l.squeezed, l.offsets = squeezeSpace(l.text)
	}
	q, _ := squeezeSpace(p)
	if len(q) == 0 {
		return 0, 0, false
	}
	// The first squeezed byte at or after l.from.
	lo, hi := 0, len(l.offsets)
	for lo < hi {
		m := (lo + hi) / 2
		if l.offsets[m] < l.from {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := bytes.Index(l.squeezed[lo:], q)
	if i < 0 {
		return 0, 0, false
	}
	first, last := lo+i, lo+i+len(q)-1
	start, end = l.offsets[first], l.offsets[last]+1
	l.advance(start)
	return start, end, true
}

// squeezeSpace returns s without whitespace, and the offset in s of each
// byte it keeps. Invalid UTF-8 bytes are kept as they are.
func squeezeSpace(s string) ([]byte, []int) {
	out := make([]byte, 0, len(s))
	offsets := make([]int, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			for k := range size {
				out = append(out, s[i+k])
				offsets = append(offsets, i+k)
			}
		}
		i += size
	}
	return out, offsets
}
