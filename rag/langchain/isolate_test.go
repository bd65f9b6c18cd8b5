package langchain_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/isolate"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

// TestMain is also the parse child: an isolate.Loader in these tests
// starts this binary, which isolate.Main turns into a child running the
// in-process Loader.
func TestMain(m *testing.M) {
	isolate.Main(langchain.Loader{})
	os.Exit(m.Run())
}

// budget is the child's budget in these tests; slack is how much longer
// than its time limit a Load may take (the child's start and its kill).
var (
	budget = isolate.Options{Extensions: []string{".pdf"}, Timeout: time.Second, Memory: 256 << 20}
	slack  = 3 * time.Second
)

// Each crafted PDF breaks the in-process parser (a fatal stack overflow, a
// loop without end, gigabytes of memory); in a child it is an error naming
// the file within the budget, and a good PDF still reads.
func TestIsolatedHostilePDFs(t *testing.T) {
	l := isolate.New(langchain.Loader{}, budget)
	got, err := l.Load(context.Background(), "good.pdf", ragtest.PDF("First page text", "Second page text"))
	if want := "First page text\n\nSecond page text"; err != nil || got != want {
		t.Fatalf("Load(good.pdf) = %q, %v; want %q", got, err, want)
	}
	for _, h := range ragtest.HostilePDFs() {
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			text, err := l.Load(context.Background(), h.Name, h.Data)
			took := time.Since(start)
			t.Logf("%s (%s): %v after %v", h.Name, h.What, err, took.Round(time.Millisecond))
			if err == nil {
				t.Fatalf("Load(%s) = %d bytes of text, want an error", h.Name, len(text))
			}
			if !strings.Contains(err.Error(), h.Name) {
				t.Errorf("error %q does not name the file", err)
			}
			if took > budget.Timeout+slack {
				t.Errorf("Load(%s) took %v with a limit of %v", h.Name, took, budget.Timeout)
			}
		})
	}
}

// An ingest over the crafted PDFs and good files skips each crafted one
// with a reason naming it and indexes the good ones.
func TestIngestSkipsHostilePDFs(t *testing.T) {
	corpus := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(corpus, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var hostile []string
	for _, h := range ragtest.HostilePDFs() {
		write(h.Name, h.Data)
		hostile = append(hostile, h.Name)
	}
	write("good.pdf", ragtest.PDF("The lighthouse keeper logged forty ships in May."))
	write("notes.txt", []byte("Notes\n\nThe harbour froze over in the winter of 1947.\n"))
	cfg, err := ragtest.Config("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Loader = isolate.New(langchain.Loader{}, budget)
	x, err := rag.NewIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := x.Sync(context.Background(), corpus, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The children run side by side: the whole ingest fits in a few budgets.
	if took := time.Since(start); took > 2*(budget.Timeout+slack) {
		t.Errorf("ingest took %v", took)
	}
	var skipped []string
	for _, s := range rep.Skipped {
		skipped = append(skipped, s.Source)
		if !strings.Contains(s.Reason, s.Source) {
			t.Errorf("skip reason %q does not name %s", s.Reason, s.Source)
		}
	}
	slices.Sort(skipped)
	slices.Sort(hostile)
	if !slices.Equal(skipped, hostile) {
		t.Errorf("skipped %v (%+v), want the crafted files %v", skipped, rep.Skipped, hostile)
	}
	if rep.Documents != 2 {
		t.Errorf("%d documents indexed, want good.pdf and notes.txt", rep.Documents)
	}
}

// FuzzLoad feeds the loaders arbitrary files: text, Markdown and HTML in
// process, PDF through a child with a short budget. No input may stop the
// process or outlast the budget, an error names the file, and text files
// come back as they are.
func FuzzLoad(f *testing.F) {
	f.Add(uint8(0), []byte("Plain text.\n"))
	f.Add(uint8(1), []byte("# Title\n\n- item\n"))
	f.Add(uint8(2), []byte("<p>Tom &amp; Jerry<br>&lt;b&gt;</p><script>x()</script>"))
	f.Add(uint8(3), ragtest.PDF("Hello", "World"))
	for _, h := range ragtest.HostilePDFs() {
		if len(h.Data) < 1<<20 {
			f.Add(uint8(3), h.Data)
		}
	}
	exts := []string{".txt", ".md", ".html", ".pdf"}
	fuzzBudget := isolate.Options{Extensions: []string{".pdf"}, Timeout: 500 * time.Millisecond, Memory: 128 << 20, Parallel: 1}
	l := isolate.New(langchain.Loader{}, fuzzBudget)
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		name := "fuzz" + exts[int(kind)%len(exts)]
		start := time.Now()
		got, err := l.Load(context.Background(), name, data)
		if took := time.Since(start); took > fuzzBudget.Timeout+slack {
			t.Errorf("Load(%s) took %v", name, took)
		}
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name the file", err)
			}
			if name == "fuzz.txt" || name == "fuzz.md" {
				t.Errorf("Load(%s) = %v; a text file always loads", name, err)
			}
			return
		}
		switch name {
		case "fuzz.txt", "fuzz.md":
			if got != string(data) {
				t.Errorf("Load(%s) = %q, want the file itself", name, got)
			}
		case "fuzz.html":
			if strings.TrimSpace(got) != got || strings.Contains(got, "\n\n\n") {
				t.Errorf("Load(%s) = %q: untidy lines", name, got)
			}
			if utf8.Valid(data) && !utf8.ValidString(got) {
				t.Errorf("Load(%s) of UTF-8 = %q, not UTF-8", name, got)
			}
		}
	})
}

// BenchmarkLoadPDF compares parsing a small PDF in process with parsing it
// in a child (the cost of isolation per file): the child is this test
// binary, or also the program CITEBOT_BENCH_EXECUTABLE names (a built
// citebot, whose start costs more).
func BenchmarkLoadPDF(b *testing.B) {
	data := ragtest.PDF("The lighthouse keeper logged forty ships in May.", "The harbour froze over in 1947.")
	cases := []struct {
		name string
		l    rag.Loader
	}{
		{"in-process", langchain.Loader{}},
		{"child", isolate.New(langchain.Loader{}, isolate.Options{})},
	}
	if exe := os.Getenv("CITEBOT_BENCH_EXECUTABLE"); exe != "" {
		cases = append(cases, struct {
			name string
			l    rag.Loader
		}{"child-" + filepath.Base(exe), isolate.New(langchain.Loader{}, isolate.Options{Executable: exe})})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				text, err := c.l.Load(context.Background(), "small.pdf", data)
				if err != nil || !bytes.Contains([]byte(text), []byte("1947")) {
					b.Fatalf("Load = %q, %v", text, err)
				}
			}
		})
	}
}
