package rag

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"hash/crc32"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// statsOf counts term statistics for recs the slow way.
func statsOf(recs []*record) *termCounts {
	s := newTermStats()
	for _, r := range recs {
		for _, c := range r.chunks {
			s.add(c.Text)
		}
	}
	return &termCounts{n: s.n, df: s.df}
}

func TestSnapshotTermsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	recs := testRecords()
	want := statsOf(recs)
	if err := writeSnapshotTerms(dir, snapshotMeta{EmbedderID: "emb/v1"}, 3, recs, want, nil); err != nil {
		t.Fatal(err)
	}
	s, err := readSnapshotFile(dir, "emb/v1")
	if err != nil {
		t.Fatal(err)
	}
	if s.terms == nil || s.terms.n != want.n || !maps.Equal(s.terms.df, want.df) {
		t.Fatalf("terms = %+v, want %+v", s.terms, want)
	}
	if !reflect.DeepEqual(s.recs[0].chunks, recs[0].chunks) {
		t.Error("chunks differ")
	}
}

// A snapshot whose statistics do not match its chunks, or whose statistics
// are of another termsVersion, must not be trusted.
func TestSnapshotTermsChecked(t *testing.T) {
	dir := t.TempDir()
	recs := testRecords()
	bad := statsOf(recs)
	bad.n++
	if err := writeSnapshotTerms(dir, snapshotMeta{EmbedderID: "emb/v1"}, 3, recs, bad, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := readSnapshotFile(dir, "emb/v1"); err == nil {
		t.Error("statistics of the wrong number of chunks: no error")
	}

	tb := encodeTerms(statsOf(recs))
	binary.LittleEndian.PutUint32(tb, termsVersion+1)
	got, err := decodeTerms(tb)
	if err != nil || got != nil {
		t.Errorf("statistics of another version: %v, %v; want nil, nil", got, err)
	}
}

// TestLoadUsesSnapshotTerms checks that a loaded index has the statistics
// of the index that saved it, whether the snapshot holds them or not.
func TestLoadUsesSnapshotTerms(t *testing.T) {
	recs := testRecords()
	want := statsOf(recs)
	for _, withTerms := range []bool{true, false} {
		dir := t.TempDir()
		terms := want
		if !withTerms {
			terms = nil
		}
		x := &Index{cfg: Config{DataDir: dir, EmbedderID: "emb/v1", Store: nopStore{}, Lexical: nopLexical{}}, docs: map[string]*record{}, chunks: map[string]*Chunk{}, terms: newTermStats()}
		if err := writeSnapshotTerms(dir, snapshotMeta{EmbedderID: "emb/v1", Settings: x.settings()}, 3, recs, terms, nil); err != nil {
			t.Fatal(err)
		}
		if err := x.Load(t.Context()); err != nil {
			t.Fatal(err)
		}
		if x.terms.n != want.n || !maps.Equal(x.terms.df, want.df) {
			t.Errorf("with terms in the snapshot %v: n=%d df=%v, want n=%d df=%v", withTerms, x.terms.n, x.terms.df, want.n, want.df)
		}
		if len(x.chunks) != 3 || len(x.docs) != 2 || x.dims != 3 {
			t.Errorf("loaded %d chunks, %d docs, %d dims; want 3, 2, 3", len(x.chunks), len(x.docs), x.dims)
		}
	}
}

// TestSnapshotOldVersions checks that snapshots written before term
// statistics were stored (version 1) and before the texts were taken out
// of the metadata (version 2) still load.
func TestSnapshotOldVersions(t *testing.T) {
	for _, version := range []uint32{1, 2} {
		recs := testRecords()
		terms := statsOf(recs)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, SnapshotFile), legacySnapshot(t, version, recs, terms), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := readSnapshotFile(dir, "emb/v1")
		if err != nil {
			t.Fatalf("version %d: %v", version, err)
		}
		if len(s.recs) != 2 || !reflect.DeepEqual(s.recs[1].vectors, recs[1].vectors) {
			t.Fatalf("version %d snapshot read as %+v", version, s)
		}
		for i, r := range s.recs {
			if !reflect.DeepEqual(r.doc, recs[i].doc) || !reflect.DeepEqual(r.chunks, recs[i].chunks) {
				t.Errorf("version %d: document %d read as %+v, want %+v", version, i, r, recs[i])
			}
		}
		if version == 1 && s.terms != nil {
			t.Errorf("version 1: term statistics %+v, want none", s.terms)
		}
		if version == 2 && (s.terms == nil || s.terms.n != terms.n || !maps.Equal(s.terms.df, terms.df)) {
			t.Errorf("version 2: term statistics %+v, want %+v", s.terms, terms)
		}
	}
}

// legacySnapshot encodes recs as a snapshot of version 1 or 2 (with terms),
// whose metadata holds every document's text.
func legacySnapshot(t *testing.T, version uint32, recs []*record, terms *termCounts) []byte {
	t.Helper()
	var body bytes.Buffer
	le := binary.LittleEndian
	meta := snapshotMeta{EmbedderID: "emb/v1"}
	for _, r := range recs {
		var spans []Span
		for _, c := range r.chunks {
			spans = append(spans, Span{c.Start, c.End})
		}
		meta.Documents = append(meta.Documents, snapshotDoc{Document: r.doc, Chunks: spans})
	}
	var mb bytes.Buffer
	if err := gob.NewEncoder(&mb).Encode(meta); err != nil {
		t.Fatal(err)
	}
	body.Write(snapshotMagic[:])
	body.Write(le.AppendUint32(nil, version))
	body.Write(le.AppendUint64(nil, uint64(mb.Len())))
	body.Write(mb.Bytes())
	if version >= 2 {
		tb := encodeTerms(terms)
		body.Write(le.AppendUint64(nil, uint64(len(tb))))
		body.Write(tb)
	}
	body.Write(le.AppendUint32(nil, 3))
	body.Write(le.AppendUint64(nil, 3))
	for _, r := range recs {
		for _, v := range r.vectors {
			for _, f := range v {
				body.Write(le.AppendUint32(nil, math.Float32bits(f)))
			}
		}
	}
	body.Write(le.AppendUint32(nil, crc32.Checksum(body.Bytes(), castagnoli)))
	return body.Bytes()
}

// nopStore and nopLexical accept everything and find nothing.
type nopStore struct{}

func (nopStore) Add(context.Context, []Chunk, [][]float32) error      { return nil }
func (nopStore) DeleteSource(context.Context, string) error           { return nil }
func (nopStore) Query(context.Context, []float32, int) ([]Hit, error) { return nil, nil }

type nopLexical struct{}

func (nopLexical) Add(context.Context, []Chunk) error                 { return nil }
func (nopLexical) DeleteSource(context.Context, string) error         { return nil }
func (nopLexical) Search(context.Context, string, int) ([]Hit, error) { return nil, nil }
