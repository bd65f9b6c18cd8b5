package rag

import (
	"os"
	"path/filepath"
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
			for ty := anyType; ty <= nameType; ty++ {
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
