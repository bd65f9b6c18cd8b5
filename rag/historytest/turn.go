package historytest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

func testRoundTrip(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	// A time in another zone, with nanoseconds: it comes back in UTC, to
	// the microsecond.
	at := t0.In(time.FixedZone("UTC+5", 5*3600)).Add(789 * time.Nanosecond)
	in := SampleTurn("a1", "c1", at)
	declined := declined("a2", "c1", t0.Add(time.Second))
	declined.Front = ""
	declined.Answer.Citations = nil // a nil list comes back nil, an empty one empty
	mustAddTurn(t, h, in, declined)

	checkEqual(t, "Turn(a1)", mustTurn(t, h, "a1"), stored(in))
	checkEqual(t, "Turn(a2)", mustTurn(t, h, "a2"), stored(declined))
	if got := mustTurn(t, h, "a1").At.Location(); got != time.UTC {
		t.Errorf("At's location = %v, want UTC", got)
	}
	conv, err := h.Conversation(ctx, "c1")
	if err != nil {
		t.Fatalf("Conversation(c1): %v", err)
	}
	checkEqual(t, "Conversation(c1)", conv, []rag.Turn{stored(in), stored(declined)})
}

func testZeroTimeIsNow(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	before := time.Now().Add(-time.Second)
	mustAddTurn(t, h, SampleTurn("a1", "c1", time.Time{}))
	after := time.Now().Add(time.Second)
	mustAddFeedback(t, h, rag.Feedback{Answer: "a1", Vote: rag.VoteUp})
	got := mustTurn(t, h, "a1").At
	if got.Before(before) || got.After(after) {
		t.Errorf("a turn added with no time has At = %v, want the time it was added (%v to %v)", got, before, after)
	}
	recs := mustRecent(t, h, rag.HistoryQuery{})
	if len(recs) != 1 || len(recs[0].Feedback) != 1 {
		t.Fatalf("Recent = %s, want a1 with one vote", jsonOf(recs))
	}
	if fat := recs[0].Feedback[0].At; fat.Before(before) || fat.After(time.Now().Add(time.Second)) {
		t.Errorf("feedback given with no time has At = %v, want the time it was given", fat)
	}
}

func testConversationOrder(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	// Added out of order; "b" and "b2" share an instant and keep the order
	// they were added in.
	mustAddTurn(t, h,
		SampleTurn("c", "conv", t0.Add(2*time.Minute)),
		SampleTurn("x", "other", t0.Add(time.Minute)),
		SampleTurn("a", "conv", t0),
		SampleTurn("b", "conv", t0.Add(time.Minute)),
		SampleTurn("b2", "conv", t0.Add(time.Minute)),
	)
	conv, err := h.Conversation(ctx, "conv")
	if err != nil {
		t.Fatalf("Conversation: %v", err)
	}
	checkEqual(t, "Conversation(conv) IDs", turnIDs(conv), []string{"a", "b", "b2", "c"})
	other, err := h.Conversation(ctx, "other")
	if err != nil {
		t.Fatalf("Conversation(other): %v", err)
	}
	checkEqual(t, "Conversation(other) IDs", turnIDs(other), []string{"x"})
}

// hostileIDs are IDs no history holds, some of which a careless query
// would trip on.
var hostileIDs = []string{
	"nope", "", " ", "a1 ", "A1", "a\x00b", "\x00", "\xff\xfe", "' OR '1'='1", `a1"; DROP TABLE turns; --`,
	"%", "_", "a%", "a_", "*", "\\", strings.Repeat("x", 10000), "ü", "🙂",
}

func testUnknownIDs(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	mustAddTurn(t, h, SampleTurn("a1", "c1", t0))
	for _, id := range hostileIDs {
		if _, err := h.Turn(ctx, id); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("Turn(%.20q): err = %v, want rag.ErrNotFound", id, err)
		}
		if turns, err := h.Conversation(ctx, id); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("Conversation(%.20q) = %d turns, err = %v, want rag.ErrNotFound", id, len(turns), err)
		}
	}
	// An answer's ID is not a conversation's, nor the other way round.
	if _, err := h.Turn(ctx, "c1"); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("Turn(c1), a conversation's ID: err = %v, want rag.ErrNotFound", err)
	}
	if _, err := h.Conversation(ctx, "a1"); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("Conversation(a1), an answer's ID: err = %v, want rag.ErrNotFound", err)
	}
}

