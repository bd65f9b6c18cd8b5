package rag_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// A small Markdown handbook, a corpus of another kind than any the models
// were fitted on (news and Wikipedia): headings are never the answer,
// clock times and quantities are found, questions it does not answer are
// declined.
func TestHandbook(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "testdata/handbook")
	for _, c := range []struct {
		question string
		want     string // a regexp of the first quoted sentence; "" to decline
	}{
		{"Who is the CEO?", `Maria Lopez`},
		{"When does the office close on Fridays?", `15:00`},
		{"What time does the office open?", `8:30`},
		{"How many vacation days do employees get?", `25 days`},
		{"How many unused days carry over?", `five`},
		{"What is the meal allowance?", `10 euros`},
		{"Is there a gym membership?", ""},
		{"Does Acme pay for home internet?", ""},
	} {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(ans.Answer, " [")
		switch {
		case c.want == "" && ans.Grounded:
			t.Errorf("%q: answered %q (confidence %.2f), want declined", c.question, ans.Answer, ans.Confidence)
		case c.want != "" && !ans.Grounded:
			t.Errorf("%q: declined (confidence %.2f)", c.question, ans.Confidence)
		case c.want != "" && !regexp.MustCompile(c.want).MatchString(first):
			t.Errorf("%q: first sentence %q, want one matching %q", c.question, first, c.want)
		case strings.HasPrefix(first, "#"):
			t.Errorf("%q: quoted a heading %q", c.question, first)
		}
		if ans.Confidence < 0 || ans.Confidence > 1 {
			t.Errorf("%q: confidence %v outside [0, 1]", c.question, ans.Confidence)
		}
	}
}

// A document's own footnote markers never read as the answer's citations:
// the quote keeps them, escaped as Markdown escapes them, and every
// unescaped [n] in the answer names a citation.
func TestFootnoteMarkersAreNotCitations(t *testing.T) {
	x := newIndex(t, "")
	dir := t.TempDir()
	writeFile(t, dir, "tower.txt", "The Harbour Tower\n\nThe Harbour Tower was designed by the architect Hugo Brandt [2] in 1902. It stands eighty metres tall beside the old port [3, 4].\n")
	writeFile(t, dir, "bridge.txt", "The Stone Bridge\n\nThe Stone Bridge crosses the river in seven arches. It was finished in 1874 after ten years of work.\n")
	sync(t, x, dir)
	ans, err := x.Ask(context.Background(), "Which architect designed the Harbour Tower?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Grounded || !strings.Contains(ans.Answer, `Hugo Brandt \[2\] in 1902.`) {
		t.Fatalf("answer %q (grounded %v), want the quote with its footnote escaped", ans.Answer, ans.Grounded)
	}
	cited := map[int]bool{}
	for _, c := range ans.Citations {
		cited[c.N] = true
	}
	for _, m := range regexp.MustCompile(`(\\)?\[(\d+)\]`).FindAllStringSubmatch(ans.Answer, -1) {
		if m[1] != "" {
			continue // an escaped footnote
		}
		if n, _ := strconv.Atoi(m[2]); !cited[n] {
			t.Errorf("answer %q: marker %s names no citation", ans.Answer, m[0])
		}
	}
}

// Every citation carries the section its passage falls under, the same
// after the index is loaded from its snapshot.
func TestCitationSections(t *testing.T) {
	data := t.TempDir()
	for _, step := range []string{"built", "loaded"} {
		x := newIndex(t, data)
		if step == "loaded" {
			if err := x.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		sync(t, x, "testdata/handbook")
		for q, want := range map[string]string{
			"How many vacation days do employees get?": "Vacation",
			"What is the meal allowance?":              "Benefits",
		} {
			ans, err := x.Ask(context.Background(), q, 5)
			if err != nil {
				t.Fatal(err)
			}
			if !ans.Grounded || len(ans.Citations) == 0 || ans.Citations[0].Section != want {
				t.Errorf("%s: %q: citations %+v, want the first in section %q", step, q, ans.Citations, want)
			}
		}
	}
}

// A quote from a Markdown file is shown without its inline markup; the
// cited passage stays verbatim.
func TestMarkdownQuotePlain(t *testing.T) {
	x := newIndex(t, "")
	dir := t.TempDir()
	writeFile(t, dir, "leave.md", "# *Leave* policy\n\n## Vacation\n\nEvery employee has **25 days** of paid vacation, booked in [the HR portal](https://hr.example/leave).\n")
	sync(t, x, dir)
	ans, err := x.Ask(context.Background(), "How many vacation days does every employee have?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Grounded || !strings.HasPrefix(ans.Answer, "Every employee has 25 days of paid vacation, booked in the HR portal. [1]") {
		t.Fatalf("answer %q (grounded %v), want the sentence without markup", ans.Answer, ans.Grounded)
	}
	if c := ans.Citations[0]; !strings.Contains(c.Text, "**25 days**") || c.Section != "Vacation" || c.Title != "Leave policy" {
		t.Errorf("citation %+v, want the verbatim passage in section Vacation of \"Leave policy\"", c)
	}
}

// "When" in a rule asks for a time said against another ("from the third
// day", "after five years"), not only for a date or a clock time: the
// sentence that says it is quoted, not one that merely holds a time.
func TestWhenInRules(t *testing.T) {
	x := indexOf(t, map[string]string{"policy.md": `# Staff policy

## Sick leave

If you are ill, call your manager before 09:00 on your first day of absence. From the third day of sickness a doctor's note is required. Sick days do not reduce your vacation.

## Vacation

Full-time staff receive 25 days of paid vacation per year, rising to 28 days after five years of service. Unused days can be carried over until 31 March.
`})
	wantAnswers(t, x, false,
		answerCase{"When do I need a doctor's note?", "third day"},
		answerCase{"When do staff get 28 days of vacation?", "after five years"})
}

// Technical notes answer in list items and file paths: a list item is a
// sentence to quote, not a heading, and "where" is answered by a path.
func TestListItemsAndPaths(t *testing.T) {
	x := indexOf(t, map[string]string{
		"install.md": "# Installing the API\n\n## Requirements\n\n" +
			"- Debian 12\n- PostgreSQL 15 or later\n- At least 4 GB of RAM\n\n" +
			"## Steps\n\n1. Download the release archive.\n2. Unpack it into `/opt/api`.\n3. Run `api migrate` to create the tables.\n",
		// The document's last line, a list item, is whole however the
		// passage ends.
		"benefits.md": "# Benefits\n\nStaff get these benefits.\n\n- Free parking at the depot\n- Gym membership paid by the company",
	})
	for _, c := range []struct{ question, want string }{
		{"Is a gym membership paid?", "^Gym membership paid by the company$"},
		{"Which PostgreSQL version is required?", "^PostgreSQL 15 or later$"},
		{"How much RAM is needed?", "^At least 4 GB of RAM$"},
		{"Where do I unpack the archive?", "^Unpack it into /opt/api\\.$"},
	} {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(ans.Answer, " ["); !ans.Grounded || !regexp.MustCompile(c.want).MatchString(first) {
			t.Errorf("%q: %q (grounded %v, confidence %.2f), want %s", c.question, ans.Answer, ans.Grounded, ans.Confidence, c.want)
		}
	}
}

// A list of "Label: value" lines is answered by the line the question
// names, not by its shortest one.
func TestLabelledListLine(t *testing.T) {
	x := indexOf(t, map[string]string{"rooms.md": "# Elmstead Village Hall: rooms to hire\n\n## Capacity\n\n" +
		"- Main Hall: up to 120 people\n- Garden Room: up to 20 people\n- Oak Room: up to 45 people\n- Kitchen: up to 6 people\n\n" +
		"## Booking\n\nBook any room through the booking secretary, Ruth Ambrose.\n"})
	wantAnswers(t, x, false,
		answerCase{"how many people does the oak room hold", "Oak Room: up to 45 people"},
		answerCase{"how many people does the garden room hold", "Garden Room: up to 20 people"},
	)
	// The line holds the number asked for: it is quoted alone, though it
	// repeats most of the question.
	const q = "how many people does the main hall hold"
	ans, err := x.Ask(context.Background(), q, 5)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Main Hall: up to 120 people [1]"; ans.Answer != want {
		t.Errorf("%q: %q, want %q", q, ans.Answer, want)
	}
}

