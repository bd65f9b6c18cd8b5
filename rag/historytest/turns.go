package historytest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

var ctx = context.Background()

// t0 is the suite's clock: a UTC instant with microseconds, a little
// before midnight so that an hour later is another UTC day.
var t0 = time.Date(2026, 3, 14, 23, 30, 15, 123456000, time.UTC)

// SampleTurn returns a grounded turn of the size citebot stores: an answer
// quoting two of three cited passages of about 600 bytes each, every field
// of rag.Answer that the history keeps set.
func SampleTurn(id, conversation string, at time.Time) rag.Turn {
	passage := strings.Repeat("The comet's tail stretched across a third of the sky in the spring of 1910. ", 8)
	q := "How long was the comet's tail?"
	return rag.Turn{
		ID:           id,
		Conversation: conversation,
		Question:     q,
		Front:        "http",
		At:           at,
		Answer: rag.Answer{
			Question:   q,
			Answer:     "The comet's tail stretched across a third of the sky [1], as \\[2\\] noted [2].",
			Grounded:   true,
			Confidence: 0.8333333333333334,
			Note:       "extractive",
			Citations: []rag.Citation{
				{N: 1, Source: "002_126ef14e62b6afb1.txt", Title: "Halley's comet", Date: "1910-05-20", Section: "Sightings › Europe", Chunk: 4, Score: 0.0325, Text: passage, Quote: "The comet's tail stretched across a third of the sky in the spring of 1910."},
				{N: 2, Source: "notes/observatory.md", Title: "Observatory log", Chunk: 0, Score: 0.0161, Text: passage[:300]},
				{N: 3, Source: "c.pdf", Title: "C", Date: "", Chunk: 12, Score: 0.001, Text: passage[100:], Quote: "in the spring of 1910."},
			},
		},
	}
}

// declined returns a turn whose answer is declined.
func declined(id, conversation string, at time.Time) rag.Turn {
	t := SampleTurn(id, conversation, at)
	t.Answer.Grounded = false
	t.Answer.Answer = rag.NotFound
	t.Answer.Citations = []rag.Citation{}
	t.Answer.Confidence = 0.12
	t.Answer.Note = ""
	return t
}

// stored is t as a history gives it back: its time in UTC, to the
// microsecond.
func stored(t rag.Turn) rag.Turn {
	t.At = t.At.UTC().Truncate(time.Microsecond)
	return t
}

func mustAddTurn(t *testing.T, h History, turns ...rag.Turn) {
	t.Helper()
	for _, tu := range turns {
		if err := h.AddTurn(ctx, tu); err != nil {
			t.Fatalf("AddTurn(%q): %v", tu.ID, err)
		}
	}
}

func mustAddFeedback(t *testing.T, h History, fs ...rag.Feedback) {
	t.Helper()
	for _, f := range fs {
		if err := h.AddFeedback(ctx, f); err != nil {
			t.Fatalf("AddFeedback(%q, %q): %v", f.Answer, f.Vote, err)
		}
	}
}

func mustTurn(t *testing.T, h History, id string) rag.Turn {
	t.Helper()
	got, err := h.Turn(ctx, id)
	if err != nil {
		t.Fatalf("Turn(%q): %v", id, err)
	}
	return got
}

func mustRecent(t *testing.T, h History, q rag.HistoryQuery) []rag.Record {
	t.Helper()
	recs, err := h.Recent(ctx, q)
	if err != nil {
		t.Fatalf("Recent(%+v): %v", q, err)
	}
	return recs
}

// checkEqual fails t unless got and want are deeply equal, showing both
// as JSON.
func checkEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, jsonOf(got), jsonOf(want))
	}
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// recordIDs lists the records' turn IDs.
func recordIDs(recs []rag.Record) []string {
	ids := []string{}
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	return ids
}

// turnIDs lists the turns' IDs.
func turnIDs(turns []rag.Turn) []string {
	ids := []string{}
	for _, tu := range turns {
		ids = append(ids, tu.ID)
	}
	return ids
}
