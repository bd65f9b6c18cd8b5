package historytest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

func testFeedbackUnknownAnswer(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	mustAddTurn(t, h, SampleTurn("a1", "c1", t0))
	for _, id := range append(hostileIDs, "c1") {
		err := h.AddFeedback(ctx, rag.Feedback{Answer: id, Vote: rag.VoteDown, Comment: "x"})
		if !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("AddFeedback on answer %.20q: err = %v, want rag.ErrNotFound", id, err)
		}
	}
	recs := mustRecent(t, h, rag.HistoryQuery{})
	if len(recs) != 1 || recs[0].Up+recs[0].Down != 0 || len(recs[0].Feedback) != 0 {
		t.Errorf("Recent after refused feedback = %s, want a1 with no votes", jsonOf(recs))
	}
}

func testFeedbackInvalid(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	mustAddTurn(t, h, SampleTurn("a1", "c1", t0))
	for _, f := range []rag.Feedback{
		{Answer: "a1", Vote: ""},
		{Answer: "a1", Vote: "sideways"},
		{Answer: "a1", Vote: "UP"},
		{Answer: "a1", Vote: rag.VoteDown, Comment: strings.Repeat("é", rag.MaxCommentRunes+1)},
		{Answer: "a1", Vote: rag.VoteDown, Comment: "NUL\x00"},
		{Answer: "a1", Vote: rag.VoteDown, Comment: "not UTF-8 \xff"},
		// Invalid and unknown: invalid, which the front end answers first.
		{Answer: "nope", Vote: "sideways"},
	} {
		if err := h.AddFeedback(ctx, f); !errors.Is(err, rag.ErrInvalidFeedback) {
			t.Errorf("AddFeedback(vote %q, comment of %d bytes): err = %v, want rag.ErrInvalidFeedback", f.Vote, len(f.Comment), err)
		}
	}
	recs := mustRecent(t, h, rag.HistoryQuery{})
	if len(recs) != 1 || len(recs[0].Feedback) != 0 {
		t.Errorf("Recent after refused feedback = %s, want a1 with none", jsonOf(recs))
	}
}

// votes stores four answers, newest last, and feedback on three:
//
//	a1 (t0)      up, down "meh"
//	a2 (t0+1h)   down "wrong", down
//	a3 (t0+2h)   none
//	a4 (t0+3h)   up
func votes(t *testing.T, h History) {
	t.Helper()
	for i, id := range []string{"a1", "a2", "a3", "a4"} {
		mustAddTurn(t, h, SampleTurn(id, "c"+id, t0.Add(time.Duration(i)*time.Hour)))
	}
	at := t0.Add(4 * time.Hour)
	mustAddFeedback(t, h,
		rag.Feedback{Answer: "a1", Vote: rag.VoteUp, At: at},
		rag.Feedback{Answer: "a2", Vote: rag.VoteDown, Comment: "wrong", At: at.Add(time.Minute)},
		rag.Feedback{Answer: "a1", Vote: rag.VoteDown, Comment: "meh", At: at.Add(2 * time.Minute)},
		rag.Feedback{Answer: "a4", Vote: rag.VoteUp, At: at.Add(3 * time.Minute)},
		rag.Feedback{Answer: "a2", Vote: rag.VoteDown, At: at.Add(4 * time.Minute)},
	)
}

func testRecent(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	if recs := mustRecent(t, h, rag.HistoryQuery{}); len(recs) != 0 {
		t.Errorf("Recent of an empty history = %q, want none", recordIDs(recs))
	}
	votes(t, h)
	recs := mustRecent(t, h, rag.HistoryQuery{})
	checkEqual(t, "Recent IDs", recordIDs(recs), []string{"a4", "a3", "a2", "a1"})
	at := t0.Add(4 * time.Hour)
	want := []rag.Record{
		{Turn: stored(SampleTurn("a4", "ca4", t0.Add(3*time.Hour))), Up: 1,
			Feedback: []rag.Feedback{{Answer: "a4", Vote: rag.VoteUp, At: at.Add(3 * time.Minute)}}},
		{Turn: stored(SampleTurn("a3", "ca3", t0.Add(2*time.Hour)))},
		{Turn: stored(SampleTurn("a2", "ca2", t0.Add(time.Hour))), Down: 2,
			Feedback: []rag.Feedback{
				{Answer: "a2", Vote: rag.VoteDown, Comment: "wrong", At: at.Add(time.Minute)},
				{Answer: "a2", Vote: rag.VoteDown, At: at.Add(4 * time.Minute)},
			}},
		{Turn: stored(SampleTurn("a1", "ca1", t0)), Up: 1, Down: 1,
			Feedback: []rag.Feedback{
				{Answer: "a1", Vote: rag.VoteUp, At: at},
				{Answer: "a1", Vote: rag.VoteDown, Comment: "meh", At: at.Add(2 * time.Minute)},
			}},
	}
	if len(recs) == len(want) {
		for i := range want {
			if len(recs[i].Feedback) == 0 {
				recs[i].Feedback = nil // none is none, whichever way it is said
			}
			checkEqual(t, "record "+want[i].ID, recs[i], want[i])
		}
	}
}

func testRecentVoteFilter(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	votes(t, h)
	for _, tt := range []struct {
		vote string
		want []string
	}{
		{"", []string{"a4", "a3", "a2", "a1"}},
		{rag.VoteDown, []string{"a2", "a1"}},
		{rag.VoteUp, []string{"a4", "a1"}},
	} {
		recs := mustRecent(t, h, rag.HistoryQuery{Vote: tt.vote})
		checkEqual(t, "Recent(vote "+tt.vote+") IDs", recordIDs(recs), tt.want)
		// A filtered record still counts and lists all its feedback.
		for _, r := range recs {
			if r.ID == "a1" && (r.Up != 1 || r.Down != 1 || len(r.Feedback) != 2) {
				t.Errorf("Recent(vote %q): a1 = %s, want both its votes", tt.vote, jsonOf(r))
			}
		}
	}
	if _, err := h.Recent(ctx, rag.HistoryQuery{Vote: "sideways"}); err == nil {
		t.Error("Recent(vote sideways): no error")
	}
}

func testRecentSinceLimit(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	votes(t, h)
	for _, tt := range []struct {
		q    rag.HistoryQuery
		want []string
	}{
		{rag.HistoryQuery{Since: t0.Add(time.Hour)}, []string{"a4", "a3", "a2"}}, // since is inclusive
		{rag.HistoryQuery{Since: t0.Add(time.Hour + time.Microsecond)}, []string{"a4", "a3"}},
		{rag.HistoryQuery{Since: t0.Add(time.Hour).In(time.FixedZone("UTC-7", -7*3600))}, []string{"a4", "a3", "a2"}},
		{rag.HistoryQuery{Since: t0.Add(10 * time.Hour)}, []string{}},
		{rag.HistoryQuery{Limit: 2}, []string{"a4", "a3"}},
		{rag.HistoryQuery{Limit: 1, Vote: rag.VoteDown}, []string{"a2"}},
		{rag.HistoryQuery{Limit: 100}, []string{"a4", "a3", "a2", "a1"}},
		{rag.HistoryQuery{Since: t0.Add(time.Hour), Limit: 1, Vote: rag.VoteUp}, []string{"a4"}},
		{rag.HistoryQuery{Since: t0.Add(-time.Hour), Vote: rag.VoteDown, Limit: 5}, []string{"a2", "a1"}},
	} {
		checkEqual(t, "Recent("+jsonOf(tt.q)+") IDs", recordIDs(mustRecent(t, h, tt.q)), tt.want)
	}
}
