package rag_test

import (
	"context"
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
	if _, err := x.Sync(ctx, "../corpus", nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := x.Search(ctx, benchQuestion, 5); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAsk(b *testing.B) {
	ctx := context.Background()
	x := newIndex(b, "")
	if _, err := x.Sync(ctx, "../corpus", nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := x.Ask(ctx, benchQuestion, 5); err != nil {
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
