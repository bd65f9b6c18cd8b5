package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/jackc/pgx/v5"
)

// doc is the JSON a turn's question and answer are kept as: all of
// rag.Answer round-trips, whatever fields it gains.
type doc struct {
	Question string     `json:"question"`
	Answer   rag.Answer `json:"answer"`
}

// AddTurn stores a question and its answer. A zero t.At is now. An empty
// ID or conversation, one that is not UTF-8 or holds a NUL, or an ID
// already stored, is an error.
func (h *History) AddTurn(ctx context.Context, t rag.Turn) error {
	if err := h.check(); err != nil {
		return err
	}
	if t.ID == "" || t.Conversation == "" || !storable(t.ID) || !storable(t.Conversation) || !storable(t.Front) {
		return fmt.Errorf("add turn: want an ID and a conversation, UTF-8 without NUL, have %q and %q (front %q)", t.ID, t.Conversation, t.Front)
	}
	b, err := json.Marshal(doc{Question: t.Question, Answer: t.Answer})
	if err != nil {
		return fmt.Errorf("add turn %s: %w", t.ID, err)
	}
	_, err = h.pool.Exec(ctx, `INSERT INTO turns (id, conversation, at, grounded, front, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.Conversation, now(t.At), t.Answer.Grounded, t.Front, json.RawMessage(b))
	if isViolation(err, uniqueViolation) {
		return fmt.Errorf("add turn %s: an answer of this ID is already stored", t.ID)
	}
	if err != nil {
		return fmt.Errorf("add turn %s: %w", t.ID, h.fail(err))
	}
	return nil
}

const turnColumns = `id, conversation, at, front, doc`

// scanTurn reads a row of turnColumns (and dest after them).
func scanTurn(row pgx.Row, dest ...any) (rag.Turn, error) {
	var t rag.Turn
	var at time.Time
	var b []byte
	if err := row.Scan(append([]any{&t.ID, &t.Conversation, &at, &t.Front, &b}, dest...)...); err != nil {
		return t, err
	}
	var d doc
	if err := json.Unmarshal(b, &d); err != nil {
		return t, fmt.Errorf("turn %s: %w", t.ID, err)
	}
	t.Question, t.Answer, t.At = d.Question, d.Answer, at.UTC()
	return t, nil
}

// Turn returns the turn with this ID, or rag.ErrNotFound.
func (h *History) Turn(ctx context.Context, id string) (rag.Turn, error) {
	if err := h.check(); err != nil {
		return rag.Turn{}, err
	}
	if !storable(id) {
		return rag.Turn{}, fmt.Errorf("answer %q: %w", id, rag.ErrNotFound)
	}
	t, err := scanTurn(h.pool.QueryRow(ctx, `SELECT `+turnColumns+` FROM turns WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return rag.Turn{}, fmt.Errorf("answer %q: %w", id, rag.ErrNotFound)
	}
	if err != nil {
		return rag.Turn{}, fmt.Errorf("answer %q: %w", id, h.fail(err))
	}
	return t, nil
}

// Conversation returns a conversation's turns, oldest first, or
// rag.ErrNotFound when it has none.
func (h *History) Conversation(ctx context.Context, id string) ([]rag.Turn, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	if !storable(id) {
		return nil, fmt.Errorf("conversation %q: %w", id, rag.ErrNotFound)
	}
	rows, err := h.pool.Query(ctx, `SELECT `+turnColumns+` FROM turns WHERE conversation = $1 ORDER BY at, seq`, id)
	if err != nil {
		return nil, fmt.Errorf("conversation %q: %w", id, h.fail(err))
	}
	turns, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (rag.Turn, error) { return scanTurn(row) })
	if err != nil {
		return nil, fmt.Errorf("conversation %q: %w", id, h.fail(err))
	}
	if len(turns) == 0 {
		return nil, fmt.Errorf("conversation %q: %w", id, rag.ErrNotFound)
	}
	return turns, nil
}
