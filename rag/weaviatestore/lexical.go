package weaviatestore

import (
	"context"
	"fmt"
	"net/http"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/citebot/citebot/rag"
)

// Lexical is the rag.LexicalIndex view of a Store: BM25 on the same
// collection. Give a rag.Index the Store as its Store and Lexical() as its
// lexical index: the objects that Store.Add writes are already searchable
// by their words, so that Lexical.Add, which the Index calls after
// Store.Add with the same chunks, only checks that they are there and
// costs one read per batch. It is safe for concurrent use.
type Lexical struct {
	s *Store
}

var _ rag.LexicalIndex = (*Lexical)(nil)

// Lexical returns the store's lexical index.
func (s *Store) Lexical() *Lexical { return &Lexical{s: s} }

// Add makes chunks searchable, replacing those whose IDs are already
// stored. A chunk whose object already holds the same content is left as it
// is; any other is written with the vector its object has, if any, so that
// Add never takes a vector away from the Store. (A Store.Add of the same
// chunk running at the same time may therefore lose its vector; rag.Index
// never does both at once.)
func (x *Lexical) Add(ctx context.Context, chunks []rag.Chunk) error {
	s := x.s
	for i, c := range chunks {
		if c.ID == "" {
			return fmt.Errorf("weaviate lexical add: chunk %d of %s has no ID", i, c.Source)
		}
	}
	idx := lastOfEachID(chunks)
	for start := 0; start < len(idx); start += s.opts.BatchSize {
		batch := make([]rag.Chunk, 0, s.opts.BatchSize)
		for _, i := range idx[start:min(start+s.opts.BatchSize, len(idx))] {
			batch = append(batch, chunks[i])
		}
		if err := x.add(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// add writes the chunks of one batch that their objects do not hold yet.
//
// The first look is one search, which reads one replica of each shard.
// A chunk that it does not find unchanged is read again by its ID at the
// store's consistency level: the replica searched may have missed the
// Store.Add just before, and writing the chunk without the vector the
// other replicas hold would take that vector away from all of them.
func (x *Lexical) add(ctx context.Context, chunks []rag.Chunk) error {
	s := x.s
	ids := make([]string, len(chunks))
	for i, c := range chunks {
		ids[i] = ObjectID(c.ID)
	}
	stored, err := s.objectsByID(ctx, "lexical add", ids)
	if err != nil {
		return err
	}
	var objs []*models.Object
	for i, c := range chunks {
		hash := contentHash(c)
		if r, ok := stored[ids[i]]; ok && r.ContentHash == hash {
			continue
		}
		o, err := s.fetch(ctx, "lexical add", ids[i])
		if err != nil {
			return err
		}
		var v []float32
		if o != nil {
			if props, _ := o.Properties.(map[string]any); props[propHash] == hash {
				continue
			}
			v = o.Vector
		}
		objs = append(objs, s.object(c, v))
	}
	return s.put(ctx, "lexical add", objs)
}

// fetch reads one object, with its vector, at the store's consistency
// level; it returns nil for an object that does not exist.
func (s *Store) fetch(ctx context.Context, op, id string) (*models.Object, error) {
	rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	objs, err := s.client.Data().ObjectsGetter().
		WithClassName(s.opts.Collection).
		WithID(id).
		WithVector().
		WithConsistencyLevel(s.opts.ConsistencyLevel).
		Do(rctx)
	if status, _, _ := classify(err); err != nil && status == http.StatusNotFound {
		return nil, nil
	} else if err != nil {
		return nil, s.fail(ctx, rctx, op, err)
	}
	if len(objs) == 0 {
		return nil, nil
	}
	return objs[0], nil
}

// objectsByID returns the objects among ids that one replica of their
// shard holds, by ID, with their hashes.
func (s *Store) objectsByID(ctx context.Context, op string, ids []string) (map[string]row, error) {
	get := s.client.GraphQL().Get().
		WithClassName(s.opts.Collection).
		WithFields(
			graphql.Field{Name: propHash},
			graphql.Field{Name: propVectorHash},
			graphql.Field{Name: "_additional", Fields: []graphql.Field{{Name: "id"}}},
		).
		WithWhere(filters.Where().WithPath([]string{"id"}).WithOperator(filters.ContainsAny).WithValueText(ids...)).
		WithLimit(len(ids))
	rows, err := s.rows(ctx, op, get)
	if err != nil {
		return nil, err
	}
	out := make(map[string]row, len(rows))
	for _, r := range rows {
		out[r.Additional.ID] = r
	}
	return out, nil
}

// DeleteSource removes every chunk of source; an unknown source is a no-op.
// The chunks go from the Store too: they are the same objects.
func (x *Lexical) DeleteSource(ctx context.Context, source string) error {
	return x.s.DeleteSource(ctx, source)
}

// Search returns at most k chunks matching any word of query, by
// descending BM25 score, then by chunk ID. The query's words are matched
// lower-cased, as Weaviate's word tokenizer cuts them, never read as query
// syntax; a query with no words, or with stop words only, has no hits.
func (x *Lexical) Search(ctx context.Context, query string, k int) ([]rag.Hit, error) {
	return x.s.search(ctx, query, k)
}
