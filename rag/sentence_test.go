package rag

import (
	"reflect"
	"testing"
)

func TestSentenceSpans(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{"Prime Minister K.Massimov reported. It went well.", []string{"Prime Minister K.Massimov reported.", "It went well."}},
		{"Mr. Smith met Dr. Jones. Then they left.", []string{"Mr. Smith met Dr. Jones.", "Then they left."}},
		{"The U.S. government and J. R. Tolkien agreed.", []string{"The U.S. government and J. R. Tolkien agreed."}},
		{"“We will win.” He said so.", []string{"“We will win.”", "He said so."}},
		{"tasks:\nto strengthen the Guard;\nto revise the rules;", []string{"tasks:", "to strengthen the Guard;", "to revise the rules;"}},
		{"Rates fell 2.5 percent. 10 % quit.", []string{"Rates fell 2.5 percent.", "10 % quit."}},
		{"  \n\n ", nil},
		{"end of text.  ", []string{"end of text."}},
		// A list item's marker is no part of its sentence; a line that
		// only looks like one is read as it is.
		{"## Needs\n\n- Linux\n* PostgreSQL 15 or later\n  • 4 GB of RAM", []string{"## Needs", "Linux", "PostgreSQL 15 or later", "4 GB of RAM"}},
		{"1. Download it.\n2) Unpack it. Then run it.\n10. Done", []string{"Download it.", "Unpack it.", "Then run it.", "Done"}},
		// A Word list printed to PDF: the Symbol font's bullet, in the
		// Private Use Area.
		{"\uf0b7 Economy class for short flights\n● Rail for trips under 500 km", []string{"Economy class for short flights", "Rail for trips under 500 km"}},
		{"-5 degrees at night.\n2019. A good year.\n**Bold** start.", []string{"-5 degrees at night.", "2019.", "A good year.", "**Bold** start."}},
		{"Note - a dash inside. 3. Not a list item here.", []string{"Note - a dash inside.", "3.", "Not a list item here."}},
	}
	for _, tt := range tests {
		var got []string
		for _, sp := range sentenceSpans(tt.text) {
			got = append(got, tt.text[sp.Start:sp.End])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("sentenceSpans(%q)\n got %q\nwant %q", tt.text, got, tt.want)
		}
	}
}

func FuzzSentenceSpans(f *testing.F) {
	f.Add("One. Two! Three?\nFour “five.” Six")
	f.Add("K.Massimov, 20 % of ... a. B")
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, sp := range sentenceSpans(text) {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(text) {
				t.Fatalf("bad span %v after %d in %q", sp, prev, text)
			}
			prev = sp.End
		}
	})
}
