package rag

import "testing"

func TestStatedLength(t *testing.T) {
	for q, want := range map[string]float64{
		"If I cancel three weeks before, do I get my money back?": 21 * 24 * 60,
		"How much to park for 3 hours?":                           180,
		"What class can I book for a 7-hour flight?":              420,
		"Can I park for an hour?":                                 60,
		"How much is a day ticket?":                               -1, // "a day" names the ticket
		"What if I cancel more than two weeks after booking?":     14*24*60 + lengthEpsilon,
		// Found by a review:
		"How much is it to park for over 4 hours?":             240 + lengthEpsilon,
		"How much is it to park for no more than 2 hours?":     120 - lengthEpsilon,
		"If I cancel thirty-five days before, is it refunded?": 35 * 24 * 60,
		"Can my 2-year-old come?":                              -1,
		"Is the warranty 1,000 hours?":                         60000,
		"What if I cancel an hour before?":                     60,
		"How many hours can I work?":                           -1,
		"How often is it collected? Twice a week?":             -1,
	} {
		got, ok := statedLength(q)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("statedLength(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestFitsLength(t *testing.T) {
	day := 24 * 60.0
	for _, c := range []struct {
		text string
		v    float64
		want int
	}{
		{"Cancellation more than 28 days before the booking: full refund", 14 * day, -1},
		{"Cancellation more than 28 days before the booking: full refund", 35 * day, 1},
		{"Cancellation more than 28 days before the booking: full refund", 28 * day, -1}, // "more than" leaves 28 out
		{"Cancellation between 28 and 8 days before: 50% refunded", 14 * day, 1},
		{"Cancellation 7 days or less before: no refund", 7 * day, 1},
		{"Cancellation 7 days or less before: no refund", 8 * day, -1},
		{"Length of stay: 30 minutes to 2 hours; Charge: £3.20.", 180, -1},
		{"Length of stay: 2 to 4 hours; Charge: £4.80.", 180, 1},
		{"Length of stay: 2–4 hours; Charge: £4.80.", 180, 1},
		{"Up to 30 minutes: free", 30, 1},
		{"Claims must be made within 30 days.", 31 * day, -1},
		{"Flights of at least 9 hours", 9 * 60, 1},
		{"The office is open on weekdays.", 60, 0},
		{"Cancellation more than twenty-eight days before: full refund", 35 * day, 1}, // not "eight days"
		{"Cancellation more than twenty-eight days before: full refund", 10 * day, -1},
		{"Report it within twenty-four hours.", 20 * 60, 1},
		{"Report it within twenty-four hours.", 30 * 60, -1},
		{"Call 0800 123 4567 to book.", 60, 0},
		{"Open 24 hours a day, 7 days a week.", 60, 0},
	} {
		if got := fitsLength(c.text, c.v); got != c.want {
			t.Errorf("fitsLength(%q, %v) = %d, want %d (bands %v)", c.text, c.v, got, c.want, bands(c.text))
		}
	}
}

func TestAlike(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Cancellation more than 28 days before the booking: full refund of the hire fee",
			"Cancellation between 28 and 8 days before: 50% of the hire fee is refunded", true},
		{"Length of stay: 30 minutes to 2 hours; Charge: £3.20.", "Length of stay: 2 to 4 hours; Charge: £4.80.", true},
		{"Business class may be booked for flights with a scheduled duration of more than 9 hours.",
			"Premium economy may be booked for flights of 6 to 9 hours.", true},
		{"Cancellations made at least 48 hours before the class are refunded in full.",
			"Refunds are paid back to your card within 5 days.", false},
	} {
		if got := alike(c.a, c.b); got != c.want {
			t.Errorf("alike(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
