package discord_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/bot/discord/fakediscord"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
)

const wait = 5 * time.Second

// answered waits for an interaction's response to be complete: acknowledged
// and, if deferred, edited into a message.
func answered(t *testing.T, fake *fakediscord.Server, id string, messages int) fakediscord.Interaction {
	t.Helper()
	var i fakediscord.Interaction
	ok := fake.WaitFor(wait, func() bool {
		i, _ = fake.Interaction(id)
		return i.Original != nil && i.Original.Flags&fakediscord.FlagLoading == 0 && len(i.Messages()) >= messages
	})
	if !ok {
		t.Fatalf("interaction %s not answered within %v: %+v", id, wait, i)
	}
	return i
}

// replies waits for n messages from the bot in a channel.
func replies(t *testing.T, fake *fakediscord.Server, channel string, n int) []fakediscord.Message {
	t.Helper()
	var got []fakediscord.Message
	if !fake.WaitFor(wait, func() bool { got = fake.Sent(channel); return len(got) >= n }) {
		t.Fatalf("%d messages from the bot in channel %s within %v, want %d: %+v", len(got), channel, wait, n, got)
	}
	return got
}

// checkSilent asserts that every message the bot sent disabled mentions.
func checkSilent(t *testing.T, fake *fakediscord.Server) {
	t.Helper()
	for _, m := range fake.AllSent() {
		if m.Flags&fakediscord.FlagLoading != 0 {
			continue // a deferred response has no content yet
		}
		if !m.Silent() {
			t.Errorf("message %s %q was sent with allowed_mentions %+v, want parse: [] and no replied user", m.ID, m.Content, m.AllowedMentions)
		}
	}
}

