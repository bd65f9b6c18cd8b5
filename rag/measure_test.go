package rag_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
)

// TestAskConcurrently asks the development questions from several
// goroutines at once, on an index whose chunks no question has read yet,
// so that they read chunks, number words and remember sentence vectors
// together: each answer must be the one the question gets asked alone.
func TestAskConcurrently(t *testing.T) {
	ctx := context.Background()
	cases := ragtest.EvalCases(t, "../testdata/dev.jsonl")
	alone := newIndex(t, "")
	if _, err := alone.Sync(ctx, "../corpus", nil); err != nil {
		t.Fatal(err)
	}
	want := make([]rag.Answer, len(cases))
	for i, c := range cases {
		a, err := alone.Ask(ctx, c.Question, 5)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = a
	}
	x := newIndex(t, "")
	if _, err := x.Sync(ctx, "../corpus", nil); err != nil {
		t.Fatal(err)
	}
	const goroutines = 4
	done := make(chan struct{})
	for g := range goroutines {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := range cases {
				i := (k + g*len(cases)/4) % len(cases)
				got, err := x.Ask(ctx, cases[i].Question, 5)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want[i]) {
					t.Errorf("goroutine %d, %q: %+v, alone %+v", g, cases[i].Question, got, want[i])
				}
			}
		}()
	}
	for range goroutines {
		<-done
	}
}
