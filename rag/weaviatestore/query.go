package weaviatestore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/adapters/repos/db/inverted/stopwords"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/citebot/citebot/rag"
)

// Query returns the k chunks nearest to vector by descending cosine
// similarity; fewer if the collection holds fewer, none if k <= 0. vector
// need not be normalised but must have the stored vectors' length.
func (s *Store) Query(ctx context.Context, vector []float32, k int) ([]rag.Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	if err := checkVector(vector, len(vector)); err != nil {
		return nil, fmt.Errorf("weaviate query: %w", err)
	}
	nv := s.client.GraphQL().NearVectorArgBuilder().WithVector(vector)
	get := s.client.GraphQL().Get().WithNearVector(nv)
	return s.get(ctx, "query", get, k, "distance", func(r row) (float32, bool) {
		if r.Additional.Distance == nil {
			return 0, false
		}
		// Weaviate's cosine distance is 1 - cosine similarity.
		return 1 - *r.Additional.Distance, true
	})
}

// Hybrid returns the k chunks that Weaviate's hybrid search ranks best for
// query and vector: BM25 on the chunk text and vector search, fused by
// relative score and weighed by Options.Alpha. Scores are the fused scores,
// between 0 and 1. A query with no words is a vector search.
func (s *Store) Hybrid(ctx context.Context, query string, vector []float32, k int) ([]rag.Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	if err := checkVector(vector, len(vector)); err != nil {
		return nil, fmt.Errorf("weaviate hybrid search: %w", err)
	}
	q := queryWords(query)
	if q == "" {
		return s.Query(ctx, vector, k)
	}
	h := s.client.GraphQL().HybridArgumentBuilder().
		WithQuery(q).
		WithVector(vector).
		WithAlpha(s.opts.alpha).
		WithProperties([]string{propText}).
		WithFusionType(graphql.RelativeScore)
	get := s.client.GraphQL().Get().WithHybrid(h)
	return s.get(ctx, "hybrid search", get, k, "score", scoreOf)
}

// search is Weaviate's BM25 search on the chunk text; see Lexical.Search.
func (s *Store) search(ctx context.Context, query string, k int) ([]rag.Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	q := queryWords(query)
	if q == "" {
		return nil, nil
	}
	bm := s.client.GraphQL().Bm25ArgBuilder().WithQuery(q).WithProperties(propText)
	get := s.client.GraphQL().Get().WithBM25(bm)
	hits, err := s.get(ctx, "search", get, k, "score", scoreOf)
	if err != nil {
		return nil, err
	}
	// Weaviate may return matches of stop words only, scored 0.
	return slices.DeleteFunc(hits, func(h rag.Hit) bool { return h.Score <= 0 }), nil
}

// queryWords returns the words of a question as Weaviate's word tokenizer
// cuts them, lower-cased, without the stop words of Weaviate's English
// preset, joined by spaces. Whatever the question holds (quotes,
// backslashes, operators) is thus never read as query syntax.
func queryWords(q string) string {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	words = slices.DeleteFunc(words, func(w string) bool { return stopWords[w] })
	return strings.Join(words, " ")
}

// stopWords are the words of Weaviate's English stop word preset, which
// the collection does not use (see Store.class).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range stopwords.Presets[stopwords.EnglishPreset] {
		m[w] = true
	}
	return m
}()

// row is one object of a GraphQL Get answer.
type row struct {
	ChunkID     string `json:"chunkId"`
	ContentHash string `json:"contentHash"`
	VectorHash  string `json:"vectorHash"`
	Additional  struct {
		ID       string   `json:"id"`
		Distance *float32 `json:"distance"`
		Score    any      `json:"score"` // a string in GraphQL answers
	} `json:"_additional"`
}

// scoreOf reads a BM25 or hybrid score.
func scoreOf(r row) (float32, bool) {
	switch v := r.Additional.Score.(type) {
	case string:
		f, err := strconv.ParseFloat(v, 32)
		return float32(f), err == nil
	case float64:
		return float32(v), true
	}
	return 0, false
}

// get runs a Get of at most k chunks with their chunk ID and the additional
// field that score reads, and returns them as hits by descending score,
// then by chunk ID.
func (s *Store) get(ctx context.Context, op string, get *graphql.GetBuilder, k int, additional string, score func(row) (float32, bool)) ([]rag.Hit, error) {
	get = get.WithClassName(s.opts.Collection).
		WithFields(
			graphql.Field{Name: propChunkID},
			graphql.Field{Name: "_additional", Fields: []graphql.Field{{Name: additional}}},
		).
		WithLimit(k)
	rows, err := s.rows(ctx, op, get)
	if err != nil {
		return nil, err
	}
	hits := make([]rag.Hit, 0, len(rows))
	for _, r := range rows {
		sc, ok := score(r)
		if !ok || r.ChunkID == "" {
			return nil, fmt.Errorf("weaviate %s at %s: an answer without chunk ID or %s", op, s.opts.URL, additional)
		}
		hits = append(hits, rag.Hit{ChunkID: r.ChunkID, Score: sc})
	}
	slices.SortStableFunc(hits, func(a, b rag.Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ChunkID, b.ChunkID))
	})
	return hits, nil
}

// rows runs a Get on the store's collection and returns its objects.
func (s *Store) rows(ctx context.Context, op string, get *graphql.GetBuilder) ([]row, error) {
	// No consistency level: Weaviate then searches one replica of each
	// shard. With QUORUM or ALL, Weaviate 1.29 checks the results against
	// the other replicas and repairs a stale one with the search's view of
	// the object, which holds only the properties the query asked for and
	// no vector; the replica keeps that for good, as the repair gives it
	// the winner's update time (weaviate/weaviate#12355). A failed check is only
	// logged by the server, so the level would not make a search fail
	// either. Writes keep the configured level; async replication repairs.
	rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	res, err := get.Do(rctx)
	if err != nil {
		return nil, s.fail(ctx, rctx, op, err)
	}
	if err := s.graphQLError(op, res.Errors); err != nil {
		return nil, err
	}
	var out struct {
		Get map[string][]row
	}
	if err := decode(res.Data, &out); err != nil {
		return nil, fmt.Errorf("weaviate %s at %s: %w", op, s.opts.URL, err)
	}
	return out.Get[s.opts.Collection], nil
}

// decode converts a GraphQL answer's data, which the client leaves as
// generic JSON values, into v.
func decode(data map[string]models.JSONObject, v any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// Count returns the number of chunks in the collection.
func (s *Store) Count(ctx context.Context) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	res, err := s.client.GraphQL().Aggregate().
		WithClassName(s.opts.Collection).
		WithFields(graphql.Field{Name: "meta", Fields: []graphql.Field{{Name: "count"}}}).
		Do(rctx)
	if err != nil {
		return 0, s.fail(ctx, rctx, "count", err)
	}
	if err := s.graphQLError("count", res.Errors); err != nil {
		return 0, err
	}
	var out struct {
		Aggregate map[string][]struct {
			Meta struct {
				Count int `json:"count"`
			} `json:"meta"`
		}
	}
	if err := decode(res.Data, &out); err != nil {
		return 0, fmt.Errorf("weaviate count at %s: %w", s.opts.URL, err)
	}
	rows := out.Aggregate[s.opts.Collection]
	if len(rows) == 0 {
		return 0, nil
	}
	return rows[0].Meta.Count, nil
}
