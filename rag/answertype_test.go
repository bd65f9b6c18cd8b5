package rag

import "testing"

func TestQuestionType(t *testing.T) {
	for _, c := range []struct {
		q    string
		want answerType
	}{
		{"When did Li Tan lead a revolt?", dateType},
		{"by when?", dateType}, // a follow-up's: "when" ends it
		{"When?", dateType},
		{"Since when?", dateType},
		{"When was the treaty signed?", dateType},
		{"when's the allotment AGM", dateType}, // a contraction's "s" is the auxiliary
		{"When’re the finals?", dateType},
		{"when'll my bin be emptied", dateType},
		{"VE Day date", dateType}, // a keyword query: "ve" is no contraction here
		{"D-Day date", dateType},
		{"re-enrolment fee", moneyType},
		{"When the election produced an SNP majority government, what was it the first occurrence of?", anyType},
		{"When a commission reached no decision, who settled the border?", personType},
		{"What is formed when water freezes?", anyType}, // "when" inside a clause decides nothing
		{"In what year did X happen?", dateType},
		{"What century did the Normans first gain their separate identity?", dateType},
		{"During which decade was it built?", dateType},
		{"At what time does the office close?", timeType},
		{"What time does the office open?", timeType},
		{"How long did the war last?", durationType},
		{"How long ago was it?", dateType},
		{"How many people live there?", numberType},
		{"How much did it cost?", moneyType},
		{"How much was the farm fined for the spill?", moneyType},
		{"What is the annual budget of the National Guard?", moneyType},
		{"What's the late cancellation fee?", moneyType},
		{"What did the Kingsway Bridge cost?", moneyType},
		{"What will the after-school club cost in the summer term?", moneyType},
		{"What does the practice charge for braces?", moneyType},
		{"What does it cost to join the Friends?", moneyType},
		{"What does the congestion charge cover?", anyType},
		{"What does the charge for bulky waste include?", anyType},
		{"What does the congestion charge for a lorry cover?", anyType},
		{"How much is annual leave?", numberType},
		{"How much is the notice period?", numberType},
		{"What does the council charge for a bulky collection?", moneyType},
		{"What do I need to charge at the library?", anyType},
		{"How much water does the tank hold?", numberType},
		{"How much is a ticket for the water taxi?", moneyType},
		{"How much was the emergency aid to Israel?", moneyType},
		{"How much extra are staff paid for night shifts?", moneyType},
		{"How much will I get back if I choose a refund?", moneyType},
		{"How much is terra preta distributed over the Amazon forest?", numberType}, // a participle: a degree
		{"how much are swimming lessons for children", moneyType},                   // no article: still a price
		{"How much is parking at the pier?", moneyType},
		{"how much is it?", moneyType},
		{"How much is the surface covered by water?", numberType}, // a participle: a degree
		{"How much was the town damaged in the war?", numberType},
		{"How much is the discounted ticket?", numberType},
		{"How much of the forest was cleared?", numberType},
		{"What was the vote on the 2025 budget?", anyType},
		{"How much annual leave do I earn each month?", numberType},
		// Keyword queries, typed into a search box, by their last word.
		{"recall helpline number", phoneType},
		{"What's the phone number for the Brevell kettle recall helpline?", phoneType},
		{"Which number do I call out of hours?", phoneType},
		{"What number of people live there?", numberType},
		{"northgate physio phone number", phoneType},
		{"clinic phone", phoneType},
		{"What is her email?", emailType},
		{"What's the support email address?", emailType},
		{"Which email address do I send the form to?", emailType},
		{"support email", emailType},
		{"clerk email address", emailType},
		{"What is Priya Chandran's email address?", emailType},
		{"And her email?", emailType},
		{"What's her extension?", phoneType},
		{"What’s her email?", emailType},
		{"What is the email of the clerk?", emailType},
		{"What is the email address for bookings?", emailType},
		{"Which email should I use?", emailType},
		{"clerk email", emailType},
		{"What is the extension of the building?", anyType},
		{"What is the file extension?", anyType},
		{"deadline extension", anyType},
		{"reception extension", phoneType},
		{"What did the email say about the move?", anyType},
		{"What was in the email?", anyType},
		{"What time should I send the email?", timeType},
		{"Which person should I email?", personType},
		{"phishing email", anyType},
		{"junior membership fee", moneyType},
		{"opening keynote time?", timeType},
		{"max suspension length", durationType},
		{"cooling off period home insurance", anyType}, // the head is "insurance"
		{"notice period", durationType},
		{"What period saw the rise of the Tang?", dateType},
		{"founding year", dateType},
		{"How often do I have to redo the safety induction?", frequencyType},
		{"inspection frequency", frequencyType},
		{"visa requirements", anyType},
		{"Is there a junior joining fee?", anyType}, // a yes/no question: "There is no joining fee" answers it
		{"Do juniors pay a joining fee?", anyType},
		{"part time", anyType},
		{"library opening time", timeType},
		{"The river floods every spring and the town pays for the damage", anyType}, // a sentence, not a query
		{"release date of burrow 2.3.0", dateType},                                  // the head before the preposition
		{"deadline for objecting to the flats on Tanner's Lane", dateType},
		{"phone number for the Riverside dental practice", phoneType},
		{"choir conductor name", nameType},
		{"director name", personType},
		{"name", nameType},
		{"help with the printer", anyType},
		{"Why did OPEC raise the price of oil to $5.11?", anyType}, // a reason, not a price
		{"How much time do I have to pay a parking fine?", numberType},
		{"What is the price increase date?", anyType},
		{"What is the fine print on the contract?", anyType},
		{"What’s the late cancellation fee?", moneyType},
		{"How much money did the appeal raise?", moneyType},
		{"How much is the fine for fly-tipping?", moneyType},
		{"What percentage of officers were women?", numberType},
		{"Who ruled the duchy?", personType},
		{"Whose son was crowned?", personType},
		{"Which king was crowned?", personType},
		{"Which of the kings was crowned?", personType},
		{"Where was the meeting held?", placeType},
		{"In what country is Normandy located?", placeType},
		{"Which cities did they take?", placeType},
		{"Which company built it?", nameType},
		{"What time period did the Normans rule?", dateType},
		{"What time of year is the festival?", dateType},
		{"What political party did he lead?", nameType},
		{"Why did they leave?", anyType},
		{"What did they build?", anyType},
		{"How did they win?", anyType},
		{"Tell me about the Normans.", anyType},
		{"The Normans were in what country before that?", anyType}, // too long a lead-in
	} {
		if got := questionType(c.q); got != c.want {
			t.Errorf("questionType(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}

func TestHasAnswerType(t *testing.T) {
	// q mentions Normandy and the duke, so neither is a new name.
	q := query{terms: map[string]float64{stem("normandy"): 1, stem("duke"): 1, stem("ruled"): 1}}
	for _, c := range []struct {
		text string
		t    answerType
		want bool
	}{
		// Dates of any era.
		{"The town was founded in 1262.", dateType, true},
		// An amount under a label that names its currency: a table's row
		// as the spreadsheet reader writes it.
		{"Section: Pastries; Item: Butter croissant; Pack / unit: Box of 24; Price (£ ex VAT): 19.20.", moneyType, true},
		{"Ticket type: Car or small van (up to 5 m); Single (GBP): 24; Day return (GBP): 41.", moneyType, true},
		{"Section: Pastries; Item: Butter croissant; Pack / unit: Box of 24.", moneyType, false},
		{"Prices in £: see the board.", moneyType, false},
		{"Fee (€ per month, incl. VAT): 30", moneyType, true},
		// Found by a review: a currency in a label is no amount by itself.
		{"Prices in £ are listed below: 2025 rates", moneyType, false},
		{"£ sign: 3 ways to type it", moneyType, false},
		{"Contact (GBP account): 0161 496 0000", moneyType, false},
		{"Use the $HOME variable: 2 examples follow.", moneyType, false},
		{"We bill in EUR for EU customers: 30 days notice applies.", moneyType, false},
		{"Room (€ on request): 12 beds", moneyType, false},
		{"Ticket type: Adult; Currency (GBP) code: 826.", moneyType, false},
		// How often.
		{"Staff must repeat the induction every two years.", frequencyType, true},
		{"The hoods are inspected annually.", frequencyType, true},
		{"Take two tablets three times a day.", frequencyType, true},
		{"The fee is £5 per month.", frequencyType, true},
		{"The induction takes two hours.", frequencyType, false},
		{"Every employee must know the assembly point.", frequencyType, false},
		{"Each member gets one vote.", frequencyType, false},
		{"Once you have registered, log in.", frequencyType, false},
		{"The alarm is tested on Mondays at 10 am.", frequencyType, true},
		{"Bins are emptied every other Wednesday.", frequencyType, true},
		{"Rent is reviewed each spring.", frequencyType, true},
		// Telephone numbers, not other numbers.
		{"You can reach reception by phone on 0161 482 3907 during opening hours.", phoneType, true},
		{"Contact: Priya Nandakumar, HR Manager; How to reach them: Ext. 214", phoneType, true},
		{"The extension was built in 2019.", phoneType, false},
		{"Students may apply for an extension 14 days before the deadline.", phoneType, false},
		{"Reception extension: 2201", phoneType, true},
		{"The Clerk can be contacted at clerk@littlehadley-pc.gov.uk or on 01632 960 452.", emailType, true},
		{"Email the Clerk with any questions.", emailType, false},
		{"Call free on 0800-046-3318.", phoneType, true},
		{"If you need urgent medical help when the surgery is closed, call NHS 111.", phoneType, true},
		{"In an emergency, dial 999.", phoneType, true},
		{"Dial 999 in an emergency.", phoneType, true},
		{"We will call 250 members this week.", phoneType, false},
		{"Text 2000 words maximum.", phoneType, false},
		{"The surgery cares for 9,400 patients; about 111 are seen each day.", phoneType, false},
		{"Call +44 (0)20 7946 0958 from abroad.", phoneType, true},
		{"The number 42 and 118 buses stop outside.", phoneType, false},
		{"The war memorial lists the dead of 1914-1918.", phoneType, false},
		{"It opened on 2024-03-15.", phoneType, false},
		{"Call 12 - 15 for details.", phoneType, false},
		{"Revenue reached 18,400,000 euros.", phoneType, false},
		{"It opened on 12.03.2025.", phoneType, false},
		// A day of every month, as rules and schedules name it.
		{"Approved claims received by the 20th of the month are paid with that month's salary.", dateType, true},
		{"Rent is due on the last working day of each month.", dateType, true},
		{"The club meets on the first Monday of every month.", dateType, true},
		{"Claims are paid with the salary.", dateType, false},
		{"The first 3 sessions of the term are free.", dateType, false},
		{"The first two sessions of the term are free.", dateType, false},
		{"It dates from the 9th century.", dateType, true},
		{"It dates from the ninth century.", dateType, true},
		{"It was popular in the 1980s.", dateType, true},
		{"The temple burned in 430 BC.", dateType, true},
		{"The law passed on 02.04.2021.", dateType, true},
		{"The law passed on 2021-04-02.", dateType, true},
		{"The office opened on June 10, 2016.", dateType, true},
		{"The office opened on 10 June 2016.", dateType, true},
		{"The war lasted from 1914–1918.", dateType, true},
		{"They met on Monday.", dateType, true},
		// Where software keeps things.
		{"Unpack it into `/opt/orbit`.", placeType, true},
		{"Logs are written to /var/log/orbit/orbit.log daily.", placeType, true},
		{"Download it from https://example.com/releases.", placeType, true},
		{"Save it as C:\\Users\\me\\notes.txt.", placeType, true},
		{"Read it and/or sign it.", placeType, false},
		{"Half of 3/4 is 3/8.", placeType, false},
		{"The plan starts in September with the new team.", personType, false}, // a month is no one's name
		{"The river is long.", dateType, false},
		{"The soldiers rode north.", dateType, false},
		// Times said against another: what "when" asks of rules.
		{"From the third day of sickness a doctor's note is required.", dateType, true},
		{"Report it within 24 hours.", dateType, true},
		{"Shifts are published two weeks in advance.", dateType, true},
		{"It rises to 28 days after five years of service.", dateType, true},
		{"Submit it before the first day of leave.", dateType, true},
		{"The second report was longer.", dateType, false},
		{"Holidays are 25 days a year.", dateType, false},
		{"Backups are kept for 35 days.", dateType, false}, // how long, not when

		// Clock times.
		{"The office closes at 15:00.", timeType, true},
		{"It costs 3.50 dollars.", timeType, false},
		{"He scored 10.25 points.", timeType, false},
		{"The shop opens at 9.30 am.", timeType, true},
		{"They built the 12th-century church.", dateType, true},
		{"It opens at 9 a.m. every day.", timeType, true},
		{"It opens at 9pm.", timeType, true},
		{"Lunch is served at noon.", timeType, true},
		{"The office closes early.", timeType, false},

		// Durations.
		{"Coding club meets on Wednesdays after school.", dateType, true},
		{"The siege lasted three weeks.", durationType, true},
		{"He ruled for 40 years.", durationType, true},
		{"It took a few more days.", durationType, true},
		{"The siege lasted long.", durationType, false},
		{"Its tail was ten million kilometres long.", durationType, true},
		{"The river is 6,300 km long.", durationType, true},
		{"The bridge is long and narrow.", durationType, false},
		{"Passwords must be at least 14 characters.", durationType, true},
		{"The induction lasts 3 hrs.", durationType, true},
		{"The cooling-off period is fourteen days.", durationType, true},
		{"Allow at least a fortnight.", durationType, true},
		{"The tour takes ninety minutes.", durationType, true},
		{"The trail is 5km long.", durationType, true},
		{"Probation lasts eighteen months.", durationType, true},
		{"The summary is limited to 300 words.", durationType, true},
		{"The outcome is known in seconds.", durationType, true},
		{"The seconds were counted.", durationType, false},

		// Quantities, not dates.
		{"15% of officers were women.", numberType, true},
		{"The city has two million people.", numberType, true},
		{"It cost 3 dollars.", numberType, true},
		{"A majority voted for it.", numberType, true},

		// Money, or nothing to pay.
		{"Fridges and freezers: £35 each.", moneyType, true},
		{"Saudi Arabia spent over 100 billion dollars.", moneyType, true},
		{"The fee is 40 EUR a month.", moneyType, true},
		{"Entry to the meetings is free.", moneyType, true},
		{"The bridge cost three million pounds.", moneyType, true},
		{"It cost a million dollars.", moneyType, true},
		{"The fee is 50p.", moneyType, true},
		{"The farm was fined twelve thousand pounds.", moneyType, true},
		{"Call us 24 hours a day.", moneyType, false},
		{"The fee is Rs. 2000 a year.", moneyType, true},
		{"Admission: free.", moneyType, true},
		{"Under-fives go free.", moneyType, true},
		{"Free parking is available behind the hall.", moneyType, true},
		{"Add a pound of flour.", moneyType, false},
		{"A free trade agreement was signed.", moneyType, false},
		{"The answer is worth 5 marks.", moneyType, false},
		{"The council received 300 letters.", durationType, false},
		{"An estimated 400 cubic metres of slurry was released.", moneyType, false},
		{"The budget has 12 lines.", moneyType, false},
		{"The office opened on June 10.", numberType, false},
		{"The office opened on 10 June 2016.", numberType, false},
		{"Nobody counted them.", numberType, false},
		{"Cylinders may not be kept in laboratories A1 and A2.", numberType, false}, // codes, not quantities
		{"Trips covered 2.9 kilometres.", numberType, true},

		// People and names the question does not mention.
		{"The duchy was ruled by Rollo.", personType, true},
		{"The Duke ruled Normandy.", personType, false}, // both in the question
		{"the duke ruled it.", personType, false},       // nothing capitalised
		{"Rollo ruled it.", personType, false},          // the first word is no name
		{"It was built by Siemens.", nameType, true},
		{"Fixed an authentication bypass in the HTTP admin API.", personType, false}, // initials name things, not people
		{"The issue was reported by Daniel Okafor.", personType, true},
		{"It was built by IBM.", nameType, true},

		// Places.
		{"The meeting was held in the city hall.", placeType, true},
		{"The meeting was held in Rouen.", placeType, true},
		{"The meeting was held in Normandy.", placeType, true}, // "in" + a capitalised word
		{"The meeting was held there.", placeType, false},

		{"Anything at all.", anyType, true},
	} {
		if got := hasAnswerType(c.text, c.t, q); got != c.want {
			t.Errorf("hasAnswerType(%q, %v) = %v, want %v", c.text, c.t, got, c.want)
		}
	}
}

func TestStripDatesKeepsBareNumbers(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool // numberExpr still matches after stripping
	}{
		{"on June 10", false},
		{"in 1262", false},
		{"1262", true}, // a bare number may be a quantity
		{"on June 10 there were 300 ships", true},
		{"Late fees are waived for the first 5 days of each month.", true},
		{"Rent is due on the 1st of each month.", false},
	} {
		if got := numberExpr.MatchString(stripDates(c.text)); got != c.want {
			t.Errorf("stripDates(%q) = %q: a number left = %v, want %v", c.text, stripDates(c.text), got, c.want)
		}
	}
}

func TestAnswerTypeString(t *testing.T) {
	for typ := anyType; typ <= emailType; typ++ {
		if typ.String() == "" {
			t.Errorf("answerType(%d) has no name", typ)
		}
	}
	if got := dateType.String(); got != "date" {
		t.Errorf("dateType.String() = %q, want date", got)
	}
}

// The focus is the noun a what, which or how-many question asks about,
// read from its place after the question word.
func TestFocusWord(t *testing.T) {
	for q, want := range map[string]string{
		"What is the annual budget of the National Guard?": "annual",
		"What is the budget of the National Guard?":        "budget",
		"How many weapons were found in the arsenal?":      "weapons",
		"Which senator chairs the committee?":              "senator",
		"What country is Normandy in?":                     "country",
		"Whose activities must be restructured?":           "activities",
		"Who is the President of the European Commission?": "",
		"When was the concept approved?":                   "",
		"How long is the tail?":                            "",
		"In what year did the war end?":                    "year",
	} {
		if got := focusWord(q); got != want {
			t.Errorf("focusWord(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestIsCode(t *testing.T) {
	for w, want := range map[string]bool{
		"e500": true, "iso9001": true, "v2": true, "h1n1": true,
		"3rd": false, "1990s": false, "15th": false, "2021": false, "error": false, "": false,
		"预算2024年": false, // a run of another script without spaces is no code
	} {
		if got := isCode(w); got != want {
			t.Errorf("isCode(%q) = %v, want %v", w, got, want)
		}
	}
}
