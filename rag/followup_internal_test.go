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
// its type, focus, the words it points back to, whether it follows up,
// its subject, a fragment's completion — without panicking ("What is
// this?" once did).
func FuzzReadQuestion(f *testing.F) {
	for _, q := range []string{"What is this?", "this", "his", "Who spoke at that", "at that", "How often?", "clinic phone",
		"Where was his round-table meeting held?", "When the vote came, who won?", "", "?", "how many", "what about"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		questionType(q)
		focusWord(q)
		IsFollowUp(q)
		withSubject(q, subjectOf(q), antecedents)
		if got := completed(q, nil); got != "" {
			t.Errorf("completed(%q) with no earlier turn = %q", q, got)
		}
		completed("and on "+q, []string{q, "What time does it open on Saturdays?"})
		completed(q, []string{"And on Sundays?", q})
		for _, w := range pointedWords(q) {
			if w == "" {
				t.Errorf("pointedWords(%q) has an empty word", q)
			}
		}
	})
}

// An answer whose chosen sentence is new is no repeat, whatever it quotes
// with it; one that chooses the last answer's sentence again is, unless
// that holds the type asked by a pattern of its own.
func TestRepeats(t *testing.T) {
	old := "The Swim School is coordinated by Megan Holt, who can be reached on 01632 960 175."
	for _, c := range []struct {
		name   string
		quoted []string
		want   answerType
		repeat bool
	}{
		{"a new sentence, the old one quoted with it", []string{"She also runs the gala.", old}, personType, false},
		{"the old sentence for a person", []string{old}, personType, true},
		{"the old sentence for a place", []string{old}, placeType, true},
		{"the old sentence for no type", []string{old}, anyType, true},
		{"the old sentence holds the telephone number asked", []string{old}, phoneType, false},
		{"the old sentence holds no email", []string{old}, emailType, true},
	} {
		d := decision{quoted: c.quoted}
		if got := repeats(d, []string{old}, &query{want: c.want}); got != c.repeat {
			t.Errorf("%s: repeats = %v, want %v", c.name, got, c.repeat)
		}
	}
}

func TestSubjectOf(t *testing.T) {
	for _, c := range []struct{ question, want string }{
		{"How long is the meal break for Harbour View Hotel staff?", "meal break"},
		{"What time does the late shift start at the hotel?", "late shift"}, // short of the verb after "does"
		{"how many people does the willow room hold", "willow room"},
		{"When's the diabetes clinic at Fernleigh?", "diabetes clinic"},
		{"How much is a NoteVault Personal licence?", "NoteVault Personal licence"}, // a name keeps its capitals
		{"When is the Westmere choir's spring concert?", "Westmere choir spring concert"},
		{"What should be created under the Ministry of Internal Affairs?", ""}, // its subject is the answer
		{"Who coordinates the swim school?", ""},
		{"Who's the membership secretary?", ""},                    // "it" after this is no person
		{"Which quote did the council accept for the swings?", ""}, // "it" after this is the quote
		{"How do I contact support?", ""},
		{"Why?", ""},
	} {
		if got := subjectOf(c.question); got != c.want {
			t.Errorf("subjectOf(%q) = %q, want %q", c.question, got, c.want)
		}
	}
	for _, c := range []struct{ question, want string }{
		{"Who is the clerk?", "clerk"},
		{"Who's the practice manager at Fernleigh Road Surgery?", "practice manager at Fernleigh Road Surgery"},
		{"Who was the Prosecutor General then?", ""}, // "then" points back: no role alone
		{"Who was the first president of the club?", "first president of club"},
		{"Who are the trustees?", "trustees"},
		{"Who is the clerk's assistant?", ""}, // another's role: the answer's pronoun
		{"Who's the council's clerk?", ""},
		{"Who is the man who founded Oxfam?", ""},
		{"Who chairs the council?", ""}, // no role named: the pronoun is the answer's
		{"Who is Rebecca Lyle?", ""},
		{"What is the clerk's email?", ""},
		{"Who is the", ""},
		{"", ""},
	} {
		if got, _ := roleOf(c.question); got != c.want {
			t.Errorf("roleOf(%q) = %q, want %q", c.question, got, c.want)
		}
	}
	if _, ps := roleOf("Who are the trustees?"); !ps["they"] || ps["her"] {
		t.Errorf("roleOf of a plural role gives the pronouns %v, want they, them, their", ps)
	}
	if got, want := withSubject("What is her email?", "clerk", persons), "What is clerk email"; got != want {
		t.Errorf("withSubject for a person = %q, want %q", got, want)
	}
	if got := withSubject("When is it?", "clerk", persons); got != "" {
		t.Errorf("withSubject of a thing's pronoun for a person = %q, want none", got)
	}
	if got, want := withSubject("Is it paid?", "meal break", antecedents), "Is meal break paid"; got != want {
		t.Errorf("withSubject = %q, want %q", got, want)
	}
	if got := withSubject("And on Sundays?", "meal break", antecedents); got != "" {
		t.Errorf("withSubject of a question without a pronoun = %q, want none", got)
	}
}

func TestCompleted(t *testing.T) {
	for _, c := range []struct {
		question string
		earlier  []string
		want     string
	}{
		{"And on Sundays?", []string{"What time does the centre close on Saturdays?"}, "What time does the centre close on Sundays"},
		{"and in Q3?", []string{"How much did the East make in Q2 2024?", "was that on target?"}, "How much did the East make in Q3 2024"},
		{"what about 2023", []string{"How many members joined in 2024?"}, "How many members joined in 2023"},
		{"and for children?", []string{"How much is an adult ticket for Small Worlds?"}, "How much is an for children ticket for Small Worlds"},
		{"And on Mondays?", []string{"What time does the gym open on Saturdays?", "And on Sundays?"}, "What time does the gym open on Mondays"},
		{"and for a small one?", []string{"How much is a bath and brush for a large dog?"}, "How much is a bath and brush for a for a small one dog"}, // a size
		{"What about the large print books?", []string{"How much is a full groom for a small dog?"}, ""},                                              // a noun of its own after the size
		{"and a small coffee?", []string{"How much is a large pizza?"}, ""},
		{"and v3?", []string{"Does v2 play mp3 files?"}, "Does v3 play mp3 files"},                   // a code of other letters stays
		{"And in March?", []string{"When is the AGM held?"}, ""},                                     // no month to take the place of
		{"and the motor?", []string{"How long is the guarantee?"}, ""},                               // no slot of a kind: read as before
		{"And when does it close on Sundays?", []string{"What time does it open on Saturdays?"}, ""}, // a question of its own
		{"Sundays?", []string{"What time does it open on Saturdays?"}, ""},
	} {
		if got := completed(c.question, c.earlier); got != c.want {
			t.Errorf("completed(%q, %q) = %q, want %q", c.question, c.earlier, got, c.want)
		}
	}
}

func TestStrandedPreposition(t *testing.T) {
	for q, want := range map[string]string{
		"Where from?": "from", "Who by?": "by", "what for": "for", "Who with?": "with",
		"By when?": "", "Where?": "", "Where is it from?": "", "From where?": "",
	} {
		if got := strandedPreposition(q); got != want {
			t.Errorf("strandedPreposition(%q) = %q, want %q", q, got, want)
		}
	}
}
