package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
)

// train fits the answer models to pairs of corpus and questions:
// citebot train [--json] [--out FILE] CORPUS QUESTIONS [CORPUS QUESTIONS ...].
// Each corpus is indexed in memory with the configured settings; the
// report gives in-sample and out-of-fold (leave one article out) figures,
// and --out writes the weights as Go source.
func train(ctx context.Context, env Env, o *opts) error {
	if len(o.args) == 0 || len(o.args)%2 != 0 {
		return fmt.Errorf("%w: train takes pairs of CORPUS_DIR QUESTIONS.jsonl", ErrUsage)
	}
	var sets []rag.TrainSet
	for i := 0; i < len(o.args); i += 2 {
		dir, file := o.args[i], o.args[i+1]
		cases, err := rag.ReadEvalFile(file)
		if err != nil {
			return fmt.Errorf("train: %w", err)
		}
		// The models are fitted for the default pipeline — the bundled
		// embedder, chromem and BM25 in memory, default chunks, no LLM —
		// whatever the configuration says, so that a configured Weaviate
		// collection is never written to and the weights fit what ships.
		so := *o
		def := config.Default()
		so.cfg.Corpus, so.cfg.Data = dir, ""
		so.cfg.Store, so.cfg.LLM, so.cfg.Embedder = def.Store, def.LLM, def.Embedder
		so.cfg.ChunkSize, so.cfg.ChunkOverlap = def.ChunkSize, def.ChunkOverlap
		x, err := openInProcess(ctx, env, &so)
		if err != nil {
			return fmt.Errorf("train %s: %w", dir, err)
		}
		without := func(ctx context.Context, source string) (*rag.Index, error) {
			return indexWithout(ctx, env, &so, source)
		}
		sets = append(sets, rag.TrainSet{Name: file, Index: x, Cases: cases, Without: without})
	}
	var drop []string
	if o.drop != "" {
		drop = strings.Split(o.drop, ",")
	}
	if len(drop) > 0 && o.out != "" {
		return fmt.Errorf("%w: --drop is for measuring; it cannot write weights (--out)", ErrUsage)
	}
	rep, err := rag.Train(ctx, sets, rag.TrainOptions{K: o.k, Drop: drop})
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if o.out != "" {
		var b bytes.Buffer
		cmd := "citebot train --out " + o.out + " " + strings.Join(o.args, " ")
		if err := rag.WriteModel(&b, rep.Model, cmd); err != nil {
			return err
		}
		if err := writeFileAtomic(o.out, b.Bytes()); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	}
	if o.json {
		return writeJSON(env.Stdout, rep)
	}
	printTrain(env, rep)
	return nil
}

// indexWithout indexes o's corpus without the document at source, in
// memory, from a copy of the corpus with it left out. The files it cannot
// read were warned of when the corpus itself was indexed: the copy's
// index says nothing of them again.
func indexWithout(ctx context.Context, env Env, o *opts, source string) (*rag.Index, error) {
	tmp, err := os.MkdirTemp("", "citebot-train-")
	if err != nil {
		return nil, fmt.Errorf("index without %s: %w", source, err)
	}
	defer os.RemoveAll(tmp)
	if err := copyCorpusWithout(tmp, o.cfg.Corpus, source); err != nil {
		return nil, fmt.Errorf("index without %s: copy the corpus: %w", source, err)
	}
	so := *o
	so.cfg.Corpus = tmp
	quiet := env
	quiet.Stderr = io.Discard
	x, err := openInProcess(ctx, quiet, &so)
	if err != nil {
		return nil, fmt.Errorf("index without %s: %w", source, err)
	}
	return x, nil
}

// openInProcess opens and syncs o's index, which training needs in
// process.
func openInProcess(ctx context.Context, env Env, o *opts) (*rag.Index, error) {
	idx, _, err := open(ctx, env, o, nil)
	if err != nil {
		return nil, err
	}
	x, ok := idx.(*rag.Index)
	if !ok {
		return nil, errors.New("training needs the in-process index")
	}
	return x, nil
}

// copyCorpusWithout copies the files of the corpus at src that an index
// reads (rag.CorpusFiles: a link as the file it leads to) into dst, at
// their paths there, but the one indexed as source, which must be one.
func copyCorpusWithout(dst, src, source string) error {
	files, err := rag.CorpusFiles(src)
	if err != nil {
		return err
	}
	found := false
	for _, f := range files {
		if f.Source == source {
			found = true
			continue
		}
		if err := copyFile(filepath.Join(dst, filepath.FromSlash(f.Rel)), f.Path); err != nil && !errors.Is(err, errUnreadable) {
			return err
		}
	}
	if !found {
		return fmt.Errorf("no document %s in %s", source, src)
	}
	return nil
}

// errUnreadable is a corpus file that cannot be opened: the index skips
// it, and so does the copy.
var errUnreadable = errors.New("unreadable")

// copyFile copies the file at from to a new file at to, making its folder.
func copyFile(to, from string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("%w: %w", errUnreadable, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func printTrain(env Env, r rag.TrainReport) {
	w := env.Stdout
	fmt.Fprintf(w, "folds: %d (one article each); abstain below %.3f\n\n", r.Folds, r.Model.AbstainBelow)
	fmt.Fprintf(w, "%-22s %-10s %9s %9s %9s %9s %s\n", "set", "", "hit@1", "answer", "first", "false abst", "declined")
	for i, set := range r.Sets {
		for _, row := range []struct {
			name string
			r    rag.EvalReport
		}{{"in-sample", r.InSample[i]}, {"out-of-fold", r.OutOfFold[i]}} {
			e := row.r
			var declined []string
			for _, k := range e.ByKind {
				if k.Answerable == 0 {
					declined = append(declined, fmt.Sprintf("%s %s", k.Kind, pct(k.Declined, k.Questions)))
				}
			}
			fmt.Fprintf(w, "%-22s %-10s %9s %9s %9s %9s %s\n", set, row.name,
				pct(e.SpanHit1, e.Answerable), pct(e.AnswerHit, e.Answerable), pct(e.FirstSentenceHit, e.Answerable), pct(e.FalseAbstentions, e.Answerable),
				strings.Join(declined, ", "))
		}
	}
}