// A question about a code no document has (an error code, a model, a
// version) is declined, not answered with a sentence about another code.
func TestAbsentCodeDeclined(t *testing.T) {
	x := indexOf(t, map[string]string{"errors.md": "# Troubleshooting\n\n" +
		"Error code E104 means the migration has not been run. Error code E211 means the license file is missing. " +
		"Error code E-307 means the disk is full.\n"})
	wantSayingOrDeclined(t, x, []sayingCase{
		{"What does error E104 mean?", "migration"},
		{"What does error E211 mean?", "license"},
		{"What does error E500 mean?", ""},
		{"What does error E307 mean?", "disk is full"}, // written apart in the document
	})
}

// sayingCase is a question and what its first quoted sentence says, ""
// when it is to be declined.
type sayingCase struct{ question, want string }

func wantSayingOrDeclined(t *testing.T, x *rag.Index, cases []sayingCase) {
	t.Helper()
	for _, c := range cases {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.want == "" && ans.Grounded:
			t.Errorf("%q: answered %q (confidence %.2f), want declined", c.question, ans.Answer, ans.Confidence)
		case c.want != "" && (!ans.Grounded || !strings.Contains(rag.FirstSentence(ans.Answer), c.want)):
			t.Errorf("%q: %q (grounded %v), want the sentence saying %q", c.question, ans.Answer, ans.Grounded, c.want)
		}
	}
}

// In a list of questions and answers the question that matches is not the
// answer: what follows it is.
func TestFAQAnsweredByWhatFollows(t *testing.T) {
	x := indexOf(t, map[string]string{"faq.txt": "Frequently asked questions\n\n" +
		"Q: Who do I contact if the VPN does not connect?\nA: Call the IT service desk at extension 4400.\n\n" +
		"**Q: Can I install my own software on my laptop?**\nA: Only software from the company catalogue may be installed.\n\n" +
		"**Q:** My badge has stopped working. Who should I tell?\n**A:** Email facilities, who print a new badge within a day.\n"})
	for _, c := range []struct{ question, want string }{
		{"Who do I contact when the VPN is not working?", "extension 4400"},
		{"Can I install my own software?", "company catalogue"},
		{"My badge has stopped working", "print a new badge"},
	} {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		if first := rag.FirstSentence(ans.Answer); !ans.Grounded || !strings.Contains(first, c.want) || strings.Contains(first, "?") {
			t.Errorf("%q: %q (grounded %v), want the answer saying %q", c.question, ans.Answer, ans.Grounded, c.want)
		}
	}
}

