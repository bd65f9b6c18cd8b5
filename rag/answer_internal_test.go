package rag

import (
	"strings"
	"testing"
)

func TestQuoteText(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"opening curly never closes", "“We already know the answer.", "We already know the answer."},
		{"opening curly that closes is kept", "“Yes” and “no", "“Yes” and “no"},
		{"straight quotes that pair are kept", `"Yes," he said, "no`, `"Yes," he said, "no`},
		{"balanced curly kept", "“Yes,” he said.", "“Yes,” he said."},
		{"balanced curly at the end kept", "He said “yes.”", "He said “yes.”"},
		{"trailing curly never opened", "the answer was clear.”", "the answer was clear."},
		{"opening straight never closes", `"We already know the answer.`, "We already know the answer."},
		{"balanced straight kept", `He said "yes" twice.`, `He said "yes" twice.`},
		{"trailing straight never opened", `the answer was clear."`, "the answer was clear."},
		{"single curly opening never closes", "‘We know.", "We know."},
		{"guillemet never closes", "« Oui, dit-il.", "Oui, dit-il."},
		{"unbalanced in the middle kept", "He said “no.", "He said “no."},
		{"apostrophes are not quotes", "The boys' toys.", "The boys' toys."},
		{"no quotes", "Rollo ruled Normandy.", "Rollo ruled Normandy."},
		{"only a quote mark", "“", ""},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := quoteText(c.in)
			if got != c.want {
				t.Errorf("quoteText(%q) = %q, want %q", c.in, got, c.want)
			}
			if !strings.Contains(c.in, got) {
				t.Errorf("quoteText(%q) = %q is not verbatim", c.in, got)
			}
		})
	}
}

func TestIsHeading(t *testing.T) {
	for _, c := range []struct {
		name                       string
		text                       string
		sentence                   string // the sentence of text to judge
		want                       bool
		marked, lineStart, lineEnd bool // the document marks its headings; the passage starts and ends at a line's edge
	}{
		{"line of its own without a stop", "Vacation policy\nEmployees get 25 days.", "Vacation policy", true, false, false, false},
		{"the sentence under it", "Vacation policy\nEmployees get 25 days.", "Employees get 25 days.", false, false, false, false},
		{"heading between paragraphs", "Some intro.\nVacation policy\nEmployees get 25 days.", "Vacation policy", true, false, false, false},
		{"heading with trailing spaces", "Vacation policy  \nEmployees get 25 days.", "Vacation policy", true, false, false, false},
		{"markdown heading", "# Title\nSome text here.", "# Title", true, false, false, false},
		{"markdown heading with a stop", "## Who we are.\nSome text here.", "## Who we are.", true, false, false, false},
		{"normal sentence", "The duchy was ruled by Rollo. He was a Viking.", "The duchy was ruled by Rollo.", false, false, false, false},
		{"line of its own with a stop", "Intro\nEmployees get 25 days.\nMore", "Employees get 25 days.", false, false, false, false},
		{"label with a colon", "Opening hours:\nNine to five.", "Opening hours:", false, false, false, false},
		// A line the chunk ends on reads as a heading: a heading is often
		// a chunk's last line, and a line cut off there is no answer either.
		{"a heading as the chunk's last line", "Employees get 25 days.\nVacation policy", "Vacation policy", true, false, false, false},
		{"cut mid-sentence on its own line at the end", "Some intro.\nThe duchy was ruled by", "The duchy was ruled by", true, false, false, false},
		{"whole passage cut mid-sentence", "The duchy was ruled by", "The duchy was ruled by", true, false, false, false},
		{"fragment after a sentence", "The duchy was ruled by Rollo. He was a Viking who", "He was a Viking who", false, false, false, false},
		{"long line without a stop", "This line has far more than twelve words in it and so it is not a heading at all\nNext.",
			"This line has far more than twelve words in it and so it is not a heading at all", false, false, false, false},
		// A line in capitals is a heading, though numbered as a list's
		// item; in capitals within a line, it is not.
		{"numbered line in capitals", "Some intro.\n6. CATERING CONTRACT\n\nBids came in.", "CATERING CONTRACT", true, false, false, false},
		{"marked: numbered line in capitals", "Some intro.\n\n6. CATERING CONTRACT\n\nBids came in.", "CATERING CONTRACT", true, true, true, true},
		{"numbered line in lower case", "Some intro.\n2. PostgreSQL 15 or later\n3. Go 1.22", "PostgreSQL 15 or later", false, false, false, false},
		{"capitals inside a line", "Some intro. NOT A HEADING\nMore.", "NOT A HEADING", false, false, false, false},
		// A line indented under the one before is an item of it, not a
		// heading.
		{"indented item", "Opening hours:\n  Saturday 8.30 to 9.00 am\n  Sunday closed", "Saturday 8.30 to 9.00 am", false, false, false, false},
		{"indented item, last line", "Opening hours:\n  Saturday 8.30 to 9.00 am\n  Sunday closed", "Sunday closed", false, false, false, false},
		{"centred heading", "                Saturday Swimming Lessons\n\nLessons run at ten.", "Saturday Swimming Lessons", true, false, false, false},
		{"centred heading, first line of a passage", "                Saturday Swimming Lessons\nLessons run at ten.", "Saturday Swimming Lessons", true, false, true, false},
		{"line in capitals with a colon", "Some intro.\n2. REGATTA:\nEntries open in May.", "REGATTA:", true, false, false, false},
		{"item number and capitals", "Some intro.\n25/36 PLAYGROUND\nTwo quotes came in.", "25/36 PLAYGROUND", true, false, false, false},
		{"roman numeral and capitals", "Some intro.\nII. BACKGROUND\nThe club was founded in 1901.", "BACKGROUND", true, false, false, false},
		{"marked: an item in capitals", "We hold these:\n\n- GDPR\n- HIPAA\n\nMore.", "GDPR", false, true, true, true},
		{"marked: a total in capitals", "Costs.\n\nTOTAL £8,400\n\nMore.", "TOTAL £8,400", false, true, true, true},
		// A document that marks its headings ("# …") has none unmarked:
		// a line of its own is a slide's point or a list item, unless the
		// passage cuts it off.
		{"marked: a point of a slide", "# Q3 results\n\nRevenue grew 12%\n\nThree new customers", "Revenue grew 12%", false, true, true, false},
		{"marked: a heading", "# Q3 results\n\nRevenue grew 12%\n\nThree new customers", "# Q3 results", true, true, true, false},
		{"marked: the passage's last line, cut off", "# Q3 results\n\nRevenue grew 12%\n\nThree new customers", "Three new customers", true, true, true, false},
		{"marked: the passage's last line, whole", "# Q3 results\n\nRevenue grew 12%\n\nThree new customers", "Three new customers", false, true, true, true},
		{"marked: the first line of a passage cut mid-line", "grew 12% in Q3\n\nThree new customers\n\nMore", "grew 12% in Q3", true, true, false, true},
		{"marked: the first line of a passage starting a line", "Revenue grew 12%\n\nMore", "Revenue grew 12%", false, true, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, sp := range sentenceSpans(c.text) {
				if c.text[sp.Start:sp.End] != c.sentence {
					continue
				}
				if got := isHeading(c.text, sp, c.marked, c.lineStart, c.lineEnd); got != c.want {
					t.Errorf("isHeading(%q, %q) = %v, want %v", c.text, c.sentence, got, c.want)
				}
				return
			}
			t.Fatalf("sentenceSpans(%q) has no sentence %q", c.text, c.sentence)
		})
	}
}

