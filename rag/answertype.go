package rag

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// answerType is the kind of thing a question asks for, decided by the
// question word in its place: "When did …" asks for a date, "What is formed
// when …" does not.
type answerType int

const (
	anyType       answerType = iota
	dateType                 // a date or period of any era: 1262, the 9th century, 430 BC
	timeType                 // a clock time: 15:00, 9 a.m.
	durationType             // a length of time: three weeks, 40 years
	numberType               // a quantity: 15%, two million, 3 km
	personType               // a person: who, which king
	placeType                // a place: where, which country
	nameType                 // an organisation or other named thing: which company
	moneyType                // an amount of money: how much does it cost, what is the fee
	phoneType                // a telephone number: "helpline number", "clinic phone number"
	frequencyType            // how often: every two years, twice a week, annually
	emailType                // an email address: "What is her email?", "support email"
	// placeShapeType is what a place's answer shows whatever the question
	// ("in the district", a path): the part of placeType a sentence's
	// reading keeps for every question (see readSentence.typeOf). No
	// question asks for it.
	placeShapeType
)

var answerTypeNames = [...]string{"any", "date", "time", "duration", "number", "person", "place", "name", "money", "phone", "frequency", "email", "place shape"}

func (t answerType) String() string { return answerTypeNames[t] }

// typeNouns maps the noun after "what"/"which"/"how" to the type it asks
// for ("what year", "which city", "what percentage").
var typeNouns = func() map[string]answerType {
	m := map[string]answerType{}
	add := func(t answerType, words string) {
		for _, w := range strings.Fields(words) {
			m[w] = t
		}
	}
	add(dateType, "year years date dates day days month months century centuries decade decades era period time-period season")
	add(timeType, "time hour")
	add(numberType, `number numbers percentage percent share proportion fraction amount amounts population size cost costs price
		prices rate rates budget total count area length distance age salary sum height depth width weight speed temperature
		value quantity capacity score margin ratio majority`)
	add(personType, `person people man men woman women king kings queen queens leader leaders president presidents emperor
		emperors ruler rulers minister ministers general generals duke dukes pope popes scientist writer author poet
		artist chairman chair director official officials prince princes son daughter father mother wife husband
		member members judge founder owner senator governor mayor commander engineer inventor individual individuals
		khan monarch monk bishop`)
	add(placeType, `country countries city cities region regions province provinces district districts state states town
		towns village villages place places location locations continent island islands river rivers sea ocean
		capital territory territories port ports street building county colony colonies kingdom land lands nation
		nations site`)
	add(nameType, `company companies organization organisation organizations organisations group groups party parties
		agency agencies institution institutions body bodies team teams university church newspaper network
		movement army navy book treaty law act language religion dynasty tribe`)
	return m
}()

