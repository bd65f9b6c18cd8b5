// Package historytest is the conformance suite every history (the store of
// conversations and feedback) passes: one suite, run against the embedded
// SQLite history and the shared PostgreSQL one, as storetest is for vector
// stores. It uses the real database it is given and asserts no timings.
package historytest

import (
	"context"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

// History is the store of conversations and feedback the suite tests.
type History interface {
	// AddTurn stores a question and its answer. A zero At is the time of
	// the call. An empty ID or Conversation, or an ID already stored, is
	// an error.
	AddTurn(ctx context.Context, t rag.Turn) error
	// Turn returns the turn with this ID, or rag.ErrNotFound.
	Turn(ctx context.Context, id string) (rag.Turn, error)
	// Conversation returns a conversation's turns, oldest first (turns
	// of one instant in the order they were added), or rag.ErrNotFound
	// when it has none.
	Conversation(ctx context.Context, id string) ([]rag.Turn, error)
	// AddFeedback stores a vote on an answer: rag.ErrInvalidFeedback when
	// f.Validate refuses it, rag.ErrNotFound for an answer not stored. A
	// zero At is the time of the call.
	AddFeedback(ctx context.Context, f rag.Feedback) error
	// Recent returns the turns q selects, newest first, each with its
	// votes counted and its feedback, oldest first.
	Recent(ctx context.Context, q rag.HistoryQuery) ([]rag.Record, error)
	// DeclinedPerDay counts, per UTC day from since's on, the questions
	// asked and those declined (!Answer.Grounded), oldest day first;
	// days without questions are left out.
	DeclinedPerDay(ctx context.Context, since time.Time) ([]rag.DayStat, error)
	// Prune deletes the turns older than before, and their feedback,
	// and returns how many turns it deleted.
	Prune(ctx context.Context, before time.Time) (int64, error)
	// Close releases the database. Calls after it fail with an error
	// wrapping rag.ErrHistoryUnavailable.
	Close() error
}

// Opener opens a History on one test's database.
type Opener func(t *testing.T) History

// Run runs the suite. newDB makes a fresh, empty database for one test,
// arranges its removal with t.Cleanup, and returns an Opener for it. The
// suite opens a database more than once: again after closing it (nothing
// is lost) and twice at once (two processes sharing it see each other's
// writes). It closes every History it opens.
//
// Times come back in UTC, to the microsecond.
func Run(t *testing.T, newDB func(t *testing.T) Opener) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, open Opener)
	}{
		{"RoundTrip", testRoundTrip},
		{"ZeroTimeIsNow", testZeroTimeIsNow},
		{"ConversationOrder", testConversationOrder},
		{"UnknownIDs", testUnknownIDs},
		{"DuplicateID", testDuplicateID},
		{"EmptyIDs", testEmptyIDs},
		{"FeedbackUnknownAnswer", testFeedbackUnknownAnswer},
		{"FeedbackInvalid", testFeedbackInvalid},
		{"Recent", testRecent},
		{"RecentVoteFilter", testRecentVoteFilter},
		{"RecentSinceLimit", testRecentSinceLimit},
		{"DeclinedPerDay", testDeclinedPerDay},
		{"Prune", testPrune},
		{"HostileText", testHostileText},
		{"Concurrent", testConcurrent},
		{"Persistence", testPersistence},
		{"TwoHistoriesShareOneDatabase", testShared},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newDB(t)) })
	}
}

// mustOpen opens a History that is closed when the test ends.
func mustOpen(t *testing.T, open Opener) History {
	t.Helper()
	h := open(t)
	t.Cleanup(func() { _ = h.Close() })
	return h
}
