package discord

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestThreads(t *testing.T) {
	th := newThreads(3)
	lighthouse := thread{conversation: "discord-1", turn: "discord-1", questions: []string{"Who built the lighthouse?"}}
	orchard := thread{conversation: "discord-3", turn: "discord-3", questions: []string{"When is the harvest?"}}
	th.remember(lighthouse, "1", "2")
	th.remember(orchard, "3", "4") // 1 drops out
	if _, ok := th.lookup("1"); ok {
		t.Error("the oldest message is still remembered")
	}
	for id, want := range map[string]string{"2": "discord-1", "3": "discord-3", "4": "discord-3"} {
		if got, _ := th.lookup(id); got.conversation != want {
			t.Errorf("lookup(%s) is in conversation %q, want %q", id, got.conversation, want)
		}
	}
}

func TestThreadThen(t *testing.T) {
	var th thread
	for n, text := range []string{"When was the Port Elin lighthouse built?", "Who designed it?", "And the cottage?"} {
		q := question{id: strconv.Itoa(n + 1), text: text, conversation: "discord-1"}
		th = th.then(q)
		if th.conversation != "discord-1" || th.turn != turnID(q.id) || th.questions[len(th.questions)-1] != text {
			t.Fatalf("after %q: %+v", text, th)
		}
	}
	// The topic is what the bot kept before there was a history: each
	// question's topic before the earlier ones'.
	if got, want := th.topic(), nextTopic("And the cottage?", nextTopic("Who designed it?", nextTopic("When was the Port Elin lighthouse built?", ""))); got != want {
		t.Errorf("topic = %q, want %q", got, want)
	}
	for n := range 3 * maxEarlier {
		th = th.then(question{id: strconv.Itoa(10 + n), text: "And then?", conversation: "discord-1"})
	}
	if len(th.questions) != maxEarlier {
		t.Errorf("a long thread keeps %d questions, want %d", len(th.questions), maxEarlier)
	}
}

func TestFollowUp(t *testing.T) {
	topic := nextTopic("When was the Port Elin lighthouse built?", "")
	if topic != "was the Port Elin lighthouse built" {
		t.Errorf("topic = %q", topic)
	}
	if got := followUp("Who designed it?", topic); got != "Who designed it? (was the Port Elin lighthouse built)" {
		t.Errorf("followUp = %q", got)
	}
	if got := followUp("Who designed it?", ""); got != "Who designed it?" {
		t.Errorf("followUp without a topic = %q", got)
	}
	long := topic
	for range 50 {
		long = nextTopic("And what about the keeper's cottage?", long)
	}
	if len(long) > maxTopic || !strings.HasPrefix(long, "And about the keeper's cottage") {
		t.Errorf("a long thread's topic is %d bytes: %q", len(long), long)
	}
}

func TestAnsweredQuestion(t *testing.T) {
	buttons := []discordgo.MessageComponent{&discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		&discordgo.Button{CustomID: "other"}, &discordgo.Button{CustomID: feedbackPrefix + "down:11"},
	}}}
	for name, c := range map[string]struct {
		m    discordgo.Message
		want string
	}{
		"the last message: its buttons": {discordgo.Message{Components: buttons, MessageReference: &discordgo.MessageReference{MessageID: "33"}}, "11"},
		"a slash command's message":     {discordgo.Message{InteractionMetadata: &discordgo.MessageInteractionMetadata{ID: "22"}}, "22"},
		"the first message: a reply":    {discordgo.Message{MessageReference: &discordgo.MessageReference{MessageID: "33"}}, "33"},
		"a middle message":              {discordgo.Message{}, ""},
	} {
		if got := answeredQuestion(&c.m); got != c.want {
			t.Errorf("%s: answeredQuestion = %q, want %q", name, got, c.want)
		}
	}
}