// A question asked in the documents whose reply opens without what was
// asked goes on to the sentence that says it: both are quoted, and the
// answer stands although the question's line itself holds no date.
func TestReplyGoesOnToWhatWasAsked(t *testing.T) {
	x := indexOf(t, map[string]string{"minutes.txt": "Allotment society committee meeting\n\n" +
		"CHAIR: The water pipe on the north side is leaking again. We will get a quote for a new run.\n\n" +
		"SAM: And the date of the annual general meeting?\n\n" +
		"CHAIR: Oh yes. It will be on Wednesday 16 October at the church hall.\n\n" +
		"SAM: Thank you. I will put it in the newsletter.\n"})
	for _, q := range []string{"when's the annual general meeting", "When is the annual general meeting?"} {
		ans, err := x.Ask(context.Background(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Grounded || !strings.Contains(ans.Answer, "Oh yes.") || !strings.Contains(ans.Answer, "Wednesday 16 October") || strings.Contains(ans.Answer, "?") {
			t.Errorf("%q: %q (grounded %v, confidence %.2f), want the reply with its date", q, ans.Answer, ans.Grounded, ans.Confidence)
		}
	}
}

// The same in a real transcript (the tenth blind check's), where the gate
// declined the answer while it read the question's line, which holds no
// date, rather than the reply quoted.
func TestReplyInTranscriptIsGated(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "../testdata/other-kinds/syllabus-insurance-menu-transcript-slides-league/corpus")
	ans, err := x.Ask(context.Background(), "when's the allotment AGM", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Grounded || !strings.Contains(ans.Answer, "Wednesday 16 October") {
		t.Errorf("%q (grounded %v, confidence %.2f), want the reply with the AGM's date", ans.Answer, ans.Grounded, ans.Confidence)
	}
}

// A numbered clause's run-in title ("3.4 Pedals.") is never the answer
// alone; it is read with the clause's sentences, as a heading is.
func TestRunInClauseTitle(t *testing.T) {
	x := indexOf(t, map[string]string{"manual.txt": "TRAIL 500 OWNER'S MANUAL\n\n3. ASSEMBLY\n\n" +
		"3.1 Your bicycle is supplied 90% assembled. You must fit the handlebar, the front wheel, the pedals and the saddle.\n\n" +
		"3.2 Handlebar. Remove the four faceplate bolts with the 4 mm key. Centre the bar and tighten the bolts in a cross pattern to 5 Nm.\n\n" +
		"3.4 Pedals. The pedals are marked L and R. The left one has a reverse thread. Tighten both to 35 Nm with the spanner.\n\n" +
		"3.5 Saddle height. Insert the seat post until the minimum insertion mark is hidden.\n"})
	for _, c := range []struct{ question, want string }{
		{"How tight should the handlebar bolts be?", "bolts"}, // a sentence of the handlebar's clause
		{"pedals", ""},
	} {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		first := rag.FirstSentence(ans.Answer)
		if strings.Contains(first, "3.4 Pedals.") || strings.Contains(first, "3.2 Handlebar.") {
			t.Errorf("%q: %q quotes a clause's title", c.question, ans.Answer)
		}
		if c.want != "" && (!ans.Grounded || !strings.Contains(first, c.want)) {
			t.Errorf("%q: %q (grounded %v), want the sentence saying %q", c.question, ans.Answer, ans.Grounded, c.want)
		}
	}
}

// A Markdown table's row is found by its header's words too, quoted as a
// sentence that names its cells; the header row is never the answer.
func TestMarkdownTable(t *testing.T) {
	// A long table: its later rows are in passages without its header.
	var rows strings.Builder
	for i := range 40 {
		fmt.Fprintf(&rows, "| Harbour %d | %d euros | Manager %d |\n", i, 100+i, i%3)
	}
	x := indexOf(t, map[string]string{
		"travel.md": "# Travel policy\n\n## Hotel limits\n\n" +
			"| City | Nightly limit | Approval |\n|------|:-------------:|----------|\n" +
			"| Paris | 180 euros | Line manager |\n| Berlin | **140 euros** | Line manager |\n| New York | 260 euros | Director |\n\n" +
			"## Per diem\n\nThe daily allowance is 50 euros within Europe.\n",
		"harbours.md": "# Harbour hotels\n\n| Town | Nightly limit | Approver |\n|---|---|---|\n" + rows.String(),
	})
	for _, c := range []struct{ question, want, quote string }{
		{"What is the nightly limit in Harbour 35?", "Town: Harbour 35; Nightly limit: 135 euros; Approver: Manager 2.", "| Harbour 35 | 135 euros | Manager 2 |"},
		{"What is the hotel limit in Paris?", "City: Paris; Nightly limit: 180 euros; Approval: Line manager.", "| Paris | 180 euros | Line manager |"},
		{"Which city has a limit of 140 euros?", "City: Berlin; Nightly limit: 140 euros; Approval: Line manager.", "| Berlin | **140 euros** | Line manager |"},
	} {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		if first := rag.FirstSentence(ans.Answer); !ans.Grounded || strings.TrimSpace(first) != c.want || ans.Citations[0].Quote != c.quote {
			t.Errorf("%q: %q quoting %q (grounded %v), want %q quoting %q", c.question, ans.Answer, ans.Citations[0].Quote, ans.Grounded, c.want, c.quote)
		}
	}
}

// indexOf is an index of files (name → text) beside cometDoc.
func indexOf(t *testing.T, files map[string]string) *rag.Index {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		writeFile(t, dir, name, text)
	}
	writeFile(t, dir, "comet.txt", cometDoc)
	x := newIndex(t, "")
	sync(t, x, dir)
	return x
}

// answerCase is a question and what its answer must say.
type answerCase struct{ question, want string }

// wantAnswers fails t unless x answers each question with a first
// sentence that says want (with an answer that does, when whole).
func wantAnswers(t *testing.T, x *rag.Index, whole bool, cases ...answerCase) {
	t.Helper()
	for _, c := range cases {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		got := rag.FirstSentence(ans.Answer)
		if whole {
			got = ans.Answer
		}
		if !ans.Grounded || !strings.Contains(got, c.want) {
			t.Errorf("%q: %q (grounded %v, confidence %.2f), want an answer saying %q", c.question, ans.Answer, ans.Grounded, ans.Confidence, c.want)
		}
	}
}

// wantGrounded fails t unless question, asked of doc, is answered or
// declined as answered says.
func wantGrounded(t *testing.T, doc, question string, answered bool) {
	t.Helper()
	x := indexOf(t, map[string]string{"doc.txt": "Report\n\n" + doc + "\n"})
	ans, err := x.Ask(context.Background(), question, 5)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Grounded != answered {
		t.Errorf("%q on %q: answered %v (%q), want %v", question, doc, ans.Grounded, ans.Answer, answered)
	}
}

// "How many" answered by a sentence without a quantity is declined; so is
// one whose next sentence has a figure about something else.
func TestHowManyWithoutQuantity(t *testing.T) {
	const q = "How many weapons were found at the site?"
	wantGrounded(t, "Police searched the warehouse on Monday. Forty weapons were found at the site.", q, true)
	wantGrounded(t, "Police searched the warehouse on Monday. A large arsenal of weapons was found at the site.", q, false)
	wantGrounded(t, "Police searched the warehouse on Monday. A large arsenal of weapons was found at the site. Two officers were treated for minor injuries.", q, false)
}

// A sentence is read under its document's title and the heading over it:
// the question's words that they hold count for each sentence under them,
// so that the sentence with the rest of the question's words is chosen,
// not the one repeating the heading. Lines in capitals are headings, in
// plain text too, numbered or not, and never the answer.
func TestSentencesUnderHeadings(t *testing.T) {
	x := indexOf(t, map[string]string{
		"minutes.txt": "HARBOUR ROWING CLUB\n\nMINUTES OF THE COMMITTEE MEETING\n\n" +
			"1. BOATHOUSE REPAIRS\n\nThe treasurer presented three quotes for the roof. The committee chose the cheapest quote, from Keel & Sons, at 8,400 pounds.\n\n" +
			"2. SUMMER REGATTA\n\nJo Marsh reported on plans for the summer regatta on the estuary. Entries open on 1 May. The prize fund is 1,200 pounds.\n\n" +
			"3. MEMBERSHIP\n\nThe club has 212 members, 31 of them juniors. Fees rise by 5 per cent in September.\n",
		"handbook.md": "# Staff handbook\n\n## Passwords\n\nPasswords are at least 14 characters long. " +
			"They expire every 365 days.\n\n## Account lockout\n\nAfter 6 failed attempts the account is locked for 30 minutes. " +
			"The service desk can unlock it sooner.\n\n## Laptops\n\nEvery employee gets a laptop on the first day.\n",
	})
	cases := []answerCase{
		{"prize fund for the summer regatta", "1,200 pounds"},
		{"Which quote did the committee choose for the boathouse repairs?", "Keel & Sons"},
		{"How many failed attempts before account lockout?", "6 failed attempts"},
	}
	wantAnswers(t, x, false, cases...)
	for _, c := range cases {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"SUMMER REGATTA", "BOATHOUSE REPAIRS"} {
			if strings.Contains(ans.Answer, h) {
				t.Errorf("%q: %q quotes the heading %q", c.question, ans.Answer, h)
			}
		}
	}
}

