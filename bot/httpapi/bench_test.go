package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
)

// BenchmarkAsk measures POST /v1/ask through the whole handler (routing,
// guard, decoding, answering, encoding, logging to a discard handler and
// metrics): "cached" is a repeated question, "uncached" answers every time.
func BenchmarkAsk(b *testing.B) {
	idx := sharedIndex(b)
	body := jsonBody(map[string]any{"question": salafism})
	for _, bc := range []struct {
		name  string
		cache int
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			h := newHandler(b, idx, Options{CacheSize: bc.cache})
			b.ReportAllocs()
			for b.Loop() {
				postAsk(b, h, body)
			}
		})
	}
}

// BenchmarkAskMix measures uncached POST /v1/ask over the questions of the
// load test (the development set), one after another: its questions ask
// for dates, numbers and names, which the single question of BenchmarkAsk
// does not.
func BenchmarkAskMix(b *testing.B) {
	idx := sharedIndex(b)
	var bodies []string
	for _, c := range ragtest.EvalCases(b, "../../testdata/dev.jsonl") {
		bodies = append(bodies, jsonBody(map[string]any{"question": c.Question}))
	}
	h := newHandler(b, idx, Options{CacheSize: -1})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		postAsk(b, h, bodies[i%len(bodies)])
		i++
	}
}

// BenchmarkAskHistory measures POST /v1/ask (uncached) with the history
// off and on (SQLite in a temp dir), side by side. With the history on,
// each answer queues its turn for the writer goroutine; the time Close
// then takes to write what is still queued is reported per answer as
// drain-ns/op, so that writes the loop did not wait for are not hidden.
// "sqlite-sync" is the write itself (AddTurn called in the loop), what
// writing in the request would add.
func BenchmarkAskHistory(b *testing.B) {
	idx := sharedIndex(b)
	body := jsonBody(map[string]any{"question": salafism})
	b.Run("off", func(b *testing.B) {
		h := newHandler(b, idx, Options{CacheSize: -1})
		b.ReportAllocs()
		for b.Loop() {
			postAsk(b, h, body)
		}
	})
	b.Run("sqlite", func(b *testing.B) {
		hist := openHistory(b, "")
		h := newHistoryHandler(b, idx, hist, Options{CacheSize: -1})
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			postAsk(b, h, body)
			n++
		}
		start := time.Now()
		h.Close()
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n), "drain-ns/op")
		stored, err := hist.Recent(context.Background(), rag.HistoryQuery{})
		if err != nil {
			b.Fatal(err)
		}
		if dropped := n - len(stored); dropped > 0 {
			b.ReportMetric(float64(dropped), "dropped")
		}
	})
	b.Run("sqlite-sync", func(b *testing.B) {
		hist := openHistory(b, "")
		h := newHandler(b, idx, Options{CacheSize: -1})
		ctx := context.Background()
		ans, err := idx.Ask(ctx, salafism, DefaultK)
		if err != nil {
			b.Fatal(err)
		}
		ans.Passages = nil
		b.ReportAllocs()
		for b.Loop() {
			postAsk(b, h, body)
			t := h.turn(thread{id: newID()}, salafism, ans)
			if err := hist.AddTurn(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// postAsk posts body to h's /v1/ask and fails b unless it answers 200.
func postAsk(b *testing.B, h http.Handler, body string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, newRequest("POST", "/v1/ask", body))
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
}
