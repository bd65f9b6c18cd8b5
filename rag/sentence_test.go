package rag

import (
	"reflect"
	"testing"
)

func TestSentenceSpans(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{"Prime Minister K.Massimov reported. It went well.", []string{"Prime Minister K.Massimov reported.", "It went well."}},
		{"Mr. Smith met Dr. Jones. Then they left.", []string{"Mr. Smith met Dr. Jones.", "Then they left."}},
		{"The U.S. government and J. R. Tolkien agreed.", []string{"The U.S. government and J. R. Tolkien agreed."}},
		{"“We will win.” He said so.", []string{"“We will win.”", "He said so."}},
		{"tasks:\nto strengthen the Guard;\nto revise the rules;", []string{"tasks:", "to strengthen the Guard;", "to revise the rules;"}},
		{"Rates fell 2.5 percent. 10 % quit.", []string{"Rates fell 2.5 percent.", "10 % quit."}},
		{"  \n\n ", nil},
		{"end of text.  ", []string{"end of text."}},
		// A list item's marker is no part of its sentence; a line that
		// only looks like one is read as it is.
		{"## Needs\n\n- Linux\n* PostgreSQL 15 or later\n  • 4 GB of RAM", []string{"## Needs", "Linux", "PostgreSQL 15 or later", "4 GB of RAM"}},
		{"1. Download it.\n2) Unpack it. Then run it.\n10. Done", []string{"Download it.", "Unpack it.", "Then run it.", "Done"}},
		// A Word list printed to PDF: the Symbol font's bullet, in the
		// Private Use Area.
		{"\uf0b7 Economy class for short flights\n● Rail for trips under 500 km", []string{"Economy class for short flights", "Rail for trips under 500 km"}},
		{"-5 degrees at night.\n2019. A good year.\n**Bold** start.", []string{"-5 degrees at night.", "2019.", "A good year.", "**Bold** start."}},
		{"Note - a dash inside. 3. Not a list item here.", []string{"Note - a dash inside.", "3.", "Not a list item here."}},
		// A Markdown heading is one sentence, whatever stops it holds; a
		// "#" word or one indented as code is not a heading.
		{"## 8. Conduct and Discipline\n8.1 Members shall behave. Always.\n   ### Dr. Who\n#hashtag. Here.",
			[]string{"## 8. Conduct and Discipline", "8.1 Members shall behave.", "Always.", "### Dr. Who", "#hashtag.", "Here."}},
		// A leader, four dots or more, joins a label to its value; an
		// ellipsis may end a sentence.
		{"Saturday ............. 8:00am - 6:00pm\nAdult swim ........ £5.20\nChapter 3 . . . . 41", []string{"Saturday ............. 8:00am - 6:00pm", "Adult swim ........ £5.20", "Chapter 3 . . . . 41"}},
		{"We waited... Then it rained.", []string{"We waited...", "Then it rained."}},
		{"Saturday........ 8:00am - 6:00pm\nIntroduction.......... 3", []string{"Saturday........ 8:00am - 6:00pm", "Introduction.......... 3"}},
		{"Chapter 4 .  .  .  . 52\nWait.... What?\nThe road was long. . . . We arrived at dawn.", []string{"Chapter 4 .  .  .  . 52", "Wait....", "What?", "The road was long. . . .", "We arrived at dawn."}},
		// A line indented to where the text of the entry above starts,
		// after its time, marker or number, goes on with that entry (a
		// hanging indent); one indented otherwise, or with a label of its
		// own, does not.
		{"10.00  OPENING LECTURE: Dr Hannah Pelham\n       \"Mills and Millers\"\n11.15  Parish maps", []string{"10.00  OPENING LECTURE: Dr Hannah Pelham\n       \"Mills and Millers\"", "11.15  Parish maps"}},
		{"- Bring a packed lunch and\n  a raincoat\n- Boots", []string{"Bring a packed lunch and\n  a raincoat", "Boots"}},
		{"4.2  The fee is due in May\n     each year.\n4.3  Refunds", []string{"4.2  The fee is due in May\n     each year.", "4.3  Refunds"}},
		{"(a) Seniors\n    pay in full\n(b) Juniors", []string{"(a) Seniors\n    pay in full", "(b) Juniors"}},
		{"10.00  Lecture\n   Indented otherwise\n       - an item", []string{"10.00  Lecture", "Indented otherwise", "an item"}},
		{"10.00  Lecture\n       11.00  Another", []string{"10.00  Lecture", "11.00  Another"}},
		{"1. Opening hours:\n   monday: 9 to 5\n   friday: 9 to 1", []string{"Opening hours:", "monday: 9 to 5", "friday: 9 to 1"}},
		{"09.00  Registration\n       Coffee in the foyer", []string{"09.00  Registration", "Coffee in the foyer"}},
		{"4.2  FEES\n     The fee is due in May each year.", []string{"4.2  FEES", "The fee is due in May each year."}},
		{"- - -\n  chapter two begins", []string{"- - -", "chapter two begins"}},
		{"(B) Juniors\r\n    pay half", []string{"(B) Juniors\r\n    pay half"}},
		{"Week 7  (24 Feb)  MIDTERM: Thursday 27 Feb, in the\n                  lecture slot (50 minutes). Bring a pen.\nWeek 8  (3 Mar)   Wetlands", []string{"Week 7  (24 Feb)  MIDTERM: Thursday 27 Feb, in the\n                  lecture slot (50 minutes).", "Bring a pen.", "Week 8  (3 Mar)   Wetlands"}},
		{"Office hours:  Tuesdays 14:00-16:00, or\n               by appointment\nEmail:         a@b.org", []string{"Office hours:  Tuesdays 14:00-16:00, or\n               by appointment", "Email:         a@b.org"}},
		// A rule sets off a heading in plain text; no sentence runs
		// through it, and it is no sentence of its own worth quoting.
		{"-----------------------------------------------------------------------\nASSESSMENT AND GRADING\n-----------------------------------------------------------------------\nFinal exam 25%", []string{"-----------------------------------------------------------------------", "ASSESSMENT AND GRADING", "-----------------------------------------------------------------------", "Final exam 25%"}},
	}
	for _, tt := range tests {
		var got []string
		for _, sp := range sentenceSpans(tt.text) {
			got = append(got, tt.text[sp.Start:sp.End])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("sentenceSpans(%q)\n got %q\nwant %q", tt.text, got, tt.want)
		}
	}
}

