package main

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/citebot/citebot/rag"
)

// fakeOpenAI is an OpenAI-compatible chat server that answers by quoting
// the first sentence of passage 1 with [1], and counts its calls.
func fakeOpenAI(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	first := regexp.MustCompile(`(?s)<passage n="1"[^>]*>\n(.*?)\n</passage>`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		var req struct {
			Messages []struct{ Role, Content string } `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		reply := "I don't know."
		if m := first.FindStringSubmatch(req.Messages[len(req.Messages)-1].Content); m != nil {
			text := html.UnescapeString(m[1])
			if i := strings.Index(text, ". "); i > 0 {
				text = text[:i+1]
			}
			reply = text + " [1]"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "fake",
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": reply}}},
			"usage": map[string]int{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
		})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// eval runs in generative mode against a fake model server: the plumbing
// (prompt, client, checked citations, abstention before the model) works.
func TestEvalWithLLM(t *testing.T) {
	srv, calls := fakeOpenAI(t)
	env := bundled(t)
	env["CITEBOT_LLM_PROVIDER"] = "openai"
	env["CITEBOT_LLM_BASE_URL"] = srv.URL + "/v1"
	env["CITEBOT_LLM_MODEL"] = "fake"
	r := citebot(t, env, "eval", "--json", "../../testdata/dev.jsonl")
	if r.err != nil {
		t.Fatal(r.err, r.stderr)
	}
	var rep rag.EvalReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	// The same gate as extractive answers: the model is asked exactly for
	// the questions the abstention model lets through.
	grounded := 0
	for _, res := range rep.Results {
		if !res.Grounded {
			continue
		}
		grounded++
		if !strings.HasSuffix(res.Answer, "[1]") {
			t.Errorf("%s: answer %q is not the fake model's", res.ID, res.Answer)
		}
		if res.Confidence <= 0 || res.Confidence > 1 {
			t.Errorf("%s: confidence %v outside (0, 1]", res.ID, res.Confidence)
		}
	}
	if int(calls.Load()) != grounded {
		t.Errorf("model asked %d times for %d grounded answers", calls.Load(), grounded)
	}
	if rep.Abstained < 5 || grounded < 30 {
		t.Errorf("generative eval: %d grounded, %d/%d declined", grounded, rep.Abstained, rep.Unanswerable)
	}
}

// With the model server down, ask still answers, extractively, with a note.
func TestAskWithLLMDown(t *testing.T) {
	srv, _ := fakeOpenAI(t)
	srv.Close()
	env := bundled(t)
	env["CITEBOT_LLM_PROVIDER"] = "openai"
	env["CITEBOT_LLM_BASE_URL"] = srv.URL + "/v1"
	env["CITEBOT_LLM_MODEL"] = "fake"
	r := citebot(t, env, "ask", "--json", "Who heads the Higher Certifying Commission?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stdout, `"grounded": true`) || !strings.Contains(r.stdout, rag.GenerationUnavailable) {
		t.Errorf("ask with the model down printed %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "generation unavailable") {
		t.Errorf("no log line for the failed generation: %q", r.stderr)
	}
}
