package httpapi

import (
	"container/list"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/citebot/citebot/rag"
)

// Conversations. Every answer is a turn of a conversation: POST /v1/ask
// names one ("conversation") or starts one, and a follow-up is answered
// in the context of the earlier questions. Turns are stored in the
// history (Options.History) and kept in memory, the last
// MemoryConversations conversations with up to MemoryTurns turns each:
// without a history, memory is all there is (lost at restart); with one,
// memory covers turns whose write is still queued, and a history that is
// down for a while.
const (
	MemoryConversations = 1000
	MemoryTurns         = 50
	// maxIDLength bounds a conversation or answer ID a client sends.
	maxIDLength = 64
)

// newID is a random URL-safe ID for an answer or a conversation: 128 bits
// in 26 base32 characters.
func newID() string { return rand.Text() }

// memoryConversations keeps recent conversations' turns, least recently
// used out first.
type memoryConversations struct {
	mu    sync.Mutex
	lru   *list.List // of *memoryConversation, most recent first
	items map[string]*list.Element
}

type memoryConversation struct {
	id    string
	turns []rag.Turn // oldest first, at most MemoryTurns
}

func newMemoryConversations() *memoryConversations {
	return &memoryConversations{lru: list.New(), items: map[string]*list.Element{}}
}

// add keeps t as the latest turn of its conversation.
func (m *memoryConversations) add(t rag.Turn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[t.Conversation]
	if !ok {
		el = m.lru.PushFront(&memoryConversation{id: t.Conversation})
		m.items[t.Conversation] = el
		for m.lru.Len() > MemoryConversations {
			last := m.lru.Back()
			m.lru.Remove(last)
			delete(m.items, last.Value.(*memoryConversation).id)
		}
	}
	m.lru.MoveToFront(el)
	c := el.Value.(*memoryConversation)
	c.turns = append(c.turns, t)
	if n := len(c.turns); n > MemoryTurns {
		c.turns = slices.Clone(c.turns[n-MemoryTurns:])
	}
}

// get returns a copy of a conversation's turns, oldest first.
func (m *memoryConversations) get(id string) ([]rag.Turn, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[id]
	if !ok {
		return nil, false
	}
	m.lru.MoveToFront(el)
	return slices.Clone(el.Value.(*memoryConversation).turns), true
}

// errNoConversation is a conversation ID neither the history nor memory
// knows.
var errNoConversation = errors.New("no such conversation")

// turns returns a conversation's turns, oldest first: the history's and
// those in memory that it does not have yet. It fails with
// errNoConversation for an ID neither knows. A history that cannot be read
// is no failure: memory's turns are returned, with the history's error as
// warn, for the request's log line.
func (h *Handler) turns(ctx context.Context, id string) (turns []rag.Turn, warn error, err error) {
	mem, inMemory := h.convs.get(id)
	if h.hist == nil {
		if !inMemory {
			return nil, nil, errNoConversation
		}
		return mem, nil, nil
	}
	stored, err := h.hist.Conversation(ctx, id)
	switch {
	case errors.Is(err, rag.ErrNotFound):
		if !inMemory {
			return nil, nil, errNoConversation
		}
		return mem, nil, nil
	case err != nil && ctx.Err() != nil:
		return nil, nil, err
	case err != nil:
		h.metrics.historyError("conversation")
		return mem, fmt.Errorf("history: conversation %s: %w", id, err), nil
	}
	seen := make(map[string]bool, len(stored))
	for _, t := range stored {
		seen[t.ID] = true
	}
	n := len(stored)
	for _, t := range mem {
		if !seen[t.ID] {
			stored = append(stored, t)
		}
	}
	if len(stored) > n {
		slices.SortStableFunc(stored, func(a, b rag.Turn) int { return a.At.Compare(b.At) })
	}
	return stored, nil, nil
}

// questions are the turns' questions, oldest first.
func questions(turns []rag.Turn) []string {
	qs := make([]string, len(turns))
	for i, t := range turns {
		qs[i] = t.Question
	}
	return qs
}

// record keeps a turn: in memory, and queued for the history.
func (h *Handler) record(r *http.Request, t rag.Turn) {
	h.convs.add(t)
	if h.writer != nil && !h.writer.add(t) {
		h.metrics.historyError("queue_full")
		stateOf(r).warn = errors.New("history: the write queue is full; this turn is not stored")
	}
}

// now is the time of a turn, as histories keep it: UTC, to the
// microsecond.
func (h *Handler) now() time.Time { return h.opts.Now().UTC().Truncate(time.Microsecond) }

// conversationResponse is the body of GET /v1/conversations/{id}.
type conversationResponse struct {
	Conversation string     `json:"conversation"`
	Turns        []rag.Turn `json:"turns"`
}

// conversation answers GET /v1/conversations/{id} with its turns, oldest
// first.
func (h *Handler) conversation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	turns, warn, err := h.turns(r.Context(), id)
	switch {
	case errors.Is(err, errNoConversation):
		writeError(w, r, http.StatusNotFound, "no such conversation: "+id)
		return
	case err != nil:
		h.historyFailed(w, r, err)
		return
	case warn != nil && len(turns) == 0:
		h.historyFailed(w, r, warn)
		return
	}
	stateOf(r).warn = warn
	writeJSON(w, r, http.StatusOK, conversationResponse{Conversation: id, Turns: turns})
}

// historyFailed answers a history call that failed: 503 when the history
// is unavailable for now, nothing to a client that went away, a logged
// 500 otherwise.
func (h *Handler) historyFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case r.Context().Err() != nil:
		stateOf(r).err = err
		w.WriteHeader(statusClientClosed)
	case historyDown(err):
		stateOf(r).err = err
		w.Header().Set("Retry-After", "30")
		writeError(w, r, http.StatusServiceUnavailable, "the history is unavailable for now; answers still work, retry later")
	default:
		internalError(w, r, err)
	}
}