func FuzzSentenceSpans(f *testing.F) {
	f.Add("One. Two! Three?\nFour “five.” Six")
	f.Add("K.Massimov, 20 % of ... a. B")
	f.Add("09.00  KEYNOTE: Dr A\n       \"Walls\"\nWeek 7  (24 Feb)  EXAM, in the\n                  lecture slot\r\n-----\n- - -\n  (B) x\n   y:\n    z")
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, sp := range sentenceSpans(text) {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(text) {
				t.Fatalf("bad span %v after %d in %q", sp, prev, text)
			}
			prev = sp.End
		}
	})
}

// Text wrapped at a fixed width (plain text from an editor or a mail
// program) is read in sentences, not lines; lines that are not wrapped
// (an FAQ's, a list's, a programme's) stay sentences of their own.
func TestSentenceSpansWrapped(t *testing.T) {
	wrapped := "4.6 If a General Meeting is not quorate within thirty minutes of the\n" +
		"advertised start time, it shall be adjourned to a date not less than seven\n" +
		"days later. The Chair of the meeting shall have a casting vote.\n\n" +
		"2.2 The categories of membership and the annual fees are:\n\n" +
		"    (a) Senior member (aged 18 and over): 32 pounds\n" +
		"    (c) Family membership (two adults and their children living at the same\n" +
		"        address): 55 pounds\n" +
		"10.50  Cup-and-ring rock art on Hethpool Moor: a new survey by Morag Tulloch\n" +
		"11.15  Burnt mounds and water: dating results from the Coldburn valley\n"
	want := []string{
		"4.6 If a General Meeting is not quorate within thirty minutes of the\nadvertised start time, it shall be adjourned to a date not less than seven\ndays later.",
		"The Chair of the meeting shall have a casting vote.",
		"2.2 The categories of membership and the annual fees are:",
		"(a) Senior member (aged 18 and over): 32 pounds",
		"(c) Family membership (two adults and their children living at the same\n        address): 55 pounds",
		"10.50  Cup-and-ring rock art on Hethpool Moor: a new survey by Morag Tulloch",
		"11.15  Burnt mounds and water: dating results from the Coldburn valley",
	}
	// Markdown wrapped at a width keeps its headings, code and tables
	// apart; a long heading does not set the width.
	md := "# MEMBERSHIP OF THE CLUB, ITS FEES, ITS REFUNDS AND ITS RULES FOR THE YEAR 2026\n" +
		"Members who leave before October get half of the annual fee back, which\n" +
		"the treasurer pays within a month of the request, as the rules set out in full\n" +
		"## Fees\n" +
		"Category | Annual fee for each member in the current membership year\n" +
		"--- | ---\n" +
		"Junior | 14 pounds\n\n" +
		"```sh\n" +
		"sudo apt-get install --yes postgresql postgresql-contrib postgresql-client\n" +
		"sudo systemctl enable --now postgresql\n" +
		"```\n"
	mdWant := []string{
		"# MEMBERSHIP OF THE CLUB, ITS FEES, ITS REFUNDS AND ITS RULES FOR THE YEAR 2026",
		"Members who leave before October get half of the annual fee back, which\nthe treasurer pays within a month of the request, as the rules set out in full",
		"## Fees",
		"Category | Annual fee for each member in the current membership year",
		"--- | ---",
		"Junior | 14 pounds",
		"```sh",
		"sudo apt-get install --yes postgresql postgresql-contrib postgresql-client",
		"sudo systemctl enable --now postgresql",
		"```",
	}
	faq := "Q: Who do I contact if the VPN does not connect at the office?\nA: Call the IT service desk at extension 4400.\n\n" +
		"**Q: Can I install my own software on my company laptop at all?**\nA: Only software from the company catalogue may be installed.\n"
	// A timetable's rows in text wrapped at a width: a full row is no
	// wrapped line, the next row being set out in columns; a row's second
	// line, indented to its text, goes on with it.
	timetable := "Lectures run in the Marsh theatre, and the labs in the basement of the\n" +
		"Halloran building, which is open from eight until six on weekdays.\n" +
		"Week 1  (13 Jan)  Introduction; the water cycle and its catchments\n" +
		"Week 2  (20 Jan)  Physical properties of water: light, heat,\n" +
		"                  stratification\n" +
		"Week 6  (17 Feb)  READING WEEK - no lectures or labs\n" +
		"Week 7  (24 Feb)  MIDTERM EXAM: Thursday 27 Feb, in the normal\n" +
		"                  lecture slot (50 minutes). Bring a pen.\n"
	// Two spaces inside a wrapped line of prose make no row of it.
	timetable += "The committee agreed that the annual fee for all members should rise\n" +
		"by  five pounds from next year, and that the treasurer should write to them.\n"
	timetableWant := []string{
		"Lectures run in the Marsh theatre, and the labs in the basement of the\nHalloran building, which is open from eight until six on weekdays.",
		"Week 1  (13 Jan)  Introduction; the water cycle and its catchments",
		"Week 2  (20 Jan)  Physical properties of water: light, heat,\n                  stratification",
		"Week 6  (17 Feb)  READING WEEK - no lectures or labs",
		"Week 7  (24 Feb)  MIDTERM EXAM: Thursday 27 Feb, in the normal\n                  lecture slot (50 minutes).",
		"Bring a pen.",
		"The committee agreed that the annual fee for all members should rise\nby  five pounds from next year, and that the treasurer should write to them.",
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{wrapped, want},
		{md, mdWant},
		{timetable, timetableWant},
		{faq, []string{"Q: Who do I contact if the VPN does not connect at the office?", "A: Call the IT service desk at extension 4400.",
			"**Q: Can I install my own software on my company laptop at all?**", "A: Only software from the company catalogue may be installed."}},
	} {
		var got []string
		for _, sp := range sentenceSpans(c.text) {
			got = append(got, c.text[sp.Start:sp.End])
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("sentenceSpans(%q) =\n%q\nwant\n%q", c.text, got, c.want)
		}
	}
}
