package discord

import (
	"context"
	"errors"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/rag"
)

// History keeps conversations and the votes on their answers, so that a
// follow-up is answered in context after a restart and a 👍/👎 reaches the
// operators; the SQLite and PostgreSQL histories (rag/sqlite,
// rag/postgres) are ones. Its errors wrap rag.ErrHistoryUnavailable when it
// cannot be reached for now: the bot then answers without it.
type History interface {
	// AddTurn stores a question and its answer; an ID already stored is
	// an error.
	AddTurn(ctx context.Context, t rag.Turn) error
	// Turn returns the turn with this ID, or rag.ErrNotFound.
	Turn(ctx context.Context, id string) (rag.Turn, error)
	// Conversation returns a conversation's turns, oldest first, or
	// rag.ErrNotFound.
	Conversation(ctx context.Context, id string) ([]rag.Turn, error)
	// AddFeedback stores a vote on a stored answer: rag.ErrNotFound for
	// one not stored, rag.ErrInvalidFeedback for a vote or comment no
	// history takes.
	AddFeedback(ctx context.Context, f rag.Feedback) error
}

// Conversational is implemented by Answerers that answer a follow-up in the
// context of the questions before it (*rag.Index, *rag.Generative); the
// bot asks others the follow-up with the earlier questions' topic.
type Conversational interface {
	AskIn(ctx context.Context, question string, earlier []string, k int) (rag.Answer, error)
}

// front is rag.Turn's Front for what is asked in Discord.
const front = "discord"

// historyTimeout bounds one call to the history: an answer does not wait
// longer for it.
const historyTimeout = 5 * time.Second

// turnID names the answer to the question (interaction or message) with
// this id in the history. The feedback buttons carry the question's id, so
// a vote finds its turn without asking Discord anything; Discord's ids are
// unique, so two answers never share one.
func turnID(questionID string) string { return "discord-" + questionID }

// maxEarlier bounds the earlier questions a thread remembers and a
// follow-up is asked with: rag follows at most three back.
const maxEarlier = 8

// lastQuestions returns the last maxEarlier questions.
func lastQuestions(qs []string) []string {
	if len(qs) > maxEarlier {
		qs = qs[len(qs)-maxEarlier:]
	}
	return qs
}

// recall finds the thread that an answer message of the bot belongs to, so
// that a reply to it is asked as a follow-up: from memory, else (after a
// restart) from the history, through the question id the message's
// feedback buttons carry, or the question it replies to. With a history the
// earlier questions are read from it, so that every replica of the bot
// sees the same conversation; if it cannot be read they come from memory.
func (b *Bot) recall(ctx context.Context, ref *discordgo.Message) (thread, bool) {
	th, known := b.threads.lookup(ref.ID)
	if !known {
		// A reply sent before the answer's own ids were remembered: the
		// answer names the question it answered.
		if qid := answeredQuestion(ref); qid != "" {
			th, known = b.threads.lookup(qid)
		}
	}
	if b.history == nil {
		return th, known
	}
	id := th.turn
	if !known {
		id = answeredQuestion(ref)
		if id == "" {
			return thread{}, false
		}
		id = turnID(id)
	}
	ctx, cancel := context.WithTimeout(ctx, historyTimeout)
	defer cancel()
	t, err := b.history.Turn(ctx, id)
	if err == nil {
		var turns []rag.Turn
		if turns, err = b.history.Conversation(ctx, t.Conversation); err == nil {
			return threadUpTo(turns, t.ID), true
		}
	}
	if !errors.Is(err, rag.ErrNotFound) {
		b.log.Warn("discord: reading a conversation from the history failed; answering from memory", "turn", id, "err", err)
	}
	return th, known
}

// threadUpTo is the thread of the turn with this id: the conversation's
// questions up to and including it, so that a reply to an earlier answer
// of a conversation is not asked in the context of the later ones.
func threadUpTo(turns []rag.Turn, id string) thread {
	th := thread{turn: id}
	for _, t := range turns {
		th.conversation = t.Conversation
		th.questions = append(th.questions, t.Question)
		if t.ID == id {
			break
		}
	}
	th.questions = lastQuestions(th.questions)
	return th
}

// answeredQuestion returns the id of the question that an answer message of
// the bot answered: the one its feedback buttons carry (on an answer's last
// message), else the interaction it responds to (a slash command's), else
// the message it replies to (an answer's first message); "" if none.
func answeredQuestion(m *discordgo.Message) string {
	for _, row := range m.Components {
		r, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			if btn, ok := c.(*discordgo.Button); ok {
				if _, qid, ok := parseFeedback(btn.CustomID); ok {
					return qid
				}
			}
		}
	}
	if m.InteractionMetadata != nil && m.InteractionMetadata.ID != "" {
		return m.InteractionMetadata.ID
	}
	if m.MessageReference != nil {
		return m.MessageReference.MessageID
	}
	return ""
}

// keep stores a question answered and its answer as a turn of its
// conversation. Answers go on without the history: a failure is logged.
func (b *Bot) keep(ctx context.Context, q question, o outcome) {
	if b.history == nil || o.answer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, historyTimeout)
	defer cancel()
	err := b.history.AddTurn(ctx, rag.Turn{
		ID: turnID(q.id), Conversation: q.conversation, Question: q.text, Answer: *o.answer, Front: front,
	})
	if err != nil {
		b.log.Warn("discord: storing the answer in the history failed", "id", q.id, "err", err)
	}
}