// TestSlashCommands runs one bot that answers slash commands only, in one
// allowed channel.
func TestSlashCommands(t *testing.T) {
	t.Parallel()
	r := start(t, newIndex(t), fakediscord.Options{}, discord.Options{GuildID: guild, Channels: []string{general}})
	fake := r.fake

	t.Run("registration and intents", func(t *testing.T) {
		var names []string
		for _, c := range fake.Commands(guild) {
			names = append(names, c.Name)
		}
		if got := strings.Join(names, ","); got != "ask,sources,help" {
			t.Errorf("commands registered in the guild = %s, want ask,sources,help", got)
		}
		if global := fake.Commands(""); len(global) != 0 {
			t.Errorf("with a guild id, commands were also registered globally: %+v", global)
		}
		if got := fake.Intents(); got != 0 {
			t.Errorf("intents = %b, want none for slash commands alone", got)
		}
	})

	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("ask deferred then answered with citations, private=%v", private), func(t *testing.T) {
			before := r.counter("citebot_discord_questions_total", "source", "slash", "result", "answered")
			opts := map[string]any{"question": "Who designed the Port Elin lighthouse?"}
			if private {
				opts["private"] = true
			}
			id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: opts, ChannelID: general, GuildID: guild, User: alice})
			if err != nil {
				t.Fatal(err)
			}
			i := answered(t, fake, id, 1)
			if len(i.Callbacks) != 1 || i.Callbacks[0].Type != fakediscord.CallbackDeferred {
				t.Fatalf("callbacks = %+v, want one deferral (type 5)", i.Callbacks)
			}
			if at, _ := i.Acknowledged(); at.Sub(i.Dispatched) > time.Second {
				t.Errorf("deferred %v after the interaction, want at once", at.Sub(i.Dispatched))
			}
			if i.Callbacks[0].Ephemeral != private || i.Original.Ephemeral() != private {
				t.Errorf("ephemeral deferral %v, answer %v; want %v", i.Callbacks[0].Ephemeral, i.Original.Ephemeral(), private)
			}
			m := i.Original
			if !strings.Contains(m.Content, "Mara Quist") || !strings.Contains(m.Content, "[1]") {
				t.Errorf("answer %q, want Mara Quist with [1]", m.Content)
			}
			if len(m.Embeds) != 1 || len(m.Embeds[0].Fields) != 1 {
				t.Fatalf("embeds = %+v, want one with one citation", m.Embeds)
			}
			f := m.Embeds[0].Fields[0]
			if f.Name != "[1] The Port Elin Lighthouse (1998-03-04)" {
				t.Errorf("citation title %q", f.Name)
			}
			if !strings.Contains(f.Value, "designed by the engineer Mara Quist") || !strings.Contains(f.Value, "lighthouse.txt") {
				t.Errorf("citation quote %q, want the cited sentence and its file", f.Value)
			}
			var ids []string
			for _, b := range m.Buttons() {
				ids = append(ids, b.Emoji.Name+" "+b.CustomID)
			}
			if got, want := strings.Join(ids, ", "), "👍 fb:up:"+id+", 👎 fb:down:"+id; got != want {
				t.Errorf("buttons %q, want %q", got, want)
			}
			r.wantCounter(t, before+1, "citebot_discord_questions_total", "source", "slash", "result", "answered")
		})
	}

	t.Run("abstention says so plainly", func(t *testing.T) {
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Who won the 2018 World Cup?"}, ChannelID: general, GuildID: guild, User: alice})
		if err != nil {
			t.Fatal(err)
		}
		m := answered(t, fake, id, 1).Original
		if !strings.HasPrefix(m.Content, "The documents don't answer this question.") || len(m.Embeds) != 0 || len(m.Buttons()) != 2 {
			t.Errorf("abstention %q with %d embeds, %d buttons", m.Content, len(m.Embeds), len(m.Buttons()))
		}
		r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "slash", "result", "abstained")
	})

	t.Run("a document's @everyone pings no one", func(t *testing.T) {
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "What is the harbour museum closed for?"}, ChannelID: general, GuildID: guild, User: alice})
		if err != nil {
			t.Fatal(err)
		}
		m := answered(t, fake, id, 1).Original
		if !strings.Contains(m.Content, "@everyone") || !m.Silent() {
			t.Errorf("answer %q sent with allowed mentions %+v, want the line with @everyone and parse: []", m.Content, m.AllowedMentions)
		}
	})

	t.Run("ask outside the allowed channels", func(t *testing.T) {
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Where is cider pressed?"}, ChannelID: random, GuildID: guild, User: alice})
		if err != nil {
			t.Fatal(err)
		}
		i := answered(t, fake, id, 1)
		if !i.Original.Ephemeral() || !strings.Contains(i.Original.Content, "<#"+general+">") || strings.Contains(i.Original.Content, "Brook") {
			t.Errorf("/ask in another channel: %q, want an ephemeral pointer to <#%s>", i.Original.Content, general)
		}
	})

	t.Run("empty question", func(t *testing.T) {
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": " ?! "}, ChannelID: general, GuildID: guild, User: alice})
		if err != nil {
			t.Fatal(err)
		}
		i := answered(t, fake, id, 1)
		if i.Callbacks[0].Type != fakediscord.CallbackMessage || !i.Original.Ephemeral() {
			t.Errorf("empty /ask answered with %+v, ephemeral %v: want an ephemeral notice at once", i.Callbacks, i.Original.Ephemeral())
		}
		if want := "`/ask question: What does ‘The Port Elin Lighthouse’ say?`"; !strings.Contains(i.Original.Content, want) {
			t.Errorf("empty /ask: %q, want an example about this corpus, %s", i.Original.Content, want)
		}
		r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "slash", "result", "empty")
	})

	t.Run("sources and help", func(t *testing.T) {
		for cmd, want := range map[string][]string{
			"sources": {"3 documents", "The Port Elin Lighthouse (1998-03-04) — lighthouse.txt", "Apple Growing in the Vale"},
			"help":    {"/ask", "/sources", "don't answer"},
		} {
			id, err := fake.Invoke(fakediscord.Command{Name: cmd, ChannelID: general, GuildID: guild, User: alice})
			if err != nil {
				t.Fatal(err)
			}
			i := answered(t, fake, id, 1)
			if !i.Original.Ephemeral() {
				t.Errorf("/%s answered for everyone to see", cmd)
			}
			for _, w := range want {
				if !strings.Contains(i.Original.Content, w) {
					t.Errorf("/%s = %q, want %q in it", cmd, i.Original.Content, w)
				}
			}
		}
	})

	t.Run("feedback clicks are counted and logged", func(t *testing.T) {
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Where is cider pressed?"}, ChannelID: general, GuildID: guild, User: alice})
		if err != nil {
			t.Fatal(err)
		}
		answer := answered(t, fake, id, 1).Original
		for _, click := range []struct {
			user   fakediscord.User
			button int
		}{{alice, 0}, {bob, 0}, {bob, 1}} {
			cid, err := fake.Click(answer.ID, answer.Buttons()[click.button].CustomID, click.user)
			if err != nil {
				t.Fatal(err)
			}
			i := answered(t, fake, cid, 1)
			if i.Callbacks[0].Type != fakediscord.CallbackMessage || !i.Original.Ephemeral() || !strings.Contains(i.Original.Content, "Thanks") {
				t.Errorf("click answered with %+v %q, want an ephemeral thank-you", i.Callbacks, i.Original.Content)
			}
		}
		r.wantCounter(t, 2, "citebot_discord_feedback_total", "vote", "up")
		r.wantCounter(t, 1, "citebot_discord_feedback_total", "vote", "down")
		if logs := r.logs.String(); !strings.Contains(logs, `msg="discord feedback" id=`+id+" vote=down") {
			t.Errorf("no feedback line with the question id %s in the log:\n%s", id, logs)
		}
	})

	checkSilent(t, fake)
	if err := r.stop(); err != nil {
		t.Fatalf("Run = %v, want nil after its context ends", err)
	}
	if _, _, closes := fake.Gateway(); len(closes) != 1 || closes[0] != 1000 {
		t.Errorf("client close codes %v, want [1000]: a graceful close", closes)
	}
}

