package httpapi

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of the connection caps.
const (
	DefaultMaxConnections          = 1024
	DefaultMaxConnectionsPerClient = 64
)

// refusal answers a connection over the caps. It is written before the
// request is read, which HTTP/1.1 clients read as the answer to it.
var refusal = rawError(http.StatusServiceUnavailable, "too many connections; retry in a moment")

// Refusing a connection takes a moment (see refuse); at most maxRefusing
// are refused at once, and beyond that a connection is closed at once.
const (
	maxRefusing = 64
	refuseTime  = 200 * time.Millisecond
)

// listener caps the connections it has accepted and not yet seen closed,
// in total and per client address (an IPv6 /64, as the rate limiter
// counts), so that idle keep-alive connections cannot use up the
// process's file descriptors and lock every client out. When a new
// connection would pass a cap, the oldest idle keep-alive connection that
// frees room is closed (HTTP lets a server close an idle connection at any
// time); when none is idle, the new connection is refused with a 503 and
// closed.
type listener struct {
	net.Listener
	total, perClient int
	log              *slog.Logger
	refusing         chan struct{} // a slot per connection being refused

	mu       sync.Mutex
	open     int
	byClient map[string]int
	idle     map[*conn]time.Time // since when each idle connection has been
	refused  int                 // since the last warning
	warned   time.Time
}

func newListener(ln net.Listener, total, perClient int, log *slog.Logger) *listener {
	return &listener{
		Listener: ln, total: total, perClient: perClient, log: log,
		refusing: make(chan struct{}, maxRefusing),
		byClient: map[string]int{}, idle: map[*conn]time.Time{},
	}
}

// Accept returns the next connection within the caps.
func (l *listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		c := &conn{Conn: nc, l: l, client: connClient(nc)}
		admitted, victim := l.admit(c)
		if victim != nil {
			victim.Conn.Close()
		}
		if admitted {
			return c, nil
		}
		l.refuse(nc)
	}
}

// connClient is the cap's identity of a connection's client.
func connClient(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return clientNet(host)
}

// admit counts c in when there is room, making room by releasing the
// oldest idle connection that frees some; the caller closes that victim.
func (l *listener) admit(c *conn) (bool, *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var victim *conn
	clientFull := l.byClient[c.client] >= l.perClient
	if clientFull || l.open >= l.total {
		var since time.Time
		for v, t := range l.idle {
			if (!clientFull || v.client == c.client) && (victim == nil || t.Before(since)) {
				victim, since = v, t
			}
		}
		if victim == nil {
			l.refused++
			if now := time.Now(); now.Sub(l.warned) >= 10*time.Second {
				l.log.Warn("connection cap reached; refusing new connections",
					"refused", l.refused, "open", l.open, "max_connections", l.total,
					"client", c.client, "client_connections", l.byClient[c.client], "max_connections_per_client", l.perClient)
				l.refused, l.warned = 0, now
			}
			return false, nil
		}
		l.releaseLocked(victim)
	}
	l.open++
	l.byClient[c.client]++
	c.counted = true
	return true, victim
}

// release stops counting c; it is safe to call more than once.
func (l *listener) release(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.releaseLocked(c)
}

func (l *listener) releaseLocked(c *conn) {
	delete(l.idle, c)
	if !c.counted {
		return
	}
	c.counted = false
	l.open--
	if l.byClient[c.client]--; l.byClient[c.client] <= 0 {
		delete(l.byClient, c.client)
	}
}

// connState is the server's ConnState hook: it tracks which connections
// sit idle between requests, the ones a new connection may displace.
func (l *listener) connState(nc net.Conn, s http.ConnState) {
	c, ok := nc.(*conn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateIdle:
		if c.counted {
			l.idle[c] = time.Now()
		}
	case http.StateActive:
		delete(l.idle, c)
	case http.StateClosed, http.StateHijacked:
		l.releaseLocked(c)
	}
}

// refuse answers c with the 503 and closes it. It reads for a moment
// after writing, so that a request already sent does not turn the close
// into a reset that discards the answer; when many are being refused at
// once it closes c at once.
func (l *listener) refuse(c net.Conn) {
	select {
	case l.refusing <- struct{}{}:
	default:
		c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		deadline := time.Now().Add(refuseTime)
		_ = c.SetDeadline(deadline)
		if _, err := c.Write(refusal); err != nil {
			return
		}
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		buf := make([]byte, 4096)
		for read := 0; read < 64<<10; {
			n, err := c.Read(buf)
			read += n
			if err != nil {
				return
			}
		}
	}()
}
