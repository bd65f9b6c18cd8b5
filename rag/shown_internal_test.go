package rag

import "testing"

func TestShownTurnsKey(t *testing.T) {
	s := newShownTurns()
	if s.key("r", []string{"p\x00s"}, 5) == s.key("r", []string{"p", "s"}, 5) {
		t.Error("the questions p\\x00s and p, s share a key")
	}
	if s.key("q", nil, 5) == s.key("q", nil, 3) {
		t.Error("k is not in the key")
	}
	long := []string{"a", "b", "c", "d", "e"}
	if s.key("q", long, 5) != s.key("q", long[len(long)-maxContextTurns:], 5) {
		t.Error("a window of the conversation's last questions misses the turn asked after the whole")
	}
	s.put("q", long, 5, decision{ans: Answer{Answer: "x"}})
	if d, ok := s.get("q", long[1:], 5); !ok || d.ans.Answer != "x" {
		t.Errorf("get after a shorter window = %v, %v", d.ans.Answer, ok)
	}
	for i := range maxShownTurns + 10 {
		s.put(string(rune('A'+i%26))+string(rune(i)), nil, 5, decision{})
	}
	if len(s.turns) != maxShownTurns || len(s.order) != maxShownTurns {
		t.Errorf("%d turns and %d keys remembered, want %d", len(s.turns), len(s.order), maxShownTurns)
	}
}
