package cli

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/config"
)

// serve refuses to listen beyond loopback without API keys unless
// http.allow_open says so, and its error names both ways out.
func TestCheckOpen(t *testing.T) {
	for _, tt := range []struct {
		addr      string
		keys      []string
		allowOpen bool
		refused   bool
	}{
		{addr: "127.0.0.1:8080"},
		{addr: "127.8.9.10:8080"},
		{addr: "localhost:8080"},
		{addr: "[::1]:8080"},
		{addr: "0.0.0.0:8080", refused: true},
		{addr: ":8080", refused: true},
		{addr: "[::]:8080", refused: true},
		{addr: "192.168.1.5:8080", refused: true},
		{addr: "citebot.lan:8080", refused: true},
		{addr: "0.0.0.0:8080", keys: []string{"k"}},
		{addr: "0.0.0.0:8080", allowOpen: true},
	} {
		err := checkOpen(config.HTTP{Addr: tt.addr, APIKeys: tt.keys, AllowOpen: tt.allowOpen})
		if (err != nil) != tt.refused {
			t.Errorf("addr %s keys %v allow_open %v: %v, want refused %v", tt.addr, tt.keys, tt.allowOpen, err, tt.refused)
			continue
		}
		if err != nil {
			for _, want := range []string{tt.addr, "CITEBOT_API_KEYS", "http.api_keys", "CITEBOT_ALLOW_OPEN=true", "http.allow_open"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("addr %s: error %q does not name %s", tt.addr, err, want)
				}
			}
		}
	}
}

// Writes are on by default on loopback only; http.allow_writes decides
// when set.
func TestWritesAllowed(t *testing.T) {
	for _, tt := range []struct {
		addr string
		set  *bool
		want bool
	}{
		{"127.0.0.1:8080", nil, true},
		{"localhost:8080", nil, true},
		{"[::1]:8080", nil, true},
		{"0.0.0.0:8080", nil, false},
		{":8080", nil, false},
		{"192.0.2.1:8080", nil, false},
		{"127.0.0.1:8080", new(false), false},
		{"0.0.0.0:8080", new(true), true},
	} {
		if got := writesAllowed(config.HTTP{Addr: tt.addr, AllowWrites: tt.set}); got != tt.want {
			t.Errorf("writesAllowed(%s, %v) = %v, want %v", tt.addr, tt.set, got, tt.want)
		}
	}
}
