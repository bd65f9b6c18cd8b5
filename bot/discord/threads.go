package discord

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// thread is where an answer of the bot stands in its conversation: a reply
// to it is a follow-up asked in the context of the questions before.
type thread struct {
	conversation string   // the conversation's id in the history
	turn         string   // the id of the turn the message answered
	questions    []string // the conversation's questions up to that turn, oldest first, at most maxEarlier
}

// then is the thread of an answer to question q asked in th.
func (th thread) then(q question) thread {
	qs := append(append([]string(nil), th.questions...), q.text)
	return thread{conversation: q.conversation, turn: turnID(q.id), questions: lastQuestions(qs)}
}

// topic is the earlier questions' topic, for an Answerer that cannot take
// them as they are (not Conversational): each question's words less the
// question words, the latest first, bounded at maxTopic.
func (th thread) topic() string {
	t := ""
	for _, q := range th.questions {
		t = nextTopic(q, t)
	}
	return t
}

// threads remembers, for the bot's recent answer messages, the thread each
// belongs to, so that a reply to one asks a follow-up in its context. It
// keeps the last size messages; a reply to an older answer (or one from
// before a restart) is found in the history if the bot has one, and is
// otherwise answered as a question on its own.
type threads struct {
	mu     sync.Mutex
	size   int
	thread map[string]thread // by message id
	order  []string          // message ids, oldest first
}

func newThreads(size int) *threads {
	return &threads{size: size, thread: map[string]thread{}}
}

// remember records that the messages with these ids answered in thread th.
func (t *threads) remember(th thread, messageIDs ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range messageIDs {
		if id == "" {
			continue
		}
		if _, ok := t.thread[id]; !ok {
			t.order = append(t.order, id)
		}
		t.thread[id] = th
	}
	for len(t.order) > t.size {
		delete(t.thread, t.order[0])
		t.order = t.order[1:]
	}
}

// lookup returns the thread of the answer message with this id.
func (t *threads) lookup(messageID string) (thread, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	th, ok := t.thread[messageID]
	return th, ok
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
