package rag

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestHexRunsMatchRegexp: hexRuns finds what `[0-9a-fA-F]{32,}` finds, on
// random text of hex digits, other letters, spaces, dashes and non-ASCII
// runes, with runs around the length of 32.
func TestHexRunsMatchRegexp(t *testing.T) {
	re := regexp.MustCompile(`[0-9a-fA-F]{32,}`)
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"0", "9", "a", "F", "g", "Z", " ", "-", "_", "é", "\xff", "ａ"}
	texts := []string{"", strings.Repeat("a", 31), strings.Repeat("a", 32), "x" + strings.Repeat("0f", 20) + "é" + strings.Repeat("A", 40)}
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(200) {
			if rng.IntN(8) == 0 {
				for range 28 + rng.IntN(10) {
					b.WriteByte("0123456789abcdefABCDEF"[rng.IntN(22)])
				}
			}
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		var want [][2]int
		for _, m := range re.FindAllStringIndex(s, -1) {
			want = append(want, [2]int{m[0], m[1]})
		}
		if got := hexRuns(s); !slices.Equal(got, want) {
			t.Fatalf("hexRuns(%q) = %v, want %v", s, got, want)
		}
	}
}