// In plain text whose headings are in capitals, a short line under one is
// an item, quotable ("Jo Marsh, Treasurer" under "APOLOGIES"); under a
// title in capitals alone, a short line is still a heading.
func TestItemsUnderCapitalHeadings(t *testing.T) {
	x := indexOf(t, map[string]string{
		"minutes.txt": "HARBOUR ROWING CLUB\n\nMINUTES OF THE COMMITTEE MEETING\n\nPRESENT\nAnna Berg, Chair\nLuis Ortega, Secretary\n\n" +
			"APOLOGIES\nJo Marsh, Treasurer\n\n1. BOATHOUSE REPAIRS\n\nThe committee chose the cheapest quote for the roof.\n",
		"history.txt": "HISTORY OF MILLBROOK\n\nThe railway\n\nMillbrook station opened in 1858 and still has trains to the coast.\n",
	})
	wantAnswers(t, x, false,
		answerCase{"Who is the club's secretary?", "Luis Ortega, Secretary"},
		answerCase{"When did the station open?", "1858"})
}

// A sentence that ends in a colon is quoted with what follows it: the
// item it introduces holds the answer.
func TestIntroductionQuotedWithWhatFollows(t *testing.T) {
	x := indexOf(t, map[string]string{"accounts.md": "# Accounts\n\n## Forgotten passwords\n\n" +
		"If you have forgotten your password, use the self-service password portal:\n\n" +
		"1. Go to https://portal.example.org in any browser.\n2. Enter your username.\n3. Approve the request on your phone.\n\n" +
		"## Laptops\n\nEvery employee gets a laptop on the first day.\n"})
	wantAnswers(t, x, true, answerCase{"password portal site?", "https://portal.example.org"})
}

// A question about an amount of money ("How much was the farm fined?",
// "What is the annual budget of …") is declined when the quote names no
// amount, and answered when it does.
func TestMoneyWithoutAmount(t *testing.T) {
	const q = "How much was the farm fined for the slurry spill?"
	wantGrounded(t, "A dairy farm near Cale Green released 400 cubic metres of slurry into the river. The farm was fined 12,000 pounds for the spill.", q, true)
	wantGrounded(t, "A dairy farm near Cale Green released 400 cubic metres of slurry into the river. The farm was served an enforcement notice for the spill.", q, false)
}

// A "who" question answered by a sentence whose subject is a pronoun
// quotes the sentence before it first, which says who.
func TestWhoAnsweredByPronoun(t *testing.T) {
	x := indexOf(t, map[string]string{"team.txt": "Our therapists\n\nAnna Berg treats sports injuries and runs the Saturday clinic. " +
		"Luis Ortega specialises in rehabilitation after knee and hip surgery. He is also our only therapist qualified to provide acupuncture.\n"})
	wantAnswers(t, x, false, answerCase{"Who can give me acupuncture?", "Luis Ortega"})
	wantAnswers(t, x, true, answerCase{"Who can give me acupuncture?", "acupuncture"})
}

