package langchain_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/citebot/citebot/rag/ragtest"
)

// A report written in LaTeX answers a question from a sentence of one of
// its sections and one from a row of its table, each citation naming the
// section, beside a Markdown note on another subject.
func TestAskTeX(t *testing.T) {
	corpus := t.TempDir()
	report, err := os.ReadFile("testdata/report.tex")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"report.tex": report,
		"ferry.md": []byte("# Ferry timetable\n\n## Winter\n\n" +
			"The first ferry leaves the pier at 6:40 on weekdays from November to March.\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(corpus, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x := ragtest.New(t, corpus)
	if docs, _ := x.Size(); docs != len(files) {
		t.Fatalf("%d documents indexed of %d files", docs, len(files))
	}
	wantFormatAnswers(t, x, []formatCase{
		{"When was the North jetty closed for repairs?", "report.tex",
			"The North jetty was closed for repairs from May to July.", "Introduction"},
		{"What was the pH at the Ferry pier?", "report.tex",
			"Site: Ferry pier; pH: 7.6; Oxygen (mg/l): 6.1.", "Results"},
	})
}
