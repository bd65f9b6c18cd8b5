package langchain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryTransport is an http.RoundTripper that retries a request the server
// answered with 429 Too Many Requests or a 5xx status other than 501 Not
// Implemented, a bounded number of times. It waits as long as the
// response's Retry-After header says, capped at MaxWait; without one it
// waits a jittered exponential backoff. It never waits past the request
// context's deadline: when the wait would end after it, the last response
// is returned at once. It does not retry errors from the network (a server
// that is down fails fast) nor after the request's context is done.
//
// A request body is replayed from Request.GetBody; a body without one is
// read into memory first. The zero value is ready to use and safe for
// concurrent use.
type RetryTransport struct {
	// Next sends each attempt; nil means http.DefaultTransport.
	Next http.RoundTripper
	// Retries is how many times a request is retried after the first
	// attempt; 0 means 3 and a negative number none.
	Retries int
	// Backoff is the wait before the first retry when the server gives no
	// Retry-After; it doubles with each retry and is jittered by up to
	// half. 0 means 500ms.
	Backoff time.Duration
	// MaxWait caps any one wait, Retry-After included; 0 means 10s.
	MaxWait time.Duration
}

// Defaults of RetryTransport.
const (
	defaultRetries = 3
	defaultBackoff = 500 * time.Millisecond
	defaultMaxWait = 10 * time.Second
)

// RoundTrip sends req, retrying as the type's comment describes.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	retries := t.Retries
	switch {
	case retries == 0:
		retries = defaultRetries
	case retries < 0:
		retries = 0
	}
	if retries == 0 {
		return next.RoundTrip(req)
	}
	req, err := replayable(req)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		try := req
		if attempt > 0 {
			try = req.Clone(ctx)
			if req.GetBody != nil {
				if try.Body, err = req.GetBody(); err != nil {
					return nil, fmt.Errorf("replay request body: %w", err)
				}
			}
		}
		resp, err := next.RoundTrip(try)
		if err != nil || attempt == retries || !retryable(resp.StatusCode) {
			return resp, err
		}
		wait := t.wait(resp.Header.Get("Retry-After"), attempt)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return resp, nil // the caller would give up first: fail now
		}
		discard(resp)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// replayable returns req, or a copy whose body is buffered with a GetBody
// when req has a body that cannot be read again.
func replayable(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return req, nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	r := req.Clone(req.Context())
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	r.Body, _ = r.GetBody()
	r.ContentLength = int64(len(data))
	return r, nil
}

// retryable reports whether a response with status code may succeed if the
// request is sent again.
func retryable(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500 && code != http.StatusNotImplemented
}

// wait is how long to wait before retry number attempt+1, given the last
// response's Retry-After header.
func (t *RetryTransport) wait(retryAfter string, attempt int) time.Duration {
	maxWait := t.MaxWait
	if maxWait <= 0 {
		maxWait = defaultMaxWait
	}
	if d, ok := parseRetryAfter(retryAfter, time.Now()); ok {
		return min(d, maxWait)
	}
	backoff := t.Backoff
	if backoff <= 0 {
		backoff = defaultBackoff
	}
	d := backoff
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	// Equal jitter: at least half the backoff, so that retries stay spaced
	// out, and a random part so that clients do not retry in step.
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads a Retry-After value: a number of seconds or an HTTP
// date. A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 1<<30)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// discard reads a little of a response body, so that its connection can be
// reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
}

// bearer is an http.RoundTripper that sets the Authorization header to a
// bearer token, or removes it when the token is empty: langchaingo's OpenAI
// client refuses to start without a key and would send a placeholder to
// servers that need none, and its Ollama client sends no key at all, which a
// proxy in front of Ollama may want.
type bearer struct {
	next  http.RoundTripper
	token string
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if b.token == "" {
		r.Header.Del("Authorization")
	} else {
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.next.RoundTrip(r)
}

// statusErrors is an http.RoundTripper that turns a response with an error
// status into an error naming the status and the server's message. It sits
// in front of langchaingo's Ollama client, which otherwise reports an error
// status with an empty body as a success with no text, and one with a body
// that is not JSON as a JSON syntax error.
type statusErrors struct {
	next http.RoundTripper
}

func (s statusErrors) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	msg := strings.TrimSpace(string(body))
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	status := resp.Status
	if status == "" {
		status = strconv.Itoa(resp.StatusCode)
	}
	if msg == "" {
		return nil, errors.New(status)
	}
	return nil, fmt.Errorf("%s: %s", status, msg)
}
