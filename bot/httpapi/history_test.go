package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/sqlite"
)

// Development conversations of testdata/followups.jsonl: f02's follow-up
// is elliptical; f01's is answered otherwise when asked alone.
const (
	f02First    = "What did Tokayev want to do with the National Guard?"
	f02FollowUp = "And with the army?"
	f02Answer   = "combat effectiveness"
	f01First    = "Who was the akim of the Aktobe region?"
	f01FollowUp = "And who was the Prosecutor General at that meeting?"
	f01Answer   = "Assanov"
)

// openHistory opens a real SQLite history in a temp dir, closed when the
// test ends.
func openHistory(t testing.TB, path string) *sqlite.History {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "history.db")
	}
	hist, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hist.Close() })
	return hist
}

// newHistoryHandler is newHandler with a history, closed (its queue
// written) when the test ends, before the history.
func newHistoryHandler(t testing.TB, idx Index, hist History, o Options) *Handler {
	t.Helper()
	o.History = hist
	h := newHandler(t, idx, o)
	t.Cleanup(func() { h.Close() })
	return h
}

// askIn asks q in conversation conv ("" starts one) and decodes the answer.
func askIn(t *testing.T, h *Handler, q, conv string) askResponse {
	t.Helper()
	body := map[string]any{"question": q}
	if conv != "" {
		body["conversation"] = conv
	}
	w := do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(body)})
	if w.Code != http.StatusOK {
		t.Fatalf("ask %q in %q: %d %s", q, conv, w.Code, w.Body)
	}
	return decode[askResponse](t, w)
}

