package discord

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/rag"
)

// Feedback buttons carry "fb:<vote>:<question id>" as their custom id, and
// the form a 👎 opens carries its button's: a question id is a snowflake of
// at most 20 digits, well inside Discord's 100 characters, and names the
// answer's turn in the history (turnID).
const feedbackPrefix = "fb:"

func feedbackButtons(qid string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👍"}, CustomID: feedbackPrefix + rag.VoteUp + ":" + qid},
		discordgo.Button{Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👎"}, CustomID: feedbackPrefix + rag.VoteDown + ":" + qid},
	}}}
}

// parseFeedback reads a feedback button's (or form's) custom id.
func parseFeedback(customID string) (vote, qid string, ok bool) {
	rest, ok := strings.CutPrefix(customID, feedbackPrefix)
	if !ok {
		return "", "", false
	}
	vote, qid, ok = strings.Cut(rest, ":")
	if !ok || (vote != rag.VoteUp && vote != rag.VoteDown) || qid == "" {
		return "", "", false
	}
	return vote, qid, true
}

// The form a 👎 opens: one optional paragraph, as long as a stored comment
// may be (Discord counts at most as many characters as there are runes).
// Discord allows a title and a label of 45 characters.
const (
	formTitle    = "What was wrong?"
	commentLabel = "What was wrong with this answer?"
	commentField = "comment"
)

func feedbackForm(customID string) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		CustomID: customID,
		Title:    formTitle,
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{
				CustomID:    commentField,
				Label:       commentLabel,
				Style:       discordgo.TextInputParagraph,
				Placeholder: "Optional: what was wrong, missing or badly cited",
				MaxLength:   rag.MaxCommentRunes,
			},
		}}},
	}
}

// formValue returns the value of a form's text input.
func formValue(components []discordgo.MessageComponent, customID string) string {
	for _, row := range components {
		r, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			if in, ok := c.(*discordgo.TextInput); ok && in.CustomID == customID {
				return in.Value
			}
		}
	}
	return ""
}

// onButton takes a click on a feedback button. A 👍 is a vote at once, and
// so is a 👎 when the bot has no history to keep a comment in; with one, a
// 👎 opens a form asking what was wrong, and its submission is the vote (a
// form closed without submitting is none).
func (b *Bot) onButton(ctx context.Context, i *discordgo.Interaction) {
	customID := i.MessageComponentData().CustomID
	vote, qid, ok := parseFeedback(customID)
	if !ok {
		// Not ours to act on, but Discord wants every interaction answered.
		b.ack(ctx, i)
		return
	}
	if vote == rag.VoteDown && b.history != nil {
		err := b.session.InteractionRespond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseModal, Data: feedbackForm(customID),
		}, discordgo.WithContext(ctx))
		if err != nil {
			b.log.Error("discord: opening the feedback form failed", "id", qid, "err", scrub(err))
		}
		return
	}
	b.vote(ctx, i, vote, qid, "")
}

// onFeedbackForm takes a submitted 👎 form: the vote with its comment.
func (b *Bot) onFeedbackForm(ctx context.Context, i *discordgo.Interaction) {
	data := i.ModalSubmitData()
	vote, qid, ok := parseFeedback(data.CustomID)
	if !ok {
		b.log.Warn("discord: unknown form submitted", "custom_id", data.CustomID)
		b.respond(ctx, i, reply{pieces: []string{"Sorry, I don't know that form."}}, true)
		return
	}
	b.vote(ctx, i, vote, qid, strings.TrimSpace(formValue(data.Components, commentField)))
}

// What the bot says to a vote, to the voter alone.
const (
	thanksUp     = "Thanks — glad it helped."
	thanksDown   = "Thanks — noted that this answer missed."
	voteNotSaved = "Thanks — but your vote couldn't be saved just now. Please try again in a few minutes."
	formNotSaved = "Thanks — but your vote and comment couldn't be saved just now. Please try again in a few minutes."
)

// vote counts a vote, stores it in the history if the bot has one, logs it
// and thanks the voter. A vote the history cannot take is still counted and
// answered: the voter is told it was not saved.
func (b *Bot) vote(ctx context.Context, i *discordgo.Interaction, vote, qid, comment string) {
	b.metrics.feedback.WithLabelValues(vote).Inc()
	attrs := []any{"id", qid, "vote", vote, "user", interactionUser(i), "channel", i.ChannelID}
	if comment != "" {
		attrs = append(attrs, "comment", comment)
	}
	level, thanks := slog.LevelInfo, thanksUp
	if vote == rag.VoteDown {
		thanks = thanksDown
	}
	if b.history != nil {
		hctx, cancel := context.WithTimeout(ctx, historyTimeout)
		err := b.history.AddFeedback(hctx, rag.Feedback{Answer: turnID(qid), Vote: vote, Comment: comment})
		cancel()
		switch {
		case err == nil:
			attrs = append(attrs, "stored", true)
		case errors.Is(err, rag.ErrNotFound):
			// An answer from before the history, pruned, or not stored
			// when it was given: nothing to attach the vote to, and
			// nothing the voter can do about it.
			attrs = append(attrs, "stored", false, "why", "answer not in the history")
		default:
			level, thanks = slog.LevelWarn, voteNotSaved
			if i.Type == discordgo.InteractionModalSubmit {
				thanks = formNotSaved
			}
			attrs = append(attrs, "stored", false, "err", err)
		}
	}
	b.log.Log(ctx, level, "discord feedback", attrs...)
	b.respond(ctx, i, reply{pieces: []string{thanks}}, true)
}
