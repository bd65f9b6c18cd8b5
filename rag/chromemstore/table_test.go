package chromemstore

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// check returns what is wrong with t's lookups: every row found by its ID
// and listed once under its source, nothing else.
func (t *table) check() string {
	used := 0
	for _, v := range t.byID {
		if v != 0 {
			used++
		}
	}
	if used != len(t.ids) || 2*used > len(t.byID) && used > 0 {
		return "byID holds " + strconv.Itoa(used) + " of " + strconv.Itoa(len(t.ids)) + " rows in " + strconv.Itoa(len(t.byID)) + " slots"
	}
	listed := 0
	for src, rows := range t.bySource {
		if len(rows) == 0 {
			return "source " + src + " listed with no rows"
		}
		for i, r := range rows {
			if t.srcs[r] != src || int(t.at[r]) != i {
				return "row " + strconv.Itoa(int(r)) + " misplaced under " + src
			}
		}
		listed += len(rows)
	}
	if listed != len(t.ids) {
		return "sources list " + strconv.Itoa(listed) + " rows of " + strconv.Itoa(len(t.ids))
	}
	for r, id := range t.ids {
		if _, got := t.find(id); got != int32(r) {
			return "ID " + id + " finds row " + strconv.Itoa(int(got)) + ", not " + strconv.Itoa(r)
		}
	}
	if len(t.codes) != len(t.ids)*t.stride || len(t.fine) != len(t.codes) || len(t.scales) != len(t.ids) || len(t.bs) != len(t.ids)*t.sw || len(t.vecs) != len(t.ids) {
		return "arrays out of step"
	}
	return ""
}

// The table's hash of IDs and lists of sources stay in step with its rows
// through adds, replacements (some to another source), deletions of
// sources and the shrinking that follows, and IDs never added are not
// found.
func TestTableLookups(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	tab := newTable()
	live := map[string]string{} // ID -> source
	for step := range 3000 {
		switch op := r.IntN(10); {
		case op < 7:
			src := "s" + strconv.Itoa(r.IntN(30))
			n := 1 + r.IntN(40)
			tab.reserve(n, 3)
			for range n {
				id := "c" + strconv.Itoa(r.IntN(2000))
				tab.place(id, src, []float32{1, 0, 0})
				live[id] = src
			}
		default:
			src := "s" + strconv.Itoa(r.IntN(30))
			want := 0
			for _, s := range live {
				if s == src {
					want++
				}
			}
			if got := len(tab.source(src)); got != want {
				t.Fatalf("step %d: source %s lists %d chunks, want %d", step, src, got, want)
			}
			tab.deleteSource(src)
			for id, s := range live {
				if s == src {
					delete(live, id)
				}
			}
		}
		if msg := tab.check(); msg != "" {
			t.Fatalf("step %d: %s", step, msg)
		}
		if tab.len() != len(live) {
			t.Fatalf("step %d: %d rows, want %d", step, tab.len(), len(live))
		}
		for id, src := range live {
			if _, row := tab.find(id); row < 0 || tab.srcs[row] != src {
				t.Fatalf("step %d: %s not found under %s", step, id, src)
			}
		}
		if _, row := tab.find("absent"); row >= 0 {
			t.Fatalf("step %d: an ID never added is found", step)
		}
	}
}
