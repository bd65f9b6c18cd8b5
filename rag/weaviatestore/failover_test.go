package weaviatestore

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A request to a node that is gone goes to the next node, body and all,
// and later requests stay there.
func TestFailover(t *testing.T) {
	var hits []string
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hits = append(hits, r.Method+" "+r.URL.Path+" "+string(b))
		io.WriteString(w, "ok")
	}))
	defer live.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	f := newFailover(http.DefaultTransport, strings.TrimPrefix(deadURL, "http://"), []string{strings.TrimPrefix(live.URL, "http://")})
	c := &http.Client{Transport: f}
	for i := range 2 {
		resp, err := c.Post(deadURL+"/v1/batch/objects", "application/json", strings.NewReader(`{"n":1}`))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
	}
	if len(hits) != 2 || hits[0] != `POST /v1/batch/objects {"n":1}` {
		t.Errorf("live node saw %q", hits)
	}
	if f.cur.Load() != 1 {
		t.Errorf("failover did not stay on the live node")
	}

	// With every node gone the error is the last node's.
	g := newFailover(http.DefaultTransport, strings.TrimPrefix(deadURL, "http://"), []string{strings.TrimPrefix(deadURL, "http://")})
	if _, err := (&http.Client{Transport: g}).Get(deadURL + "/v1/.well-known/ready"); err == nil {
		t.Error("no error with every node gone")
	}
}

func TestFailoverOptions(t *testing.T) {
	if _, err := (Options{URL: "http://a:1", Failover: []string{"b:2"}}).resolve(); err == nil || !strings.Contains(err.Error(), "failover url") {
		t.Errorf("bad failover URL accepted: %v", err)
	}
	r, err := (Options{URL: "http://a:1", Failover: []string{"http://b:2", "https://c:3/"}}).resolve()
	if err != nil || strings.Join(r.failover, ",") != "b:2,c:3" {
		t.Errorf("resolve = %v, %v", r.failover, err)
	}
}
