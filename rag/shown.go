package rag

import (
	"hash/maphash"
	"strconv"
	"sync"
)

// shownTurns remembers the last answers the index gave, by their
// question, the questions just before it and k, so that a follow-up reads
// what the user was shown (see answerAt) rather than asking the turn
// before again: the same answer at no cost where the turn is remembered,
// and not one that drifts from it where the turn before that is past the
// turns a follow-up asks again. It holds the last maxShownTurns answers;
// the index drops it when its documents change (see Index.memo). It is
// safe for concurrent use.
type shownTurns struct {
	seed  maphash.Seed
	mu    sync.Mutex
	turns map[uint64]decision
	// order is the keys in a ring, next the slot of the oldest once it
	// is full: each key is put in it once, when first remembered.
	order []uint64
	next  int
}

// maxShownTurns bounds the answers remembered: about 3 kB each, their
// passages' text shared with the index.
const maxShownTurns = 1024

func newShownTurns() *shownTurns {
	return &shownTurns{seed: maphash.MakeSeed(), turns: map[uint64]decision{}, order: make([]uint64, maxShownTurns)}
}

// key reads the last maxContextTurns earlier questions only, as far as a
// follow-up reads back: a front end that passes a window of a long
// conversation's questions (Discord's last 8) finds the turn before under
// the key it was answered with. Each question is written after its
// length, so that no two lists of questions write the same bytes.
func (s *shownTurns) key(question string, earlier []string, k int) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(strconv.Itoa(k))
	for _, q := range append(earlier[max(0, len(earlier)-maxContextTurns):len(earlier):len(earlier)], question) {
		h.WriteString(" " + strconv.Itoa(len(q)) + ":")
		h.WriteString(q)
	}
	return h.Sum64()
}

// get is the answer remembered for question after earlier, with k
// passages.
func (s *shownTurns) get(question string, earlier []string, k int) (decision, bool) {
	key := s.key(question, earlier, k)
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.turns[key]
	return d, ok
}

// put remembers d, the answer to question after earlier, with k
// passages: what a follow-up reads of it (the answer, what it quoted),
// not the candidates it was chosen among.
func (s *shownTurns) put(question string, earlier []string, k int, d decision) {
	d.scored, d.answer = nil, nil
	key := s.key(question, earlier, k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.turns[key]; !ok {
		if len(s.turns) == maxShownTurns {
			delete(s.turns, s.order[s.next])
		}
		s.order[s.next] = key
		s.next = (s.next + 1) % maxShownTurns
	}
	s.turns[key] = d
}

// memo is the index's shownTurns, made when first needed after the
// documents last changed.
func (x *Index) memo() *shownTurns {
	for {
		if s := x.shown.Load(); s != nil {
			return s
		}
		x.shown.CompareAndSwap(nil, newShownTurns())
	}
}