// TestMessages runs one bot that also answers mentions, direct messages
// and replies, in one allowed channel.
func TestMessages(t *testing.T) {
	t.Parallel()
	rec := &recorder{Answerer: newIndex(t)}
	r := start(t, rec, fakediscord.Options{MessageContent: true},
		discord.Options{MentionAsking: true, RequireMention: true, Channels: []string{general}})
	fake := r.fake
	mention := "<@" + fake.Bot.ID + ">"
	if got, want := fake.Intents(), 1<<9|1<<12|1<<15; got != want {
		t.Errorf("intents = %b, want guild messages, direct messages and message content (%b)", got, want)
	}

	t.Run("mention answered in the allowed channel only", func(t *testing.T) {
		for _, p := range []fakediscord.Post{
			{ChannelID: random, GuildID: guild, Author: alice, Content: mention + " Who designed the Port Elin lighthouse?"},
			{ChannelID: general, GuildID: guild, Author: bob, Content: "Who designed the Port Elin lighthouse?"}, // no mention
			{ChannelID: general, GuildID: guild, Author: otherBot, Content: mention + " Who designed the Port Elin lighthouse?"},
		} {
			if _, dispatched, err := fake.Post(p); err != nil || !dispatched {
				t.Fatalf("post %+v: dispatched %v, %v", p, dispatched, err)
			}
		}
		q, _, err := fake.Post(fakediscord.Post{ChannelID: general, GuildID: guild, Author: alice, Content: mention + " who designed the Port Elin lighthouse?"})
		if err != nil {
			t.Fatal(err)
		}
		replies(t, fake, general, 1)
		time.Sleep(200 * time.Millisecond) // time enough for a wrong answer to the others
		got := fake.Sent(general)
		if len(got) != 1 {
			t.Fatalf("%d replies in the allowed channel, want 1 (none to a message without a mention or from a bot): %+v", len(got), got)
		}
		if other := fake.Sent(random); len(other) != 0 {
			t.Errorf("the bot answered in a channel not allowed: %+v", other)
		}
		m := got[0]
		if m.MessageReference == nil || m.MessageReference.MessageID != q.ID || m.Type != fakediscord.TypeReply {
			t.Errorf("answer is not a reply to the question: %+v", m.MessageReference)
		}
		if !strings.Contains(m.Content, "Mara Quist") || len(m.Embeds) != 1 || len(m.Buttons()) != 2 {
			t.Errorf("answer %q with %d embeds and %d buttons", m.Content, len(m.Embeds), len(m.Buttons()))
		}
		typing := fake.TypingIn(general)
		if len(typing) == 0 || !typing[0].Before(m.SentAt) {
			t.Errorf("typing indicator at %v, answer at %v: want typing first", typing, m.SentAt)
		}
		r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "mention", "result", "answered")
	})

	t.Run("direct message and a follow-up reply", func(t *testing.T) {
		// A direct message needs no mention.
		if _, _, err := fake.Post(fakediscord.Post{ChannelID: dmChan, Author: alice, Content: "Who designed the Port Elin lighthouse?"}); err != nil {
			t.Fatal(err)
		}
		first := replies(t, fake, dmChan, 1)[0]
		if !strings.Contains(first.Content, "Mara Quist") {
			t.Fatalf("answer %q", first.Content)
		}
		r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "dm", "result", "answered") // the bot is done with it
		// A reply to the answer, without a mention, is a follow-up in its thread.
		if _, _, err := fake.Post(fakediscord.Post{ChannelID: dmChan, Author: alice, Content: "How far could the lamp be seen?", ReplyTo: first.ID}); err != nil {
			t.Fatal(err)
		}
		second := replies(t, fake, dmChan, 2)[1]
		if !strings.Contains(second.Content, "twenty-two nautical miles") {
			t.Errorf("follow-up answer %q, want the lamp's range", second.Content)
		}
		asked := rec.questions()
		last := asked[len(asked)-1]
		if !strings.HasPrefix(last, "How far could the lamp be seen?") || !strings.Contains(last, "Port Elin lighthouse") || strings.Contains(last, "Who") {
			t.Errorf("follow-up asked as %q, want it with the first question's topic and not its question word", last)
		}
		r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "followup", "result", "answered")
	})

	t.Run("a document's @everyone pings no one", func(t *testing.T) {
		if _, _, err := fake.Post(fakediscord.Post{ChannelID: general, GuildID: guild, Author: bob, Content: mention + " @everyone what is the harbour museum closed for?"}); err != nil {
			t.Fatal(err)
		}
		var got []fakediscord.Message
		fake.WaitFor(wait, func() bool { got = fake.Sent(general); return strings.Contains(got[len(got)-1].Content, "museum") })
		if m := got[len(got)-1]; !strings.Contains(m.Content, "@everyone") || !m.Silent() {
			t.Errorf("answer %q sent with allowed mentions %+v, want the line with @everyone and parse: []", m.Content, m.AllowedMentions)
		}
	})

	t.Run("a 429 is retried after retry_after", func(t *testing.T) {
		const after = 400 * time.Millisecond
		fake.RateLimit(fakediscord.RouteEditOriginal, after, 1)
		fake.RateLimit(fakediscord.RouteCreateMessage, after, 1)
		n := len(fake.Sent(general))
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Who designed the Port Elin lighthouse?"}, ChannelID: general, GuildID: guild, User: alice})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := fake.Post(fakediscord.Post{ChannelID: general, GuildID: guild, Author: bob, Content: mention + " where is cider pressed?"}); err != nil {
			t.Fatal(err)
		}
		i := answered(t, fake, id, 1)
		m := replies(t, fake, general, n+1)[n]
		if !strings.Contains(i.Original.Content, "Mara Quist") || !strings.Contains(m.Content, "Brook Street") {
			t.Errorf("answers %q and %q", i.Original.Content, m.Content)
		}
		limited := fake.RateLimits()
		if len(limited) != 2 {
			t.Fatalf("429s = %+v, want one on each route", limited)
		}
		for _, rl := range limited {
			if rl.RetriedAt.IsZero() || rl.RetriedAt.Sub(rl.At) < after {
				t.Errorf("%s: 429 at %v, retried at %v: want a retry after %v", rl.Route, rl.At, rl.RetriedAt, after)
			}
			// The deferral went out first: the rate limit on the edit never
			// put Discord's three-second deadline at risk.
			if at, _ := i.Acknowledged(); rl.Route == fakediscord.RouteEditOriginal && !at.Before(rl.At) {
				t.Errorf("deferred at %v, after the 429 at %v", at, rl.At)
			}
		}
	})
	checkSilent(t, fake)
}

