package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// conn is one connection the listener accepted. Closing it frees its place
// under the listener's caps. It also answers in JSON the errors net/http
// writes by itself, as plain text, when a request cannot be read at all —
// before any handler runs, so no handler can. net/http has no hook for
// those answers; it writes each with one Write straight to the connection,
// in a fixed form (serverError matches it exactly), which conn rewrites.
type conn struct {
	net.Conn
	l       *listener
	client  string
	counted bool // guarded by l.mu

	mu       sync.Mutex
	timedOut bool // the last read ended at the read deadline
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	var ne net.Error
	timedOut := errors.As(err, &ne) && ne.Timeout()
	c.mu.Lock()
	c.timedOut = timedOut
	c.mu.Unlock()
	return n, err
}

func (c *conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	timedOut := c.timedOut
	c.mu.Unlock()
	if code, text, ok := serverError(p); ok {
		if _, err := c.Conn.Write(jsonServerError(code, text, timedOut)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// CloseWrite half-closes the connection, which net/http does before it
// closes one it answered with an error.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close closes the connection and frees its place under the caps.
func (c *conn) Close() error {
	c.l.release(c)
	return c.Conn.Close()
}

// plainErrorHeaders is how net/http's own error answers continue after
// their status line.
const plainErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// serverError reports whether p is a whole error answer net/http wrote by
// itself ("HTTP/1.1 431 Request Header Fields Too Large" and the like),
// and returns its status and the text after the status in its body. No
// handler's answer has this form: every one carries an X-Request-Id.
func serverError(p []byte) (code int, text string, ok bool) {
	head, body, found := bytes.Cut(p, []byte(plainErrorHeaders))
	if !found || !bytes.HasPrefix(head, []byte("HTTP/1.1 ")) || bytes.ContainsAny(head, "\r\n") {
		return 0, "", false
	}
	status := string(head[len("HTTP/1.1 "):])
	code, err := strconv.Atoi(status[:min(3, len(status))])
	if err != nil || code < 400 || code > 599 {
		return 0, "", false
	}
	// The body repeats the status line's "431 Request Header Fields Too
	// Large", with ": detail" for some errors.
	text = strings.TrimPrefix(string(body), strconv.Itoa(code)+" "+http.StatusText(code))
	return code, strings.TrimPrefix(text, ": "), true
}

// jsonServerError is the JSON answer for one of net/http's own errors. A
// request line cut short by the header timeout, which net/http answers
// 400, is 408.
func jsonServerError(code int, text string, timedOut bool) []byte {
	msg := text
	switch {
	case code == http.StatusBadRequest && timedOut:
		code, msg = http.StatusRequestTimeout, "the request header did not arrive in time"
	case code == http.StatusRequestHeaderFieldsTooLarge:
		msg = "the request header is larger than " + strconv.Itoa(maxHeaderBytes) + " bytes"
	case code == http.StatusBadRequest && msg == "":
		msg = "malformed request"
	case code == http.StatusBadRequest:
		msg = "malformed request: " + msg
	case msg == "":
		msg = strings.ToLower(http.StatusText(code))
	default:
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	return rawError(code, msg)
}

// rawError is a whole HTTP/1.1 answer {"error": msg} that closes the
// connection, for answers written to a connection rather than through a
// handler.
func rawError(code int, msg string) []byte {
	body, _ := json.Marshal(errorBody{Error: msg})
	body = append(body, '\n')
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code) + "\r\n")
	b.WriteString("Content-Type: application/json; charset=utf-8\r\n")
	b.WriteString("X-Content-Type-Options: nosniff\r\n")
	b.WriteString("Cache-Control: no-store\r\n")
	if code == http.StatusServiceUnavailable {
		b.WriteString("Retry-After: 1\r\n")
	}
	b.WriteString("Connection: close\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
