package langchain

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// withWindow returns NewSplitter(size, overlap) splitting texts longer than
// window bytes a window at a time.
func withWindow(size, overlap, window int) splitter {
	s := NewSplitter(size, overlap).(splitter)
	s.window = window
	return s
}

// offsetIn returns where p lies in the memory of text, or -1 when p is not
// a substring of text but a copy.
func offsetIn(text, p string) int {
	if p == "" {
		return -1
	}
	off := int(uintptr(unsafe.Pointer(unsafe.StringData(p))) - uintptr(unsafe.Pointer(unsafe.StringData(text))))
	if off < 0 || off > len(text)-len(p) {
		return -1
	}
	return off
}

// checkWindowed splits text with s in windows and reports any passage that
// is not a substring of text (in its memory, not a copy) at or after the
// previous one's start, trimmed and of at most size+1 runes. With cover, it
// also reports any letter or digit that the passages of text split in one
// piece cover and the windowed ones do not. (A text that repeats itself
// within a passage's length may have a passage located at an earlier
// repeat, in one piece as in windows, so it covers what it may.)
func checkWindowed(t *testing.T, name string, s splitter, text string, cover bool) []string {
	t.Helper()
	got, err := s.SplitText(text)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	whole, err := s.splitWindow(nil, text)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	covered := make([]bool, len(text))
	prev := -1
	for i, p := range got {
		at := offsetIn(text, p)
		if at < 0 || at < prev {
			t.Fatalf("%s: piece %d %q is not a substring of the text at or after offset %d", name, i, p, prev)
		}
		prev = at
		if strings.TrimSpace(p) != p {
			t.Errorf("%s: piece %d %q is untrimmed", name, i, p)
		}
		if n := utf8.RuneCountInString(p); n > s.rc.ChunkSize+1 {
			t.Errorf("%s: piece %d has %d runes", name, i, n)
		}
		for k := range len(p) {
			covered[at+k] = true
		}
	}
	if !cover {
		return got
	}
	inWhole := make([]bool, len(text))
	for _, p := range whole {
		if at := offsetIn(text, p); at >= 0 {
			for k := range len(p) {
				inWhole[at+k] = true
			}
		}
	}
	for i, r := range text {
		if (unicode.IsLetter(r) || unicode.IsDigit(r)) && inWhole[i] && !covered[i] {
			t.Fatalf("%s: %q at byte %d is in a passage split in one piece, in none split in windows", name, r, i)
		}
	}
	return got
}

func TestSplitTextWindows(t *testing.T) {
	// Texts that do not repeat themselves, from a small generator.
	seed := uint32(7)
	pick := func(words ...string) string {
		seed = seed*1664525 + 1013904223
		return words[int(seed>>8)%len(words)]
	}
	gen := func(n int, words, seps []string) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(pick(words...))
			b.WriteString(pick(seps...))
		}
		return b.String()
	}
	words := []string{"the", "committee", "met", "on", "Tuesday", "and", "agreed", "budget", "members", "asked", "42"}
	texts := map[string]string{
		"paragraphs": gen(60000, words, []string{" ", " ", " ", " ", ", ", ". ", "! ", "\n", "\n\n"}),
		"lines":      gen(60000, words, []string{" ", " ", "\n"}),
		"sentences":  gen(60000, []string{"комитет", "собрался", "во", "вторник", "бюджет"}, []string{" ", " ", ". ", "; "}),
		"one word":   gen(60000, []string{"сл", "о", "в", "x", "é"}, []string{""}),
	}
	const window = 4 << 10
	for name, text := range texts {
		if len(text) <= 4*window {
			t.Fatalf("%s: %d bytes is too short to need windows", name, len(text))
		}
		for _, size := range []int{50, 300} {
			s := withWindow(size, size/4, window)
			got := checkWindowed(t, name, s, text, true)
			// Passages that end before the first window's edge are those of
			// the first window alone.
			first, err := s.splitWindow(nil, text[:windowEnd(text, window)])
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < len(first) || strings.Join(got[:len(first)], "|") != strings.Join(first, "|") {
				t.Errorf("%s/%d: the first passages differ from those of the first window", name, size)
			}
		}
	}
}

func TestSplitTextShortIsUnchanged(t *testing.T) {
	s := NewSplitter(600, 120).(splitter)
	if s.window < minWindow {
		t.Fatalf("window %d, want at least %d", s.window, minWindow)
	}
	text := strings.Repeat("A sentence of the paragraph, with a clause. ", 60) + "\n\n"
	text = strings.Repeat(text, minWindow/len(text)+1)[:minWindow]
	got, err := s.SplitText(text)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.splitWindow(nil, text)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("a text of %d bytes is not split as one window", len(text))
	}
	if big := NewSplitter(20000, 100).(splitter); big.window < windowChunks*20000*utf8.UTFMax {
		t.Errorf("window %d for chunks of 20000 runes", big.window)
	}
}

func TestWindowEnd(t *testing.T) {
	for _, c := range []struct {
		text   string
		window int
		want   int
	}{
		{"short", 10, 5},
		{"aaaaaaaa\n\nbb\ncc dd", 16, 10},  // a paragraph break in the second half wins over a line
		{"aa\n\nbbbbbbbb\ncc dd", 16, 13},  // one in the first half does not
		{"aaaaaaaaaa. bbbbbbbbbb", 16, 12}, // after a sentence's mark and space
		{"aaaaaaaaaaaaaaaaaaaaa", 16, 16},  // no separator: at the limit
		{"aaaaaaaaaaaaaaé", 15, 14},        // not inside a rune
	} {
		if got := windowEnd(c.text, c.window); got != c.want {
			t.Errorf("windowEnd(%q, %d) = %d, want %d", c.text, c.window, got, c.want)
		}
	}
}

func FuzzSplitTextWindows(f *testing.F) {
	f.Add("First paragraph.\n\nSecond one, longer; with clauses. And sentences!\nA line.", 20, 40)
	f.Add(strings.Repeat("word ", 60), 7, 16)
	f.Add(strings.Repeat("ü", 100), 3, 9)
	f.Fuzz(func(t *testing.T, text string, size, window int) {
		size = 1 + abs(size)%80
		window = 8 + abs(window)%200
		if len(text) > 4000 {
			text = text[:4000]
		}
		checkWindowed(t, "fuzz", withWindow(size, size/4, window), text, false)
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
