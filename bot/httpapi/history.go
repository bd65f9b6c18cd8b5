package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/citebot/citebot/rag"
)

// History is what the HTTP API keeps of conversations and feedback.
// rag/sqlite's and rag/postgres's histories implement it. Its methods are
// safe for concurrent use; a history that cannot take calls now (a full
// disk, a database that is down) fails them with an error wrapping
// rag.ErrHistoryUnavailable.
type History interface {
	// AddTurn stores a question and its answer; an ID already stored is an
	// error.
	AddTurn(ctx context.Context, t rag.Turn) error
	// Conversation returns a conversation's turns, oldest first, or
	// rag.ErrNotFound when it has none.
	Conversation(ctx context.Context, id string) ([]rag.Turn, error)
	// AddFeedback stores a vote on an answer: rag.ErrInvalidFeedback when
	// f.Validate refuses it, rag.ErrNotFound for an answer not stored.
	AddFeedback(ctx context.Context, f rag.Feedback) error
	// Recent returns the turns q selects, newest first, with their votes
	// and feedback.
	Recent(ctx context.Context, q rag.HistoryQuery) ([]rag.Record, error)
	// DeclinedPerDay counts, per UTC day from since's on, the questions
	// asked and those declined, oldest day first.
	DeclinedPerDay(ctx context.Context, since time.Time) ([]rag.DayStat, error)
}

// Turn writing. An answer is sent before its turn is stored: the turn goes
// into a queue that one goroutine writes to the history, so that a slow or
// failing database never delays or fails an answer. A turn is also kept in
// memory (conversations), so a follow-up or a GET of the conversation made
// before the write sees it, and feedback on an answer still in the queue
// waits for its write.
const (
	// writeQueue is how many turns may wait for the writer; when it is
	// full (the database far behind), a turn is dropped and counted.
	writeQueue = 1024
	// writeTimeout bounds one write, so that a database that hangs holds
	// the queue up for at most this long per turn.
	writeTimeout = 10 * time.Second
	// drainTimeout bounds how long Close waits for the queue to drain.
	drainTimeout = 10 * time.Second
)

// turnWriter writes turns to a history from one goroutine.
type turnWriter struct {
	hist    History
	log     *slog.Logger
	metrics *metrics

	mu      sync.Mutex
	closed  bool
	queue   chan rag.Turn
	pending map[string]chan struct{} // by turn ID, closed once written (or given up)
	failing bool                     // the last write failed: logged once until one succeeds

	stop context.CancelFunc // cancels writes when the drain takes too long
	ctx  context.Context
	done chan struct{}
}

func newTurnWriter(hist History, log *slog.Logger, m *metrics) *turnWriter {
	ctx, stop := context.WithCancel(context.Background())
	w := &turnWriter{
		hist: hist, log: log, metrics: m,
		queue:   make(chan rag.Turn, writeQueue),
		pending: map[string]chan struct{}{},
		ctx:     ctx, stop: stop,
		done: make(chan struct{}),
	}
	go w.run()
	return w
}

// add queues t; it never blocks. It reports false when the turn is
// dropped: the queue is full or the writer closed.
func (w *turnWriter) add(t rag.Turn) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	select {
	case w.queue <- t:
		w.pending[t.ID] = make(chan struct{})
		return true
	default:
		return false
	}
}

// wait returns once the turn with this ID is no longer waiting to be
// written (at once when it is not queued), or when ctx ends.
func (w *turnWriter) wait(ctx context.Context, id string) error {
	w.mu.Lock()
	ch := w.pending[id]
	w.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *turnWriter) run() {
	defer close(w.done)
	for t := range w.queue {
		ctx, cancel := context.WithTimeout(w.ctx, writeTimeout)
		err := w.hist.AddTurn(ctx, t)
		cancel()
		w.mu.Lock()
		close(w.pending[t.ID])
		delete(w.pending, t.ID)
		logIt := (err != nil) != w.failing
		w.failing = err != nil
		w.mu.Unlock()
		if err != nil {
			w.metrics.historyError("add_turn")
		}
		// One line when writes start failing and one when they work
		// again, not one per answer.
		switch {
		case logIt && err != nil:
			w.log.Warn("history: turns are not being stored; answers go on", "error", err.Error())
		case logIt:
			w.log.Info("history: turns are stored again")
		}
	}
}

// close stops taking turns and writes those queued, for at most
// drainTimeout; turns left then are dropped.
func (w *turnWriter) close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return
	}
	w.closed = true
	close(w.queue)
	w.mu.Unlock()
	timer := time.AfterFunc(drainTimeout, w.stop)
	defer timer.Stop()
	<-w.done
	w.stop()
}

// Close stops the handler's background work: it writes the turns still
// queued to the history (for at most 10 s), and later answers are not
// stored. Call it after the server has shut down (Serve returned) and
// before closing the history. It is safe to call more than once.
func (h *Handler) Close() error {
	if h.writer != nil {
		h.writer.close()
	}
	return nil
}

// unavailable reports err as the history's: unavailable for now, or a
// context that ended.
func historyDown(err error) bool {
	return errors.Is(err, rag.ErrHistoryUnavailable) || errors.Is(err, context.DeadlineExceeded)
}