// metric returns the value of one series on /metrics, as text.
func metric(t *testing.T, h *Handler, series string) string {
	t.Helper()
	w := do(t, h, request{method: "GET", target: "/metrics"})
	for _, l := range strings.Split(w.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

// A conversation over real HTTP with the SQLite history: the follow-up is
// answered in its context — and not from the cache, where the same words
// asked alone were answered without it; the conversation is read back,
// and its turns are in the database once the handler is closed.
func TestConversationRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	hist := openHistory(t, path)
	h := newHistoryHandler(t, sharedIndex(t), hist, Options{})
	base := startServer(t, h)
	post := func(v any) askResponse {
		t.Helper()
		resp, err := http.Post(base+"/v1/ask", "application/json", strings.NewReader(jsonBody(v)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("ask %v: %d %s", v, resp.StatusCode, body)
		}
		var a askResponse
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}

	alone := post(map[string]any{"question": f01FollowUp}) // now in the cache
	if strings.Contains(alone.Answer.Answer, f01Answer) {
		t.Fatalf("asked alone, %q is answered %q: the test shows nothing", f01FollowUp, alone.Answer.Answer)
	}
	f01 := post(map[string]any{"question": f01First})
	f01Follow := post(map[string]any{"question": f01FollowUp, "conversation": f01.Conversation})
	if !strings.Contains(f01Follow.Answer.Answer, f01Answer) {
		t.Errorf("the follow-up %q is answered %q, want %q", f01FollowUp, f01Follow.Answer.Answer, f01Answer)
	}

	first := post(map[string]any{"question": f02First})
	follow := post(map[string]any{"question": f02FollowUp, "conversation": first.Conversation})
	if !strings.Contains(follow.Answer.Answer, f02Answer) {
		t.Errorf("the follow-up %q is answered %q, want %q", f02FollowUp, follow.Answer.Answer, f02Answer)
	}
	if follow.Conversation != first.Conversation || first.Conversation == alone.Conversation ||
		follow.ID == first.ID || len(first.ID) < 20 || !plainID(first.ID) {
		t.Errorf("IDs: alone %s/%s, first %s/%s, follow-up %s/%s",
			alone.ID, alone.Conversation, first.ID, first.Conversation, follow.ID, follow.Conversation)
	}

	resp, err := http.Get(base + "/v1/conversations/" + first.Conversation)
	if err != nil {
		t.Fatal(err)
	}
	var conv conversationResponse
	err = json.NewDecoder(resp.Body).Decode(&conv)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the conversation: %d %v", resp.StatusCode, err)
	}
	checkTurns(t, conv.Turns, first, follow)

	// Closed, the handler has written every turn.
	h.Close()
	stored, err := hist.Conversation(context.Background(), first.Conversation)
	if err != nil {
		t.Fatal(err)
	}
	checkTurns(t, stored, first, follow)
	for _, turn := range stored {
		if turn.Front != "http" {
			t.Errorf("turn %s front %q, want http", turn.ID, turn.Front)
		}
	}
}

// checkTurns checks that turns are the answers want, in order.
func checkTurns(t *testing.T, turns []rag.Turn, want ...askResponse) {
	t.Helper()
	if len(turns) != len(want) {
		t.Fatalf("%d turns, want %d: %+v", len(turns), len(want), turns)
	}
	for i, w := range want {
		got := turns[i]
		if got.ID != w.ID || got.Conversation != w.Conversation || got.Question != w.Question ||
			got.Answer.Answer != w.Answer.Answer || len(got.Answer.Citations) != len(w.Answer.Citations) || got.At.IsZero() {
			t.Errorf("turn %d = %+v, want the answer %+v", i, got, w)
		}
	}
}

// A streamed follow-up is answered in its conversation too, and its
// "answer" event carries the IDs.
func TestConversationStreamed(t *testing.T) {
	h := newHistoryHandler(t, sharedIndex(t), openHistory(t, ""), Options{})
	first := askIn(t, h, f02First, "")
	w := do(t, h, request{method: "POST", target: "/v1/ask",
		body: jsonBody(map[string]any{"question": f02FollowUp, "stream": true, "conversation": first.Conversation})})
	_, data, _ := strings.Cut(w.Body.String(), "event: answer\ndata: ")
	var got askResponse
	if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &got); err != nil {
		t.Fatalf("no answer event in %q: %v", w.Body, err)
	}
	if !strings.Contains(got.Answer.Answer, f02Answer) || got.Conversation != first.Conversation || got.ID == "" {
		t.Errorf("streamed follow-up %+v", got)
	}
	conv := decode[conversationResponse](t, do(t, h, request{method: "GET", target: "/v1/conversations/" + first.Conversation}))
	checkTurns(t, conv.Turns, first, got)
}

// An unknown conversation is 404, so that a mistyped ID shows; a
// malformed one is 400.
func TestConversationUnknown(t *testing.T) {
	for _, tc := range []struct {
		name string
		hist History
	}{{"history", openHistory(t, "")}, {"history off", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistoryHandler(t, sharedIndex(t), tc.hist, Options{})
			for _, r := range []struct {
				req    request
				status int
			}{
				{request{method: "POST", target: "/v1/ask", body: `{"question": "And with the army?", "conversation": "NOSUCHCONVERSATION"}`}, 404},
				{request{method: "GET", target: "/v1/ask?q=hello&conversation=NOSUCHCONVERSATION"}, 404},
				{request{method: "GET", target: "/v1/conversations/NOSUCHCONVERSATION"}, 404},
				{request{method: "POST", target: "/v1/ask", body: `{"question": "hello", "conversation": "not an id"}`}, 400},
				{request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": "hello", "conversation": strings.Repeat("A", 65)})}, 400},
			} {
				if w := do(t, h, r.req); w.Code != r.status {
					t.Errorf("%s %s %s: %d, want %d: %s", r.req.method, r.req.target, r.req.body, w.Code, r.status, w.Body)
				}
			}
		})
	}
}

