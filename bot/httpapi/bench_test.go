package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
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
				r := newRequest("POST", "/v1/ask", body)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
