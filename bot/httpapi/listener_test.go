package httpapi

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// client is one real TCP connection to a test server, from a chosen
// loopback address so that tests can play several clients.
type client struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func dialFrom(t *testing.T, addr, from string) *client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 2 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, Conn: c, r: bufio.NewReader(c)}
}

// get asks for /healthz on the connection, keeping it alive, and returns
// the status.
func (c *client) get() (int, error) {
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// mustGet asks for /healthz and wants 200.
func (c *client) mustGet() {
	c.t.Helper()
	if code, err := c.get(); err != nil || code != 200 {
		c.t.Fatalf("GET /healthz from %s: %d %v", c.LocalAddr(), code, err)
	}
}

// refused checks that the server answered the connection, unasked and at
// once, with the 503 JSON and closed it.
func (c *client) refused() {
	c.t.Helper()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.t.Fatalf("connection from %s over the cap: no answer (%v)", c.LocalAddr(), err)
	}
	checkJSONError(c.t, resp, http.StatusServiceUnavailable, "too many connections")
	if resp.Header.Get("Retry-After") == "" {
		c.t.Error("the 503 has no Retry-After")
	}
	if !c.closed() {
		c.t.Errorf("the refused connection from %s stays open", c.LocalAddr())
	}
}

// closed reports whether the server has closed the connection.
func (c *client) closed() bool {
	c.SetReadDeadline(time.Now().Add(time.Second))
	_, err := c.r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// idle lets the server see the connections go idle after their answers.
func idle() { time.Sleep(150 * time.Millisecond) }

// Connections are capped in total and per client address. A new
// connection displaces the oldest idle keep-alive one that makes room, so
// idle connections cannot lock anyone out; when none is idle the new
// connection gets a 503 at once instead of the server running out of file
// descriptors.
func TestConnectionCaps(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	serve := func(t *testing.T) string {
		return strings.TrimPrefix(startServerWith(t, h, ServeOptions{MaxConnections: 4, MaxConnectionsPerClient: 2}), "http://")
	}

	t.Run("a client's new connection displaces its oldest idle one", func(t *testing.T) {
		addr := serve(t)
		a1, a2 := dialFrom(t, addr, "127.0.0.1"), dialFrom(t, addr, "127.0.0.1")
		// One after the other: each connection goes idle in its own server
		// goroutine, so answered together either may be the older idle one.
		a1.mustGet()
		idle()
		a2.mustGet()
		idle()
		a3 := dialFrom(t, addr, "127.0.0.1")
		a3.mustGet()
		if !a1.closed() {
			t.Error("the oldest idle connection was not closed")
		}
		a2.mustGet() // the newer one is kept
	})

	t.Run("a client over its cap with no idle connection is refused", func(t *testing.T) {
		addr := serve(t)
		dialFrom(t, addr, "127.0.0.2") // connected, sends nothing
		dialFrom(t, addr, "127.0.0.2")
		dialFrom(t, addr, "127.0.0.2").refused()
		dialFrom(t, addr, "127.0.0.3").mustGet() // another client is not
	})

	t.Run("idle connections of others make room under the total cap", func(t *testing.T) {
		addr := serve(t)
		for _, from := range []string{"127.0.0.4", "127.0.0.4", "127.0.0.5", "127.0.0.5"} {
			dialFrom(t, addr, from).mustGet()
		}
		idle()
		dialFrom(t, addr, "127.0.0.6").mustGet()
	})

	t.Run("over the total cap with none idle, refused until one closes", func(t *testing.T) {
		addr := serve(t)
		first := dialFrom(t, addr, "127.0.0.7")
		for _, from := range []string{"127.0.0.7", "127.0.0.8", "127.0.0.8"} {
			dialFrom(t, addr, from)
		}
		dialFrom(t, addr, "127.0.0.9").refused()
		first.Close()
		deadline := time.Now().Add(3 * time.Second)
		for {
			c := dialFrom(t, addr, "127.0.0.9")
			if code, err := c.get(); err == nil && code == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a closed connection did not free its place")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// With the default caps, one client holding many idle keep-alive
// connections (to /healthz, which is not rate-limited) keeps at most
// DefaultMaxConnectionsPerClient of them, and others are served.
func TestConnectionCapsDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("opens a few hundred connections")
	}
	h := newHandler(t, sharedIndex(t), Options{})
	addr := strings.TrimPrefix(startServer(t, h), "http://")
	const n = DefaultMaxConnectionsPerClient + 40
	conns := make([]*client, n)
	for i := range conns {
		conns[i] = dialFrom(t, addr, "127.0.0.1")
		if code, err := conns[i].get(); err != nil || code != 200 {
			t.Fatalf("connection %d: %d %v", i, code, err)
		}
		if i%DefaultMaxConnectionsPerClient == DefaultMaxConnectionsPerClient-1 {
			idle()
		}
	}
	dialFrom(t, addr, "127.0.0.2").mustGet()
	open := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := c.r.ReadByte(); errors.Is(err, os.ErrDeadlineExceeded) {
			open++
		}
	}
	if open > DefaultMaxConnectionsPerClient {
		t.Errorf("%d idle connections from one client stay open; the cap is %d", open, DefaultMaxConnectionsPerClient)
	}
}
