package langchain_test

import (
	"os"
	"testing"
)

// A report written in LaTeX answers a question from a sentence of one of
// its sections and one from a row of its table, each citation naming the
// section, beside a Markdown note on another subject.
func TestAskTeX(t *testing.T) {
	report, err := os.ReadFile("testdata/report.tex")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"report.tex": report,
		"ferry.md": []byte("# Ferry timetable\n\n## Winter\n\n" +
			"The first ferry leaves the pier at 6:40 on weekdays from November to March.\n"),
	}
	x := indexFiles(t, files)
	wantFormatAnswers(t, x, []formatCase{
		{"When was the North jetty closed for repairs?", "report.tex",
			"The North jetty was closed for repairs from May to July.", "Introduction"},
		{"What was the pH at the Ferry pier?", "report.tex",
			"Site: Ferry pier; pH: 7.6; Oxygen (mg/l): 6.1.", "Results"},
	})
}
