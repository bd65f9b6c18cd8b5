package rag

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Turn is one question asked and the answer given, as the history keeps
// it: a conversation is its turns, oldest first.
type Turn struct {
	// ID names the answer, for feedback ("answer" in POST /v1/feedback).
	ID           string `json:"id"`
	Conversation string `json:"conversation"`
	Question     string `json:"question"`
	Answer       Answer `json:"answer"`
	// Front is where it was asked: "http", "discord" or "cli".
	Front string    `json:"front,omitempty"`
	At    time.Time `json:"at"`
}

// Votes on an answer.
const (
	VoteUp   = "up"
	VoteDown = "down"
)

// Feedback is a vote on an answer, with an optional comment.
type Feedback struct {
	Answer  string    `json:"answer"` // the Turn's ID
	Vote    string    `json:"vote"`   // VoteUp or VoteDown
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// MaxCommentRunes is the longest comment a Feedback may carry.
const MaxCommentRunes = 2000

// ErrInvalidFeedback reports feedback no history takes: a vote other than
// VoteUp or VoteDown, or a comment over MaxCommentRunes, not UTF-8 or
// holding a NUL (which PostgreSQL's text cannot store). It is the user's
// mistake: the HTTP API answers it with 400.
var ErrInvalidFeedback = errors.New("invalid feedback")

// Validate reports why no history would take f, wrapping
// ErrInvalidFeedback, or nil.
func (f Feedback) Validate() error {
	if f.Vote != VoteUp && f.Vote != VoteDown {
		return fmt.Errorf("%w: vote %q: want %q or %q", ErrInvalidFeedback, f.Vote, VoteUp, VoteDown)
	}
	if !utf8.ValidString(f.Comment) {
		return fmt.Errorf("%w: comment is not UTF-8", ErrInvalidFeedback)
	}
	if strings.IndexByte(f.Comment, 0) >= 0 {
		return fmt.Errorf("%w: comment holds a NUL character", ErrInvalidFeedback)
	}
	if n := utf8.RuneCountInString(f.Comment); n > MaxCommentRunes {
		return fmt.Errorf("%w: comment of %d characters: at most %d", ErrInvalidFeedback, n, MaxCommentRunes)
	}
	return nil
}

// Record is a turn with the feedback given on it, for the operators' view
// and for turning real questions into evaluation cases.
type Record struct {
	Turn
	Up       int        `json:"up"`
	Down     int        `json:"down"`
	Feedback []Feedback `json:"feedback,omitempty"` // oldest first
}

// Add appends f to r's feedback and counts its vote.
func (r *Record) Add(f Feedback) {
	r.Feedback = append(r.Feedback, f)
	switch f.Vote {
	case VoteUp:
		r.Up++
	case VoteDown:
		r.Down++
	}
}

// HistoryQuery selects records, newest first.
type HistoryQuery struct {
	Since time.Time // zero: from the beginning
	// Vote keeps only answers with at least one vote of this kind ("" for
	// all answers).
	Vote  string
	Limit int // 0: no limit
}

// DayStat counts a day's questions and how many were declined.
type DayStat struct {
	Day      string `json:"day"` // YYYY-MM-DD, UTC
	Asked    int    `json:"asked"`
	Declined int    `json:"declined"`
}

// ErrNotFound reports a conversation or an answer the history does not
// hold (never stored, or pruned).
var ErrNotFound = errors.New("not found")

// ErrHistoryUnavailable reports a history that cannot take writes now (a
// full disk, a database that is down); answers go on without it.
var ErrHistoryUnavailable = errors.New("history unavailable")
