package langchain_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

func TestSplitterSentences(t *testing.T) {
	text := "The river rose. Roads were closed! Was anyone hurt? Nobody was hurt; all were safe."
	got, err := langchain.NewSplitter(40, 0).SplitText(text)
	if err != nil {
		t.Fatal(err)
	}
	// The first level of sentence separators is ". "; the second sentence
	// is too long for one piece and is cut at the next separator, "? ".
	want := []string{"The river rose.", "Roads were closed! Was anyone hurt?", "Nobody was hurt; all were safe."}
	if !equal(got, want) {
		t.Errorf("SplitText = %q, want %q", got, want)
	}
}

func TestSplitterParagraphsFirst(t *testing.T) {
	text := "First paragraph, which is short.\n\nSecond paragraph. It has two sentences."
	got, err := langchain.NewSplitter(60, 0).SplitText(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"First paragraph, which is short.", "Second paragraph. It has two sentences."}
	if !equal(got, want) {
		t.Errorf("SplitText = %q, want %q", got, want)
	}
}

func TestSplitterOverlap(t *testing.T) {
	text := "Alpha one. Beta two. Gamma three. Delta four. Epsilon five. Zeta six."
	got, err := langchain.NewSplitter(36, 14).SplitText(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 {
		t.Fatalf("SplitText = %q, want several pieces", got)
	}
	for i := 1; i < len(got); i++ {
		prev, cur := got[i-1], got[i]
		first := cur[:strings.Index(cur, ".")+1]
		if !strings.HasSuffix(prev, first) {
			t.Errorf("piece %d %q does not start with the last sentence of piece %d %q", i, cur, i-1, prev)
		}
	}
}

func TestSplitterProperties(t *testing.T) {
	texts := map[string]string{
		"english":  strings.Repeat("The committee met on Tuesday, and it agreed on the budget. Members asked questions! ", 30),
		"cyrillic": strings.Repeat("Комитет собрался во вторник и согласовал бюджет. Члены задали вопросы. ", 30),
		"lines":    strings.Repeat("a short line\n", 100),
		"one word": strings.Repeat("x", 1000),
		"spaces":   "   \n\n  \t ",
	}
	for name, text := range texts {
		for _, size := range []int{1, 7, 50, 300} {
			pieces, err := langchain.NewSplitter(size, size/4).SplitText(text)
			if err != nil {
				t.Fatalf("%s/%d: %v", name, size, err)
			}
			from := 0
			for i, p := range pieces {
				if p == "" || strings.TrimSpace(p) != p {
					t.Errorf("%s/%d: piece %d %q is empty or untrimmed", name, size, i, p)
				}
				// One punctuation mark may be taken from the next piece.
				if n := utf8.RuneCountInString(p); n > size+1 {
					t.Errorf("%s/%d: piece %d has %d runes", name, size, i, n)
				}
				at := strings.Index(text[from:], p)
				if at < 0 {
					t.Fatalf("%s/%d: piece %d %q is not a substring after offset %d", name, size, i, p, from)
				}
				from += at + 1
			}
		}
	}
}

func TestSplitterClampsSizes(t *testing.T) {
	for _, c := range [][2]int{{0, 0}, {-5, -5}, {10, 10}, {10, 50}} {
		pieces, err := langchain.NewSplitter(c[0], c[1]).SplitText("Some words to split into pieces.")
		if err != nil || len(pieces) == 0 {
			t.Errorf("NewSplitter(%d, %d).SplitText = %q, %v", c[0], c[1], pieces, err)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
