package discord

import (
	"net/http"
	"net/url"
	"strings"
)

// rebase returns a transport that sends discordgo's requests for
// https://discord.com/... to base instead, keeping the path below it.
//
// discordgo builds its endpoint URLs from package variables
// (discordgo.EndpointDiscord, EndpointAPI, EndpointChannels, ...) computed
// once at start-up, so assigning EndpointAPI moves only some endpoints, and
// assigning them all would change every session in the process and race
// with requests in flight. Rewriting in the transport moves every request
// of this bot's session and no other.
func rebase(base *url.URL, next http.RoundTripper) http.RoundTripper {
	if base.Scheme == "https" && base.Host == "discord.com" && strings.Trim(base.Path, "/") == "" {
		return next
	}
	return rebaser{base: base, next: next}
}

type rebaser struct {
	base *url.URL
	next http.RoundTripper
}

func (r rebaser) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return r.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	u := *req.URL
	u.Scheme, u.Host = r.base.Scheme, r.base.Host
	prefix := strings.TrimSuffix(r.base.Path, "/")
	u.Path = prefix + req.URL.Path
	if req.URL.RawPath != "" {
		u.RawPath = prefix + req.URL.RawPath
	}
	out.URL, out.Host = &u, ""
	return r.next.RoundTrip(out)
}
