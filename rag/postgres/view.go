package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/citebot/citebot/rag"
	"github.com/jackc/pgx/v5"
)

// recent selects the turns of a rag.HistoryQuery (since, vote, limit),
// newest first, and joins each to its feedback, oldest first: one
// statement, so one snapshot.
const recent = `WITH sel AS (
	SELECT seq, ` + turnColumns + ` FROM turns t
	WHERE at >= $1 AND ($2 = '' OR EXISTS (SELECT 1 FROM feedback f WHERE f.answer = t.id AND f.vote = $2))
	ORDER BY at DESC, seq DESC
	LIMIT $3
)
SELECT sel.id, sel.conversation, sel.at, sel.front, sel.doc, f.vote, f.comment, f.at
FROM sel LEFT JOIN feedback f ON f.answer = sel.id
ORDER BY sel.at DESC, sel.seq DESC, f.at, f.seq`

// Recent returns the turns q selects, newest first, each with its votes
// counted and its feedback, oldest first.
func (h *History) Recent(ctx context.Context, q rag.HistoryQuery) ([]rag.Record, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	if q.Vote != "" && q.Vote != rag.VoteUp && q.Vote != rag.VoteDown {
		return nil, fmt.Errorf("recent: vote %q: want %q, %q or none", q.Vote, rag.VoteUp, rag.VoteDown)
	}
	var limit *int64 // nil: LIMIT NULL, none
	if q.Limit > 0 {
		n := int64(q.Limit)
		limit = &n
	}
	rows, err := h.pool.Query(ctx, recent, q.Since, q.Vote, limit)
	if err != nil {
		return nil, fmt.Errorf("recent: %w", h.fail(err))
	}
	defer rows.Close()
	var recs []rag.Record
	for rows.Next() {
		var vote, comment *string
		var at *time.Time
		t, err := scanTurn(rows, &vote, &comment, &at)
		if err != nil {
			return nil, fmt.Errorf("recent: %w", h.fail(err))
		}
		if len(recs) == 0 || recs[len(recs)-1].ID != t.ID {
			recs = append(recs, rag.Record{Turn: t})
		}
		if vote != nil {
			recs[len(recs)-1].Add(rag.Feedback{Answer: t.ID, Vote: *vote, Comment: *comment, At: at.UTC()})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent: %w", h.fail(err))
	}
	return recs, nil
}

// DeclinedPerDay counts, per UTC day from since's instant on, the
// questions asked and those declined, oldest day first; days without
// questions are left out.
func (h *History) DeclinedPerDay(ctx context.Context, since time.Time) ([]rag.DayStat, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	rows, err := h.pool.Query(ctx, `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*), count(*) FILTER (WHERE NOT grounded)
		FROM turns WHERE at >= $1 GROUP BY day ORDER BY day`, since)
	if err != nil {
		return nil, fmt.Errorf("declined per day: %w", h.fail(err))
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (rag.DayStat, error) {
		var d rag.DayStat
		err := row.Scan(&d.Day, &d.Asked, &d.Declined)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("declined per day: %w", h.fail(err))
	}
	return days, nil
}
