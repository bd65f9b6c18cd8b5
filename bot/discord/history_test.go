package discord_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/bot/discord/fakediscord"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/ragtest"
	"github.com/citebot/citebot/rag/sqlite"
)

// openHistory opens the SQLite history in file, closed at the end of the
// test.
func openHistory(t *testing.T, file string) *sqlite.History {
	t.Helper()
	h, err := sqlite.Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// recent returns every record the history holds, newest first.
func recent(t *testing.T, h discord.History) []rag.Record {
	t.Helper()
	recs, err := h.(*sqlite.History).Recent(context.Background(), rag.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// conversation reads one of the development conversations
// (testdata/followups.jsonl) by id.
func conversation(t *testing.T, id string) (questions []string, answers []*regexp.Regexp) {
	t.Helper()
	for _, c := range ragtest.EvalCases(t, "../../testdata/followups.jsonl") {
		if c.Conversation == id {
			questions = append(questions, c.Question)
			answers = append(answers, regexp.MustCompile("(?i)"+*c.Answer))
		}
	}
	if len(questions) == 0 {
		t.Fatalf("no conversation %s in testdata/followups.jsonl", id)
	}
	return questions, answers
}

// inContext is the real index, recording the last question it was asked
// in the context of earlier ones.
type inContext struct {
	*rag.Index
	mu    sync.Mutex
	asked string
}

func (x *inContext) AskIn(ctx context.Context, question string, earlier []string, k int) (rag.Answer, error) {
	x.mu.Lock()
	x.asked = question + " after " + strings.Join(earlier, " | ")
	x.mu.Unlock()
	return x.Index.AskIn(ctx, question, earlier, k)
}

func (x *inContext) last() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.asked
}

// A reply to an answer is a follow-up in its conversation even when the
// bot has been restarted in between: the conversation is read from the
// history, as the SQLite file keeps it.
func TestFollowUpAfterRestart(t *testing.T) {
	questions, answers := conversation(t, "f02") // the National Guard, then "And with the army?"
	index := &inContext{Index: ragtest.New(t, "../../corpus")}

	for _, tc := range []struct {
		name string
		ask  func(t *testing.T, r *running, question string) fakediscord.Message // asks and returns the answer
	}{
		{"mention", func(t *testing.T, r *running, question string) fakediscord.Message {
			before := len(r.fake.Sent(general))
			if _, _, err := r.fake.Post(fakediscord.Post{ChannelID: general, GuildID: guild, Author: alice, Content: "<@" + r.fake.Bot.ID + "> " + question}); err != nil {
				t.Fatal(err)
			}
			return replies(t, r.fake, general, before+1)[before]
		}},
		{"slash", func(t *testing.T, r *running, question string) fakediscord.Message {
			id, err := r.fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": question}, ChannelID: general, GuildID: guild, User: alice})
			if err != nil {
				t.Fatal(err)
			}
			return *answered(t, r.fake, id, 1).Original
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "history.db")
			opts := discord.Options{GuildID: guild, MentionAsking: true, RequireMention: true, History: openHistory(t, file)}
			first := start(t, index, fakediscord.Options{MessageContent: true}, opts)
			answer := tc.ask(t, first, questions[0])
			if !answers[0].MatchString(answer.Content) {
				t.Fatalf("%q answered %q, want /%s/", questions[0], answer.Content, answers[0])
			}
			first.wantCounter(t, 1, "citebot_discord_questions_total", "result", "answered") // done with it
			if err := first.stop(); err != nil {
				t.Fatal(err)
			}
			opts.History.(*sqlite.History).Close()

			// The restarted bot knows nothing of the conversation but what
			// the file holds.
			opts.History = openHistory(t, file)
			second := startOn(t, first.fake, index, opts)
			if _, _, err := second.fake.Post(fakediscord.Post{ChannelID: general, GuildID: guild, Author: alice, Content: questions[1], ReplyTo: answer.ID}); err != nil {
				t.Fatal(err)
			}
			var got fakediscord.Message
			second.fake.WaitFor(wait, func() bool {
				sent := second.fake.Sent(general)
				if len(sent) == 0 {
					return false
				}
				got = sent[len(sent)-1]
				return got.ReferencedMessage != nil && got.ReferencedMessage.Content == questions[1]
			})
			if !answers[1].MatchString(got.Content) {
				t.Errorf("the follow-up %q after a restart answered %q, want /%s/", questions[1], got.Content, answers[1])
			}
			second.wantCounter(t, 1, "citebot_discord_questions_total", "source", "followup", "result", "answered")
			// "And with the army?" alone happens to be answered so too:
			// what shows the restart lost nothing is that it was asked
			// with the question before it.
			if got, want := index.last(), questions[1]+" after "+questions[0]; got != want {
				t.Errorf("the follow-up was asked as %q, want %q", got, want)
			}

			recs := recent(t, opts.History)
			if len(recs) != 2 {
				t.Fatalf("the history holds %d turns, want 2: %+v", len(recs), recs)
			}
			follow, opening := recs[0], recs[1]
			if opening.Question != questions[0] || follow.Question != questions[1] {
				t.Errorf("stored questions %q then %q, want %q then %q", opening.Question, follow.Question, questions[0], questions[1])
			}
			if follow.Conversation != opening.Conversation || opening.Front != "discord" || follow.Front != "discord" {
				t.Errorf("turns %s (conversation %s, front %s) and %s (conversation %s, front %s): want one Discord conversation",
					opening.ID, opening.Conversation, opening.Front, follow.ID, follow.Conversation, follow.Front)
			}
			if !answers[1].MatchString(follow.Answer.Answer) || !follow.Answer.Grounded {
				t.Errorf("stored follow-up answer %q (grounded %v)", follow.Answer.Answer, follow.Answer.Grounded)
			}
		})
	}
}

// askLighthouse asks /ask about the test corpus's lighthouse and returns
// the answer.
func askLighthouse(t *testing.T, fake *fakediscord.Server) fakediscord.Message {
	t.Helper()
	id, err := fake.Invoke(fakediscord.Command{Name: "ask", Options: map[string]any{"question": "Who designed the Port Elin lighthouse?"}, ChannelID: general, GuildID: guild, User: alice})
	if err != nil {
		t.Fatal(err)
	}
	m := *answered(t, fake, id, 1).Original
	if !strings.Contains(m.Content, "Mara Quist") || len(m.Buttons()) != 2 {
		t.Fatalf("answer %q with %d buttons", m.Content, len(m.Buttons()))
	}
	return m
}

// click clicks an answer's 👍 (0) or 👎 (1) as bob and waits for the bot to
// answer the click.
func click(t *testing.T, fake *fakediscord.Server, answer fakediscord.Message, button int) fakediscord.Interaction {
	t.Helper()
	id, err := fake.Click(answer.ID, answer.Buttons()[button].CustomID, bob)
	if err != nil {
		t.Fatal(err)
	}
	var i fakediscord.Interaction
	if !fake.WaitFor(wait, func() bool { i, _ = fake.Interaction(id); return len(i.Callbacks) > 0 }) {
		t.Fatalf("click %s not answered within %v", id, wait)
	}
	return i
}

// submit fills in the form an interaction opened and waits for the bot's
// answer to it.
func submit(t *testing.T, fake *fakediscord.Server, form fakediscord.Interaction, values map[string]string) fakediscord.Interaction {
	t.Helper()
	if form.Modal == nil {
		t.Fatalf("interaction %s answered with %+v, want a form", form.ID, form.Callbacks)
	}
	id, err := fake.Submit(form.ID, values)
	if err != nil {
		t.Fatal(err)
	}
	return answered(t, fake, id, 1)
}

// Votes reach the history: 👍 at once, 👎 through a form asking what was
// wrong, whose comment is stored with it.
func TestVotesReachTheHistory(t *testing.T) {
	h := openHistory(t, filepath.Join(t.TempDir(), "history.db"))
	r := start(t, newIndex(t), fakediscord.Options{}, discord.Options{GuildID: guild, History: h})
	answer := askLighthouse(t, r.fake)

	up := click(t, r.fake, answer, 0)
	if up.Callbacks[0].Type != fakediscord.CallbackMessage || !up.Original.Ephemeral() || up.Original.Content != "Thanks — glad it helped." {
		t.Errorf("👍 answered with %+v %q, want an ephemeral thank-you", up.Callbacks, up.Original.Content)
	}

	down := click(t, r.fake, answer, 1)
	if down.Callbacks[0].Type != fakediscord.CallbackModal || down.Modal.Title != "What was wrong?" {
		t.Fatalf("👎 answered with %+v, form %+v; want the form \"What was wrong?\"", down.Callbacks, down.Modal)
	}
	if in := down.Modal.TextInputs(); len(in) != 1 || in[0].Required == nil || *in[0].Required || in[0].MaxLength == nil || *in[0].MaxLength > rag.MaxCommentRunes {
		t.Errorf("form inputs %+v, want one optional comment of at most %d characters", in, rag.MaxCommentRunes)
	}
	r.wantCounter(t, 0, "citebot_discord_feedback_total", "vote", "down") // not a vote until submitted
	comment := "It names the engineer but not the year, and the lamp's range is missing."
	sub := submit(t, r.fake, down, map[string]string{"comment": comment})
	if !sub.Original.Ephemeral() || sub.Original.Content != "Thanks — noted that this answer missed." {
		t.Errorf("the form's submission answered %q (ephemeral %v), want an ephemeral thank-you", sub.Original.Content, sub.Original.Ephemeral())
	}
	// A form sent without a comment is a 👎 all the same.
	submit(t, r.fake, click(t, r.fake, answer, 1), nil)

	r.wantCounter(t, 1, "citebot_discord_feedback_total", "vote", "up")
	r.wantCounter(t, 2, "citebot_discord_feedback_total", "vote", "down")
	recs := recent(t, h)
	if len(recs) != 1 {
		t.Fatalf("the history holds %d turns, want the one answer: %+v", len(recs), recs)
	}
	rec := recs[0]
	if rec.Question != "Who designed the Port Elin lighthouse?" || !strings.Contains(rec.Answer.Answer, "Mara Quist") || rec.Front != "discord" {
		t.Errorf("stored turn %q → %q from %q", rec.Question, rec.Answer.Answer, rec.Front)
	}
	if rec.Up != 1 || rec.Down != 2 || len(rec.Feedback) != 3 {
		t.Fatalf("stored votes: %d up, %d down, feedback %+v; want 1 up and 2 down", rec.Up, rec.Down, rec.Feedback)
	}
	if f := rec.Feedback[1]; f.Vote != rag.VoteDown || f.Comment != comment {
		t.Errorf("the 👎 with a comment is stored as %+v", f)
	}
	if f := rec.Feedback[2]; f.Vote != rag.VoteDown || f.Comment != "" {
		t.Errorf("the 👎 without a comment is stored as %+v", f)
	}
}

// A history that cannot be written does not stop the bot: questions are
// answered, and votes are counted and acknowledged, with a word that they
// could not be saved.
func TestHistoryUnavailable(t *testing.T) {
	h := openHistory(t, filepath.Join(t.TempDir(), "history.db"))
	r := start(t, newIndex(t), fakediscord.Options{}, discord.Options{GuildID: guild, History: h})
	answer := askLighthouse(t, r.fake)
	h.Close() // every call fails from now on with rag.ErrHistoryUnavailable

	up := click(t, r.fake, answer, 0)
	if up.Callbacks[0].Type != fakediscord.CallbackMessage || !up.Original.Ephemeral() || !strings.Contains(up.Original.Content, "couldn't be saved") {
		t.Errorf("👍 answered with %+v %q, want an ephemeral word that the vote could not be saved", up.Callbacks, up.Original.Content)
	}
	sub := submit(t, r.fake, click(t, r.fake, answer, 1), map[string]string{"comment": "Wrong engineer."})
	if !sub.Original.Ephemeral() || !strings.Contains(sub.Original.Content, "comment couldn't be saved") {
		t.Errorf("the form's submission answered %q, want an ephemeral word that it could not be saved", sub.Original.Content)
	}
	r.wantCounter(t, 1, "citebot_discord_feedback_total", "vote", "up")
	r.wantCounter(t, 1, "citebot_discord_feedback_total", "vote", "down")

	askLighthouse(t, r.fake) // answered all the same
	if logs := r.logs.String(); !strings.Contains(logs, "storing the answer in the history failed") || !strings.Contains(logs, "Wrong engineer.") {
		t.Errorf("the log does not say what the history lost:\n%s", logs)
	}
}

// Without a history a reply is a follow-up all the same, while the bot
// remembers the answer: asked with the questions before it.
func TestFollowUpInMemory(t *testing.T) {
	questions, answers := conversation(t, "f02")
	index := &inContext{Index: ragtest.New(t, "../../corpus")}
	r := start(t, index, fakediscord.Options{MessageContent: true}, discord.Options{MentionAsking: true, RequireMention: true})
	if _, _, err := r.fake.Post(fakediscord.Post{ChannelID: dmChan, Author: alice, Content: questions[0]}); err != nil {
		t.Fatal(err)
	}
	first := replies(t, r.fake, dmChan, 1)[0]
	if _, _, err := r.fake.Post(fakediscord.Post{ChannelID: dmChan, Author: alice, Content: questions[1], ReplyTo: first.ID}); err != nil {
		t.Fatal(err)
	}
	if got := replies(t, r.fake, dmChan, 2)[1]; !answers[1].MatchString(got.Content) {
		t.Errorf("the follow-up %q answered %q, want /%s/", questions[1], got.Content, answers[1])
	}
	if got, want := index.last(), questions[1]+" after "+questions[0]; got != want {
		t.Errorf("the follow-up was asked as %q, want %q", got, want)
	}
}

// Each question's log line says whether it was answered and how
// confidently, so that its id leads to a bad answer.
func TestQuestionLogGroundedConfidence(t *testing.T) {
	r := start(t, newIndex(t), fakediscord.Options{}, discord.Options{GuildID: guild})
	askLighthouse(t, r.fake)
	// The line is written once the reply is sent, as the count.
	r.wantCounter(t, 1, "citebot_discord_questions_total", "source", "slash", "result", "answered")
	if logs := r.logs.String(); !regexp.MustCompile(`msg="discord question" .*result=answered .*grounded=true confidence=0\.\d+`).MatchString(logs) {
		t.Errorf("the question's log line lacks grounded and confidence:\n%s", logs)
	}
}
