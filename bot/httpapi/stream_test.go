package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

// streamingIndex generates its answer in three tokens, like rag.Generative.
type streamingIndex struct{ Index }

func (s streamingIndex) AskStream(ctx context.Context, q string, k int, onToken func(string)) (rag.Answer, error) {
	ans, err := s.Ask(ctx, q, k)
	if err != nil {
		return ans, err
	}
	for _, tok := range []string{"The ", "answer ", "[1]"} {
		onToken(tok)
	}
	return ans, nil
}

type sseEvent struct{ name, data string }

func readEvents(t *testing.T, body string) []sseEvent {
	t.Helper()
	var evs []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		case line == "":
			evs = append(evs, cur)
			cur = sseEvent{}
		}
	}
	return evs
}

func TestAskStream(t *testing.T) {
	idx := sharedIndex(t)
	for name, ix := range map[string]Index{"extractive": idx, "generative": streamingIndex{idx}} {
		t.Run(name, func(t *testing.T) {
			h, err := New(ix, Options{})
			if err != nil {
				t.Fatal(err)
			}
			req := newRequest("POST", "/v1/ask", `{"question": "Which religious movement were the Aktobe attackers followers of?", "stream": true}`)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
				t.Fatalf("status %d, type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			evs := readEvents(t, rec.Body.String())
			if len(evs) < 2 || evs[len(evs)-1].name != "answer" {
				t.Fatalf("events = %+v", evs)
			}
			for _, ev := range evs[:len(evs)-1] {
				if ev.name != "token" || !strings.Contains(ev.data, `"text"`) {
					t.Errorf("event %+v, want a token", ev)
				}
			}
			var ans rag.Answer
			if err := json.Unmarshal([]byte(evs[len(evs)-1].data), &ans); err != nil {
				t.Fatal(err)
			}
			if !ans.Grounded || len(ans.Citations) == 0 {
				t.Errorf("final answer = %+v, want it with its citations", ans)
			}
			checkConfidence(t, []byte(evs[len(evs)-1].data))
		})
	}
}