// Questions of money are answered wherever the amount is: in the answer
// after an FAQ's question, in the item after a lead-in, in words, or as
// nothing to pay; and a price list's dot leaders and a table without
// outer pipes are quoted like any other line.
func TestMoneyAnswers(t *testing.T) {
	x := indexOf(t, map[string]string{
		"faq.txt": "Course questions\n\nQ: What does the first aid course cost?\nA: The course costs £120, lunch included.\n",
		"waste.txt": "Bulky waste\n\nThe fee for a bulky waste collection is as follows:\n£35 for up to three items.\n\n" +
			"Council meetings\n\nEntry to council meetings is free.\n",
		"bridge.txt": "The old bridge\n\nThe stone bridge over the river was finished in 1836. The bridge cost three million pounds.\n",
		"pool.md":    "# Pool\n\n## Prices\n\nAdult swim ........ £4.50\nChild swim ........ £3.20\n\n## Hours\n\nThe pool is open from 7am to 9pm every day.\n",
		"hotels.md":  "# Hotels\n\nCity | Nightly limit\n--- | ---\nParis | 180 euros\nOslo | 210 euros\n",
	})
	wantAnswers(t, x, true,
		answerCase{"What does the first aid course cost?", "£120"},
		answerCase{"What is the fee for a bulky waste collection?", "£35"},
		answerCase{"How much does it cost to attend a council meeting?", "free"},
		answerCase{"What did the stone bridge cost?", "three million pounds"},
		answerCase{"How much is a child swim?", "£3.20"},
		answerCase{"What is the nightly limit in Oslo?", "210 euros"})
}

// The heading over a sentence tells sentences alike apart: each section
// has its "The target is …", and only the heading says whose.
func TestHeadingTellsAlikeApart(t *testing.T) {
	x := indexOf(t, map[string]string{
		"minutes.txt": "CLUB MINUTES\n\n1. SUMMER REGATTA\n\nJo Marsh reported on the plans. The target is 2,000 pounds.\n\n" +
			"2. WINTER APPEAL\n\nAnna Berg reported on the plans. The target is 85,000 pounds.\n\n" +
			"3. MEMBERSHIP\n\nThe club has 212 members. Fees rise by 5 per cent in September.\n",
		"guide.md": "# Guide\n\n## Summer opening\n\nThe doors open at 8:00.\n\n## Winter opening\n\nThe doors open at 10:00.\n",
	})
	wantAnswers(t, x, false,
		answerCase{"What is the target of the winter appeal?", "85,000 pounds"},
		answerCase{"What is the target of the summer regatta?", "2,000 pounds"},
		answerCase{"When do the doors open in winter?", "10:00"},
		answerCase{"When do the doors open in summer?", "8:00"})
}

// "How long" is declined when the quote holds no duration or length, and
// "how many" when its only figures are in codes ("laboratories A1 and
// A2" counts nothing); the next sentence is quoted when it holds what the
// chosen one lacks.
func TestHowLongAndCodesWithoutQuantity(t *testing.T) {
	const long, many = "How long does the Hazardous Substances Workshop last?", "How many gas cylinders are allowed in a research laboratory?"
	wantGrounded(t, "Researchers must also complete the Hazardous Substances Workshop. The workshop lasts three hours.", long, true)
	wantGrounded(t, "Researchers must also complete the Hazardous Substances Workshop before they start.", long, false)
	wantGrounded(t, "Gas cylinders must be chained to the wall. At most four gas cylinders may be kept in a research laboratory.", many, true)
	wantGrounded(t, "Gas cylinders must be chained to the wall and may not be kept in laboratories A1 and A2.", many, false)
}

// An acronym the documents only spell out is found in a question all in
// capitals and possessive too: "CEO", "WHO IS THE CEO?", "the CEO's".
func TestAcronymTypedAnyhow(t *testing.T) {
	x := indexOf(t, map[string]string{"about.txt": "About us\n\nThe company was founded in 2009. Our Chief Executive Officer is Dana Whitfield, who leads a team of forty.\n"})
	wantAnswers(t, x, true,
		answerCase{"Who is the CEO?", "Dana Whitfield"},
		answerCase{"WHO IS THE CEO?", "Dana Whitfield"},
		answerCase{"What is the name of the CEO's company?", "Dana Whitfield"})
}

// In plain text wrapped at a fixed width, the quote is the whole sentence,
// not the part of it on one line.
func TestWrappedTextQuotedWhole(t *testing.T) {
	x := indexOf(t, map[string]string{"rules.txt": "CLUB RULES\n\n" +
		"4.6 If a General Meeting is not quorate within thirty minutes of the\n" +
		"advertised start time, it shall be adjourned to a date not less than seven\n" +
		"days later, and the members present shall then form a quorum.\n\n" +
		"4.7 In the event of a tied vote, the Chair of the meeting shall have a\n" +
		"casting vote, and the Secretary shall record it in the minutes.\n"})
	wantAnswers(t, x, false,
		answerCase{"What happens if a general meeting is not quorate?", "adjourned"},
		answerCase{"Who decides if a vote is tied?", "casting vote"})
}

// TestProgramme reads a day school's programme in plain text: an entry's
// second line, indented under its text, goes on with it (who gives the
// lecture its title names); the lines indented under "Booking office
// opening hours:" are read with it, and are no headings; the rules that box
// its headings end no sentence's run into them.
func TestProgramme(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "testdata/programme")
	wantFirst(t, x,
		firstCase{"Who is giving the lecture on mills and millers?", `^10\.00 +OPENING LECTURE: Dr Hannah Pelham .*\n +"Mills and Millers`},
		firstCase{"What is the closing lecture about?", `Turnpikes, Tolls and the Coaching Trade`},
		firstCase{"When is the booking office open on Fridays?", `^Friday: 10\.00 to 12\.30$`},
		firstCase{"How much is a ticket for society members?", `^Society member: 30 pounds$`},
	)
}

// firstCase is a question and a regexp of the first sentence its answer
// quotes.
type firstCase struct{ question, want string }

// wantFirst asks each case's question of x and checks that it is answered
// and its first quoted sentence matches.
func wantFirst(t *testing.T, x *rag.Index, cases ...firstCase) {
	t.Helper()
	for _, c := range cases {
		ans, err := x.Ask(context.Background(), c.question, 5)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(ans.Answer, " [")
		if !ans.Grounded || !regexp.MustCompile(c.want).MatchString(first) {
			t.Errorf("%q: %q (grounded %v, confidence %.2f), want a first sentence matching %q", c.question, ans.Answer, ans.Grounded, ans.Confidence, c.want)
		}
	}
}

