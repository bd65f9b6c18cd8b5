package rag

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func testRecords() []*record {
	d := Document{Source: "a.txt", Title: "A", Date: "2012-07-12", Hash: "h1", Text: "Alpha beta. Gamma delta.", Kept: []Span{{0, 24}}}
	e := Document{Source: "dir/b.md", Title: "B", Hash: "h2", Text: "Один два три.", Kept: []Span{{0, 23}}}
	return []*record{
		{doc: d, chunks: []Chunk{newChunk(d, 0, Span{0, 11}), newChunk(d, 1, Span{12, 24})}, vectors: [][]float32{{1, 0, 0}, {0, 1, 0}}},
		{doc: e, chunks: []Chunk{newChunk(e, 0, Span{0, 23})}, vectors: [][]float32{{0, 0, 1}}},
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := testRecords()
	if err := writeSnapshot(dir, "emb/v1", 3, want); err != nil {
		t.Fatal(err)
	}
	got, err := readSnapshot(dir, "emb/v1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].doc, want[i].doc) || !reflect.DeepEqual(got[i].chunks, want[i].chunks) || !reflect.DeepEqual(got[i].vectors, want[i].vectors) {
			t.Errorf("record %d differs:\n got %+v %+v\nwant %+v %+v", i, got[i].doc, got[i].chunks, want[i].doc, want[i].chunks)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("data dir holds %d entries, want the snapshot and its lock (no temp files)", len(entries))
	}
}

func TestSnapshotMissingIsEmpty(t *testing.T) {
	got, err := readSnapshot(t.TempDir(), "emb/v1")
	if err != nil || got != nil {
		t.Fatalf("readSnapshot(empty dir) = %v, %v; want nil, nil", got, err)
	}
}

// An index of no chunks (a corpus of no readable file yet) is saved
// before any vector sets its dimensions, 0: it loads, rather than being
// reported unusable and rebuilt at every start.
func TestSnapshotNoChunks(t *testing.T) {
	dir := t.TempDir()
	if err := writeSnapshot(dir, "emb/v1", 0, nil); err != nil {
		t.Fatal(err)
	}
	got, err := readSnapshot(dir, "emb/v1")
	if err != nil || len(got) != 0 {
		t.Fatalf("readSnapshot = %d records, %v; want none and no error", len(got), err)
	}
}

// Every truncation and every flipped byte must be detected, never panic and
// never load.
func TestSnapshotDamage(t *testing.T) {
	dir := t.TempDir()
	if err := writeSnapshot(dir, "emb/v1", 3, testRecords()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SnapshotFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, data []byte) {
		t.Helper()
		if _, err := decodeSnapshot(data, "emb/v1"); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	for n := 0; n < len(good); n++ {
		check("truncated", good[:n])
	}
	for i := range good {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x5a
		check("flipped", bad)
	}
	check("foreign", []byte("{\"collections\": {}}\n"))

	if err := os.WriteFile(path, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readSnapshot(dir, "emb/v1"); !errors.Is(err, ErrSnapshot) {
		t.Errorf("readSnapshot(torn file) = %v, want ErrSnapshot", err)
	}
}

func TestSnapshotOtherEmbedder(t *testing.T) {
	dir := t.TempDir()
	if err := writeSnapshot(dir, "emb/v1", 3, testRecords()); err != nil {
		t.Fatal(err)
	}
	if _, err := readSnapshot(dir, "other/v2"); !errors.Is(err, ErrSnapshot) {
		t.Errorf("readSnapshot(other embedder) = %v, want ErrSnapshot", err)
	}
}

// A save writes the documents' texts straight from them: encoding a
// snapshot allocates far less than the text it holds.
func TestSnapshotSaveDoesNotCopyTexts(t *testing.T) {
	text := strings.Repeat("Alpha beta gamma delta. ", 1<<17) // 3 MiB
	d := Document{Source: "big.txt", Title: "Big", Hash: "h", Text: text, Kept: []Span{{0, len(text)}}}
	recs := []*record{{doc: d, chunks: []Chunk{newChunk(d, 0, Span{0, 11})}, vectors: [][]float32{{1, 0, 0}}}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := encodeSnapshot(io.Discard, snapshotMeta{EmbedderID: "emb/v1"}, 3, recs, nil); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > uint64(len(text)/8) {
		t.Errorf("encoding a snapshot of %d bytes of text allocated %d bytes", len(text), n)
	}
}
