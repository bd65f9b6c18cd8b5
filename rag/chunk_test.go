package rag_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/langchain"
)

// splitFunc adapts a function to rag.Splitter.
type splitFunc func(string) ([]string, error)

func (f splitFunc) SplitText(text string) ([]string, error) { return f(text) }

// reflowParagraphs splits at blank lines and rewrites each paragraph's
// whitespace as single spaces, as some splitters do.
var reflowParagraphs = splitFunc(func(text string) ([]string, error) {
	var out []string
	for p := range strings.SplitSeq(text, "\n\n") {
		out = append(out, strings.Join(strings.Fields(p), " "))
	}
	return out, nil
})

func newDoc(source, text string) rag.Document {
	kept := rag.Clean(text)
	return rag.Document{Source: source, Title: rag.Title(text, kept), Date: rag.Date(text, kept), Text: text, Kept: kept}
}

// checkChunks fails t unless chunks are verbatim, in order (by start, then
// end) with no repeated range, inside kept spans, and numbered from 0.
func checkChunks(t *testing.T, doc rag.Document, chunks []rag.Chunk) {
	t.Helper()
	prev := rag.Span{Start: -1, End: -1}
	for i, c := range chunks {
		if c.Start < 0 || c.Start >= c.End || c.End > len(doc.Text) {
			t.Fatalf("chunk %d [%d, %d) out of bounds or empty", i, c.Start, c.End)
		}
		if c.Text != doc.Text[c.Start:c.End] {
			t.Fatalf("chunk %d text %q != doc.Text[%d:%d] %q", i, c.Text, c.Start, c.End, doc.Text[c.Start:c.End])
		}
		if c.Start < prev.Start || c.Start == prev.Start && c.End <= prev.End {
			t.Errorf("chunk %d [%d, %d) is not after the previous chunk [%d, %d)", i, c.Start, c.End, prev.Start, prev.End)
		}
		prev = rag.Span{Start: c.Start, End: c.End}
		inside := false
		for _, sp := range doc.Kept {
			inside = inside || sp.Start <= c.Start && c.End <= sp.End
		}
		if !inside {
			t.Errorf("chunk %d [%d, %d) crosses removed text", i, c.Start, c.End)
		}
		if c.Ordinal != i || c.ID != doc.Source+"#"+strconv.Itoa(i) || c.Source != doc.Source {
			t.Errorf("chunk %d has ordinal %d, id %q, source %q", i, c.Ordinal, c.ID, c.Source)
		}
		if c.Title != doc.Title || c.Date != doc.Date {
			t.Errorf("chunk %d has title %q, date %q; want the document's", i, c.Title, c.Date)
		}
	}
}

func TestSplitDocument(t *testing.T) {
	text := "Council Approves Budget\n\nMarch 3, 2020\n\n" +
		"The council met on Tuesday. It discussed schools. It discussed hospitals. It discussed roads.\n\n" +
		"Share this\n\n" +
		"Members agreed on the plan. The vote was unanimous. The mayor thanked them. Work starts in May."
	doc := newDoc("news/budget.txt", text)
	chunks, err := rag.SplitDocument(doc, langchain.NewSplitter(70, 35))
	if err != nil {
		t.Fatal(err)
	}
	checkChunks(t, doc, chunks)
	if doc.Title != "Council Approves Budget" || doc.Date != "2020-03-03" {
		t.Errorf("doc title %q, date %q", doc.Title, doc.Date)
	}
	overlap := false
	var all strings.Builder
	for i, c := range chunks {
		if strings.Contains(c.Text, "Share this") {
			t.Errorf("chunk %d %q contains removed text", i, c.Text)
		}
		if i > 0 && c.Start < chunks[i-1].End {
			overlap = true
		}
		all.WriteString(c.Text + "\n")
	}
	if !overlap {
		t.Errorf("no chunks overlap: %+v", chunks)
	}
	for _, sentence := range []string{"The council met on Tuesday.", "It discussed roads.", "Members agreed on the plan.", "Work starts in May."} {
		if !strings.Contains(all.String(), sentence) {
			t.Errorf("no chunk has %q", sentence)
		}
	}
}

func TestSplitDocumentReflowedPieces(t *testing.T) {
	text := "First line of the paragraph\n  continues   here.\n\nSecond paragraph\tstays."
	doc := rag.Document{Source: "a.txt", Text: text, Kept: []rag.Span{{Start: 0, End: len(text)}}}
	chunks, err := rag.SplitDocument(doc, reflowParagraphs)
	if err != nil {
		t.Fatal(err)
	}
	checkChunks(t, doc, chunks)
	want := []string{"First line of the paragraph\n  continues   here.", "Second paragraph\tstays."}
	if len(chunks) != len(want) {
		t.Fatalf("got %d chunks %+v, want %q", len(chunks), chunks, want)
	}
	for i, c := range chunks {
		if c.Text != want[i] {
			t.Errorf("chunk %d = %q, want %q", i, c.Text, want[i])
		}
	}
}

