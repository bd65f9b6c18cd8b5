package weaviatestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/citebot/citebot/rag"
)

// fail turns the error of one request into the store's error: it names the
// operation and the server, and wraps rag.ErrUnavailable when a retry may
// succeed. ctx is the caller's context and rctx the request's, whose
// deadline is the store's timeout.
func (s *Store) fail(ctx, rctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		// The caller gave up; that says nothing about the server.
		return fmt.Errorf("weaviate %s: %w", op, ctx.Err())
	}
	if errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return s.unavailable(op, fmt.Sprintf("no answer within %v", s.opts.Timeout))
	}
	status, detail, transient := classify(err)
	switch {
	case transient:
		return s.unavailable(op, detail)
	case status > 0:
		return fmt.Errorf("weaviate %s at %s: HTTP %d: %s", op, s.opts.URL, status, detail)
	default:
		return fmt.Errorf("weaviate %s at %s: %s", op, s.opts.URL, detail)
	}
}

// unavailable returns an error wrapping rag.ErrUnavailable.
func (s *Store) unavailable(op, detail string) error {
	return fmt.Errorf("weaviate %s at %s: %w: %s", op, s.opts.URL, rag.ErrUnavailable, detail)
}

// classify digs through the client's errors, which do not unwrap, and
// reports the HTTP status (0 when there was no response), a short
// description and whether the failure is transient.
func classify(err error) (status int, detail string, transient bool) {
	if err == nil {
		return 0, "", false
	}
	for {
		var ce *fault.WeaviateClientError
		if !errors.As(err, &ce) {
			break
		}
		if ce.DerivedFromError == nil {
			status = ce.StatusCode
			detail = strings.TrimSpace(ce.Msg)
			transient = status >= 500 || status == http.StatusTooManyRequests ||
				transientMessage(detail)
			return status, shorten(detail), transient
		}
		err = ce.DerivedFromError
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// "Post \"http://…/v1/graphql\": dial tcp …: connection refused"
		// says no more than the inner error and the store's URL.
		err = ue.Err
	}
	var ne net.Error
	transient = errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, context.DeadlineExceeded) ||
		transientMessage(err.Error())
	return 0, shorten(err.Error()), transient
}

// graphQLError returns the errors of a GraphQL response as one error, nil
// when there are none.
func (s *Store) graphQLError(op string, errs []*models.GraphQLError) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(errs))
	transient := false
	for _, e := range errs {
		if e == nil {
			continue
		}
		msgs = append(msgs, e.Message)
		transient = transient || transientMessage(e.Message)
	}
	detail := shorten(strings.Join(msgs, "; "))
	if transient {
		return s.unavailable(op, detail)
	}
	return fmt.Errorf("weaviate %s at %s: %s", op, s.opts.URL, detail)
}

// objectErrors returns the per-object errors of a batch import as one
// error, nil when there are none.
func (s *Store) objectErrors(op string, res []models.ObjectsGetResponse) error {
	var msgs []string
	transient := false
	for _, r := range res {
		if r.Result == nil || r.Result.Errors == nil {
			continue
		}
		for _, e := range r.Result.Errors.Error {
			if e == nil {
				continue
			}
			msgs = append(msgs, e.Message)
			transient = transient || transientMessage(e.Message)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	detail := fmt.Sprintf("%d of %d objects failed: %s", len(msgs), len(res), shorten(msgs[0]))
	if transient {
		return s.unavailable(op, detail)
	}
	return fmt.Errorf("weaviate %s at %s: %s", op, s.opts.URL, detail)
}

// transientMarkers are what Weaviate says, inside an answer with status
// 200 or 4xx, when replicas or nodes it needs are out of reach.
var transientMarkers = []string{
	"cannot achieve consistency level",
	"cannot reach enough replicas",
	"not enough replicas",
	"connection refused",
	"connection reset",
	"context deadline exceeded",
	"i/o timeout",
	"no such host",
	"shard not found", // a node that is still loading its shards
	"not ready",
	"broken pipe",
	"server closed idle connection", // net/http's errServerClosedIdle, not exported
	"node not found",
	"leader not found",
	"no graphql provider present",        // a node still loading its schema
	"tried to browse non-existing index", // a node still loading its shards
	"no leader",
}

func transientMessage(msg string) bool {
	m := strings.ToLower(msg)
	for _, t := range transientMarkers {
		if strings.Contains(m, t) {
			return true
		}
	}
	return false
}

// shorten keeps an error message to one readable line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const limit = 300
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + "…"
	}
	return s
}
