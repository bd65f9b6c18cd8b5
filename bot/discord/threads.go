package discord

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// threads remembers, for the bot's recent answer messages, what they were
// about, so that a reply to one asks a follow-up in its context. It keeps
// the last size messages; a reply to an older answer (or one from before a
// restart) is answered as a question on its own.
type threads struct {
	mu    sync.Mutex
	size  int
	topic map[string]string // by message id
	order []string          // message ids, oldest first
}

func newThreads(size int) *threads {
	return &threads{size: size, topic: map[string]string{}}
}

// remember records that the messages with these ids answered a question
// about topic.
func (t *threads) remember(topic string, messageIDs ...string) {
	if topic == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range messageIDs {
		if id == "" {
			continue
		}
		if _, ok := t.topic[id]; !ok {
			t.order = append(t.order, id)
		}
		t.topic[id] = topic
	}
	for len(t.order) > t.size {
		delete(t.topic, t.order[0])
		t.order = t.order[1:]
	}
}

// lookup returns what the answer message with this id was about.
func (t *threads) lookup(messageID string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	topic, ok := t.topic[messageID]
	return topic, ok
}

// maxTopic bounds a thread's topic, in bytes, so that a long chain of
// follow-ups does not grow the question without end.
const maxTopic = 300

// questionWords would make a topic decide the kind of answer wanted ("when"
// wants a date), which is the follow-up's to decide.
var questionWords = regexp.MustCompile(`(?i)\b(who|whom|whose|what|when|where|which|why|how)\b|[?]`)

// topicOf reduces a question to what it is about: its words less the
// question words.
func topicOf(question string) string {
	return oneLine(questionWords.ReplaceAllString(question, " "))
}

// followUp is the question asked for a follow-up: the follow-up itself,
// then the earlier topic for retrieval. The follow-up comes first and the
// topic has no question words, so the follow-up decides what kind of answer
// is wanted.
func followUp(question, topic string) string {
	if topic == "" {
		return question
	}
	return strings.TrimSpace(question) + " (" + topic + ")"
}

// nextTopic is the topic of an answer to a follow-up: the follow-up's own
// words, then the earlier topic, bounded at a word.
func nextTopic(question, earlier string) string {
	t := strings.TrimSpace(topicOf(question) + " " + earlier)
	if len(t) > maxTopic {
		cut := maxTopic
		for cut > 0 && !utf8.RuneStart(t[cut]) {
			cut--
		}
		t = t[:cut]
		if i := strings.LastIndexByte(t, ' '); i > 0 {
			t = t[:i]
		}
	}
	return t
}
