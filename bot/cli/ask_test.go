package cli

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// The text answer says "confidence N% (low)" after a grounded answer that is
// less likely right than not, and nothing about confidence otherwise.
func TestPrintAnswerConfidence(t *testing.T) {
	cite := []rag.Citation{{N: 1, Source: "a.txt", Text: "It is so."}}
	for _, tc := range []struct {
		name   string
		answer rag.Answer
		want   string // the line after the answer; "" for none
	}{
		{"low", rag.Answer{Answer: "It is so. [1]", Grounded: true, Confidence: 0.38, Citations: cite}, "confidence 38% (low)"},
		{"rounded", rag.Answer{Answer: "It is so. [1]", Grounded: true, Confidence: 0.4996, Citations: cite}, "confidence 49% (low)"},
		{"none", rag.Answer{Answer: "It is so. [1]", Grounded: true, Confidence: 0, Citations: cite}, "confidence 0% (low)"},
		{"even", rag.Answer{Answer: "It is so. [1]", Grounded: true, Confidence: 0.5, Citations: cite}, ""},
		{"high", rag.Answer{Answer: "It is so. [1]", Grounded: true, Confidence: 0.83, Citations: cite}, ""},
		{"declined", rag.Answer{Answer: rag.NotFound, Confidence: 0.1, Citations: []rag.Citation{}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			printAnswer(&b, tc.answer, style{})
			lines := strings.Split(b.String(), "\n")
			if lines[0] != tc.answer.Answer {
				t.Fatalf("first line %q, want the answer", lines[0])
			}
			if got := strings.Count(b.String(), "confidence"); tc.want == "" && got != 0 {
				t.Errorf("printed %q, want no confidence", b.String())
			}
			if tc.want != "" && lines[1] != tc.want {
				t.Errorf("line after the answer %q, want %q", lines[1], tc.want)
			}
		})
	}
}

// A footnote the answer quotes, escaped so that it never reads as a
// citation, is printed as the document wrote it.
func TestPrintAnswerFootnote(t *testing.T) {
	var b strings.Builder
	printAnswer(&b, rag.Answer{Answer: `Designed by Hugo Brandt \[2\] in 1902. [1]`, Grounded: true, Confidence: 0.9,
		Citations: []rag.Citation{{N: 1, Source: "tower.txt", Text: "Designed by Hugo Brandt [2] in 1902."}}}, style{})
	if first, _, _ := strings.Cut(b.String(), "\n"); first != "Designed by Hugo Brandt [2] in 1902. [1]" {
		t.Errorf("printed %q, want the footnote as written", first)
	}
}

// A citation's heading names its section.
func TestPrintAnswerSection(t *testing.T) {
	var b strings.Builder
	printAnswer(&b, rag.Answer{Answer: "Five days carry over. [1]", Grounded: true, Confidence: 0.9,
		Citations: []rag.Citation{{N: 1, Source: "handbook.md", Title: "Handbook", Section: "Vacation › Carry-over", Text: "Five days carry over."}}}, style{})
	if !strings.Contains(b.String(), "[1] handbook.md — Handbook › Vacation › Carry-over") {
		t.Errorf("printed %q, want the citation's section in its heading", b.String())
	}
}
