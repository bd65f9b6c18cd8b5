package langchain_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/ragtest"
)

// End to end: a corpus of a Word handbook, PowerPoint slides, an
// OpenDocument text and an e-book, indexed as citebot indexes it; each
// question is answered by quoting a sentence of the file that holds it,
// never a heading.
func TestAskOfficeFiles(t *testing.T) {
	corpus := t.TempDir()
	files := map[string][]byte{
		"handbook.docx": makeDOCX(
			wPara("Title", "Staff Handbook")+
				wPara("Heading1", "Vacation")+
				wPara("", "Every employee gets 25 days of paid vacation per calendar year.")+
				wPara("Heading2", "Carry-over")+
				wPara("", "Up to five unused vacation days may be carried over into the next year.")+
				wPara("Heading1", "Expenses")+
				wPara("", "Travel expenses are reimbursed within 30 days of submitting receipts.")+
				wTable([]string{"Item", "Limit"}, []string{"Hotel", "150 euros a night"}), true),
		"security.pptx": makePPTX(
			pShape("ctrTitle", "Security Basics")+pShape("subTitle", "Training for new staff"),
			pShape("title", "Phishing")+pShape("body",
				"Suspicious emails must be forwarded to the security desk within one hour.",
				"Never open attachments from unknown senders."),
			pShape("title", "Passwords")+pShape("body", "Passwords are changed every ninety days and are never shared.")),
		// Slides' points seldom end in a full stop: they are still
		// sentences to quote, not headings.
		"results.pptx": makePPTX(
			pShape("title", "Third quarter results") + pShape("body",
				"Revenue grew 12% to 4.2 million euros",
				"Three new customers signed in Germany")),
		"garden.odt": makeODT(`<text:h text:outline-level="1">Roof garden</text:h>` +
			`<text:p>The roof garden is open to staff from April until the end of October.</text:p>`),
		"lighthouse.epub": makeEPUB("The Lighthouse",
			`<h1>Chapter One</h1><p>The lighthouse keeper logged forty ships in the month of May.</p>`),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(corpus, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x := ragtest.New(t, corpus)
	for _, c := range []struct {
		question, source, sentence string
	}{
		{"How many days of paid vacation does an employee get per year?", "handbook.docx",
			"Every employee gets 25 days of paid vacation per calendar year."},
		{"How many unused vacation days can be carried over?", "handbook.docx",
			"Up to five unused vacation days may be carried over into the next year."},
		{"Where must suspicious emails be forwarded?", "security.pptx",
			"Suspicious emails must be forwarded to the security desk within one hour."},
		{"How often are passwords changed?", "security.pptx",
			"Passwords are changed every ninety days and are never shared."},
		{"How much did revenue grow in the third quarter?", "results.pptx",
			"Revenue grew 12% to 4.2 million euros"},
		{"When is the roof garden open to staff?", "garden.odt",
			"The roof garden is open to staff from April until the end of October."},
		{"How many ships did the lighthouse keeper log in May?", "lighthouse.epub",
			"The lighthouse keeper logged forty ships in the month of May."},
	} {
		t.Run(c.source, func(t *testing.T) {
			ans, err := x.Ask(context.Background(), c.question, 5)
			if err != nil {
				t.Fatal(err)
			}
			if !ans.Grounded || len(ans.Citations) == 0 {
				t.Fatalf("%q: not answered: %+v", c.question, ans)
			}
			if got := ans.Citations[0].Source; got != c.source {
				t.Errorf("%q: cited %s, want %s", c.question, got, c.source)
			}
			if !strings.HasPrefix(ans.Answer, c.sentence) {
				t.Errorf("%q: answer %q, want the sentence %q", c.question, ans.Answer, c.sentence)
			}
			if strings.Contains(ans.Answer, "#") {
				t.Errorf("%q: answer %q quotes a heading", c.question, ans.Answer)
			}
		})
	}
}