var (
	// whWord finds the question word that heads a question or a clause.
	whWord = regexp.MustCompile(`(?i)\b(when|where|who|whom|whose|how|what|which)\b`)
	// clockQuestion marks "what time" questions that ask for a clock time.
	clockQuestion = regexp.MustCompile(`(?i)\b(what|which) time\b|\bat what (hour|time)\b`)
	// phoneQuestion asks what number to call: "What is the clinic's
	// phone number?", "Which number do I call out of hours?".
	phoneQuestion = regexp.MustCompile(`(?i)^\W*(what|which)\b.*\b((phone|telephone|helpline|hotline|fax|mobile|contact)\s+(number|no)\b|number\s+(do|should|can)\s+i\s+(call|ring|dial|phone)|(her|his|their|['’]s|office|reception|desk)\s+extension(\s+number)?\W*$|extension\s+number)`)
	// emailQuestion asks for an email address: "What is her email?",
	// "What's the support email address?", "Which email address do I
	// write to?"; not "What was in the email?", "Which person should I
	// email?" nor "What time should I send the email?". The words between
	// "what is" and "email" must say whose it is (see isEmailQuestion).
	emailQuestion = regexp.MustCompile(`(?i)^\W*(?:what(?:['’]?s|\s+is|\s+are|\s+was)\s+(.*?)\s*e-?mail(?:\s+address(?:es)?)?(?:\s+(?:of|for|to)\s+[^?]*)?\W*$|(?:what|which)\s+e-?mail\b)`)
	// periodQuestion is a "what time" that asks for a date.
	periodQuestion = regexp.MustCompile(`(?i)\b(what|which) time (period|frame|span|of (the )?year)\b`)
	// moneyQuestion asks for an amount of money: "How much does it cost
	// …", "How much was the farm fined?", "How much extra are staff paid
	// …", "How much will I get back as a refund?", "What is the annual
	// budget of …", "What did the bridge cost?"; and "how much is" a
	// thing (see priceQuestion).
	moneyQuestion = regexp.MustCompile(`(?i)^\W*(how much\s+(money|cash|funding|tax|taxes|rent|interest|revenue|profit|income|compensation)\b` +
		`|how much\s+((extra|more|less)\s+)?(does|did|do|is|was|are|were|will|would|should|can|could|has|have|had)\b.*\b(cost|costs|costing|pay|paid|pays|spend|spent|spends|charge|charged|charges|fine|fined|fee|fees|price|earn|earned|earns|worth|rent|fare|salary|wage|budget|owe|owed|refund|refunds|refunded|reimburse|reimbursed)\b` +
		`|what(\s+(is|was|are|were|will be|would be)|'s|’s)\s+the\s+(\S+\s+){0,2}(price|cost|fee|fine|budget|salary|wage|rent|fare|tuition|charge)s?(\s+(of|for|to|per|in|on|at|charged|paid)\b|\W*$)` +
		`|what (did|does|do|will|would) .+\bcost\W*$)`)
	// costVerbQuestion asks what someone charges or something costs,
	// the verb followed by what for: "What does the practice charge for
	// braces?", "What will the club cost in the summer term?".
	costVerbQuestion = regexp.MustCompile(`(?i)^\W*what\s+(did|does|do|will|would)\s+(.+?)\s+(cost|charge)(\s+(to|for|in|at|on|per|a|an|each|us|me|you|them)\b|\W*$)`)
)

// isCostVerbQuestion reports a costVerbQuestion whose "cost" or "charge"
// is the verb: not "What does the charge for bulky waste include?", where
// an article makes it a noun, nor "What does the congestion charge for a
// lorry cover?", which ends in the verb of another question, nor "What do
// I need to charge at the library?", an infinitive's.
func isCostVerbQuestion(q string) bool {
	m := costVerbQuestion.FindStringSubmatch(q)
	if m == nil {
		return false
	}
	ws, all := words(m[2]), words(q)
	return len(ws) > 0 && !determiners[ws[len(ws)-1]] && ws[len(ws)-1] != "to" && !nounQuestionVerbs[all[len(all)-1]]
}

// nounQuestionVerbs end a question that asks what a charge or a cost
// does, not what it is: "… include?", "… cover?".
var nounQuestionVerbs = map[string]bool{"include": true, "includes": true, "cover": true, "covers": true, "apply": true,
	"applies": true, "mean": true, "means": true, "involve": true, "involves": true, "entail": true}

// namesNothing reports a sentence that has no word of its own but those
// that give an amount, the units it is given in, and those of its
// document's title (as stems in title): "It costs £60 a year.", "They are
// five pounds each.", "50p per item", "The bridge cost three million
// pounds." under "The old bridge". It gives the amount of something named
// before it.
func namesNothing(text string, title map[string]bool) bool {
	prev := ""
	for _, w := range words(text) {
		st := stem(w)
		switch {
		case stopWords[w], measuringStems[st], measuringAsideStems[st], title[st], amountNames[w],
			timeUnits[strings.TrimSuffix(w, "s")] != 0, isNumberWord(w):
		case prev == "per" || isNumberWord(prev):
			// The unit an amount is given in: "50p per item", "£52
			// for one bin".
		default:
			return false
		}
		prev = w
	}
	return true
}

// isNumberWord reports a number in digits or in words.
func isNumberWord(w string) bool {
	return numberWords[w] != 0 || strings.ContainsFunc(w, unicode.IsDigit)
}

// amountNames are the words of an amount that are neither numbers nor
// units of time: currencies, scales, and what sets a price per.
var amountNames = map[string]bool{
	"pound": true, "pounds": true, "pence": true, "penny": true, "p": true, "dollar": true, "dollars": true, "cent": true,
	"cents": true, "euro": true, "euros": true, "hundred": true, "thousand": true, "million": true, "billion": true,
	"per": true, "around": true, "free": true, "vat": true, "inc": true, "incl": true, "excluding": true, "including": true,
}

