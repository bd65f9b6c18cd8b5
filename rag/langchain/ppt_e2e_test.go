package langchain_test

import (
	"os"
	"testing"
)

// End to end: a folder of a PowerPoint 97–2003 deck and a Markdown note,
// indexed as citebot indexes it; a question about a slide's bullet is
// answered by quoting that bullet, its citation naming the slide's title
// as its section, and the note still answers its own.
func TestAskPPT(t *testing.T) {
	deck, err := os.ReadFile("testdata/deck.ppt")
	if err != nil {
		t.Fatal(err)
	}
	x := indexFiles(t, map[string][]byte{
		"review.ppt": deck,
		"canteen.md": []byte("# Canteen\n\n## Opening hours\n\nThe canteen serves lunch from noon until two o'clock.\n"),
	})
	wantFormatAnswers(t, x, []formatCase{
		{"How should trips under four hours be booked?", "review.ppt",
			"Book trains for trips under four hours.", "Travel Policy"},
		{"What is the limit for a hotel?", "review.ppt",
			"Item: Hotel; Limit: 150 euros a night.", "Travel Limits"},
		{"When does the canteen serve lunch?", "canteen.md",
			"The canteen serves lunch from noon until two o'clock.", "Opening hours"},
	})
}
