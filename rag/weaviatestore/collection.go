package weaviatestore

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/weaviate/weaviate/adapters/repos/db/inverted/stopwords"
	"github.com/weaviate/weaviate/entities/models"
)

// Properties of a chunk object.
const (
	propChunkID = "chunkId"
	propText    = "text"
	propSource  = "source"
	propTitle   = "title"
	propDate    = "date"
	propOrdinal = "ordinal"
	propStart   = "startOffset"
	propEnd     = "endOffset"
	propHash    = "contentHash"
	// propVectorHash is not a chunk field: see Store.object.
	propVectorHash = "vectorHash"
)

// properties returns the collection's property definitions. Only the text
// is searchable (BM25, lower-cased words); the chunk ID, source and date are
// filterable as whole values, so that a source's chunks can be deleted
// together and "a" does not match "a.md".
func properties() []*models.Property {
	yes, no := new(true), new(false)
	text := func(name, tokenization string, filterable, searchable *bool, desc string) *models.Property {
		return &models.Property{
			Name: name, DataType: []string{"text"}, Tokenization: tokenization,
			IndexFilterable: filterable, IndexSearchable: searchable, Description: desc,
		}
	}
	integer := func(name string, filterable *bool, desc string) *models.Property {
		return &models.Property{Name: name, DataType: []string{"int"}, IndexFilterable: filterable, Description: desc}
	}
	return []*models.Property{
		text(propChunkID, models.PropertyTokenizationField, yes, no, "chunk ID: source#ordinal"),
		text(propText, models.PropertyTokenizationWord, no, yes, "the passage, verbatim from its document"),
		text(propSource, models.PropertyTokenizationField, yes, no, "document path relative to the corpus"),
		text(propTitle, models.PropertyTokenizationWord, no, no, "document title"),
		text(propDate, models.PropertyTokenizationField, yes, no, "document date, YYYY-MM-DD or empty"),
		integer(propOrdinal, yes, "ordinal of the chunk in its document"),
		integer(propStart, no, "byte offset of the chunk's start in its document's text"),
		integer(propEnd, no, "byte offset of the chunk's end in its document's text"),
		text(propHash, models.PropertyTokenizationField, no, no, "SHA-256 of the chunk's properties"),
		text(propVectorHash, models.PropertyTokenizationField, no, no, "SHA-256 of the vector"),
	}
}

// class returns the collection's definition: explicit properties, no
// vectorizer, cosine distance, and the replication settings.
func (s *Store) class() *models.Class {
	c := &models.Class{
		Class:             s.opts.Collection,
		Description:       "citebot chunks",
		Vectorizer:        "none",
		Properties:        properties(),
		VectorIndexConfig: map[string]any{"distance": "cosine"},
		// Weaviate drops stop words from filter values too, so that with
		// its English preset no source named "a" or "the" could be
		// deleted; the store drops them from queries itself (queryWords).
		InvertedIndexConfig: &models.InvertedIndexConfig{
			Stopwords: &models.StopwordConfig{Preset: stopwords.NoPreset},
		},
	}
	if s.opts.Shards > 0 {
		c.ShardingConfig = map[string]any{"desiredCount": s.opts.Shards}
	}
	rf := max(s.opts.ReplicationFactor, 1)
	c.ReplicationConfig = &models.ReplicationConfig{Factor: int64(rf)}
	if rf > 1 {
		c.ReplicationConfig.AsyncEnabled = s.opts.AsyncReplication
		// A chunk deleted on some replicas while one was down is deleted
		// on all when repaired, rather than reported as a conflict.
		c.ReplicationConfig.DeletionStrategy = models.ReplicationConfigDeletionStrategyTimeBasedResolution
	}
	return c
}