// howMuchIsThe is "how much is" (or are, was, were) a thing.
var howMuchIsThe = regexp.MustCompile(`(?i)^\W*how much\s+(is|are|was|were)\s`)

// priceQuestion reports a question that asks the price of a thing: "How
// much is a ticket for pensioners?", "How much was the emergency aid to
// Israel?", "how much are swimming lessons for children", "how much is
// it?". A participle after it makes "how much" a degree ("How much is the
// surface covered by water?", "How much was the town damaged?", "How much
// is terra preta distributed …?"), and leave or notice a length of time.
// (A thing named without its article was read as asking for a quantity
// until the users' questions of the other-kinds sets showed that they ask
// for a price: README, Evaluation.)
func priceQuestion(q string) bool {
	loc := howMuchIsThe.FindStringIndex(q)
	if loc == nil {
		return false
	}
	for _, w := range words(q[loc[1]:]) {
		if len(w) > 4 && strings.HasSuffix(w, "ed") || timeAllowances[w] {
			return false
		}
	}
	return true
}

// timeAllowances are what "how much is" asks the length of, not the
// price: "How much is annual leave?", "How much is the notice period?".
var timeAllowances = map[string]bool{"leave": true, "holiday": true, "holidays": true, "vacation": true, "notice": true,
	"time": true, "period": true}

// auxiliaries are the verbs that follow a question's "when" ("When did
// …", "When was …"); any other word makes it a clause.
var auxiliaries = map[string]bool{}

func init() {
	for _, w := range strings.Fields("did does do was were is are will would can could has had have should shall may might must") {
		auxiliaries[w] = true
	}
}

// contracted are what a contraction leaves of an auxiliary after a
// question word: "when's", "when're", "when'll", "when'd".
var contracted = map[string]bool{"s": true, "re": true, "ll": true, "d": true, "ve": true}

// amountWords make "how" ask for an amount ("how many", "how far"); "long"
// and "soon" do too, for a time.
var amountWords = map[string]bool{
	"many": true, "much": true, "far": true, "big": true, "large": true, "high": true, "old": true,
	"tall": true, "deep": true, "wide": true, "heavy": true, "fast": true, "often": true, "few": true,
}

// keywordType is what a query of a few words without a question word asks
// for, read from its last word, as people type them into a search box:
// "recall helpline number", "student fee", "opening keynote time", "max
// suspension length", "northgate physio phone number".
func keywordType(q string) answerType {
	ws := words(q)
	// The query's head is its last word before a preposition: "release
	// date of burrow 2.3.0" asks for a date, "deadline for objecting to
	// the flats on Tanner's Lane" for one too.
	if i := slices.IndexFunc(ws, func(w string) bool { return prepositions[w] }); i > 0 {
		ws = ws[:i]
	}
	if len(ws) == 0 || len(ws) > maxKeywordQuery || auxiliaries[ws[0]] || ws[0] == "why" {
		return anyType // nothing, a sentence, a yes/no question ("Is there a joining fee?") or a why
	}
	last := ws[len(ws)-1]
	if last == "name" || last == "names" {
		// "choir conductor name": a name, a person's when the word
		// before says so ("director name").
		if len(ws) > 1 && typeNouns[ws[len(ws)-2]] == personType {
			return personType
		}
		return nameType
	}
	if phoneWords[last] || (last == "number" || last == "numbers") && len(ws) > 1 && phoneWords[ws[len(ws)-2]] {
		return phoneType
	}
	if last == "address" && len(ws) > 1 && (ws[len(ws)-2] == "email" || ws[len(ws)-2] == "e-mail") ||
		(last == "email" || last == "e-mail") && (len(ws) == 1 || !emailKinds[ws[len(ws)-2]]) {
		return emailType // "support email", "clerk email address"; not "phishing email"
	}
	if last == "extension" && len(ws) > 1 && contactWords[ws[len(ws)-2]] {
		return phoneType // "reception extension"; not "deadline extension"
	}
	if last == "time" && len(ws) > 1 && notClockTime[ws[len(ws)-2]] {
		return anyType // "part time", "free time"
	}
	if t, ok := keywordNouns[last]; ok {
		return t
	}
	if t, ok := typeNouns[last]; ok {
		return t
	}
	return anyType
}

// notClockTime are the words before "time" that make it no clock time.
var notClockTime = map[string]bool{
	"part": true, "full": true, "free": true, "spare": true, "in": true, "on": true, "any": true, "same": true,
	"first": true, "last": true, "next": true, "this": true, "that": true, "lead": true, "response": true, "waiting": true,
}

