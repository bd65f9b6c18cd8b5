package rag

import (
	"slices"
	"strings"
	"testing"
)

func TestParseHeading(t *testing.T) {
	for _, c := range []struct {
		line  string
		level int
		text  string // "" for no heading
	}{
		{"# Title", 1, "Title"},
		{"### Carry-over ###", 3, "Carry-over"},
		{"   ## Indented", 2, "Indented"},
		{"    # code block", 0, ""},
		{"#hashtag", 0, ""},
		{"####### seven", 0, ""},
		{"#", 0, ""},
		{"Plain text # not a heading", 0, ""},
	} {
		h, ok := parseHeading(c.line)
		if ok != (c.text != "") || h.level != c.level || h.text != c.text {
			t.Errorf("parseHeading(%q) = %+v, %v; want level %d %q", c.line, h, ok, c.level, c.text)
		}
	}
}

// paragraphs splits text at blank lines, one passage each.
type paragraphs struct{}

func (paragraphs) SplitText(text string) ([]string, error) { return strings.Split(text, "\n\n"), nil }

// A chunk's section is the path of headings over where its text begins,
// the document's title left out; a chunk that opens with a heading is in
// that heading's section.
func TestSections(t *testing.T) {
	text := "# Acme Handbook\n\nWelcome to Acme.\n\n## Vacation\n\nEvery employee has 25 days.\n\n### Carry-over\n\nFive days carry over.\n\n## Benefits\nMeals are paid.\n\nGym is not."
	doc := Document{Source: "h.md", Title: "Acme Handbook", Text: text, Kept: []Span{{0, len(text)}}}
	chunks, err := SplitDocument(doc, paragraphs{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Welcome to Acme.":             "",
		"Every employee has 25 days.":  "Vacation",
		"Five days carry over.":        "Vacation › Carry-over",
		"## Benefits\nMeals are paid.": "Benefits",
		"Gym is not.":                  "Benefits",
		"### Carry-over":               "Vacation › Carry-over",
		"## Vacation":                  "Vacation",
		"# Acme Handbook":              "",
	}
	for _, c := range chunks {
		w, ok := want[c.Text]
		if !ok {
			t.Errorf("unexpected chunk %q", c.Text)
			continue
		}
		if c.Section != w {
			t.Errorf("chunk %q: section %q, want %q", c.Text, c.Section, w)
		}
	}
}

// Plain text without Markdown headings has its lines in capitals as
// headings, numbered or not; a line in capitals that ends a sentence, or a
// Markdown document's, is none.
func TestCapitalHeadings(t *testing.T) {
	for _, c := range []struct {
		source, text string
		want         []string
	}{
		{"minutes.txt", "CLUB MINUTES\n\n1. BOATHOUSE REPAIRS\nThe roof leaks.\n\n2. REGATTA:\nEntries open in May.\nNOTE THIS.\n", []string{"CLUB MINUTES", "BOATHOUSE REPAIRS", "REGATTA"}},
		{"report.txt", "II. BACKGROUND\nText.\nIV) FINDINGS AND NEXT STEPS\nMore.\n", []string{"BACKGROUND", "FINDINGS AND NEXT STEPS"}},
		{"minutes.txt", "25/36 PLAYGROUND\nTwo quotes came in.\n4.2 SCOPE\nText.\n3.1.2. RISKS:\nMore.\n12/2025 OK\nSWIM SCHOOL (CHILDREN)\nLessons last 30 minutes.\nSCHOOL SERVICE 14S\nIt leaves at 07:55.\nCOVID-19 UPDATE\nMasks are optional.\n2.10. SCOPE OF WORK\nText.\n1.2.10 APPENDIX\nText.\n24TH ANNUAL MEETING\nText.\n", []string{"PLAYGROUND", "SCOPE", "RISKS", "SWIM SCHOOL (CHILDREN)", "SCHOOL SERVICE 14S", "COVID-19 UPDATE", "SCOPE OF WORK", "APPENDIX", "24TH ANNUAL MEETING"}},
		// Numbers, addresses, prices, dates and code in capitals are no
		// headings.
		{"notice.txt", "ROOM 101\nPO BOX 42\n14 STATION ROAD\nLONDON SW1A 1AA\nOPEN 24 HOURS\nCLOSED 24-26 DECEMBER\nCALL 01632 960 175 (OFFICE HOURS)\n4.50 GBP\n4.50 EACH\n09.00 REGISTRATION\n10.30 COFFEE BREAK\nLAST ENTRY 5PM\nOPEN 9AM-5PM\nCLOSED 25TH DECEMBER\n12.03.2025 AGM\n12.03.2025 AGENDA\n(ABC)\n()()ABC\nCREATE TABLE USERS (ID INT, NAME TEXT)\n", nil},
		{"formats.txt", "We read:\n- PDF\n- DOCX\n* HTML\nTOTAL £8,400\nHDMI 2.1\nTEL 01632 960 175\nSELECT * FROM USERS\nOK\n", nil},
		{"notes.txt", "Vacation policy\nEmployees get 25 days. USA\n", nil},
		{"guide.md", "# Guide\n\nINTRODUCTION\n\nText.\n", []string{"Guide"}},
	} {
		var got []string
		for _, h := range docHeadings(Document{Source: c.source, Text: c.text}) {
			got = append(got, h.text)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("docHeadings(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// A document marks its headings with "#", or with capitals when three or
// more of its lines are in capitals; a title in capitals alone does not.
func TestMarksHeadings(t *testing.T) {
	for _, c := range []struct {
		source, text string
		want         bool
	}{
		{"guide.md", "# Guide\n\nText.\n", true},
		{"minutes.txt", "CLUB MINUTES\n\nAPOLOGIES\nJo Marsh, Treasurer\n\n1. REPAIRS\nThe roof leaks.\n", true},
		{"history.txt", "HISTORY OF THE TOWN\n\nThe railway\n\nThe station opened in 1858.\n", false},
		{"notes.txt", "Vacation policy\nEmployees get 25 days.\n", false},
	} {
		if got := marksHeadings(docHeadings(Document{Source: c.source, Text: c.text})); got != c.want {
			t.Errorf("marksHeadings(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