// TestColonItemCoversItsOwnItems: a list item that ends in a colon is read
// with the items nested under it, not with the items beside it.
func TestColonItemCoversItsOwnItems(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "membership.md", "# Membership\n\n- Members get:\n  - free entry to every talk\n  - the quarterly newsletter\n- Visitors pay 5 pounds at the door.\n")
	x := newIndex(t, "")
	sync(t, x, dir)
	ans, err := x.Ask(context.Background(), "How much do members pay?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Grounded && strings.Contains(ans.Answer, "Visitors pay") {
		t.Errorf("%q: %q: a visitor's price, read under the members' item", "How much do members pay?", ans.Answer)
	}
}

// A plain-text notice as pools, surgeries and bus companies print them:
// labels joined to their values by leaders ("Saturday ...... 8:30am"),
// headings in capitals with brackets, a code and item numbers ("LESSONS
// (CHILDREN)", "25/04 SCHOOL SERVICE 2B"). A line with a leader is quoted
// whole, the sentences under a heading are read under it, and no heading
// is quoted. ("When does the pool close on Sundays?" quotes "Last entry
// is 30 minutes before closing." instead of the Sunday line: the chooser's
// choice, not the reading; it is not asked here.)
func TestNotice(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "testdata/notice")
	wantFirst(t, x,
		firstCase{"What time does the pool open on Saturdays?", `^Saturday \.+ 8:30am - 5:00pm$`},
		firstCase{"How much is a junior swim?", `^Junior swim( \.)+ +£2\.90$`},
		firstCase{"How much is a ten-swim card?", `^Ten-swim card \.+ £43\.00, valid for 6 months$`},
		firstCase{"What is the swim school office's phone number?", `^Swim school office \.+ 01632 960 201$`},
		firstCase{"How much do children's lessons cost?", `£64`},
		firstCase{"When does the school bus stop outside the pool?", `^The 2B school bus stops outside the pool at 08:10`},
		firstCase{"What is the school service?", `^The 2B school bus stops outside the pool`},
	)
}

// A misspelt word that no document has is read as the documents' word it
// is one slip from: "vaccation" finds the vacation rule, not sick days, and
// "Acmee" is the company, not a question about another one. A common word
// the documents lack is no slip.
func TestMisspeltQuestion(t *testing.T) {
	x := newIndex(t, "")
	sync(t, x, "testdata/handbook")
	wantFirst(t, x,
		firstCase{"How many vaccation days do employees get?", `25 days`},
		firstCase{"Who is the CEO of Acmee?", `Maria Lopez`},
	)
	ans, err := x.Ask(context.Background(), "What are the wages?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Grounded {
		t.Errorf("%q: answered %q, want declined", ans.Question, ans.Answer)
	}
}

// The documents' words are read again when the documents change: a word
// one slip from a removed document's word is no longer corrected to it.
// A common word one slip from a document's word ("vocation", "vacation")
// is left as it is.
func TestSpellingFollowsDocuments(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "leave.md", "# Leave\n\nEvery employee has 25 days of paid vacation per year.\n")
	writeFile(t, dir, "lab.md", "# Lab\n\nThe annealer runs at 400 degrees.\n")
	x := newIndex(t, "")
	sync(t, x, dir)
	for q, want := range map[string]string{
		"How hot is the annealr?":        "How hot is the annealer?",
		"How many vaccation days?":       "How many vacation days?",
		"Is there a vocation allowance?": "Is there a vocation allowance?",
	} {
		if got := x.InDocumentTerms(q); got != want {
			t.Errorf("%q searched as %q, want %q", q, got, want)
		}
	}
	if err := os.Remove(filepath.Join(dir, "lab.md")); err != nil {
		t.Fatal(err)
	}
	sync(t, x, dir)
	if got, want := x.InDocumentTerms("How hot is the annealr?"), "How hot is the annealr?"; got != want {
		t.Errorf("after lab.md went: searched as %q, want %q", got, want)
	}
}

// A length of time the question states picks, among lines that each give
// a band of it, the one whose band holds it: "two weeks before" falls
// between 28 and 8 days, "3 hours" in 2 to 4 hours, "a 7-hour flight" in
// 6 to 9 hours. The lines' words alike, it is the numbers that decide.
func TestLengthPicksItsBand(t *testing.T) {
	x := indexOf(t, map[string]string{
		"hire.md": "# Room hire terms\n\n## Cancellation\n\nIf you need to cancel, please tell the office in writing.\n\n" +
			"- Cancellation more than 28 days before the booking: full refund of the hire fee\n" +
			"- Cancellation between 28 and 8 days before: 50% of the hire fee is refunded\n" +
			"- Cancellation 7 days or less before: no refund of the hire fee\n",
		"parking.md": "# Hospital parking\n\n| Length of stay | Charge |\n|---|---|\n" +
			"| Up to 30 minutes | Free |\n| 30 minutes to 2 hours | £3.20 |\n| 2 to 4 hours | £4.80 |\n| Over 4 hours | £7.50 |\n",
		"travel.md": "# Travel policy\n\n## Flights\n\nEconomy class is booked for flights of up to 6 hours. " +
			"Premium economy may be booked for flights of 6 to 9 hours. " +
			"Business class may be booked for flights with a scheduled duration of more than 9 hours.\n",
	})
	wantAnswers(t, x, false,
		answerCase{"If I cancel my booking two weeks before, do I get my money back?", "50% of the hire fee"},
		answerCase{"If I cancel my booking five weeks before, do I get my money back?", "full refund"},
		answerCase{"How much does it cost to park for 3 hours at the hospital?", "£4.80"},
		answerCase{"What class can I book for a 7-hour flight?", "Premium economy"},
		// Found by a review: a bound said with the length.
		answerCase{"How much does it cost to park for over 4 hours at the hospital?", "£7.50"},
		answerCase{"How much does it cost to park for no more than 2 hours at the hospital?", "£3.20"},
	)
	// A line whose band is of something else is no answer in its place
	// (found by a review).
	yoga := indexOf(t, map[string]string{"yoga.md": "# Studio terms\n\n## Cancellations\n\n" +
		"Cancellations made at least 48 hours before the class are refunded in full. " +
		"Refunds are paid back to your card within 5 days. Late cancellations are not refunded.\n"})
	ans, err := yoga.Ask(context.Background(), "If I cancel 30 minutes before the class, do I get a refund?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ans.Answer, "within 5 days") {
		t.Errorf("a cancellation 30 minutes before: %q, the band of the refund's payment", ans.Answer)
	}
}