func TestIsCellsAndBlanks(t *testing.T) {
	for _, c := range []struct {
		s             string
		cells, blanks bool
	}{
		{"Specification | Aura T3", true, false},
		{"Home | About | Contact", true, false},
		{"Signed: ............................ (Chair)     Date: ..................", false, true},
		{"Name: ________", false, true},
		{"Signed: ……… (Chair)", false, true},
		{"I, ______ (name), agree to the terms.", false, true},
		{"Introduction ........ 3", false, false},
		{"Child swim ........ £3.20", false, false}, // a dot leader before a value
		{"| Paris | 180 euros | Line manager |", false, false},
		{"Specification: Display; Aura T3: 3.5-inch color touchscreen.", false, false},
		{"The meeting closed at 8.12 pm.", false, false},
		{"He paused... then spoke.", false, false},
		{"He paused…", false, false},
		{"```sh", false, true},
		{"```", false, true},
		{"sudo systemctl enable --now larchdb", false, false},
	} {
		if got := isCells(c.s); got != c.cells {
			t.Errorf("isCells(%q) = %v, want %v", c.s, got, c.cells)
		}
		if got := isBlanks(c.s); got != c.blanks {
			t.Errorf("isBlanks(%q) = %v, want %v", c.s, got, c.blanks)
		}
	}
}

func TestRunInHeading(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"3.4 Pedals.", true},
		{"3.5 Saddle height.", true},
		{"5.3 Adjusting lever travel.", true},
		{"12.1 Late submission.", true},
		{"12.2 Switch off the mains.", false}, // an instruction of four words
		{"1. Remove the cover.", false},       // a list's item: no point inside its number
		{"2. No.", false},
		{"3.4 pedals.", false}, // no capital
		{"3.4 Pedals", false},  // no full stop
		{"Pedals.", false},     // no number: see TestRunInTitle
	} {
		if got := runInHeading(c.s); got != c.want {
			t.Errorf("runInHeading(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestRunInTitleShape(t *testing.T) {
	for _, c := range []struct {
		s, rest string
		want    bool
	}{
		{"Cancellations.", " Please give at least 48 hours' notice if you need to cancel.", true},
		{"Late arrival.", " If you arrive more than 15 minutes late we may shorten the groom.", true},
		{"Vaccinations.", " All dogs must be fully vaccinated.", true},
		{"Pedals.", " The pedals are marked L and R.", true},
		{"Free.", " Booking essential.", false},                      // the line takes up no word of it: an answer
		{"Closed.", " Reopens on Monday.", false},                    // likewise
		{"Dogs are welcome.", " Please keep dogs on a lead.", false}, // a function word: it says something
		{"Parking is free.", " Parking fills up early.", false},
		{"Yes.", " Yes, you can.", false},
		{"Switch off the mains.", " Switch off before you open the case.", false}, // four words
		{"pedals.", " The pedals are marked.", false},
	} {
		if got := runInTitle(c.s, c.rest); got != c.want {
			t.Errorf("runInTitle(%q, %q) = %v, want %v", c.s, c.rest, got, c.want)
		}
	}
}
