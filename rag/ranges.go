package rag

import (
	"math"
	"regexp"
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
// said in ("three weeks", "an hour").
var numberWords = map[string]float64{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
	"forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
}

const (
	bandNumber = `(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty-five|forty|fifty|sixty|ninety)`
	bandUnit   = `(minute|min|hour|hr|day|week|fortnight|month|year)s?\b`
)

var (
	// timeLengthExpr is a length of time: "3 hours", "three weeks", "7-hour".
	timeLengthExpr = regexp.MustCompile(`(?i)\b` + bandNumber + `(?:\s+|\s*-\s*)` + bandUnit)
	// bandExprs are the ways a text gives a band of lengths: both ends,
	// a lower bound or an upper one. Group 1 is the kind, then the
	// numbers and units.
	betweenExpr = regexp.MustCompile(`(?i)\b(?:between\s+|from\s+)?` + bandNumber + `(?:\s+` + bandUnit + `)?\s*(?:to|and|-|–|—)\s*` + bandNumber + `\s+` + bandUnit)
	aboveExpr   = regexp.MustCompile(`(?i)\b(more than|over|longer than|at least|in excess of|beyond|upwards of)\s+` + bandNumber + `\s+` + bandUnit)
	belowExpr   = regexp.MustCompile(`(?i)\b(less than|under|up to|within|fewer than|no more than|shorter than|not more than)\s+` + bandNumber + `\s+` + bandUnit)
	orExpr      = regexp.MustCompile(`(?i)\b` + bandNumber + `\s+` + bandUnit + `\s+or\s+(more|longer|over|less|fewer|under|shorter)\b`)
)

// numberOf reads a number in digits or words; false for neither.
func numberOf(s string) (float64, bool) {
	s = strings.ToLower(s)
	if v, ok := numberWords[s]; ok {
		return v, true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// minutes is n of unit u (singular, lower case or not) in minutes.
func minutes(n string, u string) (float64, bool) {
	v, ok := numberOf(n)
	m, known := timeUnits[strings.ToLower(u)]
	return v * m, ok && known
}

// statedLength is the first length of time q states ("three weeks",
// "3 hours", "a 7-hour flight"), in minutes; false when it states none.
// "How many hours …" states none: a length needs its number.
// "A" and "an" count only after a word that says a length follows ("for
// an hour", "within a week"): "a day ticket" and "twice a week" state none.
func statedLength(q string) (float64, bool) {
	for _, loc := range timeLengthExpr.FindAllStringSubmatchIndex(q, -1) {
		n, u := q[loc[2]:loc[3]], q[loc[4]:loc[5]]
		if a := strings.ToLower(n); a == "a" || a == "an" {
			before := words(q[:loc[0]])
			if len(before) == 0 || !lengthLeads[before[len(before)-1]] {
				continue
			}
		}
		v, ok := minutes(n, u)
		// "more than two weeks after booking" is past the two weeks'
		// end, "less than an hour" short of it: a band that ends at two
		// weeks does not hold it.
		if before := words(q[:loc[0]]); len(before) >= 2 {
			switch strings.Join(before[len(before)-2:], " ") {
			case "more than", "longer than", "later than":
				v += lengthEpsilon
			case "less than", "fewer than", "shorter than":
				v -= lengthEpsilon
			}
		}
		return v, ok
	}
	return 0, false
}

// lengthEpsilon is how far past a length "more than" it reads, in
// minutes: less than any band's step.
const lengthEpsilon = 1e-3

// lengthLeads are the words after which "a" or "an" is one of a length
// of time.
var lengthLeads = map[string]bool{"for": true, "than": true, "in": true, "within": true, "about": true, "over": true, "under": true}

// bands are the bands of lengths of time text gives.
func bands(text string) []band {
	var out []band
	for _, m := range betweenExpr.FindAllStringSubmatch(text, -1) {
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