// longAnswer is an answer of about 5000 characters citing 30 passages.
func longAnswer() rag.Answer {
	var b strings.Builder
	var cites []rag.Citation
	for n := 1; utf16Len(b.String()) < 5000; n++ {
		fmt.Fprintf(&b, "Finding %d of the survey says the harbour wall was rebuilt in stone after the storm of 18%02d, with ```code``` and émoji 😀 [%d]. ", n, n, n%30+1)
		if n%9 == 0 {
			b.WriteString("\n\n")
		}
	}
	for n := 1; n <= 30; n++ {
		cites = append(cites, rag.Citation{N: n, Source: fmt.Sprintf("survey-%02d.txt", n), Title: strings.Repeat("A very long survey title ", 20),
			Date: "1901-01-01", Text: strings.Repeat(fmt.Sprintf("Passage %d text about the harbour wall. ", n), 60)})
	}
	return rag.Answer{Answer: b.String(), Grounded: true, Confidence: 0.9, Citations: cites}
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

func TestLongAnswerArrivesSplitWithinLimits(t *testing.T) {
	t.Parallel()
	ans := longAnswer()
	r := start(t, &fixedAnswerer{answer: ans}, fakediscord.Options{MessageContent: true},
		discord.Options{MentionAsking: true, RequireMention: true})
	fake := r.fake

	check := func(t *testing.T, msgs []fakediscord.Message) {
		t.Helper()
		if len(msgs) < 3 {
			t.Fatalf("a %d-unit answer came as %d messages", utf16Len(ans.Answer), len(msgs))
		}
		var joined strings.Builder
		for k, m := range msgs {
			if n := utf16Len(m.Content); n > fakediscord.ContentLimit {
				t.Errorf("message %d is %d units", k, n)
			}
			last := k == len(msgs)-1
			if (len(m.Embeds) > 0) != last || (len(m.Buttons()) > 0) != last {
				t.Errorf("message %d has %d embeds and %d buttons; want them on the last message only", k, len(m.Embeds), len(m.Buttons()))
			}
			joined.WriteString(m.Content)
		}
		if strip(joined.String()) != strip(ans.Answer) {
			t.Errorf("the messages do not add up to the answer")
		}
		fields := 0
		for _, e := range msgs[len(msgs)-1].Embeds {
			fields += len(e.Fields)
		}
		if fields != 30 {
			t.Errorf("%d citation fields, want 30", fields)
		}
	}

	t.Run("slash", func(t *testing.T) {
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "What happened to the harbour wall?"}, ChannelID: general, GuildID: guild, User: alice})
		if err != nil {
			t.Fatal(err)
		}
		var i fakediscord.Interaction
		fake.WaitFor(wait, func() bool {
			i, _ = fake.Interaction(id)
			ms := i.Messages()
			return len(ms) > 0 && len(ms[len(ms)-1].Embeds) > 0
		})
		var msgs []fakediscord.Message
		for _, m := range i.Messages() {
			msgs = append(msgs, *m)
		}
		check(t, msgs)
	})
	t.Run("mention", func(t *testing.T) {
		if _, _, err := fake.Post(fakediscord.Post{ChannelID: random, GuildID: guild, Author: alice, Content: "<@" + fake.Bot.ID + "> What happened to the harbour wall?"}); err != nil {
			t.Fatal(err)
		}
		var msgs []fakediscord.Message
		fake.WaitFor(wait, func() bool { msgs = fake.Sent(random); return len(msgs) > 0 && len(msgs[len(msgs)-1].Embeds) > 0 })
		check(t, msgs)
	})
	checkSilent(t, fake) // the fake itself fails the test if any message broke a limit
}

