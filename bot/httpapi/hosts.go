package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// hosts refuses requests whose Host header names a server other than this
// one: the defence against DNS rebinding, where a page on attacker.example
// re-points its own name at 127.0.0.1 and then reads the API as a
// same-origin page would. Its requests still say Host: attacker.example.
//
// When it checks, it accepts loopback names (localhost, 127.0.0.0/8,
// [::1]), the host of the address the server is configured to listen on,
// the IP address the connection was made to (an IP literal cannot be
// rebound), an empty Host (no browser sends one) and the allowed names.
type hosts struct {
	check    bool
	listen   string          // the configured listen host, lower case
	names    map[string]bool // allowed names, lower case
	suffixes []string        // allowed ".example.com" entries: the domain and its sub-domains
}

// newHosts checks hosts when there are no API keys (a rebinding page has
// no key to send) or when allowed names are set; "*" among them turns
// checking off.
func newHosts(allowed []string, listenAddr string, keys bool) *hosts {
	h := &hosts{check: !keys || len(allowed) > 0, names: map[string]bool{}}
	for _, a := range allowed {
		a = normalHost(a)
		switch {
		case a == "*":
			h.check = false
		case strings.HasPrefix(a, "."):
			h.suffixes = append(h.suffixes, a)
		default:
			h.names[a] = true
		}
	}
	if host, _, err := net.SplitHostPort(listenAddr); err == nil {
		if ip, err := netip.ParseAddr(host); err != nil || !ip.IsUnspecified() {
			h.listen = normalHost(host)
		}
	}
	return h
}

// checkAllowedHost says what is wrong with one allowed_hosts entry.
func checkAllowedHost(a string) error {
	if a == "*" {
		return nil
	}
	name := strings.TrimPrefix(a, ".")
	if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		return nil
	}
	if name == "" || strings.ContainsFunc(name, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.' || r == '_')
	}) {
		return fmt.Errorf("%q is not *, a host name, .domain or an IP address (no scheme, port or path)", a)
	}
	return nil
}

// normalHost lower-cases a host name and drops a trailing dot and the
// brackets around an IPv6 address.
func normalHost(h string) string {
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// allowed reports whether the server answers for r's Host.
func (h *hosts) allowed(r *http.Request) bool {
	if !h.check || r.Host == "" {
		return true
	}
	host := r.Host
	if name, _, err := net.SplitHostPort(host); err == nil {
		host = name
	}
	host = normalHost(host)
	if host == "localhost" || host == h.listen || h.names[host] {
		return true
	}
	for _, s := range h.suffixes {
		if strings.HasSuffix(host, s) || host == s[1:] {
			return true
		}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	if ip.Unmap().IsLoopback() {
		return true
	}
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ap, err := netip.ParseAddrPort(local.String()); err == nil && ap.Addr().Unmap() == ip.Unmap() {
			return true
		}
	}
	return false
}

// wrap answers 421 to a request for a host the server does not answer for.
func (h *hosts) wrap(next http.Handler) http.Handler {
	if !h.check {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.allowed(r) {
			writeError(w, r, http.StatusMisdirectedRequest,
				fmt.Sprintf("this server does not answer for host %q; its operator can allow it with http.allowed_hosts", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}
