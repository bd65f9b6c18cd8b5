package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/rag"
)

// What the bot says when it cannot answer.
const (
	unavailableText = "The documents can't be searched right now. Please try again in a minute."
	failedText      = "Sorry, something went wrong while answering. It has been logged; please try again later."
)

// question is one question being answered, wherever it came from.
type question struct {
	id           string   // the interaction's or message's id: logged, and on the feedback buttons
	source       string   // slash, mention, dm or followup
	text         string   // as the user asked it
	asked        string   // as put to the Answerer: for a follow-up to one not Conversational, with its thread's topic
	earlier      []string // for a follow-up to a Conversational Answerer, the thread's questions, oldest first
	conversation string   // its conversation's id in the history: its own turn's for a question that starts one
	user         string
	channel      string
	start        time.Time
}

// outcome is what came of a question.
type outcome struct {
	reply     reply
	result    string // answered, abstained, empty, unavailable, error
	citations int
	answer    *rag.Answer // what the Answerer said, when it answered or abstained
}

// Streamer is implemented by Answerers that generate answers with a model
// (rag.Generative); /ask then shows the answer as it is written.
type Streamer interface {
	AskStream(ctx context.Context, question string, k int, onToken func(string)) (rag.Answer, error)
}

// streamEditEvery is the least time between two edits of a streamed answer.
const streamEditEvery = time.Second