func testDuplicateID(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	first := SampleTurn("a1", "c1", t0)
	mustAddTurn(t, h, first)
	again := declined("a1", "c2", t0.Add(time.Hour))
	err := h.AddTurn(ctx, again)
	if err == nil {
		t.Fatal("AddTurn with an ID already stored: no error")
	}
	if errors.Is(err, rag.ErrHistoryUnavailable) || errors.Is(err, rag.ErrNotFound) {
		t.Errorf("AddTurn with an ID already stored: err = %v, want neither unavailable nor not found", err)
	}
	checkEqual(t, "Turn(a1) after a duplicate", mustTurn(t, h, "a1"), stored(first))
	if _, err := h.Conversation(ctx, "c2"); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("Conversation(c2) of the refused duplicate: err = %v, want rag.ErrNotFound", err)
	}
}

func testEmptyIDs(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	if err := h.AddTurn(ctx, SampleTurn("", "c1", t0)); err == nil {
		t.Error("AddTurn with no ID: no error")
	}
	if err := h.AddTurn(ctx, SampleTurn("a1", "", t0)); err == nil {
		t.Error("AddTurn with no conversation: no error")
	}
	if recs := mustRecent(t, h, rag.HistoryQuery{}); len(recs) != 0 {
		t.Errorf("Recent after refused turns = %q, want none", recordIDs(recs))
	}
}

// hostile is text that must come back byte for byte: NULs, quotes,
// backslashes, SQL and JSON syntax, escapes, scripts of every direction,
// combining marks, astral characters, and length.
var hostile = []string{
	"NUL\x00in the middle\x00",
	`'single' "double" ''doubled'' \backslash\ \' \" \\ \u0000 \n`,
	"'); DROP TABLE turns; --",
	`{"json": [1, 2, {"x": null}]}`,
	"line\nbreak\r\ncarriage\ttab\v\f\x1b[31mred\x1b[0m\x7f",
	"Ünïcödé · 中文 · 日本語 · 한국어 · العربية · עברית · हिन्दी · ‮reversed‬",
	"e\u0301 combining, 🙂👍🏽👨‍👩‍👧 emoji, 𝕏 astral, \ufeffBOM, \u2028 separators \u2029",
	"%_* LIKE wildcards %% __ [a-z]",
	strings.Repeat("long answer text with a citation [1]. ", 30000), // over 1 MiB
}

func testHostileText(t *testing.T, open Opener) {
	h := mustOpen(t, open)
	var want []rag.Turn
	for i, s := range hostile {
		tu := SampleTurn("a"+string(rune('A'+i)), "c1", t0.Add(time.Duration(i)*time.Second))
		tu.Question = s
		tu.Answer.Question = s + "?"
		tu.Answer.Answer = s
		tu.Answer.Note = s
		tu.Answer.Citations[0].Text = s
		tu.Answer.Citations[0].Quote = s
		tu.Answer.Citations[1].Title = s
		tu.Answer.Citations[2].Source = s
		tu.Answer.Citations[2].Section = s
		mustAddTurn(t, h, tu)
		want = append(want, stored(tu))
	}
	// IDs and conversations are text too.
	odd := SampleTurn("id 'with' \"quotes\" ü 🙂 %_", "conv; DROP TABLE turns; -- 中文", t0.Add(time.Hour))
	mustAddTurn(t, h, odd)
	checkEqual(t, "Turn(odd ID)", mustTurn(t, h, odd.ID), stored(odd))
	if conv, err := h.Conversation(ctx, odd.Conversation); err != nil || len(conv) != 1 {
		t.Errorf("Conversation(odd ID) = %d turns, %v; want 1", len(conv), err)
	}

	conv, err := h.Conversation(ctx, "c1")
	if err != nil {
		t.Fatalf("Conversation: %v", err)
	}
	if len(conv) != len(want) {
		t.Fatalf("Conversation: %d turns, want %d", len(conv), len(want))
	}
	for i := range want {
		checkEqual(t, "hostile turn "+want[i].ID, conv[i], want[i])
	}

	// Comments: hostile, and at the limit in characters that take four
	// bytes each.
	comments := []string{
		`'); DELETE FROM feedback; -- "quoted" \back\slash`,
		"Ünïcödé 中文 العربية 🙂\n\ttabs and lines",
		strings.Repeat("🙂", rag.MaxCommentRunes),
	}
	for i, c := range comments {
		mustAddFeedback(t, h, rag.Feedback{Answer: "aA", Vote: rag.VoteDown, Comment: c, At: t0.Add(time.Duration(i) * time.Minute)})
	}
	recs := mustRecent(t, h, rag.HistoryQuery{Vote: rag.VoteDown})
	if len(recs) != 1 || len(recs[0].Feedback) != len(comments) {
		t.Fatalf("Recent(down) = %s, want aA with %d comments", jsonOf(recs), len(comments))
	}
	for i, c := range comments {
		if got := recs[0].Feedback[i].Comment; got != c {
			t.Errorf("comment %d = %.60q, want %.60q", i, got, c)
		}
	}
}

