package rag_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

// skipped returns the reasons of rep's skipped files, by source.
func skipped(rep rag.SyncReport) map[string]string {
	m := map[string]string{}
	for _, s := range rep.Skipped {
		m[s.Source] = s.Reason
	}
	return m
}

// Files over max_file_bytes are skipped with a reason naming the limit,
// without being read: a sparse file that claims more than the limit costs a
// stat, not its size in memory.
func TestSyncSkipsLargeFiles(t *testing.T) {
	for _, tt := range []struct {
		name  string
		limit int64 // 0: the default
		size  int64 // of a sparse file of zeros; 0: a text file of the text below
		text  string
		skip  bool
	}{
		{name: "small.txt", limit: 1000, text: zebraDoc},
		{name: "exact.txt", limit: int64(len(zebraDoc)), text: zebraDoc},
		{name: "over.txt", limit: int64(len(zebraDoc)) - 1, text: zebraDoc, skip: true},
		{name: "sparse.txt", size: rag.DefaultMaxFileBytes + 1, skip: true},
		{name: "huge.txt", size: 64 << 30, skip: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			corpus := t.TempDir()
			writeFile(t, corpus, tt.name, tt.text)
			if tt.size > 0 {
				if err := os.Truncate(filepath.Join(corpus, tt.name), tt.size); err != nil {
					t.Skipf("no sparse files here: %v", err)
				}
			}
			cfg, err := ragtest.Config("")
			if err != nil {
				t.Fatal(err)
			}
			cfg.MaxFileBytes = tt.limit
			x, err := rag.NewIndex(cfg)
			if err != nil {
				t.Fatal(err)
			}
			rep := sync(t, x, corpus)
			reason := skipped(rep)[tt.name]
			if !tt.skip {
				if rep.Documents != 1 || reason != "" {
					t.Fatalf("sync = %+v, want %s indexed", rep, tt.name)
				}
				return
			}
			limit := tt.limit
			if limit == 0 {
				limit = rag.DefaultMaxFileBytes
			}
			if rep.Documents != 0 || !strings.Contains(reason, "max_file_bytes") || !strings.Contains(reason, strconv.FormatInt(limit, 10)) {
				t.Errorf("sync = %+v, reason %q; want %s skipped as larger than max_file_bytes %d", rep, reason, tt.name, limit)
			}
		})
	}
}

func utf16File(s string, order binary.AppendByteOrder) string {
	var b []byte
	b = order.AppendUint16(b, 0xfeff)
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return string(b)
}