// ask puts q to the Answerer. A panic in it is an error of this question
// (logged with its stack), not the end of the bot: discordgo runs the
// handler in a goroutine of its own, where a panic would stop the process.
func (b *Bot) ask(ctx context.Context, q question, partial func(string)) (ans rag.Answer, err error) {
	defer func() {
		if v := recover(); v != nil {
			b.log.Error("discord question panicked", "id", q.id, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	c, conversational := b.answerer.(Conversational)
	s, streaming := b.answerer.(Streamer)
	switch {
	case conversational && len(q.earlier) > 0:
		return c.AskIn(ctx, q.asked, q.earlier, b.opts.K)
	case streaming && partial != nil:
		var text strings.Builder
		last := time.Now()
		return s.AskStream(ctx, q.asked, b.opts.K, func(tok string) {
			text.WriteString(tok)
			if time.Since(last) >= streamEditEvery {
				last = time.Now()
				partial(text.String())
			}
		})
	}
	return b.answerer.Ask(ctx, q.asked, b.opts.K)
}

// answer asks the Answerer and renders what comes back, an error included,
// as a reply for the user. A follow-up with earlier questions is asked in
// their context (Conversational). With partial not nil and a streaming
// Answerer, partial receives the answer's text so far, at most once a
// streamEditEvery.
func (b *Bot) answer(ctx context.Context, q question, partial func(string)) outcome {
	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	ans, err := b.ask(ctx, q, partial)
	switch {
	case errors.Is(err, rag.ErrEmptyQuestion):
		return outcome{reply: reply{pieces: []string{b.emptyQuestionText(q.source)}}, result: "empty"}
	case errors.Is(err, rag.ErrUnavailable):
		b.log.Warn("discord question: index unavailable", "id", q.id, "err", err)
		return outcome{reply: reply{pieces: []string{unavailableText}}, result: "unavailable"}
	case err != nil:
		b.log.Error("discord question failed", "id", q.id, "err", err)
		return outcome{reply: reply{pieces: []string{failedText}}, result: "error"}
	}
	o := outcome{reply: renderAnswer(ans, q.id), result: "answered", citations: len(ans.Citations), answer: &ans}
	if !ans.Grounded {
		o.result, o.citations = "abstained", 0
		if len(b.answerer.Documents()) == 0 {
			o.reply.pieces = []string{noDocumentsText}
		}
	}
	return o
}

// finish counts and logs a question once its reply has been sent (or not:
// sendErr).
func (b *Bot) finish(q question, o outcome, sent int, sendErr error) {
	attrs := []any{
		"id", q.id, "source", q.source, "user", q.user, "channel", q.channel,
		"question", q.text, "result", o.result, "citations", o.citations,
		"messages", sent, "duration", time.Since(q.start).Round(time.Millisecond),
	}
	if o.answer != nil {
		// So that a question's id leads to a bad answer, as serve's log.
		attrs = append(attrs, "grounded", o.answer.Grounded, "confidence", math.Round(o.answer.Confidence*1000)/1000)
	}
	if q.asked != q.text {
		attrs = append(attrs, "asked", q.asked)
	}
	if len(q.earlier) > 0 {
		attrs = append(attrs, "earlier", len(q.earlier))
	}
	level := slog.LevelInfo
	if sendErr != nil {
		level = slog.LevelError
		attrs = append(attrs, "err", scrub(sendErr))
	}
	b.log.Log(context.Background(), level, "discord question", attrs...)
	// Counted after the line is written: a count seen means its line is
	// there (TestQuestionLogGroundedConfidence waits for the count).
	b.metrics.questions.WithLabelValues(q.source, o.result).Inc()
}

// rateLimited counts a question over the user's limit and words the notice.
func (b *Bot) rateLimited(q question, wait time.Duration) string {
	b.log.Info("discord question", "id", q.id, "source", q.source, "user", q.user, "channel", q.channel,
		"result", "rate_limited", "retry_after", wait.Round(time.Second))
	b.metrics.questions.WithLabelValues(q.source, "rate_limited").Inc()
	secs := max(1, int(math.Ceil(wait.Seconds())))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return fmt.Sprintf("You're asking faster than I can keep up with (%d questions a minute). Please wait %d %s before your next question.",
		b.opts.UserRatePerMinute, secs, unit)
}

// noDocumentsText is said instead of "the documents don't answer this"
// when there are none to answer from.
const noDocumentsText = "0 documents indexed: there is nothing to answer from yet. " +
	"Whoever runs this bot can add documents to its folder; /sources lists them."

// hasWords reports whether a question has anything to search for: a letter
// or a digit, as rag.ErrEmptyQuestion has it.
func hasWords(q string) bool {
	return strings.ContainsFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// emptyQuestionText asks for a question with words in it, with an example
// that names this bot and asks about one of its documents.
func (b *Bot) emptyQuestionText(source string) string {
	example := exampleQuestion(b.answerer.Documents())
	if example == "" {
		return "Please ask a question with some words in it — though with 0 documents indexed there is nothing to answer from yet."
	}
	switch source {
	case "slash":
		return "Please ask a question with some words in it, for example `/ask question: " + example + "`"
	case "dm":
		return "Send me a question with some words in it, for example: " + example
	}
	name := "me"
	if userID, _ := b.self(); userID != "" {
		name = "<@" + userID + ">" // shown as @name; noMentions keeps it from pinging
	}
	return "Ask me a question in the same message — for example: " + name + " " + example + " — or use `/ask`."
}

// exampleQuestion is a question about the first indexed document with a
// title (or else the first document's name): "What does ‘The Port Elin
// Lighthouse’ say?"; "" when none is indexed.
func exampleQuestion(docs []rag.DocumentInfo) string {
	if len(docs) == 0 {
		return ""
	}
	name := ""
	for _, d := range docs {
		if name = oneLine(d.Title); name != "" {
			break
		}
	}
	if name == "" {
		name = docs[0].Source
	}
	name = strings.NewReplacer("`", "'", "‘", "'", "’", "'").Replace(truncate(name, 80))
	return "What does ‘" + name + "’ say?"
}

// noMentions is set on every message the bot sends: text from documents or
// questions must never ping anyone, nor the replied-to user.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// mentionTokens are user, role and channel mentions in message content.
var mentionTokens = regexp.MustCompile(`<(@[!&]?|#)[0-9]+>`)

// cleanQuestion takes the question out of a message: without mentions
// (the bot's own, or any other: they mean nothing to the documents), with
// its whitespace collapsed, at most maxQuestionRune characters long.
func cleanQuestion(content string) string {
	q := oneLine(mentionTokens.ReplaceAllString(content, " "))
	if r := []rune(q); len(r) > maxQuestionRune {
		q = string(r[:maxQuestionRune])
	}
	return q
}

// allowed reports whether the bot answers in a server channel.
func (b *Bot) allowed(channelID string) bool {
	return len(b.channels) == 0 || b.channels[channelID]
}

// elsewhereText tells a user where the bot does answer.
func (b *Bot) elsewhereText() string {
	if len(b.opts.Channels) > 10 {
		return "I don't answer questions in this channel; please ask in one of the channels set up for me."
	}
	var chs []string
	for _, c := range b.opts.Channels {
		chs = append(chs, "<#"+strings.TrimSpace(c)+">")
	}
	return "I don't answer questions in this channel; please ask in " + strings.Join(chs, ", ") + "."
}
