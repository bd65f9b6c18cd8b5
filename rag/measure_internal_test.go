package rag

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestTypeOfQuestion guards the answer types a chunk's reading remembers
// for every question: for those, hasAnswerType must find the same in
// every sentence of the bundled corpus and of the SQuAD sample whether the question says none of
// its words or all of them.
func TestTypeOfQuestion(t *testing.T) {
	files, err := filepath.Glob("../corpus/*.txt")
	more, err2 := filepath.Glob("../testdata/squad-dev/corpus/*")
	if files = append(files, more...); err != nil || err2 != nil || len(more) == 0 {
		t.Fatalf("corpus: %v %v", err, err2)
	}
	found := map[answerType]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, sp := range sentenceSpans(text) {
			s := text[sp.Start:sp.End]
			all := query{terms: map[string]float64{}}
			for _, w := range words(s) {
				all.terms[stem(w)] = 1
			}
			for ty := anyType; ty <= frequencyType; ty++ {
				if typeOfQuestion(ty) {
					continue
				}
				none := hasAnswerType(s, ty, query{})
				if none != hasAnswerType(s, ty, all) {
					t.Errorf("%s in %q: found %v for a question without its words, not for one with them", ty, s, none)
				}
				if none {
					found[ty]++
				}
			}
		}
	}
	for _, ty := range []answerType{dateType, timeType, durationType, numberType} {
		if found[ty] == 0 {
			t.Errorf("no sentence holds a %s: the test looks at nothing", ty)
		}
	}
}

// squadTexts returns the texts of the SQuAD sample, cut into pieces of
// about a chunk's size.
func squadTexts(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob("../testdata/squad-dev/corpus/*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("squad-dev corpus: %v", err)
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for text := string(data); len(text) > 0; {
			n := min(len(text), 600)
			for n < len(text) && text[n-1] != ' ' {
				n++
			}
			out = append(out, text[:n])
			text = text[n:]
		}
	}
	return out
}

// TestReadText checks a reading against its definition: each sentence's
// words in order, numbered through the reading's vocab, and its distinct
// content stems; with a vocabulary that knows some words and not others.
func TestReadText(t *testing.T) {
	v := newVocabulary()
	for i, text := range squadTexts(t) {
		rd := readText(v, text)
		n := 0
		for si := range rd.sents {
			s := &rd.sents[si]
			var want []string
			stems := map[string]bool{}
			eachWord(text[s.span.Start:s.span.End], func(w string) {
				want = append(want, w)
				if !stopWords[w] {
					stems[stem(w)] = true
					n++
				}
			})
			var got []string
			for _, k := range s.words {
				got = append(got, v.words[rd.vocab[k]].word)
			}
			if !slices.Equal(got, want) || s.distinct != len(stems) {
				t.Fatalf("text %d, sentence %d: words %q, %d distinct; want %q, %d", i, si, got, s.distinct, want, len(stems))
			}
		}
		if rd.n != n {
			t.Fatalf("text %d: %d content words, want %d", i, rd.n, n)
		}
		seen := map[int32]bool{}
		for _, g := range rd.vocab {
			if seen[g] {
				t.Fatalf("text %d: word %q twice in vocab", i, v.words[g].word)
			}
			seen[g] = true
		}
	}
}

// BenchmarkReadText reads chunks of the SQuAD sample as a question reads
// those it retrieves: with a vocabulary that knows their words already
// (known), and one that meets them for the first time (new).
func BenchmarkReadText(b *testing.B) {
	texts := squadTexts(b)
	b.Run("known", func(b *testing.B) {
		v := newVocabulary()
		for _, t := range texts {
			readText(v, t)
		}
		i := 0
		for b.Loop() {
			readText(v, texts[i%len(texts)])
			i++
		}
	})
	b.Run("new", func(b *testing.B) {
		i := 0
		for b.Loop() {
			readText(newVocabulary(), texts[i%len(texts)])
			i++
		}
	})
}

// A sentence's reading keeps, for every question, what no question
// changes of its answer types; asked again, or for another question, it
// gives what looking afresh gives.
func TestReadSentenceTypeOf(t *testing.T) {
	x := &Index{}
	sentences := []string{
		"The office is in the Old Mill on Quay Street.",
		"Logs are kept in /var/log/app.",
		"Dr Amira Patel runs the clinic.",
		"Tickets cost £12 and the show starts at 7.30pm on 3 May.",
		"It is open every day.",
	}
	questions := []string{"Where is the office?", "Who runs the clinic?", "Where are the logs kept?",
		"How much are tickets?", "When does the show start?", "Where is Amira Patel's clinic?"}
	for _, text := range sentences {
		var read readSentence
		for round := range 2 {
			for _, question := range questions {
				q := x.analyse(question)
				if got, want := read.typeOf(text, q.want, &q), hasAnswerType(text, q.want, q); got != want {
					t.Errorf("round %d: %q for %q (%v): %v, want %v", round, text, question, q.want, got, want)
				}
			}
		}
	}
}
