package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/citebot/citebot/rag/ragtest"
)

// TestLoad puts 32 concurrent clients for a few seconds on POST /v1/ask
// over real loopback HTTP, served by Serve from the seed corpus, and on a
// plain net/http handler that writes a small JSON body, in the same run
// (taking turns), and logs requests/s, p50/p99 latency and errors for each. It runs only with
// CITEBOT_LOAD_TEST=1 (CITEBOT_LOAD_SECONDS sets the seconds per target,
// default 3). It fails on any error, never on speed.
func TestLoad(t *testing.T) {
	if os.Getenv("CITEBOT_LOAD_TEST") != "1" {
		t.Skip("set CITEBOT_LOAD_TEST=1 to run the load test")
	}
	const clients = 32
	seconds := 3 * time.Second
	if s := os.Getenv("CITEBOT_LOAD_SECONDS"); s != "" {
		d, err := time.ParseDuration(s + "s")
		if err != nil {
			t.Fatalf("CITEBOT_LOAD_SECONDS: %v", err)
		}
		seconds = d
	}

	idx, err := buildIndex(context.Background(), "../../corpus")
	if err != nil {
		t.Fatal(err)
	}
	cases := ragtest.EvalCases(t, "../../testdata/dev.jsonl")
	var bodies []string
	for _, c := range cases {
		bodies = append(bodies, jsonBody(map[string]any{"question": c.Question}))
	}

	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	api := func(cache int) http.Handler {
		h, err := New(idx, Options{Registry: prometheus.NewRegistry(), RateLimit: rate.Inf, CacheSize: cache})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	targets := []struct {
		name string
		h    http.Handler
	}{
		{"plain net/http handler", plain},
		{"POST /v1/ask (answer cache on, the default)", api(0)},
		{"POST /v1/ask (answer cache off)", api(-1)},
	}
	// The targets take turns in short rounds, so that a machine whose speed
	// drifts (other work on it) weighs on each alike.
	const round = 500 * time.Millisecond
	runs := make([]*loadRun, len(targets))
	for i, tg := range targets {
		runs[i] = newLoadRun(startServer(t, tg.h)+"/v1/ask", bodies, clients)
		defer runs[i].close()
		runs[i].round(300*time.Millisecond, false) // warm-up, not counted
	}
	for elapsed := time.Duration(0); elapsed < seconds; elapsed += round {
		for _, r := range runs {
			r.round(round, true)
		}
	}
	results := make([]loadResult, len(targets))
	for i, tg := range targets {
		results[i] = runs[i].result()
		if results[i].errors > 0 {
			t.Errorf("%s: %d errors, first: %v", tg.name, results[i].errors, results[i].firstErr)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\n%d clients, %v per target, %d questions from testdata/dev.jsonl, GOMAXPROCS %d\n",
		clients, seconds, len(bodies), runtime.GOMAXPROCS(0))
	fmt.Fprintf(&b, "%-46s %10s %10s %10s %8s %10s\n", "target", "req/s", "p50", "p99", "errors", "vs plain")
	for i, tg := range targets {
		r := results[i]
		fmt.Fprintf(&b, "%-46s %10.0f %10v %10v %8d %9.1f%%\n", tg.name, r.rps, r.p50.Round(time.Microsecond),
			r.p99.Round(time.Microsecond), r.errors, 100*r.rps/results[0].rps)
	}
	t.Log(b.String())
}

type loadResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
	firstErr error
}

// loadRun posts questions to one target from concurrent clients, in rounds.
type loadRun struct {
	url     string
	bodies  []string
	clients int
	tr      *http.Transport
	client  *http.Client

	latencies []time.Duration
	elapsed   time.Duration
	errors    int
	firstErr  error
}

func newLoadRun(url string, bodies []string, clients int) *loadRun {
	tr := &http.Transport{MaxIdleConns: 2 * clients, MaxIdleConnsPerHost: 2 * clients, DisableCompression: true}
	return &loadRun{url: url, bodies: bodies, clients: clients, tr: tr, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func (l *loadRun) close() { l.tr.CloseIdleConnections() }

func (l *loadRun) post(body string) error {
	resp, err := l.client.Post(l.url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}

// round runs every client for d, each posting the questions in turn from
// its own starting point, and records the results when record is set.
func (l *loadRun) round(d time.Duration, record bool) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for c := range l.clients {
		wg.Go(func() {
			var lat []time.Duration
			var errs int
			var first error
			for i := c; time.Now().Before(stop); i++ {
				t0 := time.Now()
				if err := l.post(l.bodies[i%len(l.bodies)]); err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			defer mu.Unlock()
			l.latencies = append(l.latencies, lat...)
			l.errors += errs
			if l.firstErr == nil {
				l.firstErr = first
			}
		})
	}
	wg.Wait()
	if !record {
		l.latencies, l.errors, l.firstErr = nil, 0, nil
		return
	}
	l.elapsed += time.Since(start)
}

func (l *loadRun) result() loadResult {
	r := loadResult{errors: l.errors, firstErr: l.firstErr}
	all := slices.Sorted(slices.Values(l.latencies))
	if len(all) > 0 {
		r.p50 = all[len(all)/2]
		r.p99 = all[len(all)*99/100]
	}
	r.rps = float64(len(all)) / l.elapsed.Seconds()
	return r
}
