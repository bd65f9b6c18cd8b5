package historytest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

// testConcurrent has writers add turns and feedback while readers read
// (run it under -race): nothing is lost, nothing fails, and every read
// sees a consistent history.
func testConcurrent(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	const writers, perWriter, readers = 8, 15, 4
	mustAddTurn(t, h, SampleTurn("seed", "shared", t0.Add(-time.Hour)))

	var wg sync.WaitGroup
	var done atomic.Bool
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("w%d-%d", w, i)
				at := t0.Add(time.Duration(i)*time.Millisecond + time.Duration(w)*time.Microsecond)
				tu := SampleTurn(id, "shared", at)
				if i%3 == 0 {
					tu = declined(id, "shared", at)
				}
				if err := h.AddTurn(ctx, tu); err != nil {
					t.Errorf("AddTurn(%s): %v", id, err)
					return
				}
				vote := rag.VoteUp
				if w%2 == 1 {
					vote = rag.VoteDown
				}
				if err := h.AddFeedback(ctx, rag.Feedback{Answer: id, Vote: vote, Comment: id, At: at}); err != nil {
					t.Errorf("AddFeedback(%s): %v", id, err)
					return
				}
			}
		})
	}
	var readWG sync.WaitGroup
	var reads atomic.Int64
	for r := range readers {
		readWG.Go(func() {
			// Each reader reads at least a few times, and goes on until the
			// writers are done.
			for n := 0; n < 5 || !done.Load(); n++ {
				reads.Add(1)
				var err error
				switch (r + n) % 4 {
				case 0:
					_, err = h.Turn(ctx, "seed")
				case 1:
					var conv []rag.Turn
					conv, err = h.Conversation(ctx, "shared")
					if err == nil && (len(conv) == 0 || conv[0].ID != "seed") {
						t.Errorf("Conversation(shared) while writing: first of %d turns is not seed", len(conv))
					}
				case 2:
					var recs []rag.Record
					recs, err = h.Recent(ctx, rag.HistoryQuery{Limit: 10})
					for i := 1; err == nil && i < len(recs); i++ {
						if recs[i].At.After(recs[i-1].At) {
							t.Errorf("Recent while writing: %s (%v) after %s (%v)", recs[i].ID, recs[i].At, recs[i-1].ID, recs[i-1].At)
						}
					}
				case 3:
					_, err = h.DeclinedPerDay(ctx, time.Time{})
				}
				if err != nil {
					t.Errorf("read while writing: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	readWG.Wait()

	conv, err := h.Conversation(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if len(conv) != 1+writers*perWriter {
		t.Errorf("Conversation(shared) after concurrent writes: %d turns, want %d", len(conv), 1+writers*perWriter)
	}
	for i := 1; i < len(conv); i++ {
		if conv[i].At.Before(conv[i-1].At) {
			t.Errorf("Conversation(shared): %s (%v) before %s (%v)", conv[i].ID, conv[i].At, conv[i-1].ID, conv[i-1].At)
		}
	}
	recs := mustRecent(t, h, rag.HistoryQuery{Since: t0})
	if len(recs) != writers*perWriter {
		t.Fatalf("Recent: %d records, want %d", len(recs), writers*perWriter)
	}
	up, down := 0, 0
	for _, r := range recs {
		if r.Up+r.Down != 1 || len(r.Feedback) != 1 || r.Feedback[0].Comment != r.ID {
			t.Errorf("record %s = %d up, %d down, feedback %s; want its one vote", r.ID, r.Up, r.Down, jsonOf(r.Feedback))
		}
		up += r.Up
		down += r.Down
	}
	if up != writers/2*perWriter || down != writers/2*perWriter {
		t.Errorf("votes: %d up, %d down; want %d each", up, down, writers/2*perWriter)
	}
	days, err := h.DeclinedPerDay(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	wantDeclined := writers * ((perWriter + 2) / 3)
	checkEqual(t, "DeclinedPerDay after concurrent writes", days, []rag.DayStat{{Day: "2026-03-14", Asked: writers * perWriter, Declined: wantDeclined}})
	t.Logf("%d reads while %d turns and as many votes were written", reads.Load(), writers*perWriter)
}
