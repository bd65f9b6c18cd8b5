package rag

import (
	"slices"
	"testing"
)

// A question's names and numbers are matched exactly, with no credit for
// a related word: capitalised words after the first, words with digits,
// and numbers, ordinals, months and days written out ("first" is not
// "fourteenth", "june" not "july").
func TestNames(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"When was Brackenford first mentioned?", []string{"brackenford", "first"}},
		{"How many of the twelve boats sank in june 2021?", []string{"twelve", "june", "2021"}},
		{"Who chairs the committee?", nil},
		{"How long does the battery last?", nil}, // "last" is a verb as often as not
	} {
		if got := names(c.q); !slices.Equal(got, c.want) {
			t.Errorf("names(%q) = %q, want %q", c.q, got, c.want)
		}
	}
}
