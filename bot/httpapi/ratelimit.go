package httpapi

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds a token bucket per client. Buckets idle for longer than it
// takes to refill are dropped, since a new bucket is just as full, so the
// table stays as small as the set of recently active clients.
type limiter struct {
	limit rate.Limit
	burst int
	idle  time.Duration // a bucket idle this long is full again

	mu      sync.Mutex
	clients map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimiter(limit rate.Limit, burst int) *limiter {
	l := &limiter{limit: limit, burst: burst, clients: map[string]*bucket{}, idle: time.Minute}
	if limit != rate.Inf && limit > 0 {
		l.idle = max(l.idle, time.Duration(float64(burst)/float64(limit)*float64(time.Second)))
	}
	return l
}

// allow takes a token from client's bucket; when there is none it returns
// how long until there will be.
func (l *limiter) allow(client string, now time.Time) (time.Duration, bool) {
	if l.limit == rate.Inf {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.idle {
		for c, b := range l.clients {
			if now.Sub(b.last) > l.idle {
				delete(l.clients, c)
			}
		}
		l.swept = now
	}
	b := l.clients[client]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[client] = b
	}
	b.last = now
	res := b.lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, false
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// clientNet is the rate-limiting identity of an address: the address
// itself for IPv4, its /64 network for IPv6, where one client usually holds
// a whole /64.
func clientNet(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
