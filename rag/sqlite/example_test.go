package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/sqlite"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "citebot-history")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	h, err := sqlite.Open(ctx, filepath.Join(dir, "history.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()

	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	for _, t := range []rag.Turn{
		{ID: "a1", Conversation: "c1", Question: "Who founded the observatory?", At: at,
			Answer: rag.Answer{Answer: "Hugo Brandt founded it in 1902 [1].", Grounded: true, Confidence: 0.81,
				Citations: []rag.Citation{{N: 1, Source: "observatory.md", Text: "Hugo Brandt founded it in 1902."}}}},
		{ID: "a2", Conversation: "c1", Question: "And who runs it now?", At: at.Add(time.Minute),
			Answer: rag.Answer{Answer: rag.NotFound}},
	} {
		if err := h.AddTurn(ctx, t); err != nil {
			log.Fatal(err)
		}
	}
	if err := h.AddFeedback(ctx, rag.Feedback{Answer: "a2", Vote: rag.VoteDown, Comment: "the staff page says"}); err != nil {
		log.Fatal(err)
	}

	conv, _ := h.Conversation(ctx, "c1")
	for _, t := range conv {
		fmt.Printf("%s: %s\n", t.Question, t.Answer.Answer)
	}
	down, _ := h.Recent(ctx, rag.HistoryQuery{Vote: rag.VoteDown})
	fmt.Printf("voted down: %s (%q)\n", down[0].Question, down[0].Feedback[0].Comment)
	days, _ := h.DeclinedPerDay(ctx, time.Time{})
	fmt.Printf("%s: %d asked, %d declined\n", days[0].Day, days[0].Asked, days[0].Declined)
	if err := h.AddFeedback(ctx, rag.Feedback{Answer: "a9", Vote: rag.VoteUp}); errors.Is(err, rag.ErrNotFound) {
		fmt.Println("a9: not found")
	}
	// Output:
	// Who founded the observatory?: Hugo Brandt founded it in 1902 [1].
	// And who runs it now?: The documents do not contain an answer to this question.
	// voted down: And who runs it now? ("the staff page says")
	// 2026-03-14: 2 asked, 1 declined
	// a9: not found
}