// A title run into its paragraph without a number ("Late arrival. If you
// …", a bold title once the bold is gone) is read with the paragraph's
// sentences and never quoted alone.
func TestRunInTitle(t *testing.T) {
	x := indexOf(t, map[string]string{"grooming.txt": "BRINDLE & BATH DOG GROOMING\n\nPOLICIES\n\n" +
		"Cancellations. Please give at least 48 hours' notice if you need to cancel or move an appointment. " +
		"Cancellations with less than 48 hours' notice are charged at 50% of the groom price.\n\n" +
		"Late arrival. If you arrive more than 15 minutes late we may need to shorten the groom.\n\n" +
		"Collection. Please collect within 30 minutes; late collection is charged at £5 for every 15 minutes.\n\n" +
		"Vaccinations. All dogs must be fully vaccinated.\n"})
	wantAnswers(t, x, false,
		answerCase{"What's the charge if I'm late picking my dog up from grooming?", "£5 for every 15 minutes"},
		answerCase{"Do dogs need to be vaccinated?", "fully vaccinated"},
	)
	// A short sentence that says something is an answer still (found by
	// a review: "Dogs are welcome." and "Parking is free." had become
	// titles, and the bat walk's "Free." answered for them).
	park := indexOf(t, map[string]string{"park.txt": "ASHCOMBE COUNTRY PARK\n\n" +
		"Dogs are welcome. Please keep them on a lead near the lake.\n\n" +
		"Parking is free. Spaces fill up early at weekends.\n\n" +
		"Bat walk on Friday 12 September at 8pm, led by the ranger. Free. Booking essential.\n"})
	wantAnswers(t, park, false,
		answerCase{"Are dogs allowed in the park?", "Dogs are welcome."},
		answerCase{"Is parking free?", "Parking is free."},
	)
	ans, err := x.Ask(context.Background(), "late arrival", 5)
	if err != nil {
		t.Fatal(err)
	}
	if first := rag.FirstSentence(ans.Answer); strings.HasPrefix(first, "Late arrival.") {
		t.Errorf("late arrival: %q quotes the title", ans.Answer)
	}
}

// "more than two weeks after booking" is past a band that ends at 14
// days.
func TestLengthPastItsBand(t *testing.T) {
	x := indexOf(t, map[string]string{"terms.md": "# Course terms\n\n## Cancellations\n\n" +
		"- If you cancel within 14 days of booking and before your course starts, we will give you a full refund.\n" +
		"- If you cancel more than 14 days after booking but before your course starts, we will refund your fee minus a £30 administration charge.\n" +
		"- Once a course has started we cannot give refunds.\n"})
	wantAnswers(t, x, false,
		answerCase{"What happens if I cancel my course more than two weeks after booking but before it begins?", "£30 administration charge"},
		answerCase{"What happens if I cancel my course a week after booking?", "full refund"},
	)
}

// A price whose currency only the label or the table's header names is
// an amount of money: "Price (£ ex VAT): 19.20" in a spreadsheet's row,
// "| 19.20 |" under "Price (£)". A question of money is answered with
// it, not declined for quoting none.
func TestMoneyNamedByItsLabel(t *testing.T) {
	x := indexOf(t, map[string]string{
		"wholesale.md": "# Crumb & Co wholesale prices\n\n| Item | Pack | Price (£ ex VAT) |\n|---|---|---|\n" +
			"| Butter croissant | Box of 24 | 19.20 |\n| Pain au chocolat | Box of 24 | 21.60 |\n| Sourdough loaf | 1 loaf | 3.10 |\n",
		"fares.csv": "Ticket type,Single (GBP),Day return (GBP)\nAdult,7.8,13.5\nChild (5 to 15),3.9,6.75\nCar or small van,24,41\n",
	})
	wantAnswers(t, x, false,
		answerCase{"wholesale butter croissant box price", "19.20"},
		answerCase{"how much is a day return for a car", "41"},
	)
}

// A yes/no question is answered by a sentence that speaks of what it asks
// — by its words or under its heading — and declined when the best
// sentence only names what the document is about: the hall's address says
// nothing of a sauna.
func TestYesNoAnsweredOnlyByTitleDeclined(t *testing.T) {
	x := indexOf(t, map[string]string{"hall.md": "# Millbrook Village Hall: a guide for hirers\n\n" +
		"The hall is run by volunteers and can be hired for parties, classes and meetings.\n\n" +
		"## Parking\n\nThere are 18 spaces behind the building, free for hirers.\n\n" +
		"## Getting here\n\nBicycles can be left in the rack by the front door. The number 7 bus stops outside.\n\n" +
		"## Contact\n\nMillbrook Village Hall, 12 Church Lane, Millbrook MB4 2QT.\n"})
	wantSayingOrDeclined(t, x, []sayingCase{
		{"Is there a sauna at Millbrook Village Hall?", ""},
		{"Does Millbrook Village Hall have a lift?", ""},
		{"Is there parking at Millbrook Village Hall?", "18 spaces"}, // under its heading
		{"Does a bus stop near Millbrook Village Hall?", "bus stops"},
		{"And is there a sauna at Millbrook Village Hall?", ""},
	})
}