// strip removes whitespace, which splitting may drop at the cuts.
func strip(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func TestUserRateLimit(t *testing.T) {
	t.Parallel()
	r := start(t, newIndex(t), fakediscord.Options{MessageContent: true},
		discord.Options{UserRatePerMinute: 2, MentionAsking: true, RequireMention: true})
	fake := r.fake
	ask := func(user fakediscord.User) fakediscord.Interaction {
		t.Helper()
		id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Where is cider pressed?"}, ChannelID: general, GuildID: guild, User: user})
		if err != nil {
			t.Fatal(err)
		}
		return answered(t, fake, id, 1)
	}
	ask(alice)
	ask(alice)
	over := ask(alice)
	if over.Callbacks[0].Type != fakediscord.CallbackMessage || !over.Original.Ephemeral() || !strings.Contains(over.Original.Content, "Please wait") {
		t.Errorf("third question in a minute: %+v %q, want an ephemeral notice at once", over.Callbacks, over.Original.Content)
	}
	if other := ask(bob); !strings.Contains(other.Original.Content, "Brook Street") {
		t.Errorf("another user was limited too: %q", other.Original.Content)
	}
	// Over the limit by mention: one notice, then silence.
	for range 2 {
		if _, _, err := fake.Post(fakediscord.Post{ChannelID: general, GuildID: guild, Author: alice, Content: "<@" + fake.Bot.ID + "> where is cider pressed?"}); err != nil {
			t.Fatal(err)
		}
	}
	r.wantCounter(t, 2, "citebot_discord_questions_total", "source", "mention", "result", "rate_limited")
	r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "slash", "result", "rate_limited")
	// The counter moves before the notice is posted: wait for it.
	var got []fakediscord.Message
	fake.WaitFor(wait, func() bool { got = fake.Sent(general); return len(got) > 0 })
	if len(got) != 1 || !strings.Contains(got[0].Content, "Please wait") {
		t.Errorf("mentions over the limit got %d replies, want one notice: %+v", len(got), got)
	}
	checkSilent(t, fake)
}

