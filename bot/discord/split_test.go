package discord

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestUTF16Len(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"é", 1},        // one BMP rune, two bytes
		{"日本", 2},       // BMP, three bytes each
		{"😀", 2},        // astral: a surrogate pair
		{"a😀b", 4},      // mixed
		{"\xff\xfe", 2}, // invalid bytes become one U+FFFD each
	} {
		if got := utf16Len(tc.s); got != tc.want {
			t.Errorf("utf16Len(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	words := func(n int, w string) string { return strings.TrimSpace(strings.Repeat(w+" ", n)) }
	for _, tc := range []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"empty", "", 100, nil},
		{"only whitespace", " \n\t ", 100, nil},
		{"fits", "  Short answer [1].  ", 100, []string{"Short answer [1]."}},
		{
			"prefers a paragraph break in the second half",
			words(10, "alpha") + "\n\n" + words(3, "beta"),
			70,
			[]string{words(10, "alpha"), words(3, "beta")},
		},
		{
			"prefers a sentence end to a later space",
			"One two three four five six seven eight nine ten. Eleven twelve thirteen fourteen",
			64,
			[]string{"One two three four five six seven eight nine ten.", "Eleven twelve thirteen fourteen"},
		},
		{
			"keeps a marker with its sentence",
			strings.Repeat("x", 57) + " [1] tail",
			64,
			[]string{strings.Repeat("x", 57) + " [1]", "tail"},
		},
		{
			"moves a marker with its word when the word must go",
			strings.Repeat("x", 60) + " word [2]",
			64,
			[]string{strings.Repeat("x", 60), "word [2]"},
		},
		{
			"cuts an over-long word but not inside a marker",
			strings.Repeat("y", 62) + "[12]" + strings.Repeat("z", 10),
			64,
			[]string{strings.Repeat("y", 62), "[12]" + strings.Repeat("z", 10)},
		},
		{
			"counts astral characters as two units",
			strings.Repeat("😀", 40),
			64,
			[]string{strings.Repeat("😀", 32), strings.Repeat("😀", 8)},
		},
		{
			"moves a code block that does not fit whole",
			"Intro text here.\n```go\nfmt.Println(1)\nfmt.Println(2)\nfmt.Println(3)\n```\nAfter.",
			64,
			[]string{"Intro text here.", "```go\nfmt.Println(1)\nfmt.Println(2)\nfmt.Println(3)\n```\nAfter."},
		},
		{
			"closes and reopens the fence of an over-long code block",
			"```py\n" + strings.Repeat("print(1)\n", 12) + "```",
			64,
			[]string{
				"```py\n" + strings.TrimSuffix(strings.Repeat("print(1)\n", 6), "\n") + "\n```",
				"```py\n" + strings.Repeat("print(1)\n", 6) + "```",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.text, tc.limit)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Errorf("Split(%q, %d) =\n%q\nwant\n%q", tc.text, tc.limit, got, tc.want)
			}
			checkSplit(t, tc.text, tc.limit)
		})
	}
}

func TestSplitLongAnswer(t *testing.T) {
	var b strings.Builder
	for i := 0; utf16Len(b.String()) < 5000; i++ {
		fmt.Fprintf(&b, "Sentence number %d says something about the lighthouse keeper's log [%d]. ", i, i%5+1)
		if i%7 == 6 {
			b.WriteString("\n\n")
		}
	}
	pieces := Split(b.String(), MessageLimit)
	if len(pieces) < 3 {
		t.Fatalf("a %d-unit text split into %d pieces", utf16Len(b.String()), len(pieces))
	}
	for i, p := range pieces[:len(pieces)-1] {
		if utf16Len(p) < MessageLimit/2 {
			t.Errorf("piece %d is only %d units: the splitter wastes messages", i, utf16Len(p))
		}
		if !strings.HasSuffix(p, "].") {
			t.Errorf("piece %d ends %q, want a cut after a sentence and its marker", i, p[len(p)-20:])
		}
	}
	checkSplit(t, b.String(), MessageLimit)
}

