package rag

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A length of time a question states ("If I cancel three weeks before",
// "to park for 3 hours", "a 7-hour flight") picks, among the lines of a
// table or a list that each give a band of it ("Cancellation between 14
// and 28 days before: 50% refund", "Length of stay: 2 to 4 hours;
// Charge: £4.80", "flights of more than 9 hours"), the one whose band
// holds it: the words of every line are alike, and only the numbers say
// which applies. Lengths are read in minutes.

// band is an interval of a length of time, in minutes; lo or hi is
// infinite where the text gives no bound.
type band struct {
	lo, hi         float64
	loOpen, hiOpen bool // the bound itself is outside: "more than 28 days"
}

func (b band) holds(v float64) bool {
	return (v > b.lo || v == b.lo && !b.loOpen) && (v < b.hi || v == b.hi && !b.hiOpen)
}

// timeUnits are the minutes in each unit of a length of time.
var timeUnits = map[string]float64{
	"minute": 1, "min": 1, "hour": 60, "hr": 60, "day": 24 * 60,
	"week": 7 * 24 * 60, "fortnight": 14 * 24 * 60, "month": 30 * 24 * 60, "year": 365 * 24 * 60,
}

// numberWords are the numbers written as words that lengths of time are
// said in ("three weeks", "an hour", "twenty-eight days": tens and units
// joined by a hyphen add up).
var numberWords = map[string]float64{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
	"forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

const (
	// bandNumber is a number a length is given in: digits (thousands
	// grouped by commas or not), or words ("twenty-eight" one number).
	bandNumber = `(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)`
	// bandStart is what a number stands after: not a letter, a digit
	// or a hyphen, so that "twenty-eight" is never read as "eight". Go's
	// regexp has no look-behind, so the character is matched, in a group
	// that captures nothing.
	bandStart = `(?:^|[^\pL\d-])`
	bandUnit  = `(minute|min|hour|hr|day|week|fortnight|month|year)s?\b`
)

var (
	// timeLengthExpr is a length of time: "3 hours", "three weeks",
	// "7-hour"; not the age in "a 2-year-old".
	timeLengthExpr = regexp.MustCompile(`(?i)` + bandStart + bandNumber + `(?:\s+|\s*-\s*)` + bandUnit + `(-old)?`)
	// bandExprs are the ways a text gives a band of lengths: both ends,
	// a lower bound or an upper one. Group 1 is the kind, then the
	// numbers and units.
	betweenExpr = regexp.MustCompile(`(?i)` + bandStart + `(?:between\s+|from\s+)?` + bandNumber + `(?:\s+` + bandUnit + `)?\s+(?:to|and)\s+` + bandNumber + `\s+` + bandUnit)
	// dashExpr is a band of digits joined by a dash ("2–4 hours"); words
	// joined so are one number ("twenty-eight days").
	dashExpr  = regexp.MustCompile(`(?i)` + bandStart + `(\d+(?:\.\d+)?)(?:\s*` + bandUnit + `)?\s*[-–—]\s*(\d+(?:\.\d+)?)\s*` + bandUnit)
	aboveExpr = regexp.MustCompile(`(?i)\b(more than|over|longer than|at least|in excess of|beyond|upwards of)\s+` + bandNumber + `\s+` + bandUnit)
	belowExpr = regexp.MustCompile(`(?i)\b(less than|under|up to|within|fewer than|no more than|shorter than|not more than)\s+` + bandNumber + `\s+` + bandUnit)
	orExpr    = regexp.MustCompile(`(?i)` + bandStart + bandNumber + `\s+` + bandUnit + `\s+or\s+(more|longer|over|less|fewer|under|shorter)\b`)
)

// numberOf reads a number in digits or words; false for neither.
func numberOf(s string) (float64, bool) {
	s = strings.ToLower(s)
	if v, ok := numberWords[s]; ok {
		return v, true
	}
	if tens, units, ok := strings.Cut(s, "-"); ok {
		t, ok1 := numberWords[tens]
		u, ok2 := numberWords[units]
		return t + u, ok1 && ok2
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	return v, err == nil
}

// minutes is n of unit u (singular, lower case or not) in minutes.
func minutes(n, u string) (float64, bool) {
	v, ok := numberOf(n)
	m, known := timeUnits[strings.ToLower(u)]
	return v * m, ok && known
}

// statedLength is the first length of time q states ("three weeks",
// "3 hours", "a 7-hour flight"), in minutes; false when it states none.
// "How many hours …" states none: a length needs its number, and "a
// 2-year-old" is an age. "A" and "an" count only after a word that says
// a length follows ("for an hour", "within a week") or before one that
// says it is a length ("an hour before"): "a day ticket" and "twice a
// week" state none. A bound said with the length moves it past the
// length's end or short of it, so that a band that ends there does not
// hold it: "more than two weeks after booking", "over 4 hours", "no more
// than 2 hours".
func statedLength(q string) (float64, bool) {
	for _, loc := range timeLengthExpr.FindAllStringSubmatchIndex(q, -1) {
		if loc[6] >= 0 {
			continue // "-old"
		}
		n, u := q[loc[2]:loc[3]], q[loc[4]:loc[5]]
		before := words(q[:loc[2]])
		if a := strings.ToLower(n); a == "a" || a == "an" {
			after := words(q[loc[1]:])
			if !(len(before) > 0 && lengthLeads[before[len(before)-1]] || len(after) > 0 && lengthTails[after[0]]) {
				continue
			}
		}
		v, ok := minutes(n, u)
		for k := min(3, len(before)); k > 0; k-- {
			if sign, ok := boundWords[strings.Join(before[len(before)-k:], " ")]; ok {
				v += sign * lengthEpsilon
				break
			}
		}
		return v, ok
	}
	return 0, false
}

// boundWords say which side of a length a question's length is: past
// its end (+1) or short of it (-1). The longest phrase before the length
// decides ("no more than" before "more than").
var boundWords = map[string]float64{
	"more than": 1, "over": 1, "longer than": 1, "later than": 1, "beyond": 1, "in excess of": 1, "upwards of": 1,
	"less than": -1, "fewer than": -1, "shorter than": -1, "under": -1, "within": -1, "up to": -1,
	"no more than": -1, "not more than": -1, "no longer than": -1, "no later than": -1,
	"no less than": 1, "not less than": 1,
}

// lengthEpsilon is how far past a length "more than" it reads, in
// minutes: less than any band's step.
const lengthEpsilon = 1e-3

// lengthLeads are the words after which "a" or "an" is one of a length
// of time; lengthTails those before which it is.
var (
	lengthLeads = map[string]bool{"for": true, "than": true, "in": true, "within": true, "about": true, "over": true, "under": true}
	lengthTails = map[string]bool{"before": true, "after": true, "ahead": true, "early": true, "late": true, "earlier": true, "later": true, "beforehand": true}
)

// bands are the bands of lengths of time text gives.
func bands(text string) []band {
	var out []band
	for _, m := range append(betweenExpr.FindAllStringSubmatch(text, -1), dashExpr.FindAllStringSubmatch(text, -1)...) {
		lu := m[2]
		if lu == "" {
			lu = m[4] // "2 to 4 hours": the unit of both
		}
		lo, ok1 := minutes(m[1], lu)
		hi, ok2 := minutes(m[3], m[4])
		if lo > hi {
			lo, hi = hi, lo // "between 28 and 8 days before"
		}
		if ok1 && ok2 && lo < hi {
			out = append(out, band{lo: lo, hi: hi})
		}
	}
	for _, m := range aboveExpr.FindAllStringSubmatch(text, -1) {
		if v, ok := minutes(m[2], m[3]); ok {
			out = append(out, band{lo: v, hi: math.Inf(1), loOpen: !strings.EqualFold(m[1], "at least")})
		}
	}
	for _, m := range belowExpr.FindAllStringSubmatch(text, -1) {
		if v, ok := minutes(m[2], m[3]); ok {
			k := strings.ToLower(m[1])
			out = append(out, band{lo: 0, hi: v, hiOpen: k != "up to" && k != "within" && k != "no more than" && k != "not more than"})
		}
	}
	for _, m := range orExpr.FindAllStringSubmatch(text, -1) {
		if v, ok := minutes(m[1], m[2]); ok {
			switch strings.ToLower(m[3]) {
			case "more", "longer", "over":
				out = append(out, band{lo: v, hi: math.Inf(1)})
			default:
				out = append(out, band{lo: 0, hi: v})
			}
		}
	}
	return out
}

// fitsLength is +1 when a band text gives holds v minutes, -1 when text
// gives bands and none holds it, 0 when it gives none.
func fitsLength(text string, v float64) int {
	bs := bands(text)
	if len(bs) == 0 {
		return 0
	}
	for _, b := range bs {
		if b.holds(v) {
			return 1
		}
	}
	return -1
}

// alike reports two lines that say the same of different bands: at least
// half the content words of the shorter are the other's ("Cancellation
// more than 28 days before the booking: full refund of the hire fee" and
// "Cancellation between 28 and 8 days before: 50% of the hire fee is
// refunded"; two rows of one table; not "Cancellations made at least 48
// hours before the class are refunded in full" and "Refunds are paid back
// to your card within 5 days", whose band is of something else). Numbers
// and the words of lengths do not count.
func alike(a, b string) bool {
	content := func(s string) map[string]bool {
		return stemSet(slices.DeleteFunc(words(s), func(w string) bool {
			return numberLike(w) || timeUnits[strings.TrimSuffix(w, "s")] != 0
		}))
	}
	ca, cb := content(a), content(b)
	if len(ca) > len(cb) {
		ca, cb = cb, ca
	}
	shared := 0
	for w := range ca {
		if cb[w] {
			shared++
		}
	}
	return len(ca) > 0 && 2*shared >= len(ca)
}

// numberLike reports a word of digits or a number's word.
func numberLike(w string) bool {
	if _, ok := numberWords[w]; ok {
		return true
	}
	return strings.ContainsFunc(w, func(r rune) bool { return r >= '0' && r <= '9' })
}
