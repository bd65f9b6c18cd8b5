package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/rag/ragtest"
)

// `citebot serve` over a corpus of crafted PDFs (each of which kills,
// hangs or exhausts an in-process parser) and good files: it becomes ready,
// answers from the good files, names each crafted one in a warning, and
// keeps running when another crafted file is dropped into the watched
// corpus.
func TestServeSurvivesHostilePDFs(t *testing.T) {
	corpus := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(corpus, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hostile := ragtest.HostilePDFs()
	for _, h := range hostile[1:] {
		write(h.Name, h.Data)
	}
	write("lighthouse.pdf", ragtest.PDF("Lighthouse Log", "The lighthouse keeper logged forty ships in May."))
	write("comet.txt", []byte("Comet Watch\n\nThe comet passed closest to the Sun in early March. Astronomers measured its tail at ten million kilometres long.\n"))
	env := map[string]string{"CITEBOT_CORPUS": corpus, "CITEBOT_DATA": t.TempDir(),
		"CITEBOT_PARSE_TIMEOUT": "1s", "CITEBOT_PARSE_MEMORY": strconv.Itoa(256 << 20),
		"CITEBOT_RATE_LIMIT": "off"}
	base, stderr, stop := startServe(t, env)
	skipped := func(name string) bool {
		return strings.Contains(stderr.String(), fmt.Sprintf(`msg="skipped file" source=%s reason=`, name))
	}
	for _, h := range hostile[1:] {
		if !skipped(h.Name) {
			t.Errorf("no warning naming %s:\n%s", h.Name, stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), `msg="index ready" documents=2 `) {
		t.Errorf("want lighthouse.pdf and comet.txt indexed:\n%s", stderr.String())
	}
	ask := func() {
		t.Helper()
		if a := askHTTP(t, base, "How long was the comet's tail?"); !a.Grounded || !strings.Contains(a.Answer, "ten million") {
			t.Errorf("answer = %+v, want ten million kilometres from comet.txt", a)
		}
	}
	ask()

	// The file that overflows the parser's stack, dropped in while serving.
	write(hostile[0].Name, hostile[0].Data)
	waitFor(t, "the watcher to skip "+hostile[0].Name, func() bool { return skipped(hostile[0].Name) })
	ask()

	stop()
}

// SIGTERM to `citebot serve` while a file that never finishes parsing is
// being parsed stops serve at once, and its parse child with it.
func TestServeStopsDuringParse(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("finds the parse child in /proc")
	}
	corpus := t.TempDir()
	var loop ragtest.Hostile
	for _, h := range ragtest.HostilePDFs() {
		if h.Name == "loop.pdf" {
			loop = h
		}
	}
	if err := os.WriteFile(filepath.Join(corpus, loop.Name), loop.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "CITEBOT_TEST_MAIN=1", "CITEBOT_CORPUS="+corpus, "CITEBOT_DATA="+t.TempDir(),
		"CITEBOT_PARSE_TIMEOUT=10m")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var child int
	waitFor(t, "the parse child", func() bool {
		child = childOf(cmd.Process.Pid)
		return child != 0
	})
	time.Sleep(200 * time.Millisecond) // the child is parsing
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM:\n%s", err, stderr.String())
		}
		t.Logf("serve stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		if p, err := os.FindProcess(child); err == nil {
			p.Kill()
		}
		t.Fatalf("serve still running 5s after SIGTERM during a parse:\n%s", stderr.String())
	}
	waitFor(t, "the parse child to go", func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		i := bytes.LastIndexByte(b, ')')
		return err != nil || i > 0 && strings.HasPrefix(string(b[i+1:]), " Z") // gone, or dead and not yet reaped
	})
}

// childOf returns the id of a process whose parent is pid, or 0.
func childOf(pid int) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			id, _ := strconv.Atoi(filepath.Base(filepath.Dir(s)))
			return id
		}
	}
	return 0
}
