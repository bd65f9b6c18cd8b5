package rag

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// EvalCase is one line of an evaluation file: a question, the document that
// answers it (a part of its file name; nil when the corpus does not answer
// it or the case does not say) and a case-insensitive regular expression a
// right answer matches (nil when the corpus does not answer it). A case
// with neither is unanswerable.
//
// A line with "turns" instead of a question is a conversation: each turn
// (question, doc, answer) becomes a case of its own, asked after the turns
// before it in the same conversation.
type EvalCase struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind,omitempty"`
	Question string  `json:"question"`
	Doc      *string `json:"doc"`
	Answer   *string `json:"answer"`
	// Conversation is the ID of the conversation line the case is a turn
	// of, and Turn its place there (1 for the first); "" and 0 for a
	// question on its own.
	Conversation string `json:"conversation,omitempty"`
	Turn         int    `json:"turn,omitempty"`
}

// evalLine is a line of an evaluation file: a case, or a conversation.
type evalLine struct {
	EvalCase
	Turns []EvalCase `json:"turns"`
}

// answerable reports whether the corpus answers c.
func (c EvalCase) answerable() bool { return c.Doc != nil || c.Answer != nil }

// ReadEvalFile reads the evaluation cases of the file at path.
func ReadEvalFile(path string) ([]EvalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cases, err := ReadEvalCases(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cases, nil
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
		var l evalLine
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if l.ID == "" {
			l.ID = fmt.Sprintf("line%d", line)
		}
		turns := []EvalCase{l.EvalCase}
		if len(l.Turns) > 0 {
			if l.Question != "" {
				return nil, fmt.Errorf("line %d: both a question and turns", line)
			}
			turns = l.Turns
			for i := range turns {
				turns[i].Conversation, turns[i].Turn = l.ID, i+1
				turns[i].ID = fmt.Sprintf("%s#%d", l.ID, i+1)
				if turns[i].Kind == "" {
					turns[i].Kind = "first turn"
					if i > 0 {
						turns[i].Kind = "follow-up"
					}
				}
			}
		}
		for _, c := range turns {
			if strings.TrimSpace(c.Question) == "" {
				return nil, fmt.Errorf("line %d: no question", line)
			}
			if c.Answer != nil {
				if _, err := regexp.Compile("(?i)" + *c.Answer); err != nil {
					return nil, fmt.Errorf("line %d: answer pattern: %w", line, err)
				}
			}
			cases = append(cases, c)
		}
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

// ConversationAsker answers a question asked after the earlier questions
// of a conversation (Index.AskIn).
type ConversationAsker interface {
	AskIn(ctx context.Context, question string, earlier []string, k int) (Answer, error)
}

// EvalReport sums up an evaluation run.
type EvalReport struct {
	Questions    int `json:"questions"`
	Answerable   int `json:"answerable"`
	Unanswerable int `json:"unanswerable"`
	// Document hits: a passage from the answering document among the first
	// 1 or 3 passages, over the DocQuestions answerable questions that name
	// their document; MRR is the mean reciprocal rank of the first one.
	DocQuestions int     `json:"doc_questions"`
	Hit1         int     `json:"hit_at_1"`
	Hit3         int     `json:"hit_at_3"`
	MRR          float64 `json:"mrr"`
	// Span hits: a passage whose text matches the answer pattern among the
	// first 1 or 3 passages, over the SpanQuestions answerable questions
	// that have a pattern; SpanMRR is the mean reciprocal rank of the first.
	SpanQuestions int     `json:"span_questions"`
	SpanHit1      int     `json:"span_hit_at_1"`
	SpanHit3      int     `json:"span_hit_at_3"`
	SpanMRR       float64 `json:"span_mrr"`
	// AnswerHit counts grounded answers that match the expected pattern;
	// FirstSentenceHit those whose first quoted sentence (the text before
	// the first citation marker) does.
	AnswerHit        int `json:"answer_hit"`
	FirstSentenceHit int `json:"first_sentence_hit"`
	// Abstained counts unanswerable questions that were declined;
	// FalseAbstentions answerable ones that were.
	Abstained        int `json:"abstained"`
	FalseAbstentions int `json:"false_abstentions"`
	// Conversations counts the conversations among the cases, and
	// ConversationsRight those whose every turn is right (the first
	// sentence matches, or an unanswerable turn is declined).
	Conversations      int           `json:"conversations,omitempty"`
	ConversationsRight int           `json:"conversations_right,omitempty"`
	ByKind             []KindReport  `json:"by_kind"`
	Failures           []EvalFailure `json:"failures"`
	Results            []EvalResult  `json:"results"`
}

// KindReport sums up the questions of one kind. A case without a kind is
// "answerable" or "unanswerable". Correct counts, for answerable
// questions, answers whose first sentence matches the pattern and, for
// unanswerable ones, declines.
type KindReport struct {
	Kind       string `json:"kind"`
	Questions  int    `json:"questions"`
	Answerable int    `json:"answerable"`
	Declined   int    `json:"declined"`
	Answered   int    `json:"answered"`
	Correct    int    `json:"correct"`
}

// EvalFailure names a question that missed and how.
type EvalFailure struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// EvalResult is one question's outcome.
type EvalResult struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Rank int    `json:"rank"` // of the first passage from the gold document; 0 if none
	// SpanRank is that of the first passage matching the answer pattern; 0
	// if none or there is no pattern.
	SpanRank int  `json:"span_rank"`
	Grounded bool `json:"grounded"`
	// Correct: an answerable question's grounded answer matches the pattern
	// (FirstSentence: its first sentence does), or an unanswerable one was
	// declined.
	Correct       bool    `json:"correct"`
	FirstSentence bool    `json:"first_sentence_hit"`
	Confidence    float64 `json:"confidence"`
	Answer        string  `json:"answer"`
}

// citeMarker is a citation marker with the space before it.
var citeMarker = regexp.MustCompile(`\s*\[\d+\]`)

// FirstSentence is the answer up to its first citation marker, or all of
// it when there is none.
func FirstSentence(answer string) string {
	if loc := citeMarker.FindStringIndex(answer); loc != nil {
		return answer[:loc[0]]
	}
	return answer
}

// Evaluate asks every case and scores retrieval, answers and abstention.
func Evaluate(ctx context.Context, a Asker, cases []EvalCase, k int) (EvalReport, error) {
	pats := make([]*regexp.Regexp, len(cases))
	for i, c := range cases {
		if c.Answer == nil {
			continue
		}
		re, err := regexp.Compile("(?i)" + *c.Answer)
		if err != nil {
			return EvalReport{}, fmt.Errorf("eval %s: answer pattern: %w", c.ID, err)
		}
		pats[i] = re
	}
	var t tally
	conv, inConv := a.(ConversationAsker)
	var earlier []string // the current conversation's questions so far
	for i, c := range cases {
		if c.Turn <= 1 {
			earlier = earlier[:0]
		}
		var ans Answer
		var err error
		if inConv && len(earlier) > 0 {
			ans, err = conv.AskIn(ctx, c.Question, earlier, k)
		} else {
			ans, err = a.Ask(ctx, c.Question, k)
		}
		if err != nil {
			return t.report(), fmt.Errorf("eval %s: %w", c.ID, err)
		}
		if c.Conversation != "" {
			earlier = append(earlier, c.Question)
		}
		t.add(c, pats[i], ans)
	}
	return t.report(), nil
}

// tally sums up answers into an EvalReport; citebot train scores its
// answers with it too, so that its figures are citebot eval's.
type tally struct {
	rep   EvalReport
	kinds map[string]*KindReport
	// convRight says, per conversation, whether every turn so far is
	// right.
	convRight map[string]bool
}

// add scores ans, the answer to c, whose pattern is pat (nil: none).
func (t *tally) add(c EvalCase, pat *regexp.Regexp, ans Answer) {
	if t.kinds == nil {
		t.kinds = map[string]*KindReport{}
	}
	res, reasons := score(c, pat, ans)
	t.rep.add(c, res)
	kr := t.kinds[res.Kind]
	if kr == nil {
		kr = &KindReport{Kind: res.Kind}
		t.kinds[res.Kind] = kr
	}
	kr.add(c, res)
	if c.Conversation != "" {
		if t.convRight == nil {
			t.convRight = map[string]bool{}
		}
		right, seen := t.convRight[c.Conversation]
		t.convRight[c.Conversation] = (right || !seen) && (res.FirstSentence || !c.answerable() && res.Correct)
	}
	if len(reasons) > 0 {
		t.rep.Failures = append(t.rep.Failures, EvalFailure{ID: c.ID, Reason: strings.Join(reasons, "; ")})
	}
	t.rep.Results = append(t.rep.Results, res)
}

// report is the finished report.
func (t *tally) report() EvalReport {
	rep := t.rep
	if rep.DocQuestions > 0 {
		rep.MRR /= float64(rep.DocQuestions)
	}
	if rep.SpanQuestions > 0 {
		rep.SpanMRR /= float64(rep.SpanQuestions)
	}
	rep.Conversations = len(t.convRight)
	for _, right := range t.convRight {
		if right {
			rep.ConversationsRight++
		}
	}
	rep.ByKind = []KindReport{}
	for _, kr := range t.kinds {
		rep.ByKind = append(rep.ByKind, *kr)
	}
	sort.Slice(rep.ByKind, func(i, j int) bool { return rep.ByKind[i].Kind < rep.ByKind[j].Kind })
	if rep.Failures == nil {
		rep.Failures = []EvalFailure{}
	}
	return rep
}

// score judges one answer to c, whose answer pattern is pat (nil when it
// has none), and says why it missed.
func score(c EvalCase, pat *regexp.Regexp, ans Answer) (EvalResult, []string) {
	res := EvalResult{ID: c.ID, Kind: c.Kind, Grounded: ans.Grounded, Confidence: ans.Confidence, Answer: ans.Answer}
	if res.Kind == "" {
		res.Kind = "answerable"
		if !c.answerable() {
			res.Kind = "unanswerable"
		}
	}
	if !c.answerable() {
		res.Correct = !ans.Grounded
		if !res.Correct {
			return res, []string{"answered an unanswerable question"}
		}
		return res, nil
	}
	var reasons []string
	for i, p := range ans.Passages {
		if res.Rank == 0 && c.Doc != nil && strings.Contains(p.Source, *c.Doc) {
			res.Rank = i + 1
		}
		if res.SpanRank == 0 && pat != nil && pat.MatchString(p.Text) {
			res.SpanRank = i + 1
		}
	}
	if c.Doc != nil && (res.Rank == 0 || res.Rank > 3) {
		reasons = append(reasons, fmt.Sprintf("gold passage rank %d", res.Rank))
	}
	switch {
	case !ans.Grounded:
		reasons = append(reasons, "abstained")
	case pat == nil:
		res.Correct, res.FirstSentence = true, true
	default:
		res.Correct = pat.MatchString(ans.Answer)
		res.FirstSentence = pat.MatchString(FirstSentence(ans.Answer))
		switch {
		case !res.Correct:
			reasons = append(reasons, "answer does not match")
		case !res.FirstSentence:
			reasons = append(reasons, "first sentence does not match")
		}
	}
	return res, reasons
}

// countRank adds a 1-based rank (0: not found) to hits at 1 and 3 and to
// the reciprocal-rank sum.
func countRank(rank int, hit1, hit3 *int, mrr *float64) {
	if rank <= 0 {
		return
	}
	*mrr += 1 / float64(rank)
	if rank == 1 {
		*hit1++
	}
	if rank <= 3 {
		*hit3++
	}
}

// add counts one result into the totals.
func (r *EvalReport) add(c EvalCase, res EvalResult) {
	r.Questions++
	if !c.answerable() {
		r.Unanswerable++
		if res.Correct {
			r.Abstained++
		}
		return
	}
	r.Answerable++
	if c.Doc != nil {
		r.DocQuestions++
		countRank(res.Rank, &r.Hit1, &r.Hit3, &r.MRR)
	}
	if c.Answer != nil {
		r.SpanQuestions++
		countRank(res.SpanRank, &r.SpanHit1, &r.SpanHit3, &r.SpanMRR)
	}
	if !res.Grounded {
		r.FalseAbstentions++
	}
	if res.Correct {
		r.AnswerHit++
	}
	if res.FirstSentence {
		r.FirstSentenceHit++
	}
}

// add counts one result into its kind.
func (k *KindReport) add(c EvalCase, res EvalResult) {
	k.Questions++
	if res.Grounded {
		k.Answered++
	} else {
		k.Declined++
	}
	if !c.answerable() {
		if !res.Grounded {
			k.Correct++
		}
		return
	}
	k.Answerable++
	if res.FirstSentence {
		k.Correct++
	}
}
