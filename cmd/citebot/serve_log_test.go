package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeDoc writes a file into dir.
func writeDoc(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// serveEnv is the environment of a serve over corpus, with settings to
// add as name, value pairs.
func serveEnv(t *testing.T, corpus string, settings ...string) map[string]string {
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": t.TempDir(), "CITEBOT_RATE_LIMIT": "off"}
	for i := 0; i+1 < len(settings); i += 2 {
		env[settings[i]] = settings[i+1]
	}
	return env
}

func get(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

const (
	cometText  = "Comet Watch\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at ten million kilometres long.\n"
	glassText  = "Glassblowing\n\nThe glassblowers of the island heated sand in furnaces for three days before shaping it.\n"
	zebraText  = "Zebra Herds\n\nZebra herds migrate across the grasslands each spring, following the rains north.\n"
	cometQuery = "How long was the comet's tail?"
)

// What `citebot serve` logs at the default level, in text: the listening
// line with a URL to open (startServe uses it), the first index's
// progress, the files each re-index changed, whether each answer is
// grounded and its confidence; and no line for the readiness probes.
func TestServeLog(t *testing.T) {
	corpus := t.TempDir()
	writeDoc(t, corpus, "comet.txt", cometText)
	writeDoc(t, corpus, "glass.txt", glassText)
	writeDoc(t, corpus, "zebra.txt", zebraText)
	base, stderr, stop := startServe(t, serveEnv(t, corpus))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", stderr.String())
		}
	})
	if !regexp.MustCompile(`msg=listening addr=127\.0\.0\.1:\d+ url=http://127\.0\.0\.1:\d+/ `).MatchString(stderr.String()) {
		t.Errorf("no listening line with a URL")
	}
	for _, want := range []string{
		"msg=indexing done=1 files=3 percent=33 corpus=" + corpus,
		"msg=indexing done=2 files=3 percent=66 ",
		"msg=re-indexed added=3 updated=0 removed=0 ",
		`msg="index ready" documents=3 `,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("no line with %q", want)
		}
	}
	if strings.Contains(stderr.String(), "msg=indexing done=3") {
		t.Errorf("a progress line for the last file; the re-index line says it")
	}
	if m := regexp.MustCompile(`msg=re-indexed added=3 .* files="([^"]+)"`).FindStringSubmatch(stderr.String()); m == nil ||
		!strings.Contains(m[1], "comet.txt") || !strings.Contains(m[1], "glass.txt") || !strings.Contains(m[1], "zebra.txt") {
		t.Errorf("the first index's line does not name the three files")
	}

	get(t, base+"/healthz")
	get(t, base+"/metrics")
	if a := askHTTP(t, base, cometQuery); !a.Grounded {
		t.Fatalf("answer = %+v", a)
	}
	if !regexp.MustCompile(`level=INFO msg=request request_id=\S+ method=POST route="POST /v1/ask" .* grounded=true confidence=0\.\d+`).MatchString(stderr.String()) {
		t.Errorf("no line for the answer with grounded=true and its confidence")
	}
	for _, probe := range []string{"path=/healthz", "path=/readyz", "path=/metrics"} {
		if strings.Contains(stderr.String(), probe) {
			t.Errorf("a probe is logged at the default level: %s", probe)
		}
	}

	writeDoc(t, corpus, "comet.txt", strings.Replace(cometText, "ten million", "forty million", 1))
	waitFor(t, "the watcher to re-index", func() bool {
		return strings.Contains(stderr.String(), "msg=re-indexed added=0 updated=1")
	})
	if !regexp.MustCompile(`msg=re-indexed added=0 updated=1 removed=0 .* files=comet.txt\n`).MatchString(stderr.String()) {
		t.Errorf("the re-index line does not name comet.txt")
	}
	stop()
}

// With CITEBOT_LOG_FORMAT=json and CITEBOT_LOG_LEVEL=debug every line is
// a JSON object, and the probes are logged, at DEBUG.
func TestServeLogJSONDebug(t *testing.T) {
	corpus := t.TempDir()
	writeDoc(t, corpus, "comet.txt", cometText)
	base, stderr, stop := startServe(t, serveEnv(t, corpus, "CITEBOT_LOG_FORMAT", "json", "CITEBOT_LOG_LEVEL", "debug"))
	get(t, base+"/healthz")
	askHTTP(t, base, cometQuery)
	stop()
	levels := map[string]string{} // by path, of the request lines
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var line struct{ Level, Msg, Path, URL string }
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("a line that is not JSON: %s", l)
		}
		if line.Msg == "request" {
			levels[line.Path] = line.Level
		}
		if line.Msg == "listening" && line.URL != base+"/" {
			t.Errorf("listening url %q, want %s/", line.URL, base)
		}
	}
	if levels["/healthz"] != "DEBUG" || levels["/readyz"] != "DEBUG" || levels["/v1/ask"] != "INFO" {
		t.Errorf("request lines' levels %v, want the probes at DEBUG, the answer at INFO\n%s", levels, stderr.String())
	}
}

// A corpus whose changes send no events (here: watching is off) is
// re-indexed every CITEBOT_WATCH_INTERVAL all the same.
func TestServeWatchInterval(t *testing.T) {
	corpus := t.TempDir()
	writeDoc(t, corpus, "comet.txt", cometText)
	base, stderr, stop := startServe(t, serveEnv(t, corpus, "CITEBOT_WATCH", "false", "CITEBOT_WATCH_INTERVAL", "1s"))
	writeDoc(t, corpus, "glass.txt", glassText)
	waitFor(t, "the periodic re-index", func() bool {
		return regexp.MustCompile(`msg=re-indexed added=1 updated=0 removed=0 documents=2 .* files=glass.txt\n`).MatchString(stderr.String())
	})
	if found := searchHTTP(t, base, "glassblowers furnaces"); !strings.Contains(found, "glass.txt: ") {
		t.Errorf("glass.txt is not searched after the periodic re-index:\n%s", found)
	}
	stop()
}

// A log setting serve cannot use stops it with an error naming the
// setting.
func TestServeBadLogSetting(t *testing.T) {
	r := citebot(t, serveEnv(t, t.TempDir(), "CITEBOT_LOG_LEVEL", "verbose"), "serve", "--addr", "127.0.0.1:0")
	if r.err == nil || !strings.Contains(r.err.Error(), "log.level") || strings.Contains(r.stderr, "listening") {
		t.Errorf("serve with CITEBOT_LOG_LEVEL=verbose: %v\n%s", r.err, r.stderr)
	}
}