// FuzzSplit checks Split's contract on any text and limit: every piece fits;
// the pieces are the text in order, less whitespace at the cuts (and plus
// fences around the parts of an over-long code block); no cut falls inside
// a [n] marker, nor inside a word or a code block that would fit in one
// message.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"",
		"Plain answer with a citation [1].",
		"Para one [1].\n\nPara two [2] and [3].",
		"```go\nfunc main() {}\n```",
		"text```inline```text and ``` unclosed",
		strings.Repeat("word ", 500),
		strings.Repeat("😀", 1500),
		strings.Repeat("a\u0301", 1200),
		"```\n" + strings.Repeat("line of code\n", 200) + "```",
		strings.Repeat("x", 2100) + "[1]" + strings.Repeat("y", 10),
		"@everyone look [1] [2] [3]",
	} {
		f.Add(s, 2000)
		f.Add(s, 64)
	}
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < minSplitLimit || limit > MessageLimit {
			limit = minSplitLimit + abs(limit)%(MessageLimit-minSplitLimit+1)
		}
		checkSplit(t, text, limit)
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

// checkSplit asserts Split's contract for one text.
func checkSplit(t *testing.T, text string, limit int) {
	t.Helper()
	spans := splitSpans(text, limit)
	pieces := Split(text, limit)
	if len(pieces) != len(spans) {
		t.Fatalf("Split gave %d pieces, splitSpans %d", len(pieces), len(spans))
	}
	if strings.TrimSpace(text) != "" && len(pieces) == 0 {
		t.Fatalf("no pieces for %q", text)
	}

	var cuts []int // byte offsets where one piece ends or the next begins
	pos := 0
	for i, s := range spans {
		p := pieces[i]
		if n := utf16Len(p); n > limit {
			t.Fatalf("piece %d is %d UTF-16 units, over %d: %q", i, n, limit, p)
		}
		if s.start < pos || s.end <= s.start || s.end > len(text) {
			t.Fatalf("piece %d spans [%d,%d) after %d in a text of %d bytes", i, s.start, s.end, pos, len(text))
		}
		if gap := text[pos:s.start]; strings.TrimFunc(gap, unicode.IsSpace) != "" {
			t.Fatalf("text %q between pieces %d and %d was dropped", gap, i-1, i)
		}
		if p != s.pre+text[s.start:s.end]+s.post {
			t.Fatalf("piece %d = %q is not its span", i, p)
		}
		if s.pre != "" && !strings.HasPrefix(s.pre, "```") || s.post != "" && s.post != "\n```" {
			t.Fatalf("piece %d adds %q and %q, not code fences", i, s.pre, s.post)
		}
		if i > 0 {
			cuts = append(cuts, s.start)
		}
		if i < len(spans)-1 {
			cuts = append(cuts, s.end)
		}
		pos = s.end
	}
	if rest := text[pos:]; strings.TrimFunc(rest, unicode.IsSpace) != "" {
		t.Fatalf("the end of the text %q was dropped", rest)
	}

	inside := func(what string, a, b int) {
		for _, c := range cuts {
			if a < c && c < b {
				t.Fatalf("cut at %d inside %s %q", c, what, text[a:b])
			}
		}
	}
	for _, m := range marker.FindAllStringIndex(text, -1) {
		inside("the marker", m[0], m[1])
	}
	for _, s := range segments(text) {
		switch {
		case s.kind == segCode && utf16Len(text[s.start:s.end]) <= limit:
			inside("the code block", s.start, s.end)
		case s.kind == segWord && utf16Len(text[s.start:s.end]) <= limit:
			inside("the word", s.start, s.end)
		}
	}
	boundary := map[int]bool{len(text): true}
	for i := 0; i < len(text); {
		boundary[i] = true
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	for _, c := range cuts {
		if !boundary[c] {
			t.Fatalf("cut at %d inside a character", c)
		}
	}
}
