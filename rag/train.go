package rag

import (
	"context"
	"fmt"
	"go/format"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// TrainSet is a corpus, indexed, and questions about it.
type TrainSet struct {
	Name  string
	Index *Index
	Cases []EvalCase
	// Without, when not nil, indexes the corpus without one of its
	// documents (by source). Each answerable question is asked again of
	// the index without its document, and reported (kind AbsentKind) as a
	// question the documents do not answer: a measure of declining
	// questions about what a collection lacks, beside the off-topic ones.
	// The models are not fitted on them (see the README).
	Without func(ctx context.Context, source string) (*Index, error)
}

// TrainOptions tune Train.
type TrainOptions struct {
	// K is the number of passages an answer is chosen from (default 5).
	K int
	// FalseAbstentions is the largest share of answerable questions the
	// chosen threshold may decline, out of fold (default 0.03).
	FalseAbstentions float64
	// L2 is the penalty on the standardised weights (default 1).
	L2 float64
	// Drop names features to fit without (their weights stay 0), to
	// measure what each adds.
	Drop []string
}

// TrainReport is the fitted model and, for each training set (named in
// Sets), the citebot eval report of its answers in sample and out of fold,
// without the per-question results and failures.
type TrainReport struct {
	Model     Model        `json:"-"`
	Folds     int          `json:"folds"`
	Sets      []string     `json:"sets"`
	InSample  []EvalReport `json:"in_sample"`
	OutOfFold []EvalReport `json:"out_of_fold"`
}

// AbsentKind is the kind, in training reports, of an answerable question
// asked of its corpus without the document that answers it.
const AbsentKind = "absent-document"

// trainCase is one question, retrieved once; the models are fitted and
// applied to its candidates many times.
type trainCase struct {
	set   int
	x     *Index // the index asked: the set's, or one Without its document
	c     EvalCase
	re    *regexp.Regexp // nil for an unanswerable question
	r     *retrieval
	group string // the fold: the article it is about
}

// Train fits the passage ranker, the answer chooser and the abstention
// model to the questions of sets, each stage on the outputs of the one
// before, and chooses the abstention threshold on out-of-fold predictions:
// the folds hold out one article (document) at a time, so every figure
// out of fold is on an article none of the three models saw. An
// unanswerable question belongs to the article its best passage by cosine
// comes from. The same scoring code answers questions in Ask.
func Train(ctx context.Context, sets []TrainSet, opts TrainOptions) (TrainReport, error) {
	if opts.K <= 0 {
		opts.K = 5
	}
	if opts.FalseAbstentions <= 0 {
		opts.FalseAbstentions = 0.03
	}
	if opts.L2 <= 0 {
		opts.L2 = 1
	}
	known := map[string]bool{}
	for _, n := range append(append(featureNames(passageFeatures), featureNames(sentenceFeatures)...), featureNames(answerFeatures)...) {
		known[n] = true
	}
	for _, d := range opts.Drop {
		if !known[d] {
			return TrainReport{}, fmt.Errorf("no feature %q to drop", d)
		}
	}
	var cases []*trainCase
	for si, s := range sets {
		without := map[string]*Index{}
		for _, c := range s.Cases {
			r, err := s.Index.retrieve(ctx, c.Question, opts.K)
			if err != nil {
				return TrainReport{}, fmt.Errorf("%s %s: %w", s.Name, c.ID, err)
			}
			tc := &trainCase{set: si, x: s.Index, c: c, r: r}
			if c.Answer != nil && c.Doc != nil {
				if tc.re, err = regexp.Compile("(?i)" + *c.Answer); err != nil {
					return TrainReport{}, fmt.Errorf("%s %s: answer pattern: %w", s.Name, c.ID, err)
				}
			}
			src := nearestSource(r)
			if c.Doc != nil {
				src = sourceOf(s.Index, *c.Doc)
			}
			tc.group = s.Name + "/" + src
			cases = append(cases, tc)
			if tc.re == nil || s.Without == nil {
				continue
			}
			ax, ok := without[src]
			if !ok {
				if ax, err = s.Without(ctx, src); err != nil {
					return TrainReport{}, fmt.Errorf("%s without %s: %w", s.Name, src, err)
				}
				without[src] = ax
			}
			// The same question of the corpus without its document: one
			// about a subject the collection lacks. It belongs to its
			// document's fold.
			if r, err = ax.retrieve(ctx, c.Question, opts.K); err != nil {
				return TrainReport{}, fmt.Errorf("%s %s without its document: %w", s.Name, c.ID, err)
			}
			cases = append(cases, &trainCase{set: si, x: ax, r: r, group: tc.group,
				c: EvalCase{ID: c.ID + "/absent", Kind: AbsentKind, Question: c.Question}})
		}
	}
	groups := map[string]bool{}
	for _, tc := range cases {
		groups[tc.group] = true
	}
	folds := sortedKeys(groups)

	// Out of fold: each article's questions answered by models fitted on
	// the others'.
	oof := make([]decision, len(cases))
	for _, g := range folds {
		m, err := fitModel(ctx, sets, cases, func(tc *trainCase) bool { return tc.group != g }, opts)
		if err != nil {
			return TrainReport{}, fmt.Errorf("fold %s: %w", g, err)
		}
		for i, tc := range cases {
			if tc.group == g {
				if oof[i], err = tc.x.decide(ctx, tc.r, &m, opts.K); err != nil {
					return TrainReport{}, err
				}
			}
		}
	}
	// The threshold spends what is left of the false-abstention budget
	// after the rules' declines (see decide), which no threshold undoes.
	var confs []float64
	for i, tc := range cases {
		switch {
		case tc.c.Doc == nil:
		case oof[i].ruled:
			confs = append(confs, -1)
		default:
			confs = append(confs, oof[i].gate)
		}
	}
	threshold := thresholdFor(confs, opts.FalseAbstentions)

	m, err := fitModel(ctx, sets, cases, func(*trainCase) bool { return true }, opts)
	if err != nil {
		return TrainReport{}, err
	}
	m.AbstainBelow = threshold
	rep := TrainReport{Model: m, Folds: len(folds)}
	for _, s := range sets {
		rep.Sets = append(rep.Sets, s.Name)
	}
	ins := make([]decision, len(cases))
	for i, tc := range cases {
		if ins[i], err = tc.x.decide(ctx, tc.r, &m, opts.K); err != nil {
			return TrainReport{}, err
		}
	}
	for i := range oof {
		oof[i].ans.Grounded = oof[i].ans.Grounded && oof[i].gate >= threshold
	}
	rep.InSample = trainReports(sets, cases, ins)
	rep.OutOfFold = trainReports(sets, cases, oof)
	return rep, nil
}

// thresholdFor is the highest threshold that declines at most share of the
// answerable questions' confidences.
func thresholdFor(confs []float64, share float64) float64 {
	if len(confs) == 0 {
		return 0
	}
	sort.Float64s(confs)
	return confs[min(int(math.Floor(share*float64(len(confs)))), len(confs)-1)]
}

// sourceOf is the indexed source whose name contains doc (an eval case
// names its document by a part of the file name), or doc itself.
func sourceOf(x *Index, doc string) string {
	for _, s := range x.sources() {
		if strings.Contains(s, doc) {
			return s
		}
	}
	return doc
}

// nearestSource is the source of r's candidate closest by cosine.
func nearestSource(r *retrieval) string {
	best, src := float32(math.Inf(-1)), ""
	for _, c := range r.cands {
		if c.Dense > best || c.Dense == best && c.Source < src {
			best, src = c.Dense, c.Source
		}
	}
	return src
}

// fitModel fits the three models, in order, on the cases in.
func fitModel(ctx context.Context, sets []TrainSet, cases []*trainCase, in func(*trainCase) bool, opts TrainOptions) (Model, error) {
	var m Model
	m.Sentence = Ranker{Features: featureNames(sentenceFeatures), Weights: make([]float64, len(sentenceFeatures))}
	m.Gate = Logistic{Features: featureNames(answerFeatures), Weights: make([]float64, len(answerFeatures))}
	m.Answer = m.Gate

	var gx [][][]float64
	var gy [][]bool
	for _, tc := range cases {
		if !in(tc) || tc.re == nil {
			continue
		}
		rows, labels, any := [][]float64{}, []bool{}, false
		// In ID order, not the order the last ranking left: the sums of
		// the fit, and so the weights, are then the same however the
		// folds ran before.
		cands := slices.SortedFunc(slices.Values(tc.r.cands), func(a, b *candidate) int { return strings.Compare(a.ID, b.ID) })
		for _, c := range cands {
			hit := tc.re.MatchString(c.Text)
			any = any || hit
			rows, labels = append(rows, c.feats), append(labels, hit)
		}
		if any {
			gx, gy = append(gx, rows), append(gy, labels)
		}
	}
	var err error
	if m.Passage, err = fitRanker(featureNames(passageFeatures), without(gx, passageFeatures, opts.Drop), gy, opts.L2); err != nil {
		return m, fmt.Errorf("passage ranker: %w", err)
	}

	gx, gy = nil, nil
	for _, tc := range cases {
		if !in(tc) || tc.re == nil {
			continue
		}
		d, err := tc.x.decide(ctx, tc.r, &m, opts.K)
		if err != nil {
			return m, err
		}
		rows, labels, any := [][]float64{}, []bool{}, false
		for _, s := range d.scored {
			hit := tc.re.MatchString(s.text)
			any = any || hit
			rows, labels = append(rows, s.feats), append(labels, hit)
		}
		if any {
			gx, gy = append(gx, rows), append(gy, labels)
		}
	}
	if m.Sentence, err = fitRanker(featureNames(sentenceFeatures), without(gx, sentenceFeatures, opts.Drop), gy, opts.L2); err != nil {
		return m, fmt.Errorf("answer chooser: %w", err)
	}

	// The gate learns answerable from not; SQuAD's impossible questions,
	// written to match a paragraph word for word, are left out of it: as
	// negatives they teach it that matching words mean nothing, and it then
	// declines fewer questions about other subjects (see the README). So
	// are the absent-document questions: with them, it declined more of
	// them and fewer of the off-topic ones.
	var gateX, rightX [][]float64
	var gateY, rightY []bool
	for _, tc := range cases {
		if !in(tc) || tc.c.Kind == AbsentKind {
			continue
		}
		d, err := tc.x.decide(ctx, tc.r, &m, opts.K)
		if err != nil {
			return m, err
		}
		if d.answer == nil {
			continue
		}
		if tc.c.Kind != "squad-impossible" {
			gateX, gateY = append(gateX, d.answer), append(gateY, tc.c.Doc != nil)
		}
		if tc.c.Doc != nil {
			rightX, rightY = append(rightX, d.answer), append(rightY, tc.re == nil || tc.re.MatchString(d.first))
		}
	}
	if m.Gate, err = fitLogistic(featureNames(answerFeatures), without([][][]float64{gateX}, answerFeatures, opts.Drop)[0], gateY, opts.L2); err != nil {
		return m, fmt.Errorf("gate: %w", err)
	}
	if m.Answer, err = fitLogistic(featureNames(answerFeatures), without([][][]float64{rightX}, answerFeatures, opts.Drop)[0], rightY, opts.L2); err != nil {
		return m, fmt.Errorf("answer model: %w", err)
	}
	return m, nil
}

// without returns copies of the rows with the dropped features set to 0,
// so that their fitted weights are 0.
func without[T any](groups [][][]float64, fs []feature[T], drop []string) [][][]float64 {
	var cols []int
	for i, f := range fs {
		if slices.Contains(drop, f.name) {
			cols = append(cols, i)
		}
	}
	if len(cols) == 0 {
		return groups
	}
	out := make([][][]float64, len(groups))
	for gi, g := range groups {
		out[gi] = make([][]float64, len(g))
		for i, r := range g {
			r = slices.Clone(r)
			for _, c := range cols {
				r[c] = 0
			}
			out[gi][i] = r
		}
	}
	return out
}

// trainReports scores each set's decisions as citebot eval would.
func trainReports(sets []TrainSet, cases []*trainCase, ds []decision) []EvalReport {
	tallies := make([]tally, len(sets))
	for i, tc := range cases {
		tallies[tc.set].add(tc.c, tc.re, ds[i].ans)
	}
	out := make([]EvalReport, len(sets))
	for i := range tallies {
		out[i] = tallies[i].report()
		out[i].Results, out[i].Failures = nil, nil
	}
	return out
}

// WriteModel writes m as the Go source of weights_gen.go, headed by the
// command that fitted it.
func WriteModel(w io.Writer, m Model, command string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "// Code generated by %s; DO NOT EDIT.\n\npackage rag\n\n", command)
	b.WriteString("// fitted is the model Ask answers with.\nvar fitted = Model{\n")
	for _, l := range []struct {
		name     string
		features []string
		weights  []float64
		bias     *float64
	}{
		{"Passage: Ranker", m.Passage.Features, m.Passage.Weights, nil},
		{"Sentence: Ranker", m.Sentence.Features, m.Sentence.Weights, nil},
		{"Gate: Logistic", m.Gate.Features, m.Gate.Weights, &m.Gate.Bias},
		{"Answer: Logistic", m.Answer.Features, m.Answer.Weights, &m.Answer.Bias},
	} {
		fmt.Fprintf(&b, "\t%s{\n\t\tFeatures: []string{", l.name)
		for i, f := range l.features {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(f))
		}
		b.WriteString("},\n\t\tWeights: []float64{\n")
		for i, v := range l.weights {
			fmt.Fprintf(&b, "\t\t\t%s, // %s\n", fmtFloat(v), l.features[i])
		}
		b.WriteString("\t\t},\n")
		if l.bias != nil {
			fmt.Fprintf(&b, "\t\tBias: %s,\n", fmtFloat(*l.bias))
		}
		b.WriteString("\t},\n")
	}
	fmt.Fprintf(&b, "\tAbstainBelow: %s,\n}\n", fmtFloat(m.AbstainBelow))
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return fmt.Errorf("format model: %w", err)
	}
	if _, err = w.Write(src); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
