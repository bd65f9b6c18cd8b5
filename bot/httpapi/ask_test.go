package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

func TestAskPost(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	w := do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism})})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	ans := decode[rag.Answer](t, w)
	if !ans.Grounded || !strings.Contains(ans.Answer, "Salafism") || !strings.Contains(ans.Answer, "[1]") {
		t.Errorf("answer = %+v, want a grounded answer naming Salafism with [1]", ans)
	}
	if len(ans.Citations) == 0 || ans.Citations[0].N != 1 || ans.Citations[0].Source != salafismDoc || ans.Citations[0].Text == "" {
		t.Errorf("citations = %+v", ans.Citations)
	}
	checkConfidence(t, w.Body.Bytes())
}

// checkConfidence checks that an answer's JSON carries its confidence, a
// probability. Until the fitted model lands it is an evidence score, which
// may exceed 1, so only its lower bound is held here.
func checkConfidence(t *testing.T, body []byte) {
	t.Helper()
	var got struct {
		Confidence *float64 `json:"confidence"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Confidence == nil || *got.Confidence < 0 {
		t.Errorf("confidence = %v in %s, want a number from 0", got.Confidence, body)
	}
}

// The answer is the JSON object `citebot ask --json` prints, with the
// answer's and its conversation's IDs: the same fields, no more, and the
// same values as the index's own answer.
func TestAskIsTheCLIObject(t *testing.T) {
	idx := sharedIndex(t)
	h := newHandler(t, idx, Options{})
	for _, q := range []string{salafism, unanswerable} {
		w := do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": q, "k": 5})})
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		checkConfidence(t, w.Body.Bytes())
		delete(got, "note") // present only on some answers, as in the CLI's
		for _, id := range []string{"id", "conversation"} {
			if s, _ := got[id].(string); len(s) < 20 || !plainID(s) {
				t.Errorf("%q: %s %v, want a random URL-safe ID", q, id, got[id])
			}
			delete(got, id)
		}
		if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, []string{"answer", "citations", "confidence", "grounded", "question"}) {
			t.Errorf("%q: keys %v", q, keys)
		}
		for _, c := range got["citations"].([]any) {
			keys := slices.Sorted(maps.Keys(c.(map[string]any)))
			if !slices.Equal(keys, []string{"chunk", "date", "n", "quote", "score", "source", "text", "title"}) {
				t.Errorf("%q: citation keys %v", q, keys)
			}
		}
		ans, err := idx.Ask(context.Background(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(ans)
		var want map[string]any
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		delete(want, "note")
		// Scores may differ in the last bit between two asks (float sums in
		// map order); compare them apart.
		gc, wc := got["citations"].([]any), want["citations"].([]any)
		for i := range min(len(gc), len(wc)) {
			g, w := gc[i].(map[string]any), wc[i].(map[string]any)
			if d := g["score"].(float64) - w["score"].(float64); d > 1e-9 || d < -1e-9 {
				t.Errorf("%q: citation %d score %v, index says %v", q, i, g["score"], w["score"])
			}
			g["score"], w["score"] = 0, 0
		}
		if !jsonEqual(got, want) {
			t.Errorf("%q: HTTP answer\n%v\nindex answer\n%v", q, got, want)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestAskGet(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	w := do(t, h, request{method: "GET", target: "/v1/ask?k=3&q=" + url.QueryEscape(salafism)})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ans := decode[rag.Answer](t, w); !ans.Grounded || ans.Question != salafism {
		t.Errorf("answer = %+v", ans)
	}
	// HEAD answers like GET, without the body.
	w = do(t, h, request{method: "HEAD", target: "/v1/ask?q=" + url.QueryEscape(salafism)})
	if w.Code != http.StatusOK {
		t.Errorf("HEAD: status %d", w.Code)
	}
}

func TestAskAbstains(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	w := do(t, h, request{method: "POST", target: "/v1/ask", body: `{"question": "` + unanswerable + `"}`})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if !strings.Contains(w.Body.String(), `"citations":[]`) {
		t.Errorf("citations of an abstention are not an empty list: %s", w.Body)
	}
	if ans := decode[rag.Answer](t, w); ans.Grounded || ans.Answer != rag.NotFound {
		t.Errorf("answer = %+v, want an abstention", ans)
	}
}

func TestAskSubdirectoryDocument(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	w := do(t, h, request{method: "GET", target: "/v1/ask?q=" + url.QueryEscape("How many ships did the lighthouse keeper count?")})
	ans := decode[rag.Answer](t, w)
	if !ans.Grounded || !strings.Contains(ans.Answer, "412") || ans.Citations[0].Source != notesDoc {
		t.Errorf("answer = %+v", ans)
	}
}

func TestSearch(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	w := do(t, h, request{method: "POST", target: "/v1/search", body: jsonBody(map[string]any{"question": salafism, "k": 3})})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	res := decode[searchResponse](t, w)
	if res.Question != salafism || len(res.Passages) != 3 || res.Passages[0].Source != salafismDoc {
		t.Fatalf("search = %+v", res)
	}
	for i, p := range res.Passages {
		if p.Text == "" || p.End <= p.Start || i > 0 && p.Score > res.Passages[i-1].Score {
			t.Errorf("passage %d = %+v", i, p)
		}
	}
}

// Every way a question can be unusable is a 400, 404, 405 or 413 with a
// JSON error, never a 5xx.
func TestBadRequests(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{MaxQuestionLength: 40})
	big := `{"question": "` + strings.Repeat("a", MaxBodyBytes) + `"}`
	tests := []struct {
		name   string
		req    request
		status int
		msg    string // part of the error message
	}{
		{"invalid JSON", request{method: "POST", target: "/v1/ask", body: `{"question": `}, 400, "invalid JSON"},
		{"not JSON", request{method: "POST", target: "/v1/ask", body: `question=hello`}, 400, "invalid JSON"},
		{"empty body", request{method: "POST", target: "/v1/ask"}, 400, "body is empty"},
		{"array body", request{method: "POST", target: "/v1/ask", body: `["hello"]`}, 400, "JSON object"},
		{"null body", request{method: "POST", target: "/v1/ask", body: `null`}, 400, "empty"},
		{"trailing data", request{method: "POST", target: "/v1/ask", body: `{"question": "a"} {"question": "b"}`}, 400, "after the JSON object"},
		{"unknown field", request{method: "POST", target: "/v1/ask", body: `{"questoin": "hello"}`}, 400, "unknown field"},
		{"question not a string", request{method: "POST", target: "/v1/ask", body: `{"question": 42}`}, 400, "question must be a string"},
		{"k not an integer", request{method: "POST", target: "/v1/ask", body: `{"question": "hello", "k": 2.5}`}, 400, "k must be an integer"},
		{"missing question", request{method: "POST", target: "/v1/ask", body: `{"k": 3}`}, 400, "empty"},
		{"empty question", request{method: "POST", target: "/v1/ask", body: `{"question": ""}`}, 400, "empty"},
		{"whitespace question", request{method: "POST", target: "/v1/ask", body: `{"question": " \t\n\u00a0 "}`}, 400, "empty"},
		{"no words", request{method: "POST", target: "/v1/ask", body: `{"question": "?!…"}`}, 400, "no words"},
		{"too long", request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": strings.Repeat("é", 41)})}, 400, "41 characters long; the limit is 40"},
		{"k zero", request{method: "POST", target: "/v1/ask", body: `{"question": "hello", "k": 0}`}, 400, "between 1 and 50"},
		{"k negative", request{method: "POST", target: "/v1/search", body: `{"question": "hello", "k": -1}`}, 400, "between 1 and 50"},
		{"k too big", request{method: "POST", target: "/v1/search", body: `{"question": "hello", "k": 51}`}, 400, "between 1 and 50"},
		{"GET k too big", request{method: "GET", target: "/v1/ask?q=hello&k=51"}, 400, "between 1 and 50"},
		{"GET k not a number", request{method: "GET", target: "/v1/ask?q=hello&k=five"}, 400, "integer"},
		{"GET no q", request{method: "GET", target: "/v1/ask"}, 400, "empty"},
		{"GET malformed query", request{method: "GET", target: "/v1/ask?q=%zz"}, 400, "query string is malformed"},
		{"GET malformed k", request{method: "GET", target: "/v1/ask?q=hello&k=%zz"}, 400, "query string is malformed"},
		{"GET blank q", request{method: "GET", target: "/v1/ask?q=%20%20"}, 400, "empty"},
		{"GET too long", request{method: "GET", target: "/v1/ask?q=" + strings.Repeat("a", 41)}, 400, "limit is 40"},
		{"search empty", request{method: "POST", target: "/v1/search", body: `{"question": "  "}`}, 400, "empty"},
		{"body too large", request{method: "POST", target: "/v1/ask", body: big}, 413, "larger than"},
		{"search body too large", request{method: "POST", target: "/v1/search", body: big}, 413, "larger than"},
		{"unknown route", request{method: "GET", target: "/v2/ask"}, 404, "no such route"},
		{"unknown v1 route", request{method: "POST", target: "/v1/answer"}, 404, "no such route"},
		{"wrong method", request{method: "DELETE", target: "/v1/ask"}, 405, "not allowed"},
		{"wrong method search", request{method: "GET", target: "/v1/search"}, 405, "not allowed"},
		{"wrong method page", request{method: "POST", target: "/"}, 405, "not allowed"},
		{"wrong method document", request{method: "PATCH", target: "/v1/documents/x"}, 405, "not allowed"},
		{"unknown document", request{method: "GET", target: "/v1/documents/nope.txt"}, 404, "no indexed document"},
		{"unknown asset", request{method: "GET", target: "/assets/nope.js"}, 404, "no such asset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, tt.req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if msg := decode[errorBody](t, w).Error; !strings.Contains(msg, tt.msg) {
				t.Errorf("error %q does not say %q", msg, tt.msg)
			}
		})
	}
}

func TestMethodNotAllowedAllow(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	for target, want := range map[string]string{
		"/v1/ask":           "GET, HEAD, POST",
		"/v1/search":        "POST",
		"/v1/documents":     "GET, HEAD, POST",
		"/v1/documents/a":   "DELETE, GET, HEAD, PUT",
		"/v1/reindex":       "POST",
		"/":                 "GET, HEAD",
		"/healthz":          "GET, HEAD",
		"/assets/style.css": "GET, HEAD",
	} {
		method := "DELETE"
		if target == "/v1/documents/a" {
			method = "PATCH"
		}
		w := do(t, h, request{method: method, target: target})
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != want {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", method, target, w.Code, w.Header().Get("Allow"), want)
		}
	}
}

// A body over the limit is refused whether or not it announces its length.
func TestBodyTooLargeChunked(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	body := `{"question": "` + strings.Repeat("a", MaxBodyBytes) + `"}`
	r, _ := http.NewRequest("POST", "http://localhost/v1/ask", struct{ *strings.Reader }{strings.NewReader(body)})
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = -1 // unknown: chunked
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413: %s", w.Code, w.Body)
	}
}

// Invalid UTF-8 in a question, in the query or the body, is read as U+FFFD:
// never a 5xx.
func TestInvalidUTF8(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	for _, req := range []request{
		{method: "GET", target: "/v1/ask?q=Aktobe%FF%FEattackers"},
		{method: "GET", target: "/v1/ask?q=%FF%FE"},
		{method: "POST", target: "/v1/ask", body: "{\"question\": \"Aktobe \xff\xfe attackers\"}"},
		{method: "POST", target: "/v1/ask", body: "{\"question\": \"\xc3\"}"},
		{method: "POST", target: "/v1/search", body: "{\"question\": \"Salafism \xed\xa0\x80\"}"},
		{method: "POST", target: "/v1/ask", body: "\xff\xfe{}"},
		{method: "GET", target: "/v1/documents/%FF.txt"},
	} {
		w := do(t, h, req)
		if w.Code >= 500 || w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusNotFound {
			t.Errorf("%s %s %q: status %d: %s", req.method, req.target, req.body, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Errorf("%s %s: body is not valid JSON: %q", req.method, req.target, w.Body)
		}
	}
}

func TestUnavailable(t *testing.T) {
	log := &logBuffer{}
	idx := faultIndex{Index: sharedIndex(t), err: fmt.Errorf("weaviate: %w", rag.ErrUnavailable)}
	h := newHandler(t, idx, Options{Logger: log.logger()})
	for _, req := range []request{
		{method: "POST", target: "/v1/ask", body: `{"question": "hello"}`, allow5xx: true},
		{method: "GET", target: "/v1/ask?q=hello", allow5xx: true},
		{method: "POST", target: "/v1/search", body: `{"question": "hello"}`, allow5xx: true},
	} {
		w := do(t, h, req)
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s: %d Retry-After %q, want 503 with Retry-After", req.method, req.target, w.Code, w.Header().Get("Retry-After"))
		}
		if strings.Contains(w.Body.String(), "weaviate") {
			t.Errorf("internal detail leaked: %s", w.Body)
		}
	}
	lines := log.lines(t)
	if len(lines) != 3 || !strings.Contains(lines[0]["error"].(string), "weaviate") {
		t.Errorf("log lines = %v, want one per request with the cause", lines)
	}
}

// A panic in a handler is a 500 with its stack in the log, and the handler
// goes on serving.
func TestPanicRecovered(t *testing.T) {
	log := &logBuffer{}
	idx := faultIndex{Index: sharedIndex(t), panic: true}
	h := newHandler(t, idx, Options{Logger: log.logger()})
	w := do(t, h, request{method: "POST", target: "/v1/ask", body: `{"question": "hello"}`, allow5xx: true})
	if w.Code != http.StatusInternalServerError || decode[errorBody](t, w).Error != "internal error" {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if w := do(t, h, request{method: "GET", target: "/healthz"}); w.Code != http.StatusOK {
		t.Errorf("after a panic, /healthz = %d", w.Code)
	}
	lines := log.lines(t)
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2: %v", len(lines), lines)
	}
	l := lines[0]
	if l["level"] != "ERROR" || l["status"] != float64(500) || !strings.Contains(l["error"].(string), "index exploded") ||
		!strings.Contains(l["stack"].(string), "faultIndex.Ask") {
		t.Errorf("log line = %v", l)
	}
}

func TestInternalError(t *testing.T) {
	log := &logBuffer{}
	idx := faultIndex{Index: sharedIndex(t), err: fmt.Errorf("disk on fire")}
	h := newHandler(t, idx, Options{Logger: log.logger()})
	w := do(t, h, request{method: "POST", target: "/v1/search", body: `{"question": "hello"}`, allow5xx: true})
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "fire") {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	lines := log.lines(t)
	if len(lines) != 1 || lines[0]["error"] != "search: disk on fire" || lines[0]["level"] != "ERROR" {
		t.Errorf("log = %v, want the error once", lines)
	}
}

func TestAskCache(t *testing.T) {
	calls := 0
	idx := faultIndex{Index: sharedIndex(t), calls: &calls}
	h := newHandler(t, idx, Options{})
	ask := func() string {
		w := do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism})})
		ans := decode[askResponse](t, w)
		if ans.ID == "" || ans.Conversation == "" {
			t.Errorf("an answer without its IDs: %s", w.Body)
		}
		return jsonBody(ans.Answer)
	}
	first := ask()
	if second := ask(); second != first || calls != 1 {
		t.Errorf("a repeated question reached the index (%d calls) or changed: %s", calls, second)
	}
	do(t, h, request{method: "POST", target: "/v1/ask", body: jsonBody(map[string]any{"question": salafism, "k": 3})})
	if calls != 2 {
		t.Errorf("another k was served from the cache")
	}
	h.Invalidate()
	if ask(); calls != 3 {
		t.Errorf("after Invalidate, the cache still answered")
	}

	// Off.
	calls = 0
	h = newHandler(t, idx, Options{CacheSize: -1})
	ask()
	ask()
	if calls != 2 {
		t.Errorf("with the cache off, %d index calls for 2 questions", calls)
	}
}

// A client that goes away before its answer is logged as 499, not as a
// server error.
func TestClientGone(t *testing.T) {
	log := &logBuffer{}
	h := newHandler(t, faultIndex{Index: sharedIndex(t), err: context.Canceled}, Options{Logger: log.logger()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, "POST", "http://localhost/v1/ask", strings.NewReader(`{"question": "hello"}`))
	r.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), r)
	lines := log.lines(t)
	if len(lines) != 1 || lines[0]["status"] != float64(statusClientClosed) || lines[0]["level"] != "INFO" {
		t.Errorf("log = %v", lines)
	}
}

// A POST needs Content-Type: application/json, so that another site's page
// cannot make one as a "simple" cross-site request (a form, or a fetch of
// text/plain), which browsers send without asking the server first.
func TestContentType(t *testing.T) {
	reindexed := 0
	h := newHandler(t, sharedIndex(t), Options{Reindex: func(context.Context) (rag.SyncReport, error) {
		reindexed++
		return rag.SyncReport{}, nil
	}})
	ask := jsonBody(map[string]any{"question": salafism})
	typed := func(ct string) http.Header { return http.Header{"Content-Type": {ct}} }
	for _, tt := range []struct {
		target, body string
		header       http.Header
		status       int
		reindexes    int
	}{
		{"/v1/ask", ask, typed("application/json"), 200, 0},
		{"/v1/ask", ask, typed("application/json; charset=utf-8"), 200, 0},
		{"/v1/ask", ask, typed("Application/JSON; Charset=UTF-8"), 200, 0},
		{"/v1/ask", ask, typed("text/plain"), 415, 0},
		{"/v1/ask", ask, typed("text/plain; charset=utf-8"), 415, 0},
		{"/v1/ask", ask, typed("application/x-www-form-urlencoded"), 415, 0},
		{"/v1/ask", ask, typed("multipart/form-data; boundary=x"), 415, 0},
		{"/v1/ask", ask, typed(""), 415, 0},
		{"/v1/ask", ask, typed("application/json; charset=iso-8859-1"), 415, 0},
		{"/v1/ask", ask, typed("application/jsonp"), 415, 0},
		{"/v1/ask", ask, typed("text/json"), 415, 0},
		{"/v1/ask", ask, typed("application/json;;"), 415, 0},
		{"/v1/search", ask, typed("text/plain"), 415, 0},
		{"/v1/search", ask, typed("application/json"), 200, 0},
		{"/v1/reindex", "", typed(""), 415, 0},
		{"/v1/reindex", "", typed("text/plain"), 415, 0},
		{"/v1/reindex", "x", typed("application/x-www-form-urlencoded"), 415, 0},
		{"/v1/reindex", "", typed("application/json"), 200, 1},
		{"/v1/reindex", "{}", typed("application/json"), 200, 1},
		{"/v1/reindex", `{"all": true}`, typed("application/json"), 400, 0},
	} {
		before := reindexed
		w := do(t, h, request{method: "POST", target: tt.target, body: tt.body, header: tt.header})
		if w.Code != tt.status || reindexed-before != tt.reindexes {
			t.Errorf("POST %s as %q: %d (%d reindexes), want %d (%d): %s",
				tt.target, tt.header.Get("Content-Type"), w.Code, reindexed-before, tt.status, tt.reindexes, w.Body)
		}
		if w.Code == 415 && !strings.Contains(decode[errorBody](t, w).Error, "application/json") {
			t.Errorf("415 %s does not say what to send", w.Body)
		}
	}
}