// maxKeywordQuery is the most words a keyword query has; a longer text
// without a question word is a sentence, not a query.
const maxKeywordQuery = 6

// keywordNouns are the last words of keyword queries whose type differs
// from what the same noun asks after "what" ("what number" asks for a
// quantity; "helpline number", for digits), or that no question word needs.
var keywordNouns = map[string]answerType{
	"fee": moneyType, "fees": moneyType, "price": moneyType, "prices": moneyType, "cost": moneyType, "costs": moneyType,
	"fare": moneyType, "fares": moneyType, "rent": moneyType, "salary": moneyType, "charge": moneyType, "charges": moneyType,
	"time": timeType, "times": timeType,
	"length": durationType, "duration": durationType,
	// "notice period", "cooling off period": a length of time, where a
	// question's "what period" asks for an era.
	"period": durationType, "periods": durationType,
	"deadline":  dateType,
	"frequency": frequencyType,
}

// isEmailQuestion reports a question that asks for an email address:
// "What is her email?", "What's Priya Chandran's email address?", "Which
// email address do I write to?"; not "What was in the email?".
func isEmailQuestion(q string) bool {
	m := emailQuestion.FindStringSubmatch(q)
	if m == nil {
		return false
	}
	ws := words(m[1])
	return len(ws) <= 4 && !slices.ContainsFunc(ws, func(w string) bool { return prepositions[w] })
}

// emailKinds are the words before "email" that say what kind of message
// it is ("phishing email"), not whose address.
var emailKinds = map[string]bool{
	"phishing": true, "spam": true, "junk": true, "scam": true, "fake": true, "suspicious": true, "marketing": true,
	"last": true, "first": true, "latest": true, "new": true, "old": true, "next": true, "previous": true, "welcome": true,
}

// contactWords name whom a telephone extension reaches: "reception
// extension", "her extension".
var contactWords = map[string]bool{
	"support": true, "contact": true, "enquiries": true, "enquiry": true, "inquiries": true, "office": true, "reception": true,
	"help": true, "helpdesk": true, "info": true, "sales": true, "admin": true, "booking": true, "bookings": true, "her": true, "his": true,
}

// phoneWords name a telephone: "helpline number", "clinic phone".
var phoneWords = map[string]bool{
	"phone": true, "telephone": true, "tel": true, "helpline": true, "hotline": true, "mobile": true, "fax": true,
}

// questionType decides what q asks for. The question word must head the
// question (or follow a preposition that opens it: "In what year …"); a
// "when" inside a clause ("What is formed when …") decides nothing.
func questionType(q string) answerType {
	if moneyQuestion.MatchString(q) || priceQuestion(q) || isCostVerbQuestion(q) {
		return moneyType
	}
	if isEmailQuestion(q) {
		return emailType
	}
	if phoneQuestion.MatchString(q) {
		return phoneType
	}
	if periodQuestion.MatchString(q) {
		return dateType
	}
	if clockQuestion.MatchString(q) {
		return timeType
	}
	loc := whWord.FindStringIndex(q)
	if loc == nil {
		return keywordType(q)
	}
	before := words(q[:loc[0]])
	// Only a short lead-in may stand before the question word: "In what",
	// "By how many", "During which", "Since when", "The Normans were in
	// what country" is not read.
	if len(before) > 2 {
		return anyType
	}
	wh := strings.ToLower(q[loc[0]:loc[1]])
	rest := words(q[loc[1]:])
	next := ""
	if len(rest) > 0 {
		next = rest[0]
	}
	switch wh {
	case "when":
		// "When?", "By when?" and "Since when?" end where the verb would
		// be: a follow-up's date question.
		if next != "" && !auxiliaries[next] && !contracted[next] {
			// "When the election produced a majority, what was it the
			// first of?": "when" opens a clause; the question follows it.
			if _, after, ok := strings.Cut(q[loc[1]:], ","); ok {
				return questionType(after)
			}
			return anyType
		}
		return dateType
	case "where":
		return placeType
	case "who", "whom", "whose":
		return personType
	case "how":
		switch {
		case next == "often":
			return frequencyType
		case amountWords[next]:
			return numberType
		case next == "long":
			if len(rest) > 1 && rest[1] == "ago" {
				return dateType
			}
			return durationType
		}
		return anyType
	}
	// what / which: the type is the noun that follows, perhaps after an
	// adjective or two ("what political party", "which of the cities").
	for i, w := range rest {
		if i >= 3 {
			break
		}
		if t, ok := typeNouns[w]; ok {
			return t
		}
		if t, ok := typeNouns[strings.TrimSuffix(w, "s")]; ok {
			return t
		}
		if w == "is" || w == "was" || w == "are" || w == "were" || w == "did" || w == "does" || w == "do" {
			break
		}
	}
	return anyType
}