// Feedback: 204 when stored, 400 for what no history takes, 404 for an
// answer it does not hold. Votes are stored with their comments and
// counted in the metrics.
func TestFeedback(t *testing.T) {
	hist := openHistory(t, "")
	h := newHistoryHandler(t, sharedIndex(t), hist, Options{})
	a := askIn(t, h, salafism, "")
	b := askIn(t, h, unanswerable, a.Conversation)
	for _, tc := range []struct {
		body   string
		status int
	}{
		{jsonBody(map[string]any{"answer": a.ID, "vote": "up"}), 204},
		{jsonBody(map[string]any{"answer": b.ID, "vote": "down", "comment": "  It should know the 2018 winner.  "}), 204},
		{jsonBody(map[string]any{"answer": a.ID, "vote": "sideways"}), 400},
		{jsonBody(map[string]any{"answer": a.ID, "vote": "down", "comment": strings.Repeat("é", rag.MaxCommentRunes+1)}), 400},
		{jsonBody(map[string]any{"answer": a.ID, "vote": "down", "comment": "nul \x00 here"}), 400},
		{jsonBody(map[string]any{"vote": "up"}), 400},
		{`{"answer": "x", "vote": "up", "extra": 1}`, 400},
		{`{"answer": `, 400},
		{jsonBody(map[string]any{"answer": "NOSUCHANSWER", "vote": "up"}), 404},
	} {
		w := do(t, h, request{method: "POST", target: "/v1/feedback", body: tc.body})
		if w.Code != tc.status {
			t.Errorf("feedback %.80s: %d, want %d: %s", tc.body, w.Code, tc.status, w.Body)
		}
		if w.Code == 204 && w.Body.Len() != 0 {
			t.Errorf("204 with a body %q", w.Body)
		}
	}
	if w := do(t, h, request{method: "POST", target: "/v1/feedback", body: `{"answer": "x", "vote": "up"}`,
		header: http.Header{"Content-Type": {"text/plain"}}}); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain feedback: %d, want 415", w.Code)
	}
	recs, err := hist.Recent(context.Background(), rag.HistoryQuery{Vote: rag.VoteDown})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ID != b.ID || recs[0].Down != 1 || len(recs[0].Feedback) != 1 ||
		recs[0].Feedback[0].Comment != "It should know the 2018 winner." {
		t.Errorf("voted down: %+v", recs)
	}
	if up, down := metric(t, h, `citebot_http_feedback_total{vote="up"}`), metric(t, h, `citebot_http_feedback_total{vote="down"}`); up != "1" || down != "1" {
		t.Errorf("feedback metrics up %q down %q, want 1 and 1", up, down)
	}
}

// A history that cannot take writes (closed here; a full disk is tested
// in rag/sqlite): answers go on, follow-ups still work from memory, the
// failures are counted and logged once, and feedback is 503 with
// Retry-After — still counted.
func TestHistoryUnavailable(t *testing.T) {
	hist := openHistory(t, "")
	log := &logBuffer{}
	h := newHistoryHandler(t, sharedIndex(t), hist, Options{Logger: log.logger()})
	first := askIn(t, h, f02First, "")
	if err := hist.Close(); err != nil {
		t.Fatal(err)
	}
	follow := askIn(t, h, f02FollowUp, first.Conversation)
	if !strings.Contains(follow.Answer.Answer, f02Answer) {
		t.Errorf("with the history down, the follow-up is answered %q", follow.Answer.Answer)
	}
	other := askIn(t, h, salafism, "")
	w := do(t, h, request{method: "POST", target: "/v1/feedback", body: jsonBody(map[string]any{"answer": other.ID, "vote": "down"}), allow5xx: true})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("feedback with the history down: %d (Retry-After %q), want 503 with Retry-After: %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	conv := decode[conversationResponse](t, do(t, h, request{method: "GET", target: "/v1/conversations/" + first.Conversation}))
	checkTurns(t, conv.Turns, first, follow)
	for _, target := range []string{"/v1/admin/recent", "/v1/admin/feedback", "/v1/admin/declined-per-day"} {
		if w := do(t, h, request{method: "GET", target: target, remote: "127.0.0.1:4000", allow5xx: true}); w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s with the history down: %d, want 503", target, w.Code)
		}
	}

	h.Close() // every queued write has been tried
	if n := metric(t, h, `citebot_http_history_errors_total{op="add_turn"}`); n != "2" && n != "3" {
		// The first turn may or may not have been written before the close.
		t.Errorf("add_turn errors %q, want 2 or 3", n)
	}
	if n := metric(t, h, `citebot_http_feedback_total{vote="down"}`); n != "1" {
		t.Errorf("feedback counted %q, want 1", n)
	}
	warnings := 0
	for _, l := range log.lines(t) {
		if strings.Contains(fmt.Sprint(l["msg"]), "turns are not being stored") {
			warnings++
			if l["level"] != "WARN" || !strings.Contains(fmt.Sprint(l["error"]), "history unavailable") {
				t.Errorf("warning line %v", l)
			}
		}
	}
	if warnings != 1 {
		t.Errorf("%d warnings that turns are not stored, want 1", warnings)
	}
}