// ensureCollection creates the collection, or checks that an existing one
// has what the store needs.
func (s *Store) ensureCollection(ctx context.Context) error {
	existing, err := s.getClass(ctx)
	if err != nil {
		return err
	}
	if existing == nil {
		rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		defer cancel()
		err := s.client.Schema().ClassCreator().WithClass(s.class()).Do(rctx)
		if err == nil {
			return nil
		}
		// Another process may have created it first.
		if status, detail, _ := classify(err); status != http.StatusUnprocessableEntity || !strings.Contains(detail, "exists") {
			return s.fail(ctx, rctx, "create collection "+s.opts.Collection, err)
		}
		if existing, err = s.getClass(ctx); err != nil {
			return err
		}
		if existing == nil {
			return fmt.Errorf("weaviate at %s: collection %s neither created nor found", s.opts.URL, s.opts.Collection)
		}
	}
	return s.checkClass(existing)
}

// getClass returns the collection's definition, nil when there is none.
func (s *Store) getClass(ctx context.Context) (*models.Class, error) {
	rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	c, err := s.client.Schema().ClassGetter().WithClassName(s.opts.Collection).Do(rctx)
	if err != nil {
		if status, _, _ := classify(err); status == http.StatusNotFound {
			return nil, nil
		}
		return nil, s.fail(ctx, rctx, "get collection "+s.opts.Collection, err)
	}
	return c, nil
}

// checkClass reports an existing collection that the store cannot use.
func (s *Store) checkClass(c *models.Class) error {
	var problems []string
	if c.Vectorizer != "none" {
		problems = append(problems, fmt.Sprintf("vectorizer is %q, want none", c.Vectorizer))
	}
	if d, ok := c.VectorIndexConfig.(map[string]any)["distance"]; ok && d != "cosine" {
		problems = append(problems, fmt.Sprintf("distance is %v, want cosine", d))
	}
	for _, want := range properties() {
		i := slices.IndexFunc(c.Properties, func(p *models.Property) bool { return p.Name == want.Name })
		switch {
		case i < 0:
			problems = append(problems, "no property "+want.Name)
		case !slices.Equal(c.Properties[i].DataType, want.DataType):
			problems = append(problems, fmt.Sprintf("property %s is %v, want %v", want.Name, c.Properties[i].DataType, want.DataType))
		}
	}
	if rf := s.opts.ReplicationFactor; rf > 0 && c.ReplicationConfig != nil && c.ReplicationConfig.Factor != int64(rf) {
		problems = append(problems, fmt.Sprintf("replication factor is %d, the options ask for %d", c.ReplicationConfig.Factor, rf))
	}
	if n := s.opts.Shards; n > 0 {
		switch have, ok := desiredShards(c.ShardingConfig); {
		case !ok:
			problems = append(problems, fmt.Sprintf("its shard count is not given, the options ask for %d", n))
		case have != n:
			problems = append(problems, fmt.Sprintf("it has %d shards, the options ask for %d", have, n))
		}
	}
	if c.InvertedIndexConfig == nil || c.InvertedIndexConfig.Stopwords == nil ||
		c.InvertedIndexConfig.Stopwords.Preset != stopwords.NoPreset || len(c.InvertedIndexConfig.Stopwords.Additions) > 0 {
		problems = append(problems, "stop words are configured, want none")
	}
	if len(problems) > 0 {
		return fmt.Errorf("weaviate at %s: collection %s exists but cannot be used: %s",
			s.opts.URL, s.opts.Collection, strings.Join(problems, "; "))
	}
	return nil
}

// drop deletes the collection and everything in it.
func (s *Store) drop(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if err := s.client.Schema().ClassDeleter().WithClassName(s.opts.Collection).Do(rctx); err != nil {
		return s.fail(ctx, rctx, "delete collection "+s.opts.Collection, err)
	}
	return nil
}

// desiredShards reads the shard count of a collection's sharding
// configuration, as the client decodes Weaviate's JSON object.
func desiredShards(config any) (int, bool) {
	m, _ := config.(map[string]any)
	n, ok := m["desiredCount"].(float64)
	return int(n), ok
}
