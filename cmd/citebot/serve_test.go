package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

// lockedBuffer is a bytes.Buffer safe for a server writing and a test
// reading.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type askReply struct {
	Answer    string `json:"answer"`
	Grounded  bool   `json:"grounded"`
	Citations []struct {
		Source string `json:"source"`
	} `json:"citations"`
}

func askHTTP(t *testing.T, base, question string) askReply {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"question": question, "k": 5})
	resp, err := http.Post(base+"/v1/ask", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /v1/ask: %s", resp.Status)
	}
	var a askReply
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

// startServe runs `citebot serve` on port 0 with env until stop, which
// cancels it and checks it shuts down cleanly; it returns once the server
// is ready, with its base URL and its log.
func startServe(t *testing.T, env map[string]string) (base string, stderr *lockedBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stderr = &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, &bytes.Buffer{}, stderr)
	}()
	// The listening line's URL, in text or JSON, is the base to use.
	urlRE := regexp.MustCompile(`(?:msg=listening|"msg":"listening")[^\n]*?\burl"?[=:]"?(http://[^\s"/]+)/[\s"]`)
	waitFor(t, "the listening line", func() bool {
		if m := urlRE.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		return base != ""
	})
	waitFor(t, "readiness", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return base, stderr, func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not shut down")
		}
	}
}

