package discord_test

import (
	"testing"
	"time"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/bot/discord/fakediscord"
)

// TestInvalidSessionAndResumeURL runs the real discordgo against the fake
// gateway: after INVALID_SESSION the bot waits at least a second before it
// identifies again, and after a dropped connection it resumes on READY's
// resume_gateway_url.
func TestInvalidSessionAndResumeURL(t *testing.T) {
	t.Parallel()
	r := start(t, newIndex(t), fakediscord.Options{}, discord.Options{})
	fake := r.fake

	// next waits for the first gateway event of kind after the n-th.
	next := func(after int, kind string) (fakediscord.GatewayEvent, int) {
		t.Helper()
		var ev fakediscord.GatewayEvent
		at := -1
		fake.WaitFor(20*time.Second, func() bool {
			evs := fake.GatewayEvents()
			for i := after + 1; i < len(evs); i++ {
				if evs[i].Kind == kind {
					ev, at = evs[i], i
					return true
				}
			}
			return false
		})
		if at < 0 {
			t.Fatalf("no %s after gateway event %d: %+v", kind, after, fake.GatewayEvents())
		}
		return ev, at
	}
	waitGap := func(invalid, identify fakediscord.GatewayEvent) {
		t.Helper()
		if gap := identify.At.Sub(invalid.At); gap < time.Second {
			t.Errorf("IDENTIFY %v after INVALID_SESSION, want at least 1s (Discord asks for 1 to 5)", gap)
		}
	}

	t.Run("invalid session on the open connection", func(t *testing.T) {
		from := len(fake.GatewayEvents()) - 1
		if err := fake.InvalidateSession(); err != nil {
			t.Fatal(err)
		}
		invalid, i := next(from, "invalid_session")
		identify, _ := next(i, "identify")
		waitGap(invalid, identify)
		if !fake.WaitFor(5*time.Second, fake.Ready) {
			t.Fatal("not ready again after identifying")
		}
	})

	t.Run("resumes on resume_gateway_url", func(t *testing.T) {
		from := len(fake.GatewayEvents()) - 1
		if err := fake.CloseGateway(4000, ""); err != nil {
			t.Fatal(err)
		}
		conn, i := next(from, "connect")
		resume, _ := next(i, "resume")
		if conn.Path != fakediscord.ResumePath || resume.Path != fakediscord.ResumePath {
			t.Errorf("reconnected on %s and resumed on %s, want %s (READY's resume_gateway_url)", conn.Path, resume.Path, fakediscord.ResumePath)
		}
		if !fake.WaitFor(5*time.Second, fake.Ready) {
			t.Fatal("not ready again after resuming")
		}
	})

	t.Run("a resume refused with invalid session", func(t *testing.T) {
		from := len(fake.GatewayEvents()) - 1
		if err := fake.CloseGateway(4009, ""); err != nil { // session timed out: not resumable
			t.Fatal(err)
		}
		_, i := next(from, "resume")
		invalid, i := next(i, "invalid_session")
		identify, _ := next(i, "identify")
		waitGap(invalid, identify)
		if !fake.WaitFor(5*time.Second, fake.Ready) {
			t.Fatal("not ready again after identifying")
		}
	})
	checkSilent(t, fake)
}