// A question of an amount is answered by an amount of what it asks about,
// or declined: the fees page has no crown, and its care plan's price is
// not one.
func TestAmountOfAnotherThingDeclined(t *testing.T) {
	x := indexOf(t, map[string]string{"fees.md": "# Harbourside Dental Practice: fees\n\n" +
		"Our fees are reviewed every April.\n\n" +
		"## Check-ups\n\nA check-up costs £28 and a visit to the hygienist costs £45.\n\n" +
		"## Membership\n\nThe Harbourside Care Plan costs £15 a month and covers two check-ups a year.\n\n" +
		"## Whitening\n\nHome trays cost £250 for both arches, with the gel for a first course.\n"})
	wantSayingOrDeclined(t, x, []sayingCase{
		{"How much does a crown cost at Harbourside Dental Practice?", ""},
		{"What is the fee for a root canal at Harbourside Dental Practice?", ""},
		{"What does Harbourside Dental Practice charge for braces?", ""},
		{"How much does whitening cost at Harbourside Dental Practice?", "£250"}, // under its heading
		{"How much is the hygienist at Harbourside?", "£45"},
		{"How much does the Harbourside care plan cost?", "£15 a month"},
	})
	// The words that say how an amount is measured need not be quoted:
	// "take" and "annual" ask of nothing but the collection and the plot
	// the documents are about.
	wantSayingOrDeclined(t, indexOf(t, map[string]string{
		"bulky.md": "# Bulky waste collection\n\nWe collect large household items such as sofas and fridges.\n\n" +
			"Collections are usually made within ten working days.\n",
		"allotments.md": "# Allotments\n\nHallam Council rents out allotment plots at three sites.\n\n" +
			"A full plot costs £48 a year and a half plot £26. Water is included.\n",
	}), []sayingCase{
		{"how long does a bulky waste collection take?", "ten working days"},
		{"What's the annual rent for an allotment?", "£48"},
	})
	// A sentence that names nothing but the amount gives the amount of
	// what its passage is about, where the passage has the question's
	// other words: the permit is the residents'; a motorbike's it is not.
	wantSayingOrDeclined(t, indexOf(t, map[string]string{"permit.md": "# Annual parking permit\n\n" +
		"Elmfield residents who live in a controlled parking zone can apply for a permit.\n\nIt costs £60 a year.\n"}), []sayingCase{
		{"how much does a parking permit cost for residents?", "£60"},
		{"how much is a parking permit in elmfield?", "£60"},
		{"how much is a parking permit for a motorbike?", ""},
	})
	// A sentence that names a thing of its own gives the amount of that
	// thing, whatever the sentence before it names: implants are not
	// crowns. Nor does "monthly", which says how an amount is measured,
	// tie a day pass to the monthly newsletter before it.
	wantSayingOrDeclined(t, indexOf(t, map[string]string{
		"fees.md": "# Harbourside Dental Practice: fees\n\nWe fit crowns made in our own laboratory. Implants cost £2,000 each.\n",
		"gym.md": "# Elm Gym\n\nWe send a monthly newsletter to everyone who signs up. A day pass costs £8.\n\n" +
			"Membership is open to adults over 16.\n",
	}), []sayingCase{
		{"How much does a crown cost at Harbourside Dental Practice?", ""},
		{"How much is the monthly membership at Elm Gym?", ""},
	})
	// A sentence whose subject is a pronoun gives the amount of what the
	// sentence before it names.
	wantSayingOrDeclined(t, indexOf(t, map[string]string{"garden.md": "# Garden waste collection\n\n" +
		"Hallam District Council collects garden waste every two weeks from March to November.\n\n" +
		"You need to subscribe each year. It costs £52 for one bin. Each extra bin is £30.\n"}), []sayingCase{
		{"how much does it cost to subscribe", "£52"},
		{"how much is a food waste caddy?", ""},
	})
}

func TestNamesNothing(t *testing.T) {
	title := map[string]bool{"old": true, "bridg": true}
	for _, c := range []struct {
		text string
		want bool
	}{
		{"It costs £60 a year.", true},
		{"They are five pounds each.", true},
		{"It costs £60 annually.", true},
		{"It is free.", true},
		{"The bridge cost three million pounds.", true}, // "bridge" is the title's
		{"Implants cost £2,000 each.", false},
		{"A day pass costs £8.", false},
		{"Hiring it costs £40 an hour.", false},
		{"50p per item", true},
		{"It costs £52 for one bin.", true},
	} {
		if got := rag.NamesNothing(c.text, title); got != c.want {
			t.Errorf("namesNothing(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// The rule for yes/no questions reads what answers them as a user would:
// an FAQ's reply, which need not repeat the question's words, and a
// plain-text notice whose title is its first sentence.
func TestYesNoAnsweredInOtherWords(t *testing.T) {
	wantSayingOrDeclined(t, indexOf(t, map[string]string{"faq.txt": "Greenway Campsite: frequently asked questions\n\n" +
		"Q: Do you allow dogs?\nA: Well-behaved pets are welcome on a lead.\n\n" +
		"Q: Can we have a campfire?\nA: Fires are only allowed in the braziers we provide.\n\n" +
		"Q: Where do we check in?\nA: Check in at reception between 2pm and 8pm.\n"}), []sayingCase{
		{"Do you allow dogs?", "pets are welcome"},
		{"Can we have a campfire?", "braziers"},
	})
	wantSayingOrDeclined(t, indexOf(t, map[string]string{"bins.txt": "Bin collections in Hartley will move by one day " +
		"during the Christmas and New Year weeks this year. Collections return to normal on Monday 6 January.\n\n" +
		"Put your bin out by 7am on the day of collection. Extra bags left beside the bin will not be taken.\n"}), []sayingCase{
		{"Are bin collections changing at Christmas?", "move by one day"},
	})
}
