package langchain_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/langchain"
)

func TestZZExp(t *testing.T) {
	files, _ := filepath.Glob("../../corpus/*.txt")
	for _, cfg := range [][2]int{{500, 100}, {600, 150}, {700, 150}} {
		sp := langchain.NewSplitter(cfg[0], cfg[1])
		for _, f := range files {
			b, _ := os.ReadFile(f)
			text := string(b)
			doc := rag.Document{Source: filepath.Base(f), Text: text, Kept: rag.Clean(text)}
			chunks, err := rag.SplitDocument(doc, sp)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("== %v %s %d chunks\n", cfg, f, len(chunks))
			prevEnd := 0
			for _, c := range chunks {
				ov := 0
				if c.Start < prevEnd {
					ov = prevEnd - c.Start
				}
				s := c.Text
				r := []rune(s)
				if len(r) > 70 {
					s = string(r[:35]) + " … " + string(r[len(r)-35:])
				}
				fmt.Printf("  %d [%d,%d) n=%d ov=%d %q\n", c.Ordinal, c.Start, c.End, utf8.RuneCountInString(c.Text), ov, s)
				prevEnd = c.End
			}
		}
	}
}
