package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

// rawExchange writes req to a new connection to addr as one client would
// (all of it, then pausing for wait, then the rest), and reads the answer.
func rawExchange(t *testing.T, addr string, req []string, wait time.Duration) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(15 * time.Second))
	for i, part := range req {
		if i > 0 {
			time.Sleep(wait)
		}
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatalf("writing the request: %v", err)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return resp
}

// checkJSONError checks that resp is status with a JSON {"error": ...}
// saying want.
func checkJSONError(t *testing.T, resp *http.Response, status int, want string) {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON: %s", ct, body)
	}
	var e map[string]string
	if err := json.Unmarshal(body, &e); err != nil || len(e) != 1 || !strings.Contains(e["error"], want) {
		t.Errorf("body %q is not {\"error\": \"...%s...\"}", body, want)
	}
}

// noReindex is a Reindex that finds nothing to do.
func noReindex(context.Context) (rag.SyncReport, error) { return rag.SyncReport{}, nil }

// The errors net/http answers by itself, before any handler, are JSON like
// the handler's.
func TestServerErrorsAreJSON(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	addr := strings.TrimPrefix(startServerWith(t, h, ServeOptions{ReadHeaderTimeout: 300 * time.Millisecond}), "http://")
	for _, tt := range []struct {
		name   string
		req    []string
		status int
		msg    string
	}{
		{"huge header", []string{"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + strings.Repeat("a", 100<<10) + "\r\n\r\n"}, 431, "larger than 65536 bytes"},
		{"request line cut short by the header timeout", []string{"GET /healthz HTT"}, 408, "did not arrive in time"},
		{"malformed request line", []string{"NONSENSE\r\n\r\n"}, 400, "malformed request"},
		{"no Host", []string{"GET /healthz HTTP/1.1\r\n\r\n"}, 400, "missing required Host header"},
		{"unsupported transfer encoding", []string{"POST /v1/ask HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n"}, 501, "unsupported transfer encoding"},
		{"unsupported protocol", []string{"GET /healthz HTTP/4.0\r\nHost: localhost\r\n\r\n"}, 505, "unsupported protocol version"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkJSONError(t, rawExchange(t, addr, tt.req, 0), tt.status, tt.msg)
		})
	}
	// A well-formed request on the same server is still answered.
	resp := rawExchange(t, addr, []string{"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"}, 0)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz = %d", resp.StatusCode)
	}
}

// A body that does not arrive within the read timeout is 408, not
// "invalid JSON: read tcp …".
func TestBodyTimeout(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{Reindex: noReindex})
	addr := strings.TrimPrefix(startServerWith(t, h, ServeOptions{ReadTimeout: 300 * time.Millisecond}), "http://")
	for _, target := range []string{"/v1/ask", "/v1/search", "/v1/reindex"} {
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", target)
		resp := rawExchange(t, addr, []string{head, `{"question": "Which relig`}, 0)
		checkJSONError(t, resp, http.StatusRequestTimeout, "did not arrive in time")
	}
}

// A client that writes its whole body before it reads (Python's urllib)
// sees the 413 rather than a connection reset under its write.
func TestTooLargeBodySentWhole(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{Reindex: noReindex})
	addr := strings.TrimPrefix(startServer(t, h), "http://")
	body := `{"question": "` + strings.Repeat("a", 4<<20) + `"}`
	var chunked strings.Builder
	for rest := body; rest != ""; {
		n := min(len(rest), 64<<10)
		fmt.Fprintf(&chunked, "%x\r\n%s\r\n", n, rest[:n])
		rest = rest[n:]
	}
	chunked.WriteString("0\r\n\r\n")
	for _, tt := range []struct {
		name, header, body string
	}{
		{"with its length", fmt.Sprintf("Content-Length: %d\r\n", len(body)), body},
		{"chunked", "Transfer-Encoding: chunked\r\n", chunked.String()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, target := range []string{"/v1/ask", "/v1/search", "/v1/reindex"} {
				req := "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + tt.header + "\r\n" + tt.body
				checkJSONError(t, rawExchange(t, addr, []string{req}, 0), http.StatusRequestEntityTooLarge, "larger than")
			}
		})
	}
}
