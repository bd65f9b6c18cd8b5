package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/citebot/citebot/rag"
)

type nopAnswerer struct{}

func (nopAnswerer) Ask(context.Context, string, int) (rag.Answer, error) { return rag.Answer{}, nil }
func (nopAnswerer) Documents() []rag.DocumentInfo                        { return nil }

func TestNewChecksOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want []string // in the error; none: no error
	}{
		{"minimal", Options{Token: "abc"}, nil},
		{"prefixed token", Options{Token: "Bot abc"}, nil},
		{"no token", Options{}, []string{"token: empty (set DISCORD_TOKEN)"}},
		{"names, not ids", Options{Token: "abc", GuildID: "My Server", Channels: []string{"123", "#general"}},
			[]string{`guild id: "My Server"`, `channels: "#general"`}},
		{"answering everything everywhere", Options{Token: "abc", MentionAsking: true}, []string{"require mention"}},
		{"answering everything in a channel", Options{Token: "abc", MentionAsking: true, Channels: []string{"1"}}, nil},
		{"bad numbers", Options{Token: "abc", K: 51, UserRatePerMinute: -1}, []string{"k: 51", "user rate per minute: -1"}},
		{"bad base", Options{Token: "abc", APIBase: "discord.com"}, []string{`api base: "discord.com"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := New(nopAnswerer{}, tc.opts)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if b.session.Token != "Bot abc" || b.opts.Token != "" {
					t.Errorf("session token %q, kept token %q", b.session.Token, b.opts.Token)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted them")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New: %v; want it to say %q", err, w)
				}
			}
		})
	}
	if _, err := New(nil, Options{Token: "abc"}); err == nil {
		t.Error("New accepted a nil Answerer")
	}
}

func TestOptionsHideTheToken(t *testing.T) {
	o := Options{Token: "secret-token", GuildID: "1"}
	for _, s := range []string{fmt.Sprint(o), fmt.Sprintf("%v %+v", o, o), o.LogValue().String()} {
		if strings.Contains(s, "secret-token") {
			t.Errorf("%q shows the token", s)
		}
	}
}

func TestIntents(t *testing.T) {
	if got := intents(false); got != 0 {
		t.Errorf("slash commands alone ask for intents %b", got)
	}
	want := discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentMessageContent
	if got := intents(true); got != want {
		t.Errorf("mention asking asks for %b, want %b", got, want)
	}
}

func TestFatalError(t *testing.T) {
	unauthorized := &discordgo.RESTError{
		Request:  &http.Request{Method: "GET", URL: &url.URL{Path: "/api/v9/gateway/bot"}},
		Response: &http.Response{StatusCode: 401, Status: "401 Unauthorized"},
	}
	for _, tc := range []struct {
		err  error
		is   error
		says string
	}{
		{&websocket.CloseError{Code: 4004}, ErrInvalidToken, "4004 (authentication failed)"},
		{&websocket.CloseError{Code: 4014}, ErrIntents, "Privileged Gateway Intents"},
		{&websocket.CloseError{Code: 4013}, ErrIntents, "4013"},
		{fmt.Errorf("open: %w", &websocket.CloseError{Code: 4011}), nil, "sharding required"},
		{unauthorized, ErrInvalidToken, "401"},
	} {
		got := fatalError(tc.err)
		if got == nil || tc.is != nil && !errors.Is(got, tc.is) || !strings.Contains(got.Error(), tc.says) {
			t.Errorf("fatalError(%v) = %v, want %v saying %q", tc.err, got, tc.is, tc.says)
		}
	}
	for _, err := range []error{
		&websocket.CloseError{Code: 4000},
		&websocket.CloseError{Code: 1006},
		errors.New("connection refused"),
		&discordgo.RESTError{Request: unauthorized.Request, Response: &http.Response{StatusCode: 502}},
	} {
		if got := fatalError(err); got != nil {
			t.Errorf("fatalError(%v) = %v, want nil: worth retrying", err, got)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://discord.com/api/v9/interactions/123/aW50ZXJhY3Rpb24/callback": "https://discord.com/api/v9/interactions/123/…/callback",
		"https://discord.com/api/v9/webhooks/55/tok-en_1/messages/@original":   "https://discord.com/api/v9/webhooks/55/…/messages/@original",
		"https://discord.com/api/v9/webhooks/55/tok?wait=true":                 "https://discord.com/api/v9/webhooks/55/…?wait=true",
		"https://discord.com/api/v9/channels/1/messages":                       "https://discord.com/api/v9/channels/1/messages",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
