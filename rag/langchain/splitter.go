package langchain

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tmc/langchaingo/textsplitter"

	"github.com/citebot/citebot/rag"
)

// separators are tried in order: paragraphs, lines, sentences, clauses,
// words, and as a last resort characters.
var separators = []string{"\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""}

// punctSeparators are the separators that start with punctuation that
// belongs to the text before them.
var punctSeparators = []string{". ", "? ", "! ", "; ", ", "}

// splitter wraps langchaingo's recursive character splitter.
type splitter struct {
	rc textsplitter.RecursiveCharacter
	// window is the most bytes of text given to rc at once (see
	// SplitText).
	window int
}

// minWindow is the least window a splitter cuts a long text into; a text no
// longer than it is split in one piece, as it always was.
const minWindow = 64 << 10

// windowChunks is how many chunks of the largest size (in bytes: a rune is
// up to utf8.UTFMax of them) a window holds at least.
const windowChunks = 16

// NewSplitter returns a splitter into passages of at most about size
// characters (runes) that overlap by up to overlap characters of whole
// sentences or clauses. It cuts at paragraph breaks where it can, then at
// line breaks, then between sentences, clauses and words; a sentence's
// final punctuation stays with the sentence. Every passage it returns is a
// substring of the text it split.
//
// A size below 1 is taken as 1; an overlap below 0 as 0, and one of size or
// more as size/2.
func NewSplitter(size, overlap int) rag.Splitter {
	size = max(size, 1)
	overlap = max(overlap, 0)
	if overlap >= size {
		overlap = size / 2
	}
	return splitter{
		rc: textsplitter.NewRecursiveCharacter(
			textsplitter.WithChunkSize(size),
			textsplitter.WithChunkOverlap(overlap),
			textsplitter.WithSeparators(separators),
			// With KeepSeparator every piece is a verbatim (trimmed)
			// substring of the text, but a punctuation separator such as
			// ". " goes to the start of the next piece; SplitText moves
			// the mark back.
			textsplitter.WithKeepSeparator(true),
		),
		window: max(minWindow, windowChunks*size*utf8.UTFMax),
	}
}

// splitterVersion is bumped whenever a change here (separators, where a
// mark goes, windows) alters the passages of any text.
const splitterVersion = "v2"

// ID names the splitter and its settings (rag.Versioned), so that an index
// made with another chunk size or overlap is chunked again.
func (s splitter) ID() string {
	return fmt.Sprintf("langchain-recursive/size=%d/overlap=%d/%s", s.rc.ChunkSize, s.rc.ChunkOverlap, splitterVersion)
}

// SplitText cuts text into passages, in order. Every passage is a substring
// of text, not a copy.
//
// A text longer than the splitter's window is split a window at a time,
// each cut where the coarsest separator falls last before the window's end
// (a paragraph break where there is one), so that what langchaingo's
// splitter holds while it works (every paragraph copied with its separator,
// every merged piece) is bounded by the window rather than by the file.
// Passages never cross a window's edge, and none overlaps the window
// before; within a window they are what splitting it alone gives.
func (s splitter) SplitText(text string) ([]string, error) {
	var out []string
	for len(text) > 0 {
		end := windowEnd(text, s.window)
		var err error
		if out, err = s.splitWindow(out, text[:end]); err != nil {
			return nil, err
		}
		text = text[end:]
	}
	return out, nil
}

// windowEnd returns the length of the first window of text: all of it when
// it is at most window bytes long, else the bytes up to and including the
// last separator (in the order of separators, a paragraph break first) in
// the second half of the first window bytes, or failing any, up to a rune
// boundary there.
func windowEnd(text string, window int) int {
	if len(text) <= window {
		return len(text)
	}
	head := text[:window]
	for _, sep := range separators {
		if sep == "" {
			break
		}
		if i := strings.LastIndex(head, sep); i >= window/2 {
			return i + len(sep)
		}
	}
	end := window
	for end > window/2 && !utf8.RuneStart(text[end]) {
		end--
	}
	return end
}

// splitWindow cuts text with langchaingo's splitter and appends the
// trimmed passages to out, in order.
func (s splitter) splitWindow(out []string, text string) ([]string, error) {
	pieces, err := s.rc.SplitText(text)
	if err != nil {
		return nil, fmt.Errorf("split text: %w", err)
	}
	out = slices.Grow(out, len(pieces))
	prevStart, prevEnd := -1, -1
	for _, p := range pieces {
		start := locate(text, p, prevStart, prevEnd)
		if start < 0 { // cannot happen with KeepSeparator; pass the piece on as is
			out = append(out, p)
			continue
		}
		end := start + len(p)
		prevStart, prevEnd = start, end
		start, end = attachPunctuation(text, start, end)
		if piece := strings.TrimSpace(text[start:end]); piece != "" {
			out = append(out, piece)
		}
	}
	return out, nil
}

// locate returns the offset of piece p in text, given where the previous
// piece was (-1 for none), or -1. Pieces come in order, but once trimmed an
// overlapping piece may start where the previous one did; a piece found
// within the previous one from the same start is taken to be a later
// repeat of the same text where there is one.
func locate(text, p string, prevStart, prevEnd int) int {
	from := max(prevStart, 0)
	i := strings.Index(text[from:], p)
	if i < 0 {
		return -1
	}
	start := from + i
	if start == prevStart && start+len(p) <= prevEnd {
		if j := strings.Index(text[start+1:], p); j >= 0 {
			return start + 1 + j
		}
	}
	return start
}

// attachPunctuation moves a punctuation separator that the recursive
// splitter put at the start of a piece back to the end of the piece before
// it: it drops the mark from the start of text[start:end] and takes the
// one that follows it.
func attachPunctuation(text string, start, end int) (int, int) {
	for _, sep := range punctSeparators {
		if strings.HasPrefix(text[start:end], sep) {
			start += len(sep)
			break
		}
	}
	for _, sep := range punctSeparators {
		mark := sep[:len(sep)-1]
		if strings.HasPrefix(text[end:], sep) || text[end:] == mark {
			end += len(mark)
			break
		}
	}
	return start, end
}
