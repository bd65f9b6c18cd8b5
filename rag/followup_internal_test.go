package rag

import (
	"slices"
	"testing"
)

func TestPointedWords(t *testing.T) {
	for _, c := range []struct {
		question string
		want     []string
	}{
		{"Where was his round-table meeting held?", []string{"round", "table", "meeting"}},
		{"Where did these uprisings take place?", []string{"uprisings", "take"}},
		{"Who spoke at that meeting?", nil}, // the last word may be the verb
		{"Who spoke at that meeting yesterday?", []string{"meeting"}},
		{"What did their annual report say about costs?", []string{"annual", "report"}},
		{"Which law says that guns are banned?", nil}, // a "that" joining clauses
		{"Who chairs the committee?", nil},
		{"What is this?", nil}, // a pointing word last: nothing after it
		{"Who wrote this", nil},
		{"this", nil},
	} {
		if got := pointedWords(c.question); !slices.Equal(got, c.want) {
			t.Errorf("pointedWords(%q) = %q, want %q", c.question, got, c.want)
		}
	}
}
