package storetest

import (
	"math/rand/v2"
	"strings"
)

// Words is a vocabulary of made-up words drawn by Zipf's law, so that a few
// are frequent, as in English: text for the tests and benchmarks of
// lexical indexes.
type Words struct {
	vocab []string
	zipf  *rand.Zipf
}

// NewWords makes a vocabulary of n words from r.
func NewWords(r *rand.Rand, n int) *Words {
	syll := []string{"ka", "lo", "mi", "ne", "ru", "ta", "po", "si", "de", "va", "gor", "lin", "tes", "mar"}
	vocab := make([]string, n)
	for i := range vocab {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		vocab[i] = b.String()
	}
	return &Words{vocab: vocab, zipf: rand.NewZipf(r, 1.1, 2, uint64(n-1))}
}

// Text returns n words separated by spaces.
func (w *Words) Text(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = w.vocab[w.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}
