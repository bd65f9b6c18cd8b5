package rag_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/langchain"
)

func TestZZPerf(t *testing.T) {
	data, _ := os.ReadFile("../corpus/002_126ef14e62b6afb1.txt")
	text := string(data)
	for _, size := range []int{0, 1, 2, 3, 10, 100, 600} {
		for _, ov := range []int{0, 1, 150, 1999} {
			st := time.Now()
			doc := newDoc("x", text)
			ch, err := rag.SplitDocument(doc, langchain.NewSplitter(size, ov))
			if d := time.Since(st); d > 50*time.Millisecond {
				t.Logf("size %d ov %d: %v chunks=%d err=%v", size, ov, d, len(ch), err)
			}
		}
	}
	big := strings.Repeat(text, 200)
	st := time.Now()
	rag.Clean(big)
	t.Logf("clean 1MB: %v", time.Since(st))
	st = time.Now()
	rag.Clean(strings.Repeat("a ", 500000))
	t.Logf("clean 1MB one line: %v", time.Since(st))
}

func TestZZRandom(t *testing.T) {
	toks := []string{"a", "b", "Share", " ", "\n", "\n\n", ". ", "? ", ", ", "; ", "ж", "\xff", "030e63c6e3574e91e8ee74c457f32d72", "-x", "July 12, 2012", "12.07.2012", "\t", "The", "word"}
	seed := uint64(time.Now().UnixNano())
	rnd := func(n int) int { seed = seed*6364136223846793005 + 1442695040888963407; return int((seed >> 33) % uint64(n)) }
	var worst time.Duration
	for iter := 0; iter < 40000; iter++ {
		var b strings.Builder
		n := rnd(400)
		for range n {
			b.WriteString(toks[rnd(len(toks))])
		}
		text := b.String()
		size, ov := rnd(50), rnd(60)
		st := time.Now()
		doc := newDoc("x", text)
		var s rag.Splitter = langchain.NewSplitter(size, ov)
		if rnd(2) == 0 {
			s = reflowParagraphs
		}
		ch, err := rag.SplitDocument(doc, s)
		if err != nil {
			for _, sp := range doc.Kept {
				seg := text[sp.Start:sp.End]
				ps, _ := s.SplitText(seg)
				t.Logf("span %v %q", sp, seg)
				for i, p := range ps {
					t.Logf("  piece %d %q idx=%d", i, p, strings.Index(seg, p))
				}
			}
			t.Fatalf("size %d ov %d: %v", size, ov, err)
		}
		checkChunks(t, doc, ch)
		if d := time.Since(st); d > worst {
			worst = d
		}
	}
	t.Logf("worst %v", worst)
}
