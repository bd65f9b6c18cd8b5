package discord

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(2, time.Minute)
	l.now = func() time.Time { return now }
	step := func(d time.Duration) { now = now.Add(d) }

	for _, tc := range []struct {
		after    time.Duration
		user     string
		ok       bool
		wait     time.Duration
		wantTell bool
	}{
		{0, "a", true, 0, false},
		{10 * time.Second, "a", true, 0, false},
		{10 * time.Second, "a", false, 40 * time.Second, true}, // third in a minute: wait for the first to age out
		{5 * time.Second, "a", false, 35 * time.Second, false}, // told once a window
		{0, "b", true, 0, false},                               // users are limited apart
		{36 * time.Second, "a", true, 0, false},                // the first question aged out
		{0, "a", false, 9 * time.Second, false},                // the second, at +10s, ages out at +70s
		{61 * time.Second, "a", true, 0, false},
	} {
		step(tc.after)
		ok, wait := l.allow(tc.user)
		tell := false
		if !ok {
			tell = l.tell(tc.user)
		}
		if ok != tc.ok || wait != tc.wait || tell != tc.wantTell {
			t.Errorf("at +%v %s: allow = %v, %v, tell %v; want %v, %v, %v", now.Sub(time.Unix(1000, 0)), tc.user, ok, wait, tell, tc.ok, tc.wait, tc.wantTell)
		}
	}
	step(5 * time.Minute)
	l.allow("c") // sweeps
	if _, ok := l.asked["b"]; ok {
		t.Error("an idle user is still remembered after the sweep")
	}
}

func TestLimiterOff(t *testing.T) {
	l := newLimiter(0, time.Minute)
	for range 100 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatal("a limit of 0 limited")
		}
	}
}
