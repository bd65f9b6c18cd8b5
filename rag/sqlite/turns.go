package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citebot/citebot/rag"
)

// doc is the JSON a turn's question and answer are kept as: all of
// rag.Answer round-trips, whatever fields it gains.
type doc struct {
	Question string     `json:"question"`
	Answer   rag.Answer `json:"answer"`
}

const insertTurn = `INSERT INTO turns (id, conversation, at, grounded, front, doc) VALUES (?, ?, ?, ?, ?, ?)`

// AddTurn stores a question and its answer. A zero t.At is now. An empty
// ID or conversation, or an ID already stored, is an error.
func (h *History) AddTurn(ctx context.Context, t rag.Turn) error {
	if err := h.check(); err != nil {
		return err
	}
	if t.ID == "" || t.Conversation == "" {
		return fmt.Errorf("add turn: want an ID and a conversation, have %q and %q", t.ID, t.Conversation)
	}
	b, err := json.Marshal(doc{Question: t.Question, Answer: t.Answer})
	if err != nil {
		return fmt.Errorf("add turn %s: %w", t.ID, err)
	}
	_, err = h.addTurn.ExecContext(ctx, t.ID, t.Conversation, micros(now(t.At)), t.Answer.Grounded, t.Front, string(b))
	if isConstraint(err, constraintUnique) {
		return fmt.Errorf("add turn %s: an answer of this ID is already stored", t.ID)
	}
	if err != nil {
		return fmt.Errorf("add turn %s: %w", t.ID, h.fail(err))
	}
	return nil
}

const turnColumns = `id, conversation, at, front, doc`

// scanTurn reads a row of turnColumns (and dest after them).
func scanTurn(row interface{ Scan(...any) error }, dest ...any) (rag.Turn, error) {
	var t rag.Turn
	var at int64
	var b string
	if err := row.Scan(append([]any{&t.ID, &t.Conversation, &at, &t.Front, &b}, dest...)...); err != nil {
		return t, err
	}
	var d doc
	if err := json.Unmarshal([]byte(b), &d); err != nil {
		return t, fmt.Errorf("turn %s: %w", t.ID, err)
	}
	t.Question, t.Answer, t.At = d.Question, d.Answer, fromMicros(at)
	return t, nil
}

// Turn returns the turn with this ID, or rag.ErrNotFound.
func (h *History) Turn(ctx context.Context, id string) (rag.Turn, error) {
	if err := h.check(); err != nil {
		return rag.Turn{}, err
	}
	t, err := scanTurn(h.r.QueryRowContext(ctx, `SELECT `+turnColumns+` FROM turns WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	rows, err := h.r.QueryContext(ctx, `SELECT `+turnColumns+` FROM turns WHERE conversation = ? ORDER BY at, seq`, id)
	if err != nil {
		return nil, fmt.Errorf("conversation %q: %w", id, h.fail(err))
	}
	defer rows.Close()
	var turns []rag.Turn
	for rows.Next() {
		t, err := scanTurn(rows)
		if err != nil {
			return nil, fmt.Errorf("conversation %q: %w", id, h.fail(err))
		}
		turns = append(turns, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("conversation %q: %w", id, h.fail(err))
	}
	if len(turns) == 0 {
		return nil, fmt.Errorf("conversation %q: %w", id, rag.ErrNotFound)
	}
	return turns, nil
}