// Without a history, conversations live in memory: follow-ups and GET
// work, feedback is only counted (204 whatever the answer), and the admin
// routes say the history is off.
func TestHistoryOff(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	first := askIn(t, h, f02First, "")
	follow := askIn(t, h, f02FollowUp, first.Conversation)
	if !strings.Contains(follow.Answer.Answer, f02Answer) {
		t.Errorf("the follow-up is answered %q", follow.Answer.Answer)
	}
	conv := decode[conversationResponse](t, do(t, h, request{method: "GET", target: "/v1/conversations/" + first.Conversation}))
	checkTurns(t, conv.Turns, first, follow)
	for _, body := range []string{
		jsonBody(map[string]any{"answer": follow.ID, "vote": "down", "comment": "too short"}),
		jsonBody(map[string]any{"answer": "ANYTHING", "vote": "up"}),
	} {
		if w := do(t, h, request{method: "POST", target: "/v1/feedback", body: body}); w.Code != http.StatusNoContent {
			t.Errorf("feedback %s: %d, want 204", body, w.Code)
		}
	}
	if w := do(t, h, request{method: "POST", target: "/v1/feedback", body: `{"answer": "x", "vote": "meh"}`}); w.Code != http.StatusBadRequest {
		t.Errorf("an invalid vote with the history off: %d, want 400", w.Code)
	}
	if up, down := metric(t, h, `citebot_http_feedback_total{vote="up"}`), metric(t, h, `citebot_http_feedback_total{vote="down"}`); up != "1" || down != "1" {
		t.Errorf("feedback metrics up %q down %q, want 1 and 1", up, down)
	}
	if w := do(t, h, request{method: "GET", target: "/v1/admin/recent", remote: "127.0.0.1:4000", allow5xx: true}); w.Code != http.StatusNotImplemented {
		t.Errorf("admin with the history off: %d, want 501", w.Code)
	}
}

// Memory keeps the last MemoryConversations conversations and the last
// MemoryTurns turns of each.
func TestMemoryConversationsBounded(t *testing.T) {
	m := newMemoryConversations()
	for i := range MemoryConversations + 1 {
		m.add(rag.Turn{ID: fmt.Sprint("t", i), Conversation: fmt.Sprint("c", i)})
	}
	if _, ok := m.get("c0"); ok {
		t.Error("the least recent conversation is still kept")
	}
	if _, ok := m.get("c1"); !ok {
		t.Error("a recent conversation is gone")
	}
	for i := range MemoryTurns + 5 {
		m.add(rag.Turn{ID: fmt.Sprint("u", i), Conversation: "c1"})
	}
	turns, _ := m.get("c1")
	if len(turns) != MemoryTurns || turns[len(turns)-1].ID != fmt.Sprint("u", MemoryTurns+4) {
		t.Errorf("%d turns kept, the last %s", len(turns), turns[len(turns)-1].ID)
	}
}

