package discord

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestRebase(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Host+" "+r.URL.RequestURI())
	}))
	defer srv.Close()
	su, _ := url.Parse(srv.URL)
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/proxy/"} {
		got = nil
		b, _ := url.Parse(base)
		c := &http.Client{Transport: rebase(b, http.DefaultTransport)}
		resp, err := c.Get("https://discord.com/api/v9/webhooks/1/tok/messages/@original?wait=true")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := su.Host + " " + b.Path + "api/v9/webhooks/1/tok/messages/@original?wait=true"
		if b.Path == "" {
			want = su.Host + " /api/v9/webhooks/1/tok/messages/@original?wait=true"
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("base %s: request went to %q, want %q", base, got, want)
		}
	}
	if tr := rebase(&url.URL{Scheme: "https", Host: "discord.com"}, http.DefaultTransport); tr != http.DefaultTransport {
		t.Error("the default base should leave the transport alone")
	}
}
