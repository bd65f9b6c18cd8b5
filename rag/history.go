package rag

import (
	"errors"
	"time"
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

// Record is a turn with the feedback given on it, for the operators' view
// and for turning real questions into evaluation cases.
type Record struct {
	Turn
	Up       int        `json:"up"`
	Down     int        `json:"down"`
	Feedback []Feedback `json:"feedback,omitempty"` // oldest first
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
