package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// No body and no query string makes the API answer 5xx.
func FuzzAsk(f *testing.F) {
	for _, s := range []string{
		`{"question": "Which religious movement were the Aktobe attackers followers of?"}`,
		`{"question": "Who is Nazarbayev?", "k": 50}`,
		`{"question": ""}`, `{`, `[]`, `null`, "\xff\xfe", `{"question": "\u0000"}`, `{"k": 1e309}`,
	} {
		f.Add(s)
	}
	h, err := New(sharedIndex(f), Options{CacheSize: -1, RateLimit: 1e9})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range []*http.Request{
			newRequest("POST", "/v1/ask", s),
			newRequest("POST", "/v1/search", s),
			newRequest("GET", "/v1/ask?q="+url.QueryEscape(s), ""),
			newRequest("GET", "/v1/documents/"+url.PathEscape(s), ""),
		} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %s: %d %s", r.Method, r.URL, w.Code, w.Body)
			}
		}
	})
}
