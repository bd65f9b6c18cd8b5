package postgres

import (
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/historytest"
)

// proxy forwards TCP connections to the test server, and can cut them
// all at once, as a network failure or a server restart would.
type proxy struct {
	t      *testing.T
	target string
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

// startProxy listens on addr ("127.0.0.1:0" for any port) and forwards
// to target.
func startProxy(t *testing.T, addr, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: target, ln: ln}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			p.wg.Go(func() { _, _ = io.Copy(s, c); _ = s.Close() })
			p.wg.Go(func() { _, _ = io.Copy(c, s); _ = c.Close() })
		}
	})
	t.Cleanup(p.stop)
	return p
}

// stop closes the listener and cuts every connection.
func (p *proxy) stop() {
	_ = p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

// throughProxy returns a fresh schema's URL with its host and port
// replaced by a proxy's, and the proxy.
func throughProxy(t *testing.T) (string, *proxy) {
	t.Helper()
	dbURL := freshSchema(t)
	u, err := url.Parse(dbURL)
	if err != nil || u.Port() == "" || strings.HasPrefix(u.Hostname(), "/") {
		t.Skipf("CITEBOT_POSTGRES_URL is not a postgres://host:port/ URL: the proxy needs one")
	}
	p := startProxy(t, "127.0.0.1:0", u.Host)
	u.Host = p.ln.Addr().String()
	return u.String(), p
}

func TestConnectionLostIsUnavailable(t *testing.T) {
	dbURL, p := throughProxy(t)
	h := mustOpen(t, dbURL)
	defer h.Close()
	if err := h.AddTurn(ctx, historytest.SampleTurn("a1", "c1", time.Time{})); err != nil {
		t.Fatal(err)
	}

	p.stop() // the network fails: live connections cut, new ones refused
	err := h.AddTurn(ctx, historytest.SampleTurn("a2", "c1", time.Time{}))
	if !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("AddTurn with the connection cut: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	t.Logf("connection cut: %v", err)
	err = h.AddFeedback(ctx, rag.Feedback{Answer: "a1", Vote: rag.VoteDown})
	if !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("AddFeedback with the database unreachable: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	t.Logf("unreachable: %v", err)
	if _, err := h.Turn(ctx, "a1"); !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("Turn with the database unreachable: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	if _, err := h.Recent(ctx, rag.HistoryQuery{}); !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("Recent with the database unreachable: err = %v, want rag.ErrHistoryUnavailable", err)
	}

	// The network is back: the pool reconnects by itself (a connection
	// it still held may fail one more call each).
	startProxy(t, p.ln.Addr().String(), p.target)
	for range 10 {
		if err = h.AddFeedback(ctx, rag.Feedback{Answer: "a1", Vote: rag.VoteUp}); err == nil {
			break
		}
		if !errors.Is(err, rag.ErrHistoryUnavailable) {
			t.Fatalf("AddFeedback as the database comes back: err = %v, want nil or rag.ErrHistoryUnavailable", err)
		}
	}
	if err != nil {
		t.Fatalf("AddFeedback once the database is back: %v", err)
	}
	if _, err := h.Turn(ctx, "a1"); err != nil {
		t.Errorf("Turn once the database is back: %v", err)
	}
}

func TestOpenUnreachableIsUnavailable(t *testing.T) {
	// A port nothing listens on: one a listener held, then released.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	dbURL := "postgres://citebot:s3cret-pw@" + addr + "/citebot?sslmode=disable&connect_timeout=5"
	h, err := Open(ctx, dbURL)
	if err == nil {
		_ = h.Close()
		t.Fatal("Open of a database nothing listens for: no error")
	}
	if !errors.Is(err, rag.ErrHistoryUnavailable) {
		t.Errorf("Open of an unreachable database: err = %v, want rag.ErrHistoryUnavailable", err)
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("Open's error shows the password: %v", err)
	}
	if _, err := Open(ctx, "postgres://citebot:s3cret-pw@127.0.0.1:notaport/x"); err == nil || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("Open of a malformed URL: err = %v, want an error without the password", err)
	}
}
