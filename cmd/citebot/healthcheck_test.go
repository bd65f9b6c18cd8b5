package main

import (
	"net"
	"strings"
	"testing"
)

// healthcheck passes against a real serve once it is ready, and fails,
// saying why, where nothing listens.
func TestHealthcheck(t *testing.T) {
	env := bundled(t)
	base, _, stop := startServe(t, env)
	defer stop()
	addr := strings.TrimPrefix(base, "http://")
	r := citebot(t, env, "healthcheck", "--addr", addr)
	if r.err != nil || !strings.HasPrefix(r.stdout, "ready: 5 documents") {
		t.Errorf("healthcheck against a ready serve: %v, %q", r.err, r.stdout)
	}
	// Listening on every interface, it is reached over loopback.
	_, port, _ := net.SplitHostPort(addr)
	if r := citebot(t, env, "healthcheck", "--addr", "0.0.0.0:"+port); r.err != nil {
		t.Errorf("healthcheck --addr 0.0.0.0:%s: %v", port, r.err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	if r := citebot(t, env, "healthcheck", "--addr", closed); r.err == nil || !strings.Contains(r.err.Error(), "healthcheck") {
		t.Errorf("healthcheck where nothing listens: %v", r.err)
	}
}
