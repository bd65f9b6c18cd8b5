package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A server still loading its index (503) is not healthy, and the error
// says what it answered.
func TestHealthcheckNotReady(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			t.Errorf("asked %s, want /readyz", r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error": "the index is loading"}`))
	}))
	defer srv.Close()
	_, _, err := runCLI(t, "healthcheck", "--addr", strings.TrimPrefix(srv.URL, "http://"))
	if err == nil || !strings.Contains(err.Error(), "503: the index is loading") {
		t.Errorf("healthcheck against a loading server: %v", err)
	}
}
