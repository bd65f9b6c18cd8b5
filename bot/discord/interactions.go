package discord

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"
)

// onInteraction handles slash commands, button clicks and forms.
func (b *Bot) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	ctx, ok := b.begin()
	if !ok {
		return
	}
	defer b.done()
	i := ic.Interaction
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		switch data.Name {
		case cmdAsk:
			b.slashAsk(ctx, i, data)
		case cmdSources:
			b.respond(ctx, i, reply{pieces: renderSources(b.answerer.Documents())}, true)
		case cmdHelp:
			b.respond(ctx, i, reply{pieces: Split(helpText(b.opts.MentionAsking), MessageLimit)}, true)
		default:
			b.log.Warn("discord: unknown command", "name", data.Name)
			b.respond(ctx, i, reply{pieces: []string{"I don't know that command; try /help."}}, true)
		}
	case discordgo.InteractionMessageComponent:
		b.onButton(ctx, i)
	case discordgo.InteractionModalSubmit:
		b.onFeedbackForm(ctx, i)
	}
}

// slashAsk answers /ask: it defers at once, so that Discord's three-second
// deadline is met whatever answering costs, then edits the deferred
// response into the answer.
func (b *Bot) slashAsk(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	q := question{id: i.ID, source: "slash", user: interactionUser(i), channel: i.ChannelID, start: time.Now()}
	q.conversation = turnID(q.id)
	private := false
	for _, o := range data.Options {
		switch o.Name {
		case optQuestion:
			q.text = cleanQuestion(o.StringValue())
		case optPrivate:
			private = o.BoolValue()
		}
	}
	q.asked = q.text
	if i.GuildID != "" && !b.allowed(i.ChannelID) {
		b.respond(ctx, i, reply{pieces: []string{b.elsewhereText()}}, true)
		return
	}
	if !hasWords(q.text) {
		// Said at once and to the asker alone, like the other notices.
		o := outcome{reply: reply{pieces: []string{b.emptyQuestionText(q.source)}}, result: "empty"}
		b.respond(ctx, i, o.reply, true)
		b.finish(q, o, 1, nil)
		return
	}
	if ok, wait := b.limiter.allow(q.user); !ok {
		b.respond(ctx, i, reply{pieces: []string{b.rateLimited(q, wait)}}, true)
		return
	}
	var flags discordgo.MessageFlags
	if private {
		flags = discordgo.MessageFlagsEphemeral
	}
	err := b.session.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags},
	}, discordgo.WithContext(ctx))
	if err != nil {
		o := outcome{result: "error"}
		b.finish(q, o, 0, err)
		return
	}
	// A generated answer shows in the deferred response as it is written;
	// the final edit replaces it with the checked answer and citations.
	partial := func(text string) {
		pieces := Split(text+" …", MessageLimit)
		_, err := b.session.InteractionResponseEdit(i, &discordgo.WebhookEdit{
			Content: &pieces[0], AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		if err != nil {
			b.log.Warn("discord: streaming edit failed", "id", q.id, "err", scrub(err))
		}
	}
	o := b.answer(ctx, q, partial)
	b.keep(ctx, q, o) // before the buttons show
	b.threads.remember(thread{}.then(q), q.id)
	ids, err := b.respondDeferred(ctx, i, o.reply, private)
	b.threads.remember(thread{}.then(q), ids...)
	b.finish(q, o, len(ids), err)
}

// ack acknowledges a component interaction without changing anything.
func (b *Bot) ack(ctx context.Context, i *discordgo.Interaction) {
	err := b.session.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}, discordgo.WithContext(ctx))
	if err != nil {
		b.log.Warn("discord: acknowledging an interaction failed", "id", i.ID, "err", scrub(err))
	}
}

// respond answers an interaction at once with a reply: its first message
// as the response, the rest as follow-ups.
func (b *Bot) respond(ctx context.Context, i *discordgo.Interaction, r reply, ephemeral bool) {
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	first, embeds, comps := r.message(0)
	err := b.session.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: first, Embeds: embeds, Components: comps, Flags: flags, AllowedMentions: noMentions()},
	}, discordgo.WithContext(ctx))
	if err == nil {
		_, err = b.followups(ctx, i, r, flags)
	}
	if err != nil {
		b.log.Error("discord: responding to an interaction failed", "id", i.ID, "err", scrub(err))
	}
}

// respondDeferred edits a deferred response into a reply's first message
// and sends the rest as follow-ups; it returns the ids of the messages sent.
func (b *Bot) respondDeferred(ctx context.Context, i *discordgo.Interaction, r reply, ephemeral bool) ([]string, error) {
	first, embeds, comps := r.message(0)
	edit := &discordgo.WebhookEdit{Content: &first, AllowedMentions: noMentions()}
	if len(embeds) > 0 {
		edit.Embeds = &embeds
	}
	if len(comps) > 0 {
		edit.Components = &comps
	}
	m, err := b.session.InteractionResponseEdit(i, edit, discordgo.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	ids, err := b.followups(ctx, i, r, flags)
	return append([]string{m.ID}, ids...), err
}

// followups sends a reply's messages after the first as follow-ups.
func (b *Bot) followups(ctx context.Context, i *discordgo.Interaction, r reply, flags discordgo.MessageFlags) ([]string, error) {
	var ids []string
	for n := 1; n < len(r.pieces); n++ {
		content, embeds, comps := r.message(n)
		m, err := b.session.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
			Content: content, Embeds: embeds, Components: comps, Flags: flags, AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		if err != nil {
			return ids, err
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}

// message returns the content of a reply's n-th message, and the embeds and
// buttons if it is the last.
func (r reply) message(n int) (string, []*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	if n < len(r.pieces)-1 {
		return r.pieces[n], nil, nil
	}
	return r.pieces[n], r.embeds, r.components
}

// interactionUser is the id of the user who caused an interaction: a member
// in a server, a user in a direct message.
func interactionUser(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return i.Member.User.ID
	case i.User != nil:
		return i.User.ID
	}
	return ""
}
