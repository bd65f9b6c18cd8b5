package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The operators' view: with API keys, a key is needed for its data (the
// page itself holds none); without keys, only loopback clients may see it.
func TestAdminAccess(t *testing.T) {
	const key = "adm1n-key"
	auth := http.Header{"Authorization": {"Bearer " + key}}
	hist := openHistory(t, "")
	withKeys := newHistoryHandler(t, sharedIndex(t), hist, Options{APIKeys: []string{key}})
	noKeys := newHistoryHandler(t, sharedIndex(t), hist, Options{})
	for _, tc := range []struct {
		name   string
		h      *Handler
		target string
		remote string
		header http.Header
		status int
	}{
		{"keys: data without a key", withKeys, "/v1/admin/recent", "192.0.2.1:1234", nil, 401},
		{"keys: data with a wrong key", withKeys, "/v1/admin/feedback", "192.0.2.1:1234", http.Header{"Authorization": {"Bearer nope"}}, 401},
		{"keys: data from loopback without a key", withKeys, "/v1/admin/declined-per-day", "127.0.0.1:1234", nil, 401},
		{"keys: data with the key", withKeys, "/v1/admin/recent", "192.0.2.1:1234", auth, 200},
		{"keys: declined with the key", withKeys, "/v1/admin/declined-per-day", "192.0.2.1:1234", auth, 200},
		{"keys: the page", withKeys, "/admin", "192.0.2.1:1234", nil, 200},
		{"no keys: data from loopback", noKeys, "/v1/admin/recent", "127.0.0.1:1234", nil, 200},
		{"no keys: data from IPv6 loopback", noKeys, "/v1/admin/feedback", "[::1]:1234", nil, 200},
		{"no keys: data from elsewhere", noKeys, "/v1/admin/recent", "192.0.2.1:1234", nil, 403},
		{"no keys: declined from elsewhere", noKeys, "/v1/admin/declined-per-day", "10.0.0.7:1234", nil, 403},
		{"no keys: the page from loopback", noKeys, "/admin", "127.0.0.1:1234", nil, 200},
		{"no keys: the page from elsewhere", noKeys, "/admin", "192.0.2.1:1234", nil, 403},
		{"no keys: a bad limit", noKeys, "/v1/admin/recent?limit=0", "127.0.0.1:1234", nil, 400},
		{"no keys: a bad vote", noKeys, "/v1/admin/feedback?vote=maybe", "127.0.0.1:1234", nil, 400},
		{"no keys: too many days", noKeys, "/v1/admin/declined-per-day?days=367", "127.0.0.1:1234", nil, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, tc.h, request{method: "GET", target: tc.target, remote: tc.remote, header: tc.header})
			if w.Code != tc.status {
				t.Errorf("%s from %s: %d, want %d: %s", tc.target, tc.remote, w.Code, tc.status, w.Body)
			}
			if tc.target == "/admin" && w.Code == 200 {
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || w.Header().Get("Content-Security-Policy") == "" {
					t.Errorf("the admin page: Content-Type %q, CSP %q", ct, w.Header().Get("Content-Security-Policy"))
				}
			}
		})
	}
}

// The admin routes show what was asked, newest first, with votes and
// comments; the answers voted down; and per day the share declined.
func TestAdminRecords(t *testing.T) {
	day := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	now := day
	clock := func() time.Time { now = now.Add(time.Minute); return now }
	h := newHistoryHandler(t, sharedIndex(t), openHistory(t, ""), Options{Now: clock})
	a := askIn(t, h, salafism, "")
	b := askIn(t, h, unanswerable, "")
	c := askIn(t, h, f02First, "")
	for _, f := range []map[string]any{
		{"answer": a.ID, "vote": "up"},
		{"answer": b.ID, "vote": "down", "comment": "It should say it cannot know."},
		{"answer": b.ID, "vote": "down"},
	} {
		if w := do(t, h, request{method: "POST", target: "/v1/feedback", body: jsonBody(f)}); w.Code != http.StatusNoContent {
			t.Fatalf("feedback %v: %d %s", f, w.Code, w.Body)
		}
	}
	// The view reads the history, which the latest turn may not have
	// reached yet.
	if err := h.writer.wait(context.Background(), c.ID); err != nil {
		t.Fatal(err)
	}
	get := func(target string) *httptest.ResponseRecorder {
		t.Helper()
		w := do(t, h, request{method: "GET", target: target, remote: "127.0.0.1:9"})
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		return w
	}

	recent := decode[recordsResponse](t, get("/v1/admin/recent"))
	var ids []string
	for _, r := range recent.Records {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, " ") != strings.Join([]string{c.ID, b.ID, a.ID}, " ") {
		t.Fatalf("recent %v, want newest first %v", ids, []string{c.ID, b.ID, a.ID})
	}
	if r := recent.Records[1]; r.Down != 2 || r.Up != 0 || r.Question != unanswerable || r.Answer.Grounded || len(r.Feedback) != 2 {
		t.Errorf("the voted-down record %+v", r)
	}
	if r := recent.Records[2]; r.Up != 1 || len(r.Answer.Citations) == 0 || r.Answer.Confidence <= 0 || r.Front != "http" {
		t.Errorf("the voted-up record %+v", r)
	}
	if limited := decode[recordsResponse](t, get("/v1/admin/recent?limit=1")); len(limited.Records) != 1 || limited.Records[0].ID != c.ID {
		t.Errorf("limit=1: %+v", limited.Records)
	}

	down := decode[recordsResponse](t, get("/v1/admin/feedback"))
	if len(down.Records) != 1 || down.Records[0].ID != b.ID || down.Records[0].Feedback[0].Comment != "It should say it cannot know." {
		t.Errorf("voted down: %+v", down.Records)
	}
	if up := decode[recordsResponse](t, get("/v1/admin/feedback?vote=up")); len(up.Records) != 1 || up.Records[0].ID != a.ID {
		t.Errorf("voted up: %+v", up.Records)
	}

	declined := decode[declinedResponse](t, get("/v1/admin/declined-per-day?days=7"))
	if declined.Since != "2025-03-08" || len(declined.Days) != 1 || declined.Days[0].Day != "2025-03-14" ||
		declined.Days[0].Asked != 3 || declined.Days[0].Declined != 1 {
		t.Errorf("declined per day %+v", declined)
	}
}

// An empty history is empty lists, not nulls.
func TestAdminEmpty(t *testing.T) {
	h := newHistoryHandler(t, sharedIndex(t), openHistory(t, ""), Options{})
	for _, target := range []string{"/v1/admin/recent", "/v1/admin/feedback", "/v1/admin/declined-per-day"} {
		w := do(t, h, request{method: "GET", target: target, remote: "127.0.0.1:9"})
		if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, "[]") || strings.Contains(body, "null") {
			t.Errorf("%s: %d %s", target, w.Code, body)
		}
	}
}
