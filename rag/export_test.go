package rag

import (
	"context"
	"fmt"
	"sort"
)

// Scoring exposes the answer weights to tests.
type Scoring = scoring

func DefaultScoring() Scoring { return defaultScoring }

func (x *Index) SetScoring(s Scoring) { x.scoring = s }

// Explain returns the answer and a line per candidate sentence, best first.
func (x *Index) Explain(ctx context.Context, q string, k int) (Answer, []string, error) {
	ans, cands, err := x.answer(ctx, q, k)
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	var lines []string
	for _, c := range cands {
		lines = append(lines, fmt.Sprintf("%.3f lex=%.2f dense=%.2f nov=%.2f type=%v p=%d %.90q", c.score, c.lexical, c.dense, c.novelty, c.typeOK, c.passage, c.text))
	}
	return ans, lines, err
}
func SentenceSpansForTest(s string) []Span { return sentenceSpans(s) }