// `citebot serve` on port 0 over a temp corpus: it answers over real HTTP,
// re-indexes a changed file on its own, and shuts down cleanly.
func TestServe(t *testing.T) {
	corpus := t.TempDir()
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(corpus, "comet.txt"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Comet Watch\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at ten million kilometres long.\n")
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": t.TempDir(), "CITEBOT_RATE_LIMIT": "1000", "CITEBOT_RATE_BURST": "1000"}
	base, stderr, stop := startServe(t, env)
	if a := askHTTP(t, base, "How long was the comet's tail?"); !a.Grounded || !strings.Contains(a.Answer, "ten million") {
		t.Fatalf("answer = %+v", a)
	}

	write("Comet Watch\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at forty million kilometres long.\n")
	waitFor(t, "the watcher to re-index", func() bool {
		return strings.Contains(askHTTP(t, base, "How long was the comet's tail?").Answer, "forty million")
	})
	if !strings.Contains(stderr.String(), `msg=re-indexed added=0 updated=1`) {
		t.Errorf("no log line for the re-index:\n%s", stderr.String())
	}

	stop()
}

// `citebot serve` beyond loopback without API keys does not start, unless
// CITEBOT_ALLOW_OPEN=true; the error says how to go on.
func TestServeRefusesOpenWithoutKeys(t *testing.T) {
	for _, env := range []map[string]string{
		{"CITEBOT_ADDR": "0.0.0.0:0"},
		{"CITEBOT_ADDR": ":0"},
		{"CITEBOT_ADDR": "[::]:0", "CITEBOT_ALLOW_OPEN": "false"},
	} {
		env["CITEBOT_CORPUS"], env["CITEBOT_DATA"] = t.TempDir(), t.TempDir()
		r := citebot(t, env, "serve")
		if r.err == nil || !strings.Contains(r.err.Error(), "CITEBOT_API_KEYS") || !strings.Contains(r.err.Error(), "CITEBOT_ALLOW_OPEN=true") {
			t.Errorf("serve on %s without keys: %v, want a refusal naming CITEBOT_API_KEYS and CITEBOT_ALLOW_OPEN=true", env["CITEBOT_ADDR"], r.err)
		}
		if strings.Contains(r.stderr, "listening") {
			t.Errorf("serve on %s without keys listened:\n%s", env["CITEBOT_ADDR"], r.stderr)
		}
	}
}

// searchHTTP returns the passages POST /v1/search finds for query, as
// "source: text" lines: what is indexed, whatever the answerer makes of it.
func searchHTTP(t *testing.T, base, query string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"question": query, "k": 5})
	resp, err := http.Post(base+"/v1/search", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /v1/search: %s", resp.Status)
	}
	var r struct {
		Passages []struct {
			Source string `json:"source"`
			Text   string `json:"text"`
		} `json:"passages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range r.Passages {
		b.WriteString(p.Source + ": " + p.Text + "\n")
	}
	return b.String()
}

// `citebot serve` over a corpus directory that is swapped the way an atomic
// deploy does it (mv corpus old; mv new corpus): it stays up, answers from
// the new directory's documents, drops the old ones, and goes on watching
// the directory the name now leads to.
func TestServeCorpusSwapped(t *testing.T) {
	parent := t.TempDir()
	corpus := filepath.Join(parent, "corpus")
	write := func(dir, name, text string) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(corpus, "comet.txt", "Comet Watch\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at ten million kilometres long.\n")
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": t.TempDir(), "CITEBOT_RATE_LIMIT": "off"}
	base, stderr, stop := startServe(t, env)
	if a := askHTTP(t, base, "How long was the comet's tail?"); !a.Grounded || !strings.Contains(a.Answer, "ten million") {
		t.Fatalf("answer before the swap = %+v", a)
	}

	next := filepath.Join(parent, "next")
	write(next, "lighthouse.txt", "Lighthouse Log\n\nThe lighthouse keeper logged forty ships in May. The lamp burned whale oil until 1880.\n")
	if err := os.Rename(corpus, filepath.Join(parent, "old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, corpus); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the swapped-in corpus to be indexed", func() bool {
		return strings.Contains(searchHTTP(t, base, "lighthouse keeper ships"), "lighthouse.txt: ")
	})
	if a := askHTTP(t, base, "How many ships did the lighthouse keeper log?"); len(a.Citations) == 0 || a.Citations[0].Source != "lighthouse.txt" {
		t.Errorf("answer after the swap = %+v, want one from lighthouse.txt", a)
	}
	if found := searchHTTP(t, base, "comet tail"); strings.Contains(found, "comet.txt") {
		t.Errorf("comet.txt, which the swapped-in corpus lacks, is still indexed:\n%s", found)
	}

	// The watch follows the name: a change in the swapped-in directory is
	// indexed, one in the directory swapped away is not.
	write(filepath.Join(parent, "old"), "comet.txt", "Comet Watch\n\nThe comet's tail was measured at ninety million kilometres.\n")
	write(corpus, "lighthouse.txt", "Lighthouse Log\n\nThe lighthouse keeper logged sixty ships in May. The lamp burned whale oil until 1880.\n")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", stderr.String())
		}
	})
	waitFor(t, "the change in the swapped-in corpus to be indexed", func() bool {
		return strings.Contains(searchHTTP(t, base, "lighthouse keeper ships"), "sixty ships")
	})
	if found := searchHTTP(t, base, "comet tail"); strings.Contains(found, "comet.txt") {
		t.Errorf("a file of the directory swapped away was indexed:\n%s", found)
	}
	stop()
}

// `citebot serve` whose snapshot cannot be saved (the data directory's
// lock is a directory, so the save fails even as root) becomes ready and
// answers from memory, says so in the log, retries the save with a growing
// wait, and saves once it can.
func TestServeSaveFails(t *testing.T) {
	corpus, data := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "comet.txt"), []byte("Comet Watch\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at ten million kilometres long.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(data, "lock")
	if err := os.Mkdir(lock, 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": data, "CITEBOT_RATE_LIMIT": "off"}
	base, stderr, stop := startServe(t, env)
	ask := func() {
		t.Helper()
		if a := askHTTP(t, base, "How long was the comet's tail?"); !a.Grounded || !strings.Contains(a.Answer, "ten million") {
			t.Errorf("answer = %+v, want ten million kilometres from comet.txt", a)
		}
	}
	ask()
	if !strings.Contains(stderr.String(), `msg="snapshot not saved; answering from the index in memory and retrying"`) {
		t.Errorf("no warning for the failed save:\n%s", stderr.String())
	}
	// The first retry fails too, and the wait before the next one doubles.
	waitFor(t, "a failed retry", func() bool {
		return strings.Contains(stderr.String(), `msg="snapshot still not saved; answering from the index in memory"`)
	})
	if !strings.Contains(stderr.String(), "retry_in=2s") {
		t.Errorf("the wait after a failed retry is not 2s:\n%s", stderr.String())
	}
	ask()
	if _, err := os.Stat(filepath.Join(data, rag.SnapshotFile)); err == nil {
		t.Fatal("a snapshot was written through a lock that cannot be taken")
	}

	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried save", func() bool {
		return strings.Contains(stderr.String(), `msg="snapshot saved after an earlier failure"`)
	})
	if _, err := os.Stat(filepath.Join(data, rag.SnapshotFile)); err != nil {
		t.Errorf("no snapshot after the retried save: %v", err)
	}
	ask()
	stop()
}
