package discord

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"
)

// onMessage answers messages that mention the bot in an allowed channel,
// replies to its answers, and direct messages (MentionAsking).
func (b *Bot) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	// Bots, this one included, and webhooks are never answered; nor are
	// system messages (joins, pins, ...).
	if m == nil || m.Author == nil || m.Author.Bot || m.WebhookID != "" ||
		m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	ctx, ok := b.begin()
	if !ok {
		return
	}
	defer b.done()
	botID, _ := b.self()
	if m.Author.ID == botID {
		return
	}
	dm := m.GuildID == ""
	if !dm && !b.allowed(m.ChannelID) {
		return
	}
	mentioned := false
	for _, u := range m.Mentions {
		mentioned = mentioned || u != nil && u.ID == botID
	}
	// A reply to one of the bot's messages is a follow-up in its thread.
	ref := m.ReferencedMessage
	followup := ref != nil && ref.Author != nil && ref.Author.ID == botID
	if !dm && b.opts.RequireMention && !mentioned && !followup {
		return
	}

	q := question{id: m.ID, source: "mention", user: m.Author.ID, channel: m.ChannelID, start: time.Now()}
	switch {
	case followup:
		q.source = "followup"
	case dm:
		q.source = "dm"
	}
	q.text = cleanQuestion(m.Content)
	q.asked, q.conversation = q.text, turnID(q.id)
	var th thread
	if followup && q.text != "" {
		th, _ = b.recall(ctx, ref)
		if th.conversation != "" {
			q.conversation = th.conversation
		}
		if _, ok := b.answerer.(Conversational); ok {
			q.earlier = th.questions
		} else {
			q.asked = followUp(q.text, th.topic())
		}
	}
	if q.text == "" {
		if !mentioned && !dm && !followup {
			return // an attachment or sticker in a channel answered without mentions
		}
		o := outcome{reply: reply{pieces: []string{b.emptyQuestionText(q.source)}}, result: "empty"}
		ids, err := b.sendReply(ctx, m, o.reply)
		b.finish(q, o, len(ids), err)
		return
	}
	if ok, wait := b.limiter.allow(q.user); !ok {
		notice := b.rateLimited(q, wait)
		if b.limiter.tell(q.user) { // once a window: a notice per message would be spam of its own
			if _, err := b.sendReply(ctx, m, reply{pieces: []string{notice}}); err != nil {
				b.log.Warn("discord: rate limit notice failed", "id", q.id, "err", scrub(err))
			}
		}
		return
	}

	stop := b.typing(ctx, m.ChannelID)
	o := b.answer(ctx, q, nil) // a reply is sent once, when the answer is ready
	// Stored, and remembered by the question's id, before it is sent, so
	// that its buttons, and a reply that comes before the answer's own
	// ids are known, find it.
	b.keep(ctx, q, o)
	b.threads.remember(th.then(q), q.id)
	stop()
	ids, err := b.sendReply(ctx, m, o.reply)
	b.threads.remember(th.then(q), ids...)
	b.finish(q, o, len(ids), err)
}

// sendReply sends a reply to message m: the first message as a reply to it
// (or a plain message if m has been deleted meanwhile), the embeds and
// buttons on the last. It returns the ids of the messages sent.
func (b *Bot) sendReply(ctx context.Context, m *discordgo.Message, r reply) ([]string, error) {
	var ids []string
	for n := range r.pieces {
		content, embeds, comps := r.message(n)
		send := &discordgo.MessageSend{Content: content, Embeds: embeds, Components: comps, AllowedMentions: noMentions()}
		if n == 0 {
			send.Reference = m.SoftReference()
		}
		sent, err := b.session.ChannelMessageSendComplex(m.ChannelID, send, discordgo.WithContext(ctx))
		if err != nil {
			return ids, err
		}
		ids = append(ids, sent.ID)
	}
	return ids, nil
}

// typing shows the bot typing in a channel until the returned stop is
// called, refreshing it before Discord's ten seconds run out. The first
// request is made (within a second) before typing returns, so that it
// does not arrive after the answer; a rate-limited one is skipped rather
// than retried.
func (b *Bot) typing(ctx context.Context, channelID string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	show := func() {
		err := b.session.ChannelTyping(channelID, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		if err != nil && ctx.Err() == nil {
			b.log.Debug("discord: typing indicator failed", "channel", channelID, "err", scrub(err))
		}
	}
	// Wait for the first request, but not for long: a rate-limited bucket
	// would hold it, and the answer matters more than the indicator.
	first := make(chan struct{})
	go func() { show(); close(first) }()
	select {
	case <-first:
	case <-time.After(time.Second):
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(typingEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				show()
			}
		}
	}()
	return func() { cancel(); <-done }
}
