package weaviatestore

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
)

// failover sends each request to the node in use and, when that node cannot
// be reached (a refused, reset or timed-out connection), to the next node of
// the cluster, which then stays in use. Every node of a Weaviate cluster
// serves the whole API, so the client and the store need not know.
type failover struct {
	next  http.RoundTripper
	hosts []string // host:port of every node, the configured one first
	cur   atomic.Int32
}

func newFailover(next http.RoundTripper, first string, others []string) *failover {
	return &failover{next: next, hosts: append([]string{first}, others...)}
}

// u0host is the host:port of the configured URL (without a path prefix).
func u0host(o resolved) string {
	h, _, _ := strings.Cut(o.host, "/")
	return h
}

func (f *failover) RoundTrip(req *http.Request) (*http.Response, error) {
	start := int(f.cur.Load())
	var err error
	for i := range f.hosts {
		n := (start + i) % len(f.hosts)
		r := req.Clone(req.Context()) // a RoundTripper must not change req
		if i > 0 {
			if req.Body != nil && req.GetBody == nil {
				return nil, err // the body cannot be sent again
			}
			if req.GetBody != nil {
				if r.Body, err = req.GetBody(); err != nil {
					return nil, err
				}
			}
		}
		r.URL.Host, r.Host = f.hosts[n], ""
		var resp *http.Response
		resp, err = f.next.RoundTrip(r)
		if err == nil {
			if n != start {
				f.cur.Store(int32(n))
			}
			return resp, nil
		}
		if !unreachable(err) || req.Context().Err() != nil {
			return nil, err
		}
	}
	return nil, err
}

// unreachable reports errors that mean the node is gone rather than that
// the request was bad.
func unreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.As(err, &oe) || (errors.As(err, &ne) && ne.Timeout())
}
