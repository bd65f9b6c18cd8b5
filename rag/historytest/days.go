package historytest

import (
	"errors"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

func testDeclinedPerDay(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	empty, err := h.DeclinedPerDay(ctx, time.Time{})
	if err != nil || len(empty) != 0 {
		t.Errorf("DeclinedPerDay of an empty history = %v, %v; want none", empty, err)
	}
	midnight := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	// The local midnight of UTC+5 is not a UTC day's boundary.
	east := time.FixedZone("UTC+5", 5*3600)
	mustAddTurn(t, h,
		SampleTurn("d13", "c", time.Date(2026, 3, 13, 12, 0, 0, 0, time.UTC)),
		declined("d14a", "c", midnight.Add(-23*time.Hour-59*time.Minute)),
		SampleTurn("d14b", "c", midnight.Add(-time.Microsecond)),
		declined("d14c", "c", midnight.Add(-time.Microsecond).In(east)),
		declined("d15a", "c", midnight),
		SampleTurn("d15b", "c", midnight.Add(time.Microsecond).In(east)),
		declined("d17", "c", midnight.Add(2*24*time.Hour+time.Hour)),
	)
	for _, tt := range []struct {
		since time.Time
		want  []rag.DayStat
	}{
		{time.Time{}, []rag.DayStat{
			{Day: "2026-03-13", Asked: 1, Declined: 0},
			{Day: "2026-03-14", Asked: 3, Declined: 2},
			{Day: "2026-03-15", Asked: 2, Declined: 1},
			{Day: "2026-03-17", Asked: 1, Declined: 1},
		}},
		// since counts from its instant on, not from its day's start.
		{midnight.Add(-time.Hour), []rag.DayStat{
			{Day: "2026-03-14", Asked: 2, Declined: 1},
			{Day: "2026-03-15", Asked: 2, Declined: 1},
			{Day: "2026-03-17", Asked: 1, Declined: 1},
		}},
		{midnight, []rag.DayStat{
			{Day: "2026-03-15", Asked: 2, Declined: 1},
			{Day: "2026-03-17", Asked: 1, Declined: 1},
		}},
		{midnight.Add(72 * time.Hour), []rag.DayStat{}},
	} {
		got, err := h.DeclinedPerDay(ctx, tt.since)
		if err != nil {
			t.Fatalf("DeclinedPerDay(%v): %v", tt.since, err)
		}
		if len(got) == 0 {
			got = []rag.DayStat{}
		}
		checkEqual(t, "DeclinedPerDay("+tt.since.String()+")", got, tt.want)
	}
}

func testPrune(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	mustAddTurn(t, h,
		SampleTurn("old1", "c1", t0.Add(-48*time.Hour)),
		declined("old2", "c2", t0.Add(-time.Microsecond)),
		SampleTurn("edge", "c2", t0), // at the bound: kept
		SampleTurn("new", "c1", t0.Add(time.Hour)),
	)
	mustAddFeedback(t, h,
		rag.Feedback{Answer: "old1", Vote: rag.VoteDown, Comment: "old", At: t0.Add(2 * time.Hour)},
		rag.Feedback{Answer: "old2", Vote: rag.VoteDown, At: t0.Add(2 * time.Hour)},
		rag.Feedback{Answer: "edge", Vote: rag.VoteUp, At: t0.Add(2 * time.Hour)},
		rag.Feedback{Answer: "new", Vote: rag.VoteDown, Comment: "kept", At: t0.Add(2 * time.Hour)},
	)
	n, err := h.Prune(ctx, t0)
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2", n, err)
	}
	for _, id := range []string{"old1", "old2"} {
		if _, err := h.Turn(ctx, id); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("Turn(%s) after pruning: err = %v, want rag.ErrNotFound", id, err)
		}
		if err := h.AddFeedback(ctx, rag.Feedback{Answer: id, Vote: rag.VoteUp}); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("AddFeedback(%s) after pruning: err = %v, want rag.ErrNotFound", id, err)
		}
	}
	conv, err := h.Conversation(ctx, "c1")
	if err != nil {
		t.Fatalf("Conversation(c1): %v", err)
	}
	checkEqual(t, "Conversation(c1) after pruning", turnIDs(conv), []string{"new"})
	down := mustRecent(t, h, rag.HistoryQuery{Vote: rag.VoteDown})
	if len(down) != 1 || down[0].ID != "new" || down[0].Down != 1 || down[0].Feedback[0].Comment != "kept" {
		t.Errorf("Recent(down) after pruning = %s, want new alone with its comment", jsonOf(down))
	}
	checkEqual(t, "Recent(up) IDs after pruning", recordIDs(mustRecent(t, h, rag.HistoryQuery{Vote: rag.VoteUp})), []string{"edge"})
	days, err := h.DeclinedPerDay(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "DeclinedPerDay after pruning", days, []rag.DayStat{{Day: "2026-03-14", Asked: 1}, {Day: "2026-03-15", Asked: 1}})

	if n, err := h.Prune(ctx, t0); err != nil || n != 0 {
		t.Errorf("Prune again = %d, %v; want 0", n, err)
	}
	if n, err := h.Prune(ctx, t0.Add(24*time.Hour)); err != nil || n != 2 {
		t.Errorf("Prune of everything = %d, %v; want 2", n, err)
	}
	if recs := mustRecent(t, h, rag.HistoryQuery{}); len(recs) != 0 {
		t.Errorf("Recent after pruning everything = %q, want none", recordIDs(recs))
	}
}
