package langchain_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
)

// The goal of issue 12: a corpus of mixed formats (Markdown, HTML, text,
// CSV, DOCX, PPTX, ODT, PDF) answers a question from each, with no file
// skipped, a spreadsheet or table row answered from that row, and each citation
// naming its section where the file has one.
func TestAskMixedFormats(t *testing.T) {
	files := map[string][]byte{
		"benefits.md": []byte("# Benefits guide\n\n## Meals\n\nEvery employee receives a meal allowance of 10 euros per working day.\n"),
		"parking.html": []byte(`<html><head><title>Intranet | Parking</title></head><body><nav>Home · News</nav>
<h1>Parking rules</h1><h2>Bicycles</h2><p>Bicycles are parked in the basement garage beside the lifts.</p></body></html>`),
		"wifi.txt":     []byte("Guest network\n\nThe guest wireless network password is printed at the reception desk.\n"),
		"holidays.csv": []byte("date,holiday,offices\n2024-12-25,Christmas Day,all offices\n2024-12-26,Boxing Day,London and Dublin\n2025-01-01,New Year's Day,all offices\n"),
		"handbook.docx": makeDOCX(wPara("Title", "Staff Handbook")+
			wPara("Heading1", "Vacation")+
			wPara("", "Every employee gets 25 days of paid vacation per calendar year.")+
			wPara("Heading1", "Expenses")+
			wTable([]string{"Item", "Limit"}, []string{"Hotel", "150 euros a night"}, []string{"Taxi", "40 euros a ride"}), true),
		"security.pptx": makePPTX(pShape("ctrTitle", "Security Basics"), pShape("title", "Phishing")+pShape("body",
			"Suspicious emails must be forwarded to the security desk within one hour.")),
		"garden.odt": makeODT(`<text:h text:outline-level="1">Roof garden</text:h>` +
			`<text:p>The roof garden is open to staff from April until the end of October.</text:p>`),
		"fire.pdf": ragtest.PDF("Fire drills are held on the first Monday of every quarter."),
	}
	x := indexFiles(t, files)
	wantFormatAnswers(t, x, []formatCase{
		{"How much is the meal allowance per working day?", "benefits.md",
			"Every employee receives a meal allowance of 10 euros per working day.", "Meals"},
		{"Where are bicycles parked?", "parking.html",
			"Bicycles are parked in the basement garage beside the lifts.", "Bicycles"},
		{"Where is the guest wireless network password printed?", "wifi.txt",
			"The guest wireless network password is printed at the reception desk.", ""},
		{"Which offices are closed on Boxing Day?", "holidays.csv",
			"date: 2024-12-26; holiday: Boxing Day; offices: London and Dublin.", ""},
		{"How many days of paid vacation does an employee get per year?", "handbook.docx",
			"Every employee gets 25 days of paid vacation per calendar year.", "Vacation"},
		{"What is the limit for a hotel?", "handbook.docx",
			"Item: Hotel; Limit: 150 euros a night.", "Expenses"},
		{"Where must suspicious emails be forwarded?", "security.pptx",
			"Suspicious emails must be forwarded to the security desk within one hour.", "Phishing"},
		{"When is the roof garden open to staff?", "garden.odt",
			"The roof garden is open to staff from April until the end of October.", ""},
		{"When are fire drills held?", "fire.pdf",
			"Fire drills are held on the first Monday of every quarter.", ""},
	})
}

// withFixtures adds the files of testdata named to files, by name.
func withFixtures(t *testing.T, files map[string][]byte, names ...string) map[string][]byte {
	t.Helper()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	return files
}

// indexFiles indexes a corpus of files, by name, and fails unless each is
// a document of the index.
func indexFiles(t *testing.T, files map[string][]byte) *rag.Index {
	t.Helper()
	corpus := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(corpus, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x := ragtest.New(t, corpus)
	if docs, _ := x.Size(); docs != len(files) {
		t.Fatalf("%d documents indexed of %d files", docs, len(files))
	}
	return x
}

// formatCase is a question, the file that answers it, the sentence its
// answer opens with and the section its citation names ("" for any).
type formatCase struct{ question, source, sentence, section string }

// wantFormatAnswers asks each question of x and checks its answer's first
// sentence, source and section.
func wantFormatAnswers(t *testing.T, x *rag.Index, cases []formatCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.source, func(t *testing.T) {
			ans, err := x.Ask(context.Background(), c.question, 5)
			if err != nil {
				t.Fatal(err)
			}
			if !ans.Grounded || len(ans.Citations) == 0 {
				t.Fatalf("%q: declined (confidence %.3f)", c.question, ans.Confidence)
			}
			cite := ans.Citations[0]
			if cite.Source != c.source || !strings.HasPrefix(ans.Answer, c.sentence) {
				t.Errorf("%q: answer %q citing %s, want %q from %s", c.question, ans.Answer, cite.Source, c.sentence, c.source)
			}
			if c.section != "" && cite.Section != c.section {
				t.Errorf("%q: section %q, want %q", c.question, cite.Section, c.section)
			}
		})
	}
}