// failing fails each question with the error named by the question.
type failing map[string]error

func (f failing) Ask(_ context.Context, q string, _ int) (rag.Answer, error) {
	if q == "panic" {
		panic("index torn")
	}
	return rag.Answer{}, f[q]
}
func (f failing) Documents() []rag.DocumentInfo { return nil }

// TestAnswererErrorsBecomeShortReplies checks what users see when the
// Answerer fails, on one bot whose Answerer fails by question.
func TestAnswererErrorsBecomeShortReplies(t *testing.T) {
	t.Parallel()
	errs := failing{
		"empty":       rag.ErrEmptyQuestion,
		"unavailable": fmt.Errorf("weaviate: %w", rag.ErrUnavailable),
		"error":       errors.New("disk on fire"),
	}
	r := start(t, errs, fakediscord.Options{}, discord.Options{})
	for _, tc := range []struct{ result, says string }{
		{"empty", "some words"},
		{"unavailable", "try again in a minute"},
		{"error", "something went wrong"},
	} {
		t.Run(tc.result, func(t *testing.T) {
			id, err := r.fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": tc.result}, ChannelID: general, GuildID: guild, User: alice})
			if err != nil {
				t.Fatal(err)
			}
			i := answered(t, r.fake, id, 1)
			if !strings.Contains(i.Original.Content, tc.says) || strings.Contains(i.Original.Content, errs[tc.result].Error()) {
				t.Errorf("reply %q, want %q and no internals", i.Original.Content, tc.says)
			}
			r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "slash", "result", tc.result)
		})
	}
	// A panic in the Answerer is that question's error; the bot goes on.
	id, err := r.fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "panic"}, ChannelID: general, GuildID: guild, User: alice})
	if err != nil {
		t.Fatal(err)
	}
	if i := answered(t, r.fake, id, 1); !strings.Contains(i.Original.Content, "something went wrong") || strings.Contains(i.Original.Content, "torn") {
		t.Errorf("reply to a panic %q, want \"something went wrong\" and no internals", i.Original.Content)
	}
	if !strings.Contains(r.logs.String(), "panicked") {
		t.Errorf("the panic is not logged: %s", r.logs.String())
	}
	id, err = r.fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "error"}, ChannelID: general, GuildID: guild, User: alice})
	if err != nil {
		t.Fatal(err)
	}
	answered(t, r.fake, id, 1)
}

func TestFatalGatewayCloseEndsRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fake  fakediscord.Options
		opts  discord.Options
		token string
		want  error
		says  string
	}{
		{"close 4004", fakediscord.Options{CloseOnIdentify: 4004}, discord.Options{}, "", discord.ErrInvalidToken, "4004"},
		{"REST 401", fakediscord.Options{}, discord.Options{}, "wrong-token", discord.ErrInvalidToken, "401"},
		{"message content not enabled", fakediscord.Options{}, discord.Options{MentionAsking: true, RequireMention: true}, "", discord.ErrIntents, "developer portal"},
		{"close 4013", fakediscord.Options{CloseOnIdentify: 4013}, discord.Options{}, "", discord.ErrIntents, "4013"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := fakediscord.New(t, tc.fake)
			tc.opts.Token, tc.opts.APIBase = fake.Token(), fake.URL
			if tc.token != "" {
				tc.opts.Token = tc.token
			}
			b, err := discord.New(newIndex(t), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			errc := make(chan error, 1)
			go func() { errc <- b.Run(context.Background()) }()
			select {
			case err = <-errc:
			case <-time.After(10 * time.Second):
				t.Fatal("Run still running 10s after a fatal error: reconnecting forever?")
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Run = %v, want %v saying %q", err, tc.want, tc.says)
			}
			if strings.Contains(err.Error(), fake.Token()) {
				t.Errorf("the error shows the token: %v", err)
			}
			if identifies, _, _ := fake.Gateway(); identifies > 1 {
				t.Errorf("%d IDENTIFYs: the bot retried a fatal close", identifies)
			}
		})
	}
}

func TestReconnectsAfterTheGatewayDrops(t *testing.T) {
	t.Parallel()
	r := start(t, newIndex(t), fakediscord.Options{HeartbeatInterval: 50 * time.Millisecond}, discord.Options{})
	fake := r.fake
	if !fake.WaitFor(wait, func() bool { _, hb, _ := fake.Gateway(); return hb >= 2 }) {
		t.Error("no heartbeats")
	}
	if err := fake.CloseGateway(4000, ""); err != nil {
		t.Fatal(err)
	}
	if !fake.WaitFor(10*time.Second, fake.Ready) {
		t.Fatal("the bot did not reconnect")
	}
	if identifies, _, _ := fake.Gateway(); identifies != 1 {
		t.Errorf("%d IDENTIFYs, want the session resumed", identifies)
	}
	id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Where is cider pressed?"}, ChannelID: general, GuildID: guild, User: alice})
	if err != nil {
		t.Fatal(err)
	}
	if i := answered(t, fake, id, 1); !strings.Contains(i.Original.Content, "Brook Street") {
		t.Errorf("after reconnecting: %q", i.Original.Content)
	}
}

// streamingAnswerer writes its answer in tokens over a couple of seconds,
// like a model behind rag.Generative.
type streamingAnswerer struct{ fixedAnswerer }

