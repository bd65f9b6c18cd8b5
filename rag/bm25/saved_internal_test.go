package bm25

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/citebot/citebot/rag"
)

// FuzzDecode feeds the saved file's parser arbitrary bodies, signed with
// the checksum it expects, so that the parser behind the checksum is
// reached: it must fail cleanly, or give an index that matches its chunks,
// searches and takes writes. (In memory: files and directories per input
// make fuzzing crawl.)
func FuzzDecode(f *testing.F) {
	ctx := context.Background()
	chunks := []rag.Chunk{
		{ID: "a#0", Source: "a", Text: "zebra okapi giraffe"},
		{ID: "a#1", Source: "a", Text: "okapi okapi crossing"},
		{ID: "b#0", Source: "b", Text: "the elephant house"},
	}
	x := New()
	if err := x.Add(ctx, chunks); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := x.encode(w); err != nil {
		f.Fatal(err)
	}
	w.Flush()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		signed := binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.Checksum(body, castagnoli))
		s, err := decode(signed)
		if err != nil {
			return
		}
		if s.match(chunks) != nil {
			return
		}
		y := New()
		if ok, err := y.adopt(s); !ok || err != nil {
			t.Fatalf("adopt = %v, %v", ok, err)
		}
		if _, err := y.Search(ctx, "okapi zebra elephant", 5); err != nil {
			t.Fatal(err)
		}
		if err := y.Add(ctx, chunks[:1]); err != nil {
			t.Fatal(err)
		}
		if err := y.DeleteSource(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		if _, err := y.Search(ctx, "okapi", 5); err != nil {
			t.Fatal(err)
		}
	})
}