var (
	months   = `jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?`
	dateExpr = regexp.MustCompile(`(?i)\b(` +
		`(` + months + `)\.? \d{1,2}(st|nd|rd|th)?(,? \d{3,4})?` + // June 10, 2016
		`|\d{1,2}(st|nd|rd|th)? (of )?(` + months + `)\.?( \d{3,4})?` + // 10 June 2016
		`|(` + months + `),? \d{3,4}` + // June 2016
		`|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}` + // 02.04.2021, 2021-04-02
		`|\d{1,4}\s?(bc|bce|ad|ce)` + // 430 BC
		`|(ad|a\.d\.) \d{1,4}` +
		`|(\d{1,2}(st|nd|rd|th)|first|second|third|fourth|fifth|last|final)( (working|business|school|calendar))?( (day|weekday|monday|tuesday|wednesday|thursday|friday|saturday|sunday))? of (the|each|every|this|that|next) (month|year|quarter|term|week)` + // the 20th of the month, the last working day of each month
		`|\d{1,2}(st|nd|rd|th)[\s-](century|centuries|millennium)` + // 9th century, 12th-century
		`|(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first) (century|centuries|millennium)` +
		`|(the )?\d{2,4}s` + // the 1980s
		`|\d{3,4}(–|-|—| to )\d{2,4}` + // 1914–1918
		`|(in|by|since|until|till|from|after|before|during|of|around|circa|c\.) \d{3,4}` + // in 1262
		`|\d{4}` +
		`|january|february|march|april|june|july|august|september|october|november|december` +
		`|(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?|yesterday|today|tomorrow` +
		`)\b`)
	// relativeExpr is a time said against another ("from the third day",
	// "within 30 days", "two weeks in advance", "after five years"): what
	// "when" asks of rules and procedures.
	relativeExpr = regexp.MustCompile(`(?i)\b((from|after|before|within|until|by|on|in|during) (the )?(first|second|third|fourth|fifth|sixth|seventh|tenth|last|next|following|\d+(st|nd|rd|th)) (\w+ )?(hour|day|week|month|year|quarter|shift|visit)s?` +
		`|(within|after|before) (\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty) (\w+ )?(minutes?|hours?|days?|weeks?|months?|years?)` +
		`|(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty) (\w+ )?(minutes?|hours?|days?|weeks?|months?|years?) (before|after|in advance|later|earlier|beforehand))\b`)
	clockExpr    = regexp.MustCompile(`(?i)\b(\d{1,2}:\d{2}|\d{1,2}\.\d{2}\s?(a\.?m\b|p\.?m\b|h\b|hrs\b)|\d{1,2}\s?(a\.?m|p\.?m)\b\.?|noon|midnight|o'clock)`)
	durationExpr = regexp.MustCompile(`(?i)\b(\d[\d,.]*[\s-]*|(a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|several|few|many)[\s-]+)(\w+[\s-]+)?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|years?|decades?|centuries|century|generations?)\b`)
	spanExpr     = regexp.MustCompile(`(?i)\b(in|for|within|after|over|takes?|took)\s+(seconds|minutes|hours|days|weeks|months|years|decades|centuries|generations)\b`)
	lengthExpr   = regexp.MustCompile(`(?i)\b(\d[\d,.]*[\s-]*|(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred|thousand|million)[\s-]+)(\w+[\s-]+)?(kilomet(re|er)s?|km|met(re|er)s?|m|centimet(re|er)s?|cm|millimet(re|er)s?|mm|miles?|feet|foot|ft|inch(es)?|yards?|light[\s-]years?|characters?|chars|digits|words|pages)\b`)
	numberExpr   = regexp.MustCompile(`(?i)(^|[^\pL\d])\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|third|quarter|percent|majority|minority)\b`)
	// moneyExpr is an amount of money, or none to pay: "£35", "100 billion
	// dollars", "three million pounds", "50p", "free of charge", "Admission:
	// free" (not "a free trade agreement").
	moneyExpr = regexp.MustCompile(`(?i)[$€£¥₹₽₸]\s?\d|\d\s?[$€£¥₹₽₸]|\b(usd|eur|gbp|chf|jpy|kzt|us\$|rs\.?)\s?\d|\b\d+p\b` +
		`|(\d[\d,.]*|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|several))` +
		`\s?(hundred|thousand|million|billion|trillion|k|m|bn)?\s?(dollars?|euros?|pounds?|pence|cents?|yen|yuan|francs?|rupees?|roubles?|rubles?|tenge|kroner|kronor|krona|zloty|usd|eur|gbp|chf|jpy|kzt)\b` +
		`|\ban?\s(hundred|thousand|million|billion)\s(dollars|euros|pounds|yen|francs|rupees|roubles|rubles)\b` +
		`|\b(is|are|be|was|were|go|goes|get|gets|entry|admission|entrance|parking|tickets?)\W+free\b|\bfree\s+(of charge|entry|admission|parking|entrance|tickets?)\b|\bfor free\b` +
		`|\b(no charge|no cost|costs? nothing)\b` +
		// A label whose brackets name the currency, then its amount:
		// "Price (£ ex VAT): 19.20", "Single (GBP): 19.5", "Fee (€ per
		// month): 30" — a table's row as the spreadsheet and table
		// readers write it. Only words of tax and of what the amount is
		// per may stand beside the currency ("Contact (GBP account):
		// 0161 …" is a telephone number).
		`|\((?:[$€£¥₹]|usd|eur|gbp)(?:[\s,.]+(?:ex|exc|excl|exclusive|inc|incl|inclusive|including|excluding|of|vat|tax|gst|per|a|an|each|month|year|week|day|hour|night|person|head|unit|item))*\s*\)\s*:\s*\d`)
	// emailExpr is an email address.
	emailExpr = regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)+`)
	// extensionExpr is a telephone extension: "Ext. 214", "extension: 3307";
	// not "an extension 14 days before".
	extensionExpr = regexp.MustCompile(`(?i)\bext(n)?\.?\s*\d{2,6}\b|\bextension(\s+(no\.?|number))?:\s*\d{2,6}\b`)
	// phoneExpr is a telephone number: seven digits or more, in groups
	// ("0161 482 3907", "+44 (0)20 7946 0958", "0800-046-3318"); see
	// hasPhone for dates that look like one.
	phoneExpr = regexp.MustCompile(`(^|[^\w.])\+?\(?\d(?:[ ()-]{0,2}\d){6,}\b`)
	// frequencyExpr is how often something happens: "every two years",
	// "each spring", "twice a week", "three times a day", "annually", "on
	// the first Monday of each month".
	frequencyExpr = regexp.MustCompile(`(?i)\b(every|each)\s+(other\s+|second\s+|third\s+)?((\d+|two|three|four|five|six|ten|twelve|few|several)\s+)?` + frequencyUnits +
		`|\b(once|twice|thrice)\s+(a|an|per|every|each)\b|\b(\d+|one|two|three|four|five|six|several|many)\s+times\s+(a|an|per|every|each)\b` +
		`|\b(annually|yearly|monthly|weekly|daily|hourly|nightly|fortnightly|quarterly|biannually|biennially)\b|\b(a|per)\s+(day|week|fortnight|month|quarter|year|hour)\b` +
		`|\b(on|at)\s+(mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekdays|weekends)\b`)
	// frequencyUnits are what "every" or "each" counts when it says how
	// often ("every two years", "each spring"), not "every employee".
	frequencyUnits = `(seconds?|minutes?|hours?|days?|nights?|mornings?|evenings?|weekdays?|weekends?|weeks?|fortnights?|months?|quarters?|years?|terms?|semesters?|seasons?|shifts?|visits?|sessions?|times?` +
		`|monday|tuesday|wednesday|thursday|friday|saturday|sunday|spring|summer|autumn|fall|winter` +
		`|january|february|march|april|may|june|july|august|september|october|november|december)\b`
	// pathExpr is where software keeps things: a file system path or a web
	// address ("Unpack it into /opt/orbit", "at https://…").
	pathExpr  = regexp.MustCompile(`(^|[\s(\x60'"])(~?/[\w.@%+-]+(/[\w.@%+-]*)*|[A-Za-z]:\\[\w\\. -]+|https?://\S+)`)
	placeExpr = regexp.MustCompile(`\b(in|at|near|from|to|into|inside|outside|across|throughout|within|of)\s+(the\s+)?(\p{Lu}\p{L}+|(apartment|residential|office|public|military|border)?\s*(districts?|regions?|city|cities|towns?|villages?|provinces?|countries|country|capital|streets?|squares?|buildings?|houses?|homes?|residences?|airports?|stations?|areas?|offices?|schools?|facilities|facility|settlements?|parks?|hospitals?|ports?|island|coast|river|valley|north|south|east|west))\b`)
)

// hasAnswerType reports whether text holds something of type t that the
// question q does not already say.
func hasAnswerType(text string, t answerType, q query) bool {
	switch t {
	case dateType:
		// "When does the office close?" is answered by a clock time.
		return dateExpr.MatchString(text) || clockExpr.MatchString(text) || relativeExpr.MatchString(text)
	case timeType:
		return clockExpr.MatchString(text)
	case durationType:
		// "How long" asks for a time or a length.
		return durationExpr.MatchString(text) || lengthExpr.MatchString(text) || spanExpr.MatchString(text)
	case numberType:
		// A date is not a quantity: "June 10" answers no "how many".
		return numberExpr.MatchString(stripDates(text))
	case moneyType:
		return moneyExpr.MatchString(text)
	case phoneType:
		return hasPhone(text)
	case frequencyType:
		return frequencyExpr.MatchString(text)
	case emailType:
		return emailExpr.MatchString(text)
	case placeType:
		return hasAnswerType(text, placeShapeType, q) || hasNewName(text, q, false)
	case placeShapeType:
		return placeExpr.MatchString(text) || pathExpr.MatchString(text)
	case personType:
		return hasNewName(text, q, true)
	case nameType:
		return hasNewName(text, q, false)
	}
	return true
}

// hasPhone reports a telephone number in text that is not a date written
// in digits (1914-1918, 2024-03-15).
func hasPhone(text string) bool {
	if extensionExpr.MatchString(text) {
		return true // "Ext. 214": a number within the switchboard's
	}
	if shortNumberExpr.MatchString(text) {
		return true // "call NHS 111", "dial 999": a short number to call
	}
	for _, m := range phoneExpr.FindAllString(text, -1) {
		m = strings.TrimLeftFunc(m, func(r rune) bool { return !unicode.IsDigit(r) && r != '+' && r != '(' })
		if dateExpr.FindString(m) != m {
			return true
		}
	}
	return false
}

// shortNumberExpr is a short telephone number said as one ("call NHS 111",
// "dial 999 in an emergency", "ring 101"): three to six digits right after
// a verb of calling and perhaps a name in capitals, ending the clause or
// followed by a word that is no noun they count ("call 250 members",
// "text 2000 words" are no numbers to call).
var shortNumberExpr = regexp.MustCompile(`\b(?i:call|ring|dial|phone|telephone|text)\s+(?:\p{Lu}[\p{L}]*\s+)?\d{3,6}` +
	`(?:\s*$|\s*[.,;:!?)]|\s+(?:for|if|or|and|to|from|in|on|at|free|now|immediately|any|anytime)\b)`)

// stripDates blanks the dates of text (but not bare numbers).
func stripDates(text string) string {
	return dateExpr.ReplaceAllStringFunc(text, func(m string) string {
		if strings.IndexFunc(m, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			return m // a bare number may be a quantity
		}
		return " "
	})
}

// calendarWords are the months and days, capitalised but no one's name.
var calendarWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("january february march april may june july august september october november december " +
		"monday tuesday wednesday thursday friday saturday sunday") {
		m[w] = true
	}
	return m
}()

// hasNewName reports a capitalised word, not at the start of the sentence,
// that the question does not mention.
func hasNewName(text string, q query, person bool) bool {
	for i, w := range strings.Fields(text) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if i == 0 || w == "" || !unicode.IsUpper([]rune(w)[0]) || calendarWords[strings.ToLower(w)] {
			continue // a month or a day is a time, not a name
		}
		if person && !strings.ContainsFunc(w, unicode.IsLower) {
			continue // "HTTP", "API": initials name things, rarely people
		}
		if _, ok := q.terms[stem(strings.ToLower(w))]; !ok {
			return true
		}
	}
	return false
}
