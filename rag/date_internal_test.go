package rag

import "testing"

// firstDate only looks near four-digit numbers; it must find what trying
// every format over the whole text finds.
func FuzzFirstDate(f *testing.F) {
	for _, s := range []string{"July 12, 2012", "On 02.04.2021 60 senators", "12th of July, 2012 and 2011-05-01",
		"Sept. 3 1999", "13/07/2012", "1.12.07.2012", "12 июля 2012", "no date 20120 here 1999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _ := firstDate(s)
		want, _ := firstDateIn(s)
		if got != want {
			t.Errorf("firstDate(%q) = %q, trying every format finds %q", s, got, want)
		}
	})
}
