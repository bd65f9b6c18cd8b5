package langchain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a server that answers request n (from 1) with codes[n-1], or
// 200 past the end, and records the bodies it got.
type recorder struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newRecorder(t *testing.T, retryAfter string, codes ...int) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, string(body))
		n := len(rec.bodies)
		rec.mu.Unlock()
		code := http.StatusOK
		if n <= len(codes) {
			code = codes[n-1]
		}
		if code != http.StatusOK && retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "answer %d", n)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) got() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.bodies...)
}

func post(t *testing.T, ctx context.Context, rt http.RoundTripper, url string, body io.Reader) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func TestRetryTransport(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retries    int
		retryAfter string
		codes      []int
		wantCode   int
		wantTries  int
	}{
		{"429 then 200", 0, "", []int{429}, 200, 2},
		{"5xx then 200", 0, "", []int{503, 502, 500}, 200, 4},
		{"Retry-After 0", 0, "0", []int{429, 503}, 200, 3},
		{"gives up after Retries", 2, "", []int{500, 500, 500, 500}, 500, 3},
		{"gives up after the default 3", 0, "", []int{503, 503, 503, 503, 503}, 503, 4},
		{"no retries", -1, "", []int{503}, 503, 1},
		{"4xx is final", 0, "", []int{400}, 400, 1},
		{"501 is final", 0, "", []int{501}, 501, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, tc.retryAfter, tc.codes...)
			rt := &RetryTransport{Retries: tc.retries, Backoff: time.Millisecond}
			resp, err := post(t, context.Background(), rt, rec.URL, strings.NewReader(`{"q":1}`))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantCode {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantCode)
			}
			body, _ := io.ReadAll(resp.Body)
			if want := fmt.Sprintf("answer %d", tc.wantTries); string(body) != want {
				t.Errorf("body %q, want the last attempt's %q", body, want)
			}
			got := rec.got()
			if len(got) != tc.wantTries {
				t.Fatalf("%d attempts, want %d", len(got), tc.wantTries)
			}
			for i, b := range got {
				if b != `{"q":1}` {
					t.Errorf("attempt %d sent body %q", i+1, b)
				}
			}
		})
	}
}

// TestRetryTransportBuffersBody checks that a body without GetBody is
// replayed too.
func TestRetryTransportBuffersBody(t *testing.T) {
	rec := newRecorder(t, "0", 503)
	body := struct{ io.Reader }{strings.NewReader("once only")} // no GetBody
	resp, err := post(t, context.Background(), &RetryTransport{}, rec.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.got(); resp.StatusCode != 200 || len(got) != 2 || got[0] != "once only" || got[1] != "once only" {
		t.Errorf("status %d, bodies %q; want 200 after the body was sent twice", resp.StatusCode, got)
	}
}

func TestRetryTransportBackoff(t *testing.T) {
	rec := newRecorder(t, "", 503, 503)
	start := time.Now()
	resp, err := post(t, context.Background(), &RetryTransport{Backoff: 20 * time.Millisecond}, rec.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Equal jitter waits at least half of 20ms, then half of 40ms.
	if took := time.Since(start); resp.StatusCode != 200 || took < 30*time.Millisecond {
		t.Errorf("status %d after %v, want 200 after at least 30ms of backoff", resp.StatusCode, took)
	}
}

func TestRetryTransportCapsRetryAfter(t *testing.T) {
	rec := newRecorder(t, "3600", 429)
	start := time.Now()
	resp, err := post(t, context.Background(), &RetryTransport{MaxWait: 10 * time.Millisecond}, rec.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); resp.StatusCode != 200 || took > time.Second {
		t.Errorf("status %d after %v, want 200 after the capped wait", resp.StatusCode, took)
	}
}

// TestRetryTransportDeadline checks that a wait that would outlast the
// context's deadline is not started: the 429 is returned at once.
func TestRetryTransportDeadline(t *testing.T) {
	rec := newRecorder(t, "5", 429)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	resp, err := post(t, ctx, &RetryTransport{}, rec.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); resp.StatusCode != 429 || took > 500*time.Millisecond || len(rec.got()) != 1 {
		t.Errorf("status %d after %v and %d attempts, want the 429 at once", resp.StatusCode, took, len(rec.got()))
	}
}

func TestRetryTransportCanceled(t *testing.T) {
	rec := newRecorder(t, "", 503, 503)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := post(t, ctx, &RetryTransport{Backoff: 10 * time.Second}, rec.URL, strings.NewReader("x"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > time.Second || len(rec.got()) != 1 {
		t.Errorf("gave up after %v and %d attempts, want at once after 1", took, len(rec.got()))
	}
}

// failing is a RoundTripper whose every request fails in the network.
type failing struct {
	mu    sync.Mutex
	calls int
}

func (f *failing) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	return nil, errors.New("connection refused")
}

func TestRetryTransportNetworkErrorIsFinal(t *testing.T) {
	next := &failing{}
	if _, err := post(t, context.Background(), &RetryTransport{Next: next}, "http://example.invalid/", nil); err == nil {
		t.Fatal("request succeeded through a failing transport")
	}
	if next.calls != 1 {
		t.Errorf("%d attempts, want 1", next.calls)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"Sat, 01 Mar 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true}, // past
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		code int
		body string
		want string
	}{
		{500, "", "500 Internal Server Error"},
		{404, `{"error":"model \"m\" not found, try pulling it first"}`, `404 Not Found: model "m" not found, try pulling it first`},
		{502, "<html>bad gateway</html>", "502 Bad Gateway: <html>bad gateway</html>"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.code)
			fmt.Fprint(w, tc.body)
		}))
		_, err := post(t, context.Background(), statusErrors{next: http.DefaultTransport}, srv.URL, nil)
		srv.Close()
		if err == nil || !strings.HasSuffix(err.Error(), ": "+tc.want) {
			t.Errorf("status %d body %q: error %v, want one ending %q", tc.code, tc.body, err, tc.want)
		}
	}
}
