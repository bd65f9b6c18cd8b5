package rag

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// EvalCase is one line of an evaluation file: a question, the document that
// answers it (a part of its file name; nil when the corpus does not answer
// it) and a case-insensitive regular expression a right answer matches.
type EvalCase struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind,omitempty"`
	Question string  `json:"question"`
	Doc      *string `json:"doc"`
	Answer   *string `json:"answer"`
}

// ReadEvalCases parses JSON lines; blank lines are skipped.
func ReadEvalCases(r io.Reader) ([]EvalCase, error) {
	var cases []EvalCase
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var c EvalCase
		if err := json.Unmarshal([]byte(text), &c); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if strings.TrimSpace(c.Question) == "" {
			return nil, fmt.Errorf("line %d: no question", line)
		}
		if c.ID == "" {
			c.ID = fmt.Sprintf("line%d", line)
		}
		if c.Answer != nil {
			if _, err := regexp.Compile("(?i)" + *c.Answer); err != nil {
				return nil, fmt.Errorf("line %d: answer pattern: %w", line, err)
			}
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read eval cases: %w", err)
	}
	return cases, nil
}

// Asker answers a question from the k best passages.
type Asker interface {
	Ask(ctx context.Context, question string, k int) (Answer, error)
}

// EvalReport sums up an evaluation run.
type EvalReport struct {
	Questions    int `json:"questions"`
	Answerable   int `json:"answerable"`
	Unanswerable int `json:"unanswerable"`
	// Passage hits: the answering document among the first 1 or 3 passages.
	Hit1 int     `json:"hit_at_1"`
	Hit3 int     `json:"hit_at_3"`
	MRR  float64 `json:"mrr"`
	// AnswerHit counts grounded answers that match the expected pattern.
	AnswerHit int `json:"answer_hit"`
	// Abstained counts unanswerable questions that were declined;
	// FalseAbstentions answerable ones that were.
	Abstained        int           `json:"abstained"`
	FalseAbstentions int           `json:"false_abstentions"`
	Failures         []EvalFailure `json:"failures"`
	Results          []EvalResult  `json:"results"`
}

// EvalFailure names a question that missed and how.
type EvalFailure struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// EvalResult is one question's outcome.
type EvalResult struct {
	ID         string  `json:"id"`
	Rank       int     `json:"rank"` // of the first passage from the gold document; 0 if none
	Grounded   bool    `json:"grounded"`
	Correct    bool    `json:"correct"`
	Confidence float64 `json:"confidence"`
	Answer     string  `json:"answer"`
}

// Evaluate asks every case and scores retrieval, answers and abstention.
func Evaluate(ctx context.Context, a Asker, cases []EvalCase, k int) (EvalReport, error) {
	rep := EvalReport{Failures: []EvalFailure{}}
	for _, c := range cases {
		ans, err := a.Ask(ctx, c.Question, k)
		if err != nil {
			return rep, fmt.Errorf("eval %s: %w", c.ID, err)
		}
		rep.Questions++
		res := EvalResult{ID: c.ID, Grounded: ans.Grounded, Confidence: ans.Confidence, Answer: ans.Answer}
		var reasons []string
		if c.Doc == nil {
			rep.Unanswerable++
			res.Correct = !ans.Grounded
			if res.Correct {
				rep.Abstained++
			} else {
				reasons = append(reasons, "answered an unanswerable question")
			}
		} else {
			rep.Answerable++
			for i, p := range ans.Passages {
				if strings.Contains(p.Source, *c.Doc) {
					res.Rank = i + 1
					break
				}
			}
			switch {
			case res.Rank == 1:
				rep.Hit1++
				rep.Hit3++
			case res.Rank > 1 && res.Rank <= 3:
				rep.Hit3++
			default:
				reasons = append(reasons, fmt.Sprintf("gold passage rank %d", res.Rank))
			}
			if res.Rank > 0 {
				rep.MRR += 1 / float64(res.Rank)
			}
			switch {
			case !ans.Grounded:
				rep.FalseAbstentions++
				reasons = append(reasons, "abstained")
			case c.Answer == nil || regexp.MustCompile("(?i)"+*c.Answer).MatchString(ans.Answer):
				rep.AnswerHit++
				res.Correct = true
			default:
				reasons = append(reasons, "answer does not match")
			}
		}
		if len(reasons) > 0 {
			rep.Failures = append(rep.Failures, EvalFailure{ID: c.ID, Reason: strings.Join(reasons, "; ")})
		}
		rep.Results = append(rep.Results, res)
	}
	if rep.Answerable > 0 {
		rep.MRR /= float64(rep.Answerable)
	}
	return rep, nil
}
