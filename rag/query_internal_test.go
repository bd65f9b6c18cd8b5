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

func TestYesNoQuestion(t *testing.T) {
	for q, want := range map[string]bool{
		"Is there a car park?":               true,
		"can i bring my dog":                 true,
		"And does the hall have a lift?":     true,
		"so are you open on sundays":         true,
		"Isn't there a bus?":                 true,
		"Don't you take cheques?":            true,
		"Do you know when the pool opens?":   false, // asks when
		"Can you tell me the opening times?": false,
		"When is the hall open?":             false,
		"The hall: is it open on Sundays?":   false, // read as asked; no auxiliary first
		"Who can I ask about parking?":       false,
		"and what about Sundays?":            false,
	} {
		if got := yesNoQuestion(q); got != want {
			t.Errorf("yesNoQuestion(%q) = %v, want %v", q, got, want)
		}
	}
}
