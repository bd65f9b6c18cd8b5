package rag_test

import (
	"context"
	"strings"
	"testing"
)

// Benchmarks of the three steps of an answer on the bundled corpus:
// go test -bench . -run '^$' ./rag

var benchQuestion = "What religious movement did the President say the Aktobe attackers followed?"

func BenchmarkSync(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		x := newIndex(b, "")
		if _, err := x.Sync(ctx, "../corpus", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	x := newIndex(b, "")
	sync(b, x, "../corpus")
	for b.Loop() {
		if _, err := x.Search(ctx, benchQuestion, 5); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAsk(b *testing.B) {
	ctx := context.Background()
	x := newIndex(b, "")
	sync(b, x, "../corpus")
	for b.Loop() {
		if _, err := x.Ask(ctx, benchQuestion, 5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAskInConversation asks a question that names no subject of
// its own alone and after another question, which was asked first as a
// user would have: the answer it was given is read (see shownTurns).
// "forgotten" asks the question before again each time, as after a
// restart or on another replica.
func BenchmarkAskInConversation(b *testing.B) {
	ctx := context.Background()
	x := newIndex(b, "")
	sync(b, x, "../corpus")
	const q = "What should we create under the Ministry of Internal Affairs?"
	earlier := []string{"Which senator chairs the Committee on Foreign Affairs, Defense and Security?"}
	for _, c := range []struct {
		name    string
		earlier []string
		forget  bool
	}{
		{"alone", nil, false},
		{"after", earlier, false},
		{"forgotten", earlier, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			if _, err := x.AskIn(ctx, earlier[0], nil, 5); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if c.forget {
					x.ForgetShown()
				}
				if _, err := x.AskIn(ctx, q, c.earlier, 5); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAskFollowUp asks a follow-up after the question before it
// (f03 of testdata/followups.jsonl): it is searched for with that question
// and that question is answered again, to know what was quoted. Compare
// BenchmarkAsk.
func BenchmarkAskFollowUp(b *testing.B) {
	ctx := context.Background()
	x := newIndex(b, "")
	sync(b, x, "../corpus")
	earlier := []string{"Which senator chairs the Committee on Foreign Affairs, Defense and Security?"}
	for b.Loop() {
		if _, err := x.AskIn(ctx, "Where was his round-table meeting held?", earlier, 5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAskFollowUpInDocument asks a follow-up that names nothing of
// its own subject (z3 of the pool-hotel-dental-council-app conversations):
// besides what BenchmarkAskFollowUp does, it is asked again within the
// document the answer before quoted. Compare BenchmarkAskFollowUp.
func BenchmarkAskFollowUpInDocument(b *testing.B) {
	ctx := context.Background()
	x := newIndex(b, "")
	sync(b, x, "../testdata/other-kinds/pool-hotel-dental-council-app/corpus")
	earlier := []string{"Who coordinates the Millbrook swim school?"}
	ans, err := x.AskIn(ctx, "What's her phone number?", earlier, 5)
	if err != nil || !strings.Contains(ans.Answer, "01632 960 175") {
		b.Fatalf("follow-up: %q, %v", ans.Answer, err)
	}
	for b.Loop() {
		if _, err := x.AskIn(ctx, "What's her phone number?", earlier, 5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAskFollowUpFragment asks a fragment follow-up (z1 of the
// pool-hotel-dental-council-app conversations), read whole from the
// question before (see completed). Compare BenchmarkAskFollowUp.
func BenchmarkAskFollowUpFragment(b *testing.B) {
	ctx := context.Background()
	x := newIndex(b, "")
	sync(b, x, "../testdata/other-kinds/pool-hotel-dental-council-app/corpus")
	earlier := []string{"What time does the Millbrook Leisure Centre pool open on Saturdays?"}
	ans, err := x.AskIn(ctx, "And on Sundays?", earlier, 5)
	if err != nil || !strings.Contains(ans.Answer, "9:00am") {
		b.Fatalf("follow-up: %q, %v", ans.Answer, err)
	}
	for b.Loop() {
		if _, err := x.AskIn(ctx, "And on Sundays?", earlier, 5); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadSnapshot(b *testing.B) {
	ctx := context.Background()
	data := b.TempDir()
	if _, err := newIndex(b, data).Sync(ctx, "../corpus", nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := newIndex(b, data).Load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
