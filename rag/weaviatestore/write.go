package weaviatestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/citebot/citebot/rag"
)

// Add inserts chunks, or replaces those whose IDs are already stored;
// vectors[i] belongs to chunks[i]. Every vector must have the length of
// the collection's vectors, and a finite, non-zero norm. Nothing is sent if
// a chunk or vector is invalid; an ID given twice is stored once, with its
// last chunk. Chunks go in batches of Options.BatchSize, so a failure may
// leave earlier batches stored.
//
// A chunk whose object already holds the same content and vector is not
// written again: re-adding what is stored (rag.Index.Load does so at every
// start) costs one read per batch and leaves the objects, and their update
// times, alone.
func (s *Store) Add(ctx context.Context, chunks []rag.Chunk, vectors [][]float32) error {
	if len(chunks) != len(vectors) {
		return fmt.Errorf("weaviate add: %d chunks but %d vectors", len(chunks), len(vectors))
	}
	if len(chunks) == 0 {
		return nil
	}
	dim := len(vectors[0])
	for i, c := range chunks {
		if c.ID == "" {
			return fmt.Errorf("weaviate add: chunk %d of %s has no ID", i, c.Source)
		}
		if err := checkVector(vectors[i], dim); err != nil {
			return fmt.Errorf("weaviate add %s: %w", c.ID, err)
		}
	}
	idx := lastOfEachID(chunks)
	for start := 0; start < len(idx); start += s.opts.BatchSize {
		part := idx[start:min(start+s.opts.BatchSize, len(idx))]
		ids := make([]string, len(part))
		for j, i := range part {
			ids[j] = ObjectID(chunks[i].ID)
		}
		stored, err := s.objectsByID(ctx, "add", ids)
		if err != nil {
			return err
		}
		objs := make([]*models.Object, 0, len(part))
		for j, i := range part {
			o := s.object(chunks[i], vectors[i])
			props := o.Properties.(map[string]any)
			if r, ok := stored[ids[j]]; ok && r.ContentHash == props[propHash] && r.VectorHash == props[propVectorHash] {
				continue
			}
			objs = append(objs, o)
		}
		if err := s.put(ctx, "add", objs); err != nil {
			return err
		}
	}
	return nil
}

// lastOfEachID returns the indexes of chunks, in order, skipping a chunk
// whose ID comes again later.
func lastOfEachID(chunks []rag.Chunk) []int {
	last := make(map[string]int, len(chunks))
	for i, c := range chunks {
		last[c.ID] = i
	}
	idx := make([]int, 0, len(last))
	for i, c := range chunks {
		if last[c.ID] == i {
			idx = append(idx, i)
		}
	}
	return idx
}

// checkVector reports a vector that cosine distance cannot use.
func checkVector(v []float32, dim int) error {
	if len(v) != dim {
		return fmt.Errorf("vector has %d dimensions, want %d", len(v), dim)
	}
	var sq float64
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return errors.New("vector has a NaN or infinite value")
		}
		sq += float64(x) * float64(x)
	}
	if sq == 0 {
		return errors.New("vector has zero norm")
	}
	return nil
}

// object is the Weaviate object of chunk c; vector may be nil.
func (s *Store) object(c rag.Chunk, vector []float32) *models.Object {
	return &models.Object{
		Class: s.opts.Collection,
		ID:    strfmt.UUID(ObjectID(c.ID)),
		Properties: map[string]any{
			propChunkID: c.ID,
			propText:    c.Text,
			propSource:  c.Source,
			propTitle:   c.Title,
			propDate:    c.Date,
			propOrdinal: c.Ordinal,
			propStart:   c.Start,
			propEnd:     c.End,
			propHash:    contentHash(c),
			// The vector's hash, so that Add can tell an unchanged object
			// without reading its vector.
			propVectorHash: vectorHash(vector),
		},
		Vector: vector,
	}
}

