package discord

import (
	"strings"
	"testing"
)

func TestThreads(t *testing.T) {
	th := newThreads(3)
	th.remember("lighthouse", "1", "2")
	th.remember("orchard", "3", "4") // 1 drops out
	if _, ok := th.lookup("1"); ok {
		t.Error("the oldest message is still remembered")
	}
	for id, want := range map[string]string{"2": "lighthouse", "3": "orchard", "4": "orchard"} {
		if got, _ := th.lookup(id); got != want {
			t.Errorf("lookup(%s) = %q, want %q", id, got, want)
		}
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