func testPersistence(t *testing.T, open Opener) {
	h := open(t)
	a := SampleTurn("a1", "c1", t0)
	b := declined("a2", "c1", t0.Add(time.Minute))
	mustAddTurn(t, h, a, b)
	mustAddFeedback(t, h,
		rag.Feedback{Answer: "a1", Vote: rag.VoteUp, At: t0.Add(2 * time.Minute)},
		rag.Feedback{Answer: "a2", Vote: rag.VoteDown, Comment: "wrong", At: t0.Add(3 * time.Minute)},
	)
	want := mustRecent(t, h, rag.HistoryQuery{})
	if err := h.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	h = mustOpen(t, open)
	checkEqual(t, "Recent after reopening", mustRecent(t, h, rag.HistoryQuery{}), want)
	conv, err := h.Conversation(ctx, "c1")
	if err != nil {
		t.Fatalf("Conversation after reopening: %v", err)
	}
	checkEqual(t, "Conversation after reopening", conv, []rag.Turn{stored(a), stored(b)})
	// And it takes writes again.
	mustAddTurn(t, h, SampleTurn("a3", "c1", t0.Add(time.Hour)))
	mustAddFeedback(t, h, rag.Feedback{Answer: "a1", Vote: rag.VoteDown})
}

func testShared(t *testing.T, open Opener) {
	a, b := mustOpen(t, open), mustOpen(t, open)
	mustAddTurn(t, a, SampleTurn("from-a", "c1", t0))
	checkEqual(t, "b.Turn(from-a)", mustTurn(t, b, "from-a"), stored(SampleTurn("from-a", "c1", t0)))
	mustAddTurn(t, b, SampleTurn("from-b", "c1", t0.Add(time.Second)))
	mustAddFeedback(t, b, rag.Feedback{Answer: "from-a", Vote: rag.VoteDown, Comment: "b says no", At: t0.Add(time.Minute)})
	mustAddFeedback(t, a, rag.Feedback{Answer: "from-b", Vote: rag.VoteUp, At: t0.Add(time.Minute)})

	for name, h := range map[string]History{"a": a, "b": b} {
		conv, err := h.Conversation(ctx, "c1")
		if err != nil {
			t.Fatalf("%s.Conversation: %v", name, err)
		}
		checkEqual(t, name+".Conversation IDs", turnIDs(conv), []string{"from-a", "from-b"})
		down := mustRecent(t, h, rag.HistoryQuery{Vote: rag.VoteDown})
		if len(down) != 1 || down[0].ID != "from-a" || len(down[0].Feedback) != 1 || down[0].Feedback[0].Comment != "b says no" {
			t.Errorf("%s.Recent(down) = %s, want from-a with b's comment", name, jsonOf(down))
		}
		up := mustRecent(t, h, rag.HistoryQuery{Vote: rag.VoteUp})
		checkEqual(t, name+".Recent(up) IDs", recordIDs(up), []string{"from-b"})
	}
	// One prunes, the other sees it.
	if n, err := a.Prune(ctx, t0.Add(time.Millisecond)); err != nil || n != 1 {
		t.Fatalf("a.Prune = %d, %v; want 1", n, err)
	}
	if _, err := b.Turn(ctx, "from-a"); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("b.Turn(from-a) after a pruned it: err = %v, want rag.ErrNotFound", err)
	}
}

func testClosed(t *testing.T, open Opener) {
	h := open(t)
	mustAddTurn(t, h, SampleTurn("a1", "c1", t0))
	if err := h.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := h.AddTurn(ctx, SampleTurn("a2", "c1", t0)); !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("AddTurn after Close: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	if err := h.AddFeedback(ctx, rag.Feedback{Answer: "a1", Vote: rag.VoteUp}); !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("AddFeedback after Close: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	if _, err := h.Turn(ctx, "a1"); !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("Turn after Close: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	if _, err := h.Recent(ctx, rag.HistoryQuery{}); !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("Recent after Close: err = %v, want rag.ErrHistoryUnavailable", err)
	}
}