// gatedHistory holds turn writes until release is closed, and notes
// feedback that reaches it before the turn it is on was written.
type gatedHistory struct {
	History
	release chan struct{}
	written *sync.Map // turn IDs written
	early   *atomic.Int32
}

func (g gatedHistory) AddTurn(ctx context.Context, t rag.Turn) error {
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	err := g.History.AddTurn(ctx, t)
	g.written.Store(t.ID, true)
	return err
}

func (g gatedHistory) AddFeedback(ctx context.Context, f rag.Feedback) error {
	if _, ok := g.written.Load(f.Answer); !ok {
		g.early.Add(1)
	}
	return g.History.AddFeedback(ctx, f)
}

// onDone is a context that calls f the first time someone waits on it.
type onDone struct {
	context.Context
	once *sync.Once
	f    func()
}

func (c onDone) Done() <-chan struct{} {
	c.once.Do(c.f)
	return c.Context.Done()
}

// Feedback on an answer whose turn is still queued waits for its write;
// until then the turn is served from memory.
func TestFeedbackWaitsForTheTurn(t *testing.T) {
	hist := openHistory(t, "")
	gate := gatedHistory{hist, make(chan struct{}), &sync.Map{}, &atomic.Int32{}}
	h := newHistoryHandler(t, sharedIndex(t), gate, Options{})
	a := askIn(t, h, salafism, "")
	if _, err := hist.Conversation(context.Background(), a.Conversation); !errors.Is(err, rag.ErrNotFound) {
		t.Fatalf("the turn is in the database before its write was let through: %v", err)
	}
	conv := decode[conversationResponse](t, do(t, h, request{method: "GET", target: "/v1/conversations/" + a.Conversation}))
	checkTurns(t, conv.Turns, a)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := h.writer.wait(ctx, a.ID); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait for a held write returned %v", err)
	}
	// The write is let through once the feedback request waits on
	// something: its wait for the write, where it is right.
	r := newRequest("POST", "/v1/feedback", jsonBody(map[string]any{"answer": a.ID, "vote": "up"}))
	r = r.WithContext(onDone{r.Context(), &sync.Once{}, func() { close(gate.release) }})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent || gate.early.Load() != 0 {
		t.Errorf("feedback on a queued answer: %d (%d stored before the turn), want 204: %s", w.Code, gate.early.Load(), w.Body)
	}
	recs, err := hist.Recent(context.Background(), rag.HistoryQuery{Vote: rag.VoteUp})
	if err != nil || len(recs) != 1 || recs[0].ID != a.ID {
		t.Errorf("voted up: %+v %v", recs, err)
	}
}

// Close writes every queued turn.
func TestCloseDrainsTheQueue(t *testing.T) {
	hist := openHistory(t, "")
	h := newHistoryHandler(t, sharedIndex(t), hist, Options{})
	var want []askResponse
	conv := ""
	for _, q := range []string{salafism, unanswerable, f02First, f02FollowUp} {
		a := askIn(t, h, q, conv)
		conv = a.Conversation
		want = append(want, a)
	}
	h.Close()
	stored, err := hist.Conversation(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	checkTurns(t, stored, want...)
	// After Close answers go on, unstored.
	askIn(t, h, salafism, "")
	if n := metric(t, h, `citebot_http_history_errors_total{op="queue_full"}`); n != "1" {
		t.Errorf("a turn after Close: queue_full %q, want 1", n)
	}
}

// The answer's body is the askResponse the stream sends, encoded.
func TestAskResponseEncoding(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{Registry: prometheus.NewRegistry()})
	w := do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism})})
	a := decode[askResponse](t, w)
	want, _ := json.Marshal(a)
	if got := bytes.TrimSpace(w.Body.Bytes()); !bytes.Equal(got, want) {
		t.Errorf("body\n%s\nis not the askResponse encoded\n%s", got, want)
	}
}
