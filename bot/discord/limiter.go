package discord

import (
	"sync"
	"time"
)

// limiter allows each user a number of questions in any window of time.
type limiter struct {
	per    int // 0: no limit
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	asked     map[string][]time.Time // by user: when their recent questions came
	told      map[string]time.Time   // by user: when they were last told to wait
	lastSweep time.Time
}

func newLimiter(per int, window time.Duration) *limiter {
	return &limiter{per: per, window: window, now: time.Now, asked: map[string][]time.Time{}, told: map[string]time.Time{}}
}

// allow records a question from user and reports whether it is within the
// limit; if not, wait is how long until it would be.
func (l *limiter) allow(user string) (ok bool, wait time.Duration) {
	if l.per <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > l.window {
		l.sweep(now)
	}
	recent := l.asked[user][:0]
	for _, t := range l.asked[user] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.per {
		l.asked[user] = recent
		return false, recent[0].Add(l.window).Sub(now)
	}
	l.asked[user] = append(recent, now)
	return true, 0
}

// tell reports whether a user over the limit should be told so: once a
// window, so that the notices are not spam of their own.
func (l *limiter) tell(user string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if last, ok := l.told[user]; ok && now.Sub(last) < l.window {
		return false
	}
	l.told[user] = now
	return true
}

// sweep forgets users with no question in the window.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for u, ts := range l.asked {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
			delete(l.asked, u)
		}
	}
	for u, t := range l.told {
		if now.Sub(t) >= l.window {
			delete(l.told, u)
		}
	}
}
