package rag_test

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// all is the whole of text as one kept span.
func all(text string) []rag.Span { return []rag.Span{{Start: 0, End: len(text)}} }

func TestTitle(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"first line is a headline", "Council Approves Budget\n\nThe council approved the budget on Tuesday.", "Council Approves Budget"},
		{"headline asks a question", "Is the Budget Enough?\nThe council approved the budget on Tuesday.", "Is the Budget Enough?"},
		{"date line skipped", "July 12, 2012\n\nCouncil Approves Budget\n\nThe council approved it.", "Council Approves Budget"},
		{"update line skipped", "Updated: Monday, 14 April 2023, 10:15 GMT\nInflation Slows\nPrices rose less.", "Inflation Slows"},
		{"dated view counter skipped", "02.04.2021 60\nCouncil Approves Budget\nThe council approved it.", "Council Approves Budget"},
		{"markdown heading", "# Field notes\n\nThe survey ran in May.", "Field notes"},
		{"markdown heading with a period", "## Results v2.\n\nThe survey ran in May.", "Results v2."},
		{"boilerplate skipped", "Share this\nCouncil Approves Budget\nThe council approved it.", "Council Approves Budget"},
		{"number-only line skipped", "2024\nCouncil Approves Budget\nBody text.", "Council Approves Budget"},
		{
			"no heading: first sentence",
			"The council approved the budget. It did so on Tuesday.\nMembers voted.",
			"The council approved the budget",
		},
		{
			"no heading: long first sentence shortened on a word boundary",
			"The regional council met on Tuesday to discuss the new budget for the schools and hospitals of the region, which it approved.",
			"The regional council met on Tuesday to discuss the new budget for the schools…",
		},
		{
			"initials do not end the first sentence",
			"According to K. Massimov, twenty percent did not pass. Others quit.",
			"According to K. Massimov, twenty percent did not pass",
		},
		{
			"exclamation is a sentence, not a heading",
			"Together we will overcome all difficulties!\nThe President spoke at length.",
			"Together we will overcome all difficulties!",
		},
		{
			"one long word cut on a rune boundary",
			strings.Repeat("ж", 100) + ".",
			strings.Repeat("ж", 80) + "…",
		},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rag.Title(tt.text, all(tt.text)); got != tt.want {
				t.Errorf("Title(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestTitleUsesKeptText(t *testing.T) {
	text := "Site Name Header\nCouncil Approves Budget\nThe council approved it."
	kept := []rag.Span{{Start: 17, End: len(text)}}
	if got := rag.Title(text, kept); got != "Council Approves Budget" {
		t.Errorf("Title = %q, want the first kept heading", got)
	}
	if got := rag.Title(text, nil); got != "" {
		t.Errorf("Title with nothing kept = %q, want \"\"", got)
	}
	if got := rag.Title(text, []rag.Span{{Start: 5, End: 1000}}); got != "" {
		t.Errorf("Title with a span out of bounds = %q, want \"\"", got)
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"July 12, 2012", "2012-07-12"},
		{"Published July 12 2012 in Astana", "2012-07-12"},
		{"Jul. 12, 2012", "2012-07-12"},
		{"Sept 3, 2019", "2019-09-03"},
		{"12 July 2012", "2012-07-12"},
		{"12th of July, 2012", "2012-07-12"},
		{"the 1st of March 2020 was cold", "2020-03-01"},
		{"12 июля 2012 года", "2012-07-12"},
		{"2021-04-02", "2021-04-02"},
		{"posted 2021-04-02T10:00:00Z", "2021-04-02"},
		{"02.04.2021 60", "2021-04-02"},
		{"2.4.2021", "2021-04-02"},
		{"12/07/2012", "2012-07-12"}, // day first
		{"07/13/2012", "2012-07-13"}, // month first when the second number is over 12
		{"29 February 2020", "2020-02-29"},
		{"June 10 and June 5", ""}, // no year
		{"in June 2015", ""},       // no day
		{"13.13.2021", ""},         // month 13
		{"30 February 2021", ""},   // no such day
		{"2021-02-29", ""},         // not a leap year
		{"Feb 30, 2020", ""},
		{"32.01.2020", ""},
		{"1.02.03.2021", ""},        // part of a longer dotted number
		{"version 2021-04-021", ""}, // part of a longer number
		{"Feb 30, 2020, then March 1, 2020", "2020-03-01"},
		{"First 2020-01-05, then July 12, 2012", "2020-01-05"},
		{"On 1 May 2019 and then 2018-01-01", "2019-05-01"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := rag.Date(tt.text, all(tt.text)); got != tt.want {
			t.Errorf("Date(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestDateUsesKeptText(t *testing.T) {
	text := "Updated 2020-01-01\nJuly 12, 2012\nBody."
	if got := rag.Date(text, []rag.Span{{Start: 19, End: len(text)}}); got != "2012-07-12" {
		t.Errorf("Date = %q, want the first date in the kept text", got)
	}
}

func TestHash(t *testing.T) {
	if got, want := rag.Hash([]byte("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
}