// contentHash is the hex SHA-256 of everything the object of c holds but
// its vector.
func contentHash(c rag.Chunk) string {
	h := sha256.New()
	for _, f := range []string{c.ID, c.Source, c.Title, c.Date, strconv.Itoa(c.Ordinal), strconv.Itoa(c.Start), strconv.Itoa(c.End), c.Text} {
		// Length-prefixed, so that no two chunks hash the same input.
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// vectorHash is the hex SHA-256 of a vector's float32 bits, "" for none.
func vectorHash(v []float32) string {
	if len(v) == 0 {
		return ""
	}
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// put imports objects in batches at the store's consistency level.
func (s *Store) put(ctx context.Context, op string, objs []*models.Object) error {
	for start := 0; start < len(objs); start += s.opts.BatchSize {
		batch := objs[start:min(start+s.opts.BatchSize, len(objs))]
		rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		res, err := s.client.Batch().ObjectsBatcher().
			WithObjects(batch...).
			WithConsistencyLevel(s.opts.ConsistencyLevel).
			Do(rctx)
		if err != nil {
			err = s.fail(ctx, rctx, op, err)
		}
		cancel()
		if err != nil {
			return err
		}
		if err := s.objectErrors(op, res); err != nil {
			return err
		}
	}
	return nil
}

// DeleteSource removes every chunk of source; an unknown source is a no-op.
// Sources are compared whole, but with surrounding spaces trimmed
// (Weaviate's field tokenization): "a.md" and " a.md" are one source.
func (s *Store) DeleteSource(ctx context.Context, source string) error {
	if strings.TrimSpace(source) == "" {
		// Nothing to filter on; chunks always have a source.
		return nil
	}
	op := "delete " + strconv.Quote(source)
	where := filters.Where().
		WithPath([]string{propSource}).
		WithOperator(filters.Equal).
		WithValueText(source).
		Build()
	// One request deletes at most the server's QUERY_MAXIMUM_RESULTS
	// objects; repeat until a request matches fewer.
	for {
		rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		res, err := s.batchDelete(rctx, where)
		if err != nil {
			err = s.fail(ctx, rctx, op, err)
		}
		cancel()
		if err != nil {
			return err
		}
		r := res.Results
		if r == nil {
			return nil
		}
		if r.Failed > 0 {
			return s.deleteErrors(op, r)
		}
		if r.Matches < r.Limit || r.Successful == 0 {
			return nil
		}
	}
}

// batchDelete deletes the objects that where matches, at the store's
// consistency level.
//
// It does not use the client's ObjectsBatchDeleter, which cannot send a
// deletion time: without one, Weaviate (1.29) keeps no time with the
// deletion, and a replica that was down during it brings the objects back
// when it returns (async replication and read repair resolve a conflict
// between a deletion and an object by their times). The time is this
// host's clock; it only has to be later than the objects' last update.
func (s *Store) batchDelete(ctx context.Context, where *models.WhereFilter) (*models.BatchDeleteResponse, error) {
	now := time.Now().UnixMilli()
	output := "minimal"
	body := models.BatchDelete{
		Match:                 &models.BatchDeleteMatch{Class: s.opts.Collection, Where: where},
		Output:                &output,
		DeletionTimeUnixMilli: &now,
	}
	path := "/batch/objects?consistency_level=" + url.QueryEscape(s.opts.ConsistencyLevel)
	var res models.BatchDeleteResponse
	if err := s.rest(ctx, http.MethodDelete, path, body, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// rest sends a JSON request to the REST API and decodes the answer into
// out. Its errors have the shape of the client's, for classify.
func (s *Store) rest(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, s.opts.scheme+"://"+s.opts.host+"/v1"+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &fault.WeaviateClientError{IsUnexpectedStatusCode: true, StatusCode: resp.StatusCode, Msg: string(data)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// deleteErrors describes the failures of a batch delete.
func (s *Store) deleteErrors(op string, r *models.BatchDeleteResponseResults) error {
	var res []models.ObjectsGetResponse
	for _, o := range r.Objects {
		if o != nil && o.Errors != nil {
			res = append(res, models.ObjectsGetResponse{Result: &models.ObjectsGetResponseAO2Result{Errors: o.Errors}})
		}
	}
	if err := s.objectErrors(op, res); err != nil {
		return err
	}
	return fmt.Errorf("weaviate %s at %s: %d of %d objects not deleted", op, s.opts.URL, r.Failed, r.Matches)
}
