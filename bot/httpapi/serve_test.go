package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/rag"
)

// startServer runs Serve with h on 127.0.0.1:0 until the test ends and
// returns its base URL.
func startServer(t testing.TB, h http.Handler) string {
	t.Helper()
	return startServerWith(t, h, ServeOptions{})
}

// startServerWith is startServer with options (Ready is its own).
func startServerWith(t testing.TB, h http.Handler, o ServeOptions) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	o.Ready = func(a net.Addr) { addrs <- a }
	go func() { done <- Serve(ctx, "127.0.0.1:0", h, o) }()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return base
}

// The real server over real HTTP: a temp corpus, the real index, Serve.
func TestServeEndToEnd(t *testing.T) {
	dir := testCorpus(t)
	idx := newIndex(t, dir)
	h, err := New(idx, Options{Registry: prometheus.NewRegistry(), Reindex: func(ctx context.Context) (rag.SyncReport, error) {
		return idx.Sync(ctx, dir, nil)
	}})
	if err != nil {
		t.Fatal(err)
	}
	base := startServer(t, h)

	resp, err := http.Post(base+"/v1/ask", "application/json", strings.NewReader(jsonBody(map[string]any{"question": salafism})))
	if err != nil {
		t.Fatal(err)
	}
	var ans rag.Answer
	err = json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !ans.Grounded || !strings.Contains(ans.Answer, "Salafism") {
		t.Fatalf("ask over HTTP: %d %v %+v", resp.StatusCode, err, ans)
	}

	resp, err = http.Get(base + "/v1/documents/" + url.PathEscape(ans.Citations[0].Source))
	if err != nil {
		t.Fatal(err)
	}
	var doc documentText
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || !strings.Contains(doc.Text, ans.Citations[0].Text) {
		t.Errorf("the cited document does not hold the citation: %v", err)
	}

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/nope": 404} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err = http.Post(base+"/v1/reindex", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var rep rag.SyncReport
	json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || rep.Unchanged != 6 {
		t.Errorf("reindex = %d %+v", resp.StatusCode, rep)
	}
}

// When its context ends, Serve stops taking connections but lets a request
// in flight finish.
func TestServeGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", h, ServeOptions{Ready: func(a net.Addr) { addrs <- a }}) }()
	base := "http://" + (<-addrs).String()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{string(b), err}
	}()
	<-started
	cancel()
	// Shutdown closes the listener at once: new connections are refused.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) before the request in flight finished", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request: %q %v", r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

func TestServeListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), ln.Addr().String(), http.NotFoundHandler(), ServeOptions{})
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("Serve on a taken port = %v", err)
	}
}

// The listening line carries a URL to open: the page on the bound address,
// over loopback for a server listening on every interface.
func TestServeListeningURL(t *testing.T) {
	log := &logBuffer{}
	base := startServerWith(t, newHandler(t, sharedIndex(t), Options{}), ServeOptions{Logger: log.logger()})
	var url any
	for _, l := range log.lines(t) {
		if l["msg"] == "listening" {
			url = l["url"]
		}
	}
	if url != base+"/" {
		t.Errorf("listening url = %v, want %s/", url, base)
	}
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/",
		"[::]:8080":      "http://127.0.0.1:8080/",
		"[::1]:9000":     "http://[::1]:9000/",
		"192.0.2.7:80":   "http://192.0.2.7:80/",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := pageURL(tcp); got != want {
			t.Errorf("pageURL(%s) = %s, want %s", addr, got, want)
		}
	}
}