// Text is decoded and kept as written: UTF-16 with a byte order mark is
// read, a UTF-8 byte order mark is dropped, entities in plain text stay
// verbatim and entities in HTML are decoded once.
func TestSyncDecodesText(t *testing.T) {
	const entities = "Escaping Markup\n\nWrite &lt;script&gt; to show a tag, and &amp;amp; to show an entity, in your pages.\n"
	for _, tt := range []struct {
		name, data string
		title      string   // "" for any
		want       []string // in the text
		not        []string // not in the text
	}{
		{"le.txt", utf16File(zebraDoc+"Grévy’s zebra 🦓 is rarer.\n", binary.LittleEndian), "Zebras of the Savanna", []string{"plains zebra lives", "Grévy’s zebra 🦓 is rarer"}, []string{"\x00", "\ufeff"}},
		{"be.md", utf16File(cometDoc, binary.BigEndian), "Comet Watch", []string{"ten million kilometres"}, []string{"\x00", "\ufeff"}},
		{"bom.txt", "\xef\xbb\xbf" + glassDoc, "Glassblowing Basics", []string{"Glassblowers heat"}, []string{"\ufeff"}},
		{"bom.html", "\xef\xbb\xbf<html><body><h1>Glassblowing Basics</h1><p>Glassblowers heat silica sand in a furnace until it melts.</p></body></html>", "Glassblowing Basics", []string{"Glassblowers heat"}, []string{"\ufeff"}},
		{"entities.txt", entities, "", []string{"&lt;script&gt;", "&amp;amp;"}, nil},
		{"entities.md", entities, "", []string{"&lt;script&gt;", "&amp;amp;"}, nil},
		{"entities.html", "<html><body><h1>Escaping Markup</h1><p>Write &lt;script&gt; to show a tag, and &amp;amp; to show an entity, in your pages.</p><p>Also 3 &lt; 4 &amp;&amp; 5 &gt; 2 &quot;holds&quot;.</p></body></html>", "Escaping Markup",
			[]string{"Write <script> to show a tag, and &amp; to show an entity", `3 < 4 && 5 > 2 "holds"`}, []string{"&lt;", "&amp;amp;"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			corpus := t.TempDir()
			writeFile(t, corpus, tt.name, tt.data)
			x := newIndex(t, "")
			rep := sync(t, x, corpus)
			doc, ok := x.Document(tt.name)
			if !ok {
				t.Fatalf("%s not indexed: %+v", tt.name, rep)
			}
			if tt.title != "" && doc.Title != tt.title {
				t.Errorf("title %q, want %q", doc.Title, tt.title)
			}
			for _, w := range tt.want {
				if !strings.Contains(doc.Text, w) {
					t.Errorf("text %q lacks %q", doc.Text, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(doc.Text, w) || strings.Contains(doc.Title, w) {
					t.Errorf("text %q or title %q has %q", doc.Text, doc.Title, w)
				}
			}
		})
	}
}

// Files whose names are not UTF-8 keep distinct, printable sources.
func TestSyncKeepsNamesDistinct(t *testing.T) {
	corpus := t.TempDir()
	names := map[string]string{ // file name: source
		"caf\xe9.txt":     "caf%E9.txt",
		"caf\xe8.txt":     "caf%E8.txt",
		"caf%E9.txt":      "caf%25E9.txt",
		"bell\a.txt":      "bell%07.txt",
		"café.txt":        "café.txt",
		"100%.txt":        "100%.txt",
		"sub/\xff\xfe.md": "sub/%FF%FE.md",
	}
	docs := []string{zebraDoc, cometDoc, glassDoc}
	i := 0
	for name := range names {
		if err := os.MkdirAll(filepath.Join(corpus, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(corpus, name), []byte(docs[i%3]+strings.Repeat(" More.", i)), 0o644); err != nil {
			t.Skipf("this file system does not take the name %q: %v", name, err)
		}
		i++
	}
	x := newIndex(t, "")
	rep := sync(t, x, corpus)
	if rep.Documents != len(names) {
		t.Fatalf("sync = %+v, want %d documents", rep, len(names))
	}
	for name, source := range names {
		doc, ok := x.Document(source)
		if !ok {
			t.Errorf("%q not indexed as %q; documents: %v", name, source, x.Documents())
			continue
		}
		if !utf8.ValidString(doc.Source) {
			t.Errorf("source %q is not UTF-8", doc.Source)
		}
	}
}

// A symbolic link to a file inside the corpus is read under the link's
// name; every other link is skipped with a reason and never followed.
func TestSyncSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	outside := t.TempDir()
	writeFile(t, outside, "secret.txt", glassDoc)
	corpus := t.TempDir()
	writeFile(t, corpus, "zebra.txt", zebraDoc)
	writeFile(t, corpus, "sub/comet.md", cometDoc)
	writeFile(t, corpus, ".private/notes.txt", glassDoc)
	for link, target := range map[string]string{
		"inside.txt":      "zebra.txt",
		"sub/up.md":       "../zebra.txt",
		"absolute.md":     filepath.Join(corpus, "sub", "comet.md"),
		"outside.txt":     filepath.Join(outside, "secret.txt"),
		"escape.txt":      "../" + filepath.Base(outside) + "/secret.txt",
		"dir":             "sub",
		"outdir":          outside,
		"dangling.txt":    "nothing.txt",
		"chain.txt":       "inside.txt",
		"chainout.txt":    "outside.txt",
		"tohidden.txt":    ".private/notes.txt",
		".hidden-out.txt": filepath.Join(outside, "secret.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(corpus, link)); err != nil {
			t.Skipf("no symbolic links: %v", err)
		}
	}
	x := newIndex(t, "")
	rep := sync(t, x, corpus)
	reasons := skipped(rep)
	for _, src := range []string{"zebra.txt", "sub/comet.md", "inside.txt", "sub/up.md", "absolute.md", "chain.txt"} {
		if _, ok := x.Document(src); !ok {
			t.Errorf("%s not indexed; skipped %v", src, reasons)
		}
	}
	for src, why := range map[string]string{
		"outside.txt": "outside the corpus", "escape.txt": "outside the corpus", "chainout.txt": "outside the corpus",
		"outdir": "outside the corpus", "dir": "directory", "dangling.txt": "symbolic link",
		"tohidden.txt": "hidden",
	} {
		if !strings.Contains(reasons[src], why) {
			t.Errorf("%s: skipped as %q, want a reason with %q", src, reasons[src], why)
		}
		if _, ok := x.Document(src); ok {
			t.Errorf("%s indexed", src)
		}
	}
	for _, d := range x.Documents() {
		if doc, _ := x.Document(d.Source); strings.Contains(doc.Text, "Glassblowers") {
			t.Errorf("%s has the text of a file outside the corpus or hidden", d.Source)
		}
	}
	if _, ok := reasons[".hidden-out.txt"]; ok {
		t.Errorf("hidden link reported: %v", reasons)
	}
}

// recordingEmbedder and recordingLexical pass calls to the real embedder
// and lexical index and note the largest batch each was given.
type recordingEmbedder struct {
	rag.Embedder
	most int
}

func (e *recordingEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	e.most = max(e.most, len(texts))
	return e.Embedder.EmbedDocuments(ctx, texts)
}

type recordingLexical struct {
	rag.LexicalIndex
	most, total int
}

func (l *recordingLexical) Add(ctx context.Context, chunks []rag.Chunk) error {
	l.most, l.total = max(l.most, len(chunks)), l.total+len(chunks)
	return l.LexicalIndex.Add(ctx, chunks)
}

// A document of many chunks is embedded and written to the stores in
// batches, not all at once: what they hold while they work is bounded by
// the batch, not by the file.
func TestSyncLargeFileInBatches(t *testing.T) {
	cfg, err := ragtest.Config("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Splitter = langchain.NewSplitter(100, 0)
	emb := &recordingEmbedder{Embedder: cfg.Embedder}
	lex := &recordingLexical{LexicalIndex: cfg.Lexical}
	cfg.WordVectors, _ = cfg.Embedder.(rag.WordVectors)
	cfg.Embedder, cfg.Lexical = emb, lex
	x, err := rag.NewIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	corpus := t.TempDir()
	writeFile(t, corpus, "big.txt", syntheticText(1<<20))
	rep := sync(t, x, corpus)
	if rep.Documents != 1 || rep.Chunks < 5000 {
		t.Fatalf("sync = %+v, want one document of over 5000 chunks", rep)
	}
	if emb.most > 512 || lex.most > 1024 || lex.total != rep.Chunks {
		t.Errorf("largest batch embedded %d, added to the lexical index %d (of %d, %d in all); want at most 512 and 1024",
			emb.most, lex.most, rep.Chunks, lex.total)
	}
	if ps, err := x.Search(context.Background(), "harbour bridge", 3); err != nil || len(ps) == 0 {
		t.Errorf("search = %v, %v", ps, err)
	}
}

// Cleaning allocates little more than a copy of the text: it keeps no
// words of its own for every line.
func TestCleanAllocatesLittle(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts are not meaningful under -race (.ci/run runs this without it)")
	}
	text := syntheticText(4 << 20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	spans := rag.Clean(text)
	runtime.ReadMemStats(&after)
	if len(spans) == 0 {
		t.Fatal("nothing kept")
	}
	if got := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(text)); got > 2.5 {
		t.Errorf("Clean allocated %.1f times the text, want at most 2.5 (%d bytes)", got, len(text))
	}
}

// countingLoader counts the files it is given and fails on those whose
// name says "bad", as a parser that spins to its time limit would.
type countingLoader struct {
	rag.Loader
	bad atomic.Int32 // loads of the bad files
}

func (l *countingLoader) Load(ctx context.Context, source string, data []byte) (string, error) {
	if strings.Contains(source, "bad") {
		l.bad.Add(1)
		return "", errors.New("parse timed out after 30s")
	}
	return l.Loader.Load(ctx, source, data)
}

// A file the loader could not use is not parsed again while it is
// unchanged — in the same process or the next, through the snapshot —
// but is named as skipped each time; a change, or ForgetSkipped (citebot
// ingest), tries it again.
func TestSyncRemembersUnusableFiles(t *testing.T) {
	data, corpus := t.TempDir(), t.TempDir()
	writeFile(t, corpus, "good.txt", zebraDoc)
	writeFile(t, corpus, "bad.txt", "whatever is in it")
	loader := &countingLoader{}
	open := func() *rag.Index {
		t.Helper()
		cfg, err := ragtest.Config(data)
		if err != nil {
			t.Fatal(err)
		}
		loader.Loader = cfg.Loader
		cfg.Loader = loader
		x, err := rag.NewIndex(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		return x
	}
	check := func(x *rag.Index, step string, parses int) {
		t.Helper()
		before := loader.bad.Load()
		rep := sync(t, x, corpus)
		if reason := skipped(rep)["bad.txt"]; !strings.Contains(reason, "parse timed out") {
			t.Errorf("%s: bad.txt skipped for %q, want the loader's reason", step, reason)
		}
		// Repeated (no warning again) exactly when it was not parsed.
		for _, s := range rep.Skipped {
			if s.Source == "bad.txt" && s.Repeated != (loader.bad.Load() == before) {
				t.Errorf("%s: bad.txt skipped with Repeated %v", step, s.Repeated)
			}
		}
		if n := loader.bad.Load(); int(n) != parses {
			t.Errorf("%s: bad.txt parsed %d times in all, want %d", step, n, parses)
		}
		if rep.Documents != 1 {
			t.Errorf("%s: %d documents, want 1", step, rep.Documents)
		}
	}
	x := open()
	check(x, "first sync", 1)
	check(x, "second sync", 1)
	check(open(), "sync in a new process", 1)
	writeFile(t, corpus, "bad.txt", "changed, still bad")
	check(open(), "sync after a change", 2)
	x = open()
	x.ForgetSkipped()
	check(x, "sync after ForgetSkipped", 3)
	if err := os.Remove(filepath.Join(corpus, "bad.txt")); err != nil {
		t.Fatal(err)
	}
	sync(t, open(), corpus)
	writeFile(t, corpus, "bad.txt", "changed, still bad")
	check(open(), "sync after it left and came back", 4)
}
