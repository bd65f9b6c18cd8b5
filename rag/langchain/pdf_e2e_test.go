package langchain_test

import (
	"testing"

	"github.com/citebot/citebot/rag/ragtest"
)

// End to end: a PDF's table row answers a question about it, named by
// its header's cells as a Word or HTML table's row is, and a wrapped
// cell whole; a page of two columns answers from its prose.
func TestAskPDFTables(t *testing.T) {
	files := withFixtures(t, map[string][]byte{
		"fire.pdf": ragtest.PDF("Fire drills are held on the first Monday of every quarter."),
	}, "pdf-tables.pdf", "pdf-columns.pdf")
	x := indexFiles(t, files)
	wantFormatAnswers(t, x, []formatCase{
		{"When is the tool library open?", "pdf-tables.pdf",
			"Room: Tool library; Opening hours: Saturdays 10:00 am – 1:00 pm; Notes: Drills, ladders and sewing machines can be borrowed for up to a week.", ""},
		{"What time is story time for under-fives?", "pdf-tables.pdf",
			"Room: Children's library and story corner; Opening hours: 10:00 am – 5:00 pm; Notes: Story time for the under-fives every Tuesday and Thursday at 10:30 am, with songs and a craft table afterwards.", ""},
		{"How much is the fine for a late book per day?", "pdf-tables.pdf",
			"Item: Book; Loan period: 3 weeks; Fine per day: £0.20; Most charged: £6.00.", ""},
		{"When is the spring seed swap?", "pdf-columns.pdf",
			"The spring seed swap takes place in the community hall on the first Saturday of March.", ""},
	})
}
