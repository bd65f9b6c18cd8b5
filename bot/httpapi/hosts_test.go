package httpapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Against DNS rebinding: without API keys the server answers only for
// loopback names, its own address and the allowed hosts; with keys, for
// any host unless allowed hosts are set.
func TestHostCheck(t *testing.T) {
	const key = "k-123"
	auth := http.Header{"Authorization": {"Bearer " + key}}
	for _, tt := range []struct {
		name    string
		opts    Options
		host    string
		local   string // the address the connection was made to
		header  http.Header
		target  string
		status  int
		message string
	}{
		{name: "rebound name", host: "attacker.example", status: 421, message: "attacker.example"},
		{name: "rebound name with port", host: "attacker.example:8080", status: 421},
		{name: "rebound name reads the page", host: "attacker.example", target: "/", status: 421},
		{name: "rebound name on the probe", host: "attacker.example", target: "/healthz", status: 421},
		{name: "name ending in localhost", host: "localhost.attacker.example", status: 421},
		{name: "localhost", host: "localhost:8080", status: 200},
		{name: "LOCALHOST.", host: "LOCALHOST.", status: 200},
		{name: "127.0.0.1", host: "127.0.0.1:8080", status: 200},
		{name: "127.1.2.3", host: "127.1.2.3", status: 200},
		{name: "[::1]", host: "[::1]:8080", status: 200},
		{name: "[::1] without port", host: "[::1]", status: 200},
		{name: "other IP", host: "10.0.0.5:8080", status: 421},
		{name: "IP the connection was made to", host: "10.0.0.5:8080", local: "10.0.0.5:8080", status: 200},
		{name: "IPv6 the connection was made to", host: "[fd00::5]:8080", local: "[fd00::5]:8080", status: 200},
		{name: "another IP than the connection's", host: "10.0.0.6:8080", local: "10.0.0.5:8080", status: 421},
		{name: "empty Host (HTTP/1.0)", host: "", status: 200},
		{name: "listen address host", opts: Options{ListenAddr: "citebot.lan:8080"}, host: "citebot.lan:8080", status: 200},
		{name: "listen address host, other name", opts: Options{ListenAddr: "citebot.lan:8080"}, host: "attacker.example", status: 421},
		{name: "unspecified listen address is no name", opts: Options{ListenAddr: "0.0.0.0:8080"}, host: "0.0.0.0:8080", status: 421},
		{name: "allowed host", opts: Options{AllowedHosts: []string{"Citebot.Example.com"}}, host: "citebot.example.com:443", status: 200},
		{name: "allowed host, loopback still", opts: Options{AllowedHosts: []string{"citebot.example.com"}}, host: "localhost", status: 200},
		{name: "allowed host, other name", opts: Options{AllowedHosts: []string{"citebot.example.com"}}, host: "attacker.example", status: 421},
		{name: "allowed domain", opts: Options{AllowedHosts: []string{".example.com"}}, host: "a.b.example.com", status: 200},
		{name: "allowed domain itself", opts: Options{AllowedHosts: []string{".example.com"}}, host: "example.com", status: 200},
		{name: "allowed domain, look-alike", opts: Options{AllowedHosts: []string{".example.com"}}, host: "badexample.com", status: 421},
		{name: "allowed any", opts: Options{AllowedHosts: []string{"*"}}, host: "attacker.example", status: 200},
		{name: "keys: any host", opts: Options{APIKeys: []string{key}}, header: auth, host: "citebot.example.com", status: 200},
		{name: "keys: any host, no key", opts: Options{APIKeys: []string{key}}, host: "citebot.example.com", status: 401},
		{name: "keys and allowed hosts", opts: Options{APIKeys: []string{key}, AllowedHosts: []string{"citebot.example.com"}}, header: auth, host: "attacker.example", status: 421},
		{name: "keys and allowed hosts, allowed", opts: Options{APIKeys: []string{key}, AllowedHosts: []string{"citebot.example.com"}}, header: auth, host: "citebot.example.com", status: 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, sharedIndex(t), tt.opts)
			target := tt.target
			if target == "" {
				target = "/v1/documents"
			}
			r := httptest.NewRequest("GET", target, nil)
			r.Host = tt.host
			for k, v := range tt.header {
				r.Header[k] = v
			}
			if tt.local != "" {
				local, err := net.ResolveTCPAddr("tcp", tt.local)
				if err != nil {
					t.Fatal(err)
				}
				r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, net.Addr(local)))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			checkResponse(t, h, r, w.Code, w.Header(), w.Body.Bytes(), false)
			if w.Code != tt.status {
				t.Fatalf("Host %q: %d, want %d: %s", tt.host, w.Code, tt.status, w.Body)
			}
			if tt.message != "" && !strings.Contains(w.Body.String(), tt.message) {
				t.Errorf("421 %s does not name the host", w.Body)
			}
		})
	}
}

// Over real HTTP the host is checked as the client sent it, and the
// address the client connected to is accepted.
func TestHostCheckServed(t *testing.T) {
	base := startServer(t, newHandler(t, sharedIndex(t), Options{}))
	for host, want := range map[string]int{
		"":                 200, // the client's own: 127.0.0.1:port
		"localhost":        200,
		"attacker.example": 421,
	} {
		r, _ := http.NewRequest("GET", base+"/v1/documents", nil)
		if host != "" {
			r.Host = host
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

func TestAllowedHostsValidated(t *testing.T) {
	for _, a := range []string{"", "https://citebot.example.com", "citebot.example.com:443", "citebot.example.com/", "a b", "."} {
		if _, err := New(sharedIndex(t), Options{AllowedHosts: []string{a}}); err == nil || !strings.Contains(err.Error(), "AllowedHosts") {
			t.Errorf("AllowedHosts %q: error %v", a, err)
		}
	}
	for _, a := range []string{"*", "citebot.example.com", ".example.com", "10.0.0.5", "fd00::5", "[fd00::5]", "citebot_1"} {
		if _, err := New(sharedIndex(t), Options{AllowedHosts: []string{a}, Registry: nil}); err != nil {
			t.Errorf("AllowedHosts %q: %v", a, err)
		}
	}
}
