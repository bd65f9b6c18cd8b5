package rag

import (
	"slices"
	"strings"
	"testing"
)

func TestPlainMarkdown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Every employee has **25 days** of vacation.", "Every employee has 25 days of vacation."},
		{"Book through [the travel portal](https://travel.example/book \"Portal\").", "Book through the travel portal."},
		{"See ![the chart](chart.png) and *note* this.", "See the chart and note this."},
		{"Run `citebot ingest` again.", "Run citebot ingest again."},
		{"_Only_ staff, __not__ guests.", "Only staff, not guests."},
		{"Keep snake_case_names and 2*3*4 as they are.", "Keep snake_case_names and 2*3*4 as they are."},
		{"A footnote [2] stays.", "A footnote [2] stays."},
		{"Mixed **bold__ stays.", "Mixed **bold__ stays."},
	} {
		if got := plainMarkdown(c.in); got != c.want {
			t.Errorf("plainMarkdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarkTables(t *testing.T) {
	text := "Intro.\n| A | B |\n|---|---|\n| 1 | Max. 3 nights. Book early |\n| 3 | 4 |\nAfter.\n| not | a table |\nC | D\n--- | ---\nx | y"
	spans := sentenceSpans(text)
	sents := make([]readSentence, len(spans))
	for i, sp := range spans {
		sents[i] = readSentence{span: sp, header: -1}
	}
	markTables(text, sents)
	var got []string
	for i := range sents {
		s := &sents[i]
		line := text[s.span.Start:s.span.End]
		switch {
		case s.head:
			got = append(got, "head "+line)
		case s.header >= 0:
			got = append(got, "row "+line+" under "+text[sents[s.header].span.Start:sents[s.header].span.End])
		}
	}
	want := []string{"head | A | B |", "row | 1 | Max. 3 nights. Book early | under | A | B |", "row | 3 | 4 | under | A | B |",
		"head C | D", "row x | y under C | D"}
	if !slices.Equal(got, want) {
		t.Errorf("markTables:\n got %q\nwant %q", got, want)
	}
	for _, c := range []struct{ header, row, want string }{
		{"| City | Limit |", "| Paris | 180 euros |", "City: Paris; Limit: 180 euros."},
		{"| City | Limit |", "| Paris |  |", "City: Paris."},
		{"| City | Limit |", "| Paris | 180 | extra |", "Paris; 180; extra."},
		{"| Code | Meaning |", "| a \\| b | either |", "Code: a | b; Meaning: either."},
		{"City | Question", "Rome | How much?", "City: Rome; Question: How much?"},
	} {
		if got := tableRowText(c.header, c.row); got != c.want {
			t.Errorf("tableRowText(%q, %q) = %q, want %q", c.header, c.row, got, c.want)
		}
	}
}

func TestCarriedHeader(t *testing.T) {
	doc := "Intro.\n\n| Town | Limit |\n|---|---|\n| A | 1 |\n| B | 2 |\n| C | 3 |\n\nAfter.\n| x | y |\n"
	for _, c := range []struct {
		at   string // the passage starts at this text's first occurrence
		want string
	}{
		{"| B | 2 |", "| Town | Limit |"},
		{"| A | 1 |", "| Town | Limit |"},
		{"2 |\n| C", "| Town | Limit |"}, // inside a row
		{"After.", ""},
		{"| x | y |", ""}, // rows above it are not a table's
		{"Intro.", ""},
	} {
		if got := carriedHeader(doc, strings.Index(doc, c.at)); got != c.want {
			t.Errorf("carriedHeader at %q = %q, want %q", c.at, got, c.want)
		}
	}
}
