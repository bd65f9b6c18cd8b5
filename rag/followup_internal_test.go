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

// FuzzReadQuestion reads any text as a question the way every Ask does —
// its type, focus, the words it points back to, whether it follows up —
// without panicking ("What is this?" once did).
func FuzzReadQuestion(f *testing.F) {
	for _, q := range []string{"What is this?", "this", "his", "Who spoke at that", "at that", "How often?", "clinic phone",
		"Where was his round-table meeting held?", "When the vote came, who won?", "", "?", "how many", "what about"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		questionType(q)
		focusWord(q)
		IsFollowUp(q)
		for _, w := range pointedWords(q) {
			if w == "" {
				t.Errorf("pointedWords(%q) has an empty word", q)
			}
		}
	})
}
