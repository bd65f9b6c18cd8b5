package rag

import "testing"

func TestPlainMarkdown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Every employee has **25 days** of vacation.", "Every employee has 25 days of vacation."},
		{"Book through [the travel portal](https://travel.example/book \"Portal\").", "Book through the travel portal."},
		{"See ![the chart](chart.png) and *note* this.", "See the chart and note this."},
		{"Run `citebot ingest` again.", "Run citebot ingest again."},
		{"_Only_ staff, __not__ guests.", "Only staff, not guests."},
		{"Keep snake_case_names and 2*3*4 as they are.", "Keep snake_case_names and 2*3*4 as they are."},
		{"A footnote [2] stays.", "A footnote [2] stays."},
		{"Mixed **bold__ stays.", "Mixed **bold__ stays."},
	} {
		if got := plainMarkdown(c.in); got != c.want {
			t.Errorf("plainMarkdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