func (s *streamingAnswerer) AskStream(ctx context.Context, q string, k int, onToken func(string)) (rag.Answer, error) {
	for _, tok := range strings.Fields("The harbour wall was rebuilt in stone after the storm of 1923 [1]") {
		select {
		case <-ctx.Done():
			return rag.Answer{}, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		onToken(tok + " ")
	}
	return s.Ask(ctx, q, k)
}

// A generated answer is shown while it is written, by editing the deferred
// response at most about once a second, and ends as the checked answer.
func TestSlashAskStreams(t *testing.T) {
	t.Parallel()
	a := &streamingAnswerer{fixedAnswerer{answer: rag.Answer{Answer: "The wall was rebuilt in stone [1].", Grounded: true,
		Citations: []rag.Citation{{N: 1, Source: "harbour.txt", Title: "Harbour", Text: "The wall was rebuilt in stone."}}}}}
	r := start(t, a, fakediscord.Options{}, discord.Options{})
	id, err := r.fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "What happened to the harbour wall?"}, ChannelID: general, GuildID: guild, User: alice})
	if err != nil {
		t.Fatal(err)
	}
	var i fakediscord.Interaction
	r.fake.WaitFor(wait, func() bool {
		i, _ = r.fake.Interaction(id)
		return i.Original != nil && len(i.Original.Embeds) > 0
	})
	if i.Original == nil || !strings.Contains(i.Original.Content, "rebuilt in stone [1]") {
		t.Fatalf("final answer = %+v", i.Original)
	}
	var edits []time.Time
	for _, req := range r.fake.Requests() {
		if req.Route == fakediscord.RouteEditOriginal && strings.Contains(req.Path, i.Token) {
			edits = append(edits, req.At)
		}
	}
	if len(edits) < 2 {
		t.Fatalf("%d edits of the response; want partial answers before the final one", len(edits))
	}
	for k := 1; k < len(edits)-1; k++ { // the final edit may follow the last partial at once
		if gap := edits[k].Sub(edits[k-1]); gap < 900*time.Millisecond {
			t.Errorf("partial edits %d and %d came %v apart; want about a second", k-1, k, gap)
		}
	}
}

// A mention without a question is answered with an example that names this
// bot and asks about one of its documents; with no documents indexed, a
// question is answered "0 documents indexed", not "the documents don't
// answer this".
func TestEmptyMentionAndNoDocuments(t *testing.T) {
	t.Parallel()
	r := start(t, newIndex(t), fakediscord.Options{MessageContent: true},
		discord.Options{MentionAsking: true, RequireMention: true, Channels: []string{general}})
	mention := "<@" + r.fake.Bot.ID + ">"
	if _, _, err := r.fake.Post(fakediscord.Post{ChannelID: general, GuildID: guild, Author: bob, Content: mention}); err != nil {
		t.Fatal(err)
	}
	got := replies(t, r.fake, general, 1)
	if want := "for example: " + mention + " What does ‘The Port Elin Lighthouse’ say?"; !strings.Contains(got[0].Content, want) {
		t.Errorf("reply %q, want an example naming this bot and corpus, %q", got[0].Content, want)
	}
	checkSilent(t, r.fake)

	empty := start(t, ragtest.New(t, t.TempDir()), fakediscord.Options{}, discord.Options{})
	id, err := empty.fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Who designed the lighthouse?"}, ChannelID: general, GuildID: guild, User: alice})
	if err != nil {
		t.Fatal(err)
	}
	if i := answered(t, empty.fake, id, 1); !strings.HasPrefix(i.Original.Content, "0 documents indexed") {
		t.Errorf("answer with no documents: %q, want it to say 0 documents indexed", i.Original.Content)
	}
	id, err = empty.fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "?"}, ChannelID: general, GuildID: guild, User: alice})
	if err != nil {
		t.Fatal(err)
	}
	if i := answered(t, empty.fake, id, 1); !strings.Contains(i.Original.Content, "0 documents indexed") {
		t.Errorf("empty question with no documents: %q, want it to say 0 documents indexed", i.Original.Content)
	}
}
