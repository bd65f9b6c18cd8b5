package discord

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// What discordgo v0.29.0 does not do of Discord's gateway protocol, and
// what the bot does about it from outside:
//
//   - On INVALID_SESSION (op 9) it sends IDENTIFY at once (wsapi.go:618-628),
//     where Discord asks a client to wait a random 1 to 5 seconds. The bot
//     dials the gateway itself (the session's websocket.Dialer is the one
//     hook discordgo offers) and holds back the read that completes an op 9
//     frame for that long, so discordgo's IDENTIFY comes after the wait.
//     Behind a proxy (HTTPS_PROXY and the like) gorilla's own dialer is
//     kept, without the wait: the TLS connection is then made inside
//     gorilla's proxy code, out of reach.
//   - It never reads READY's resume_gateway_url (its Ready has no such
//     field, events.go:38) and resumes on the URL it first connected to
//     (Open, wsapi.go:66-74), which Discord says disconnects more often.
//     The bot reads the URL from the raw READY event and, before
//     reconnecting, puts it where discordgo keeps its gateway URL, an
//     unexported field (setGateway): there is no option for it.

// invalidSessionWait is how long to wait after INVALID_SESSION before
// identifying again: a random 1 to 5 seconds, as Discord asks.
func invalidSessionWait() time.Duration {
	return time.Second + rand.N(4*time.Second)
}

// gatewayDialer returns the websocket dialer for the gateway: gorilla's,
// with connections wrapped by gatewayConn unless a proxy is configured.
func gatewayDialer(proxy func(*http.Request) (*url.URL, error)) *websocket.Dialer {
	d := &websocket.Dialer{Proxy: proxy, HandshakeTimeout: 15 * time.Second}
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: "gateway.discord.gg"}}
	if u, err := proxy(req); err != nil || u != nil {
		return d
	}
	var nd net.Dialer
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &gatewayConn{Conn: c}, nil
	}
	d.NetDialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(addr)
		tc := tls.Client(c, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, err
		}
		return &gatewayConn{Conn: tc}, nil
	}
	return d
}

// gatewayConn is a gateway connection as discordgo reads it: past the HTTP
// upgrade response it follows the server's websocket frames, and the Read
// that completes an INVALID_SESSION frame returns only after
// invalidSessionWait.
type gatewayConn struct {
	net.Conn
	upgraded bool   // past the HTTP response
	buf      []byte // bytes of the current frame's header or kept payload
	need     int    // payload bytes of the current frame still to come
	keep     bool   // the current frame may be op 9: keep its payload
}

// maxKept is the longest frame payload read for its opcode: an
// INVALID_SESSION is a few dozen bytes.
const maxKept = 256

func (c *gatewayConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.scan(p[:n]) {
		time.Sleep(invalidSessionWait())
	}
	return n, err
}

// scan follows the server's bytes and reports whether they complete an
// INVALID_SESSION frame.
func (c *gatewayConn) scan(b []byte) (invalid bool) {
	for len(b) > 0 {
		if !c.upgraded {
			c.buf = append(c.buf, b...)
			i := indexCRLF2(c.buf)
			if i < 0 {
				return invalid
			}
			c.upgraded = true
			b = c.buf[i+4:]
			c.buf = nil
			b = append([]byte(nil), b...)
			continue
		}
		if c.need > 0 { // inside a frame's payload
			k := min(c.need, len(b))
			if c.keep {
				c.buf = append(c.buf, b[:k]...)
			}
			c.need -= k
			b = b[k:]
			if c.need == 0 && c.keep {
				invalid = invalid || isInvalidSession(c.buf)
				c.buf = nil
			}
			continue
		}
		// A frame header: 2 bytes, an extended length of 2 or 8, a mask
		// key of 4 if masked (servers do not mask, but tolerate it).
		c.buf = append(c.buf, b[0])
		b = b[1:]
		h := c.buf
		if len(h) < 2 {
			continue
		}
		size := 2
		switch h[1] & 0x7f {
		case 126:
			size += 2
		case 127:
			size += 8
		}
		masked := h[1]&0x80 != 0
		if masked {
			size += 4
		}
		if len(h) < size {
			continue
		}
		length := uint64(h[1] & 0x7f)
		switch length {
		case 126:
			length = uint64(binary.BigEndian.Uint16(h[2:4]))
		case 127:
			length = binary.BigEndian.Uint64(h[2:10])
		}
		// A whole (FIN) text frame, short, unmasked: maybe op 9.
		c.keep = h[0] == 0x81 && !masked && length <= maxKept
		c.buf = nil
		c.need = int(min(length, 1<<40))
		if c.need == 0 && c.keep {
			invalid = invalid || isInvalidSession(nil)
		}
	}
	return invalid
}

func indexCRLF2(b []byte) int {
	for i := 0; i+3 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' && b[i+2] == '\r' && b[i+3] == '\n' {
			return i
		}
	}
	return -1
}

func isInvalidSession(payload []byte) bool {
	var p struct {
		Op *int `json:"op"`
	}
	return json.Unmarshal(payload, &p) == nil && p.Op != nil && *p.Op == 9
}

// resumeURL keeps READY's resume_gateway_url. RESUMED gives none, so the
// URL resumed on stays the one to resume on next.
type resumeURL struct {
	mu  sync.Mutex
	url string
}

// onEvent reads resume_gateway_url from a raw READY.
func (r *resumeURL) onEvent(_ *discordgo.Session, e *discordgo.Event) {
	if e.Type != "READY" {
		return
	}
	var ready struct {
		URL string `json:"resume_gateway_url"`
	}
	if json.Unmarshal(e.RawData, &ready) != nil {
		return
	}
	r.mu.Lock()
	r.url = ready.URL
	r.mu.Unlock()
}

// get returns the URL to resume on, with discordgo's query string, or "".
func (r *resumeURL) get() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	u, err := url.Parse(r.url)
	if r.url == "" || err != nil || (u.Scheme != "wss" && u.Scheme != "ws") {
		return ""
	}
	q := u.Query()
	q.Set("v", discordgo.APIVersion)
	q.Set("encoding", "json")
	u.RawQuery = q.Encode()
	return u.String()
}

// setGateway makes the session's next Open connect to gw: it writes
// discordgo's unexported Session.gateway (structs.go:130), which Open
// dials when it is set (and clears when dialling fails, so that a resume
// URL that does not answer falls back to GET /gateway). It reports false,
// changing nothing, if discordgo no longer has that field.
func setGateway(s *discordgo.Session, gw string) bool {
	f := reflect.ValueOf(s).Elem().FieldByName("gateway")
	if !f.IsValid() || f.Kind() != reflect.String {
		return false
	}
	s.Lock()
	defer s.Unlock()
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetString(gw)
	return true
}