func TestSplitDocumentRepeatedPieces(t *testing.T) {
	text := "Yes.\n\nYes.\n\nYes."
	doc := rag.Document{Source: "a.txt", Text: text, Kept: []rag.Span{{Start: 0, End: len(text)}}}
	chunks, err := rag.SplitDocument(doc, reflowParagraphs)
	if err != nil {
		t.Fatal(err)
	}
	checkChunks(t, doc, chunks)
	if len(chunks) != 3 || chunks[0].Start != 0 || chunks[1].Start != 6 || chunks[2].Start != 12 {
		t.Errorf("chunks = %+v, want one per paragraph", chunks)
	}
}

func TestSplitDocumentDropsEmptyPieces(t *testing.T) {
	text := "Hello world. ... — !"
	doc := rag.Document{Source: "a.txt", Text: text, Kept: []rag.Span{{Start: 0, End: len(text)}}}
	pieces := splitFunc(func(string) ([]string, error) { return []string{"Hello world.", "...", "  ", "— !"}, nil })
	chunks, err := rag.SplitDocument(doc, pieces)
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 1 || chunks[0].Text != "Hello world." {
		t.Errorf("chunks = %+v, want only %q", chunks, "Hello world.")
	}
}

func TestSplitDocumentErrors(t *testing.T) {
	text := "Some text here."
	whole := []rag.Span{{Start: 0, End: len(text)}}
	errSplit := errors.New("splitter broke")
	tests := []struct {
		name string
		kept []rag.Span
		s    rag.Splitter
		is   error
	}{
		{"piece not in text", whole, splitFunc(func(string) ([]string, error) { return []string{"Other words"}, nil }), nil},
		{"splitter error", whole, splitFunc(func(string) ([]string, error) { return nil, errSplit }), errSplit},
		{"span out of bounds", []rag.Span{{Start: 0, End: 99}}, reflowParagraphs, nil},
		{"spans out of order", []rag.Span{{Start: 5, End: 9}, {Start: 0, End: 4}}, reflowParagraphs, nil},
	}
	for _, tt := range tests {
		doc := rag.Document{Source: "a.txt", Text: text, Kept: tt.kept}
		_, err := rag.SplitDocument(doc, tt.s)
		if err == nil || !strings.Contains(err.Error(), "a.txt") || tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: error = %v, want one naming a.txt (wrapping %v)", tt.name, err, tt.is)
		}
	}
}

func TestSplitDocumentCorpus(t *testing.T) {
	for _, c := range corpusCases {
		t.Run(c.file, func(t *testing.T) {
			doc := newDoc(c.file, readCorpus(t, c.file))
			chunks, err := rag.SplitDocument(doc, langchain.NewSplitter(600, 150))
			if err != nil {
				t.Fatal(err)
			}
			if len(chunks) == 0 {
				t.Fatal("no chunks")
			}
			checkChunks(t, doc, chunks)
			for i, ch := range chunks {
				for _, b := range corpusBoilerplate {
					if strings.Contains(ch.Text+"\n", b) {
						t.Errorf("chunk %d has boilerplate %q", i, b)
					}
				}
			}
		})
	}
}

func FuzzSplitDocument(f *testing.F) {
	f.Add("Title\n\nOne sentence. Another one! A third?\n\nShare this\n\nMore text, with clauses; and words.", uint16(40), uint16(10), false)
	f.Add("a\n\n\n b  c\td\n\ne", uint16(1), uint16(0), true)
	f.Add("Цвет сайта\nПервое предложение. Второе предложение.\xff\n", uint16(12), uint16(50), false)
	for _, c := range corpusCases {
		if data, err := os.ReadFile(filepath.Join("..", "corpus", c.file)); err == nil {
			f.Add(string(data), uint16(600), uint16(150), false)
		}
	}
	f.Fuzz(func(t *testing.T, text string, size, overlap uint16, reflow bool) {
		doc := newDoc("f.txt", text)
		var s rag.Splitter = langchain.NewSplitter(int(size%2000), int(overlap%2000))
		if reflow {
			s = reflowParagraphs
		}
		chunks, err := rag.SplitDocument(doc, s)
		if err != nil {
			t.Fatal(err)
		}
		checkChunks(t, doc, chunks)
	})
}
