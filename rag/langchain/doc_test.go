package langchain_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

// A Word 97–2003 document, testdata/handbook.doc, which LibreOffice 7.4
// saved ("MS Word 97") from testdata/handbook-doc.html: its headings (by
// their styles), its paragraphs, its characters in Unicode, a hyperlink's
// text without its address, its table's rows.
func TestLoaderDOC(t *testing.T) {
	data, err := os.ReadFile("testdata/handbook.doc")
	if err != nil {
		t.Fatal(err)
	}
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"handbook.doc", data, "# Staff Handbook\n\nEvery employee gets 25 days of paid leave. Café “quoted” – dash.\n\n## Expenses\n\n" +
			"Taxis are reimbursed up to 40 euros a ride. See the rates page.\n\nItem | Limit\n\nItem: Hotel; Limit: 150 euros.\n\nΩmega 日本 end."},
	})
}

// A file that is not a Word document, or is a truncated one, is an error
// naming it, never a panic.
func TestLoaderDOCBroken(t *testing.T) {
	wantBroken(t, "testdata/handbook.doc", ".doc")
}

// Whatever the bytes, the Word reader returns: no panic, text for a
// document, an error naming the file otherwise.
func FuzzLoadDOC(f *testing.F) {
	data, err := os.ReadFile("testdata/handbook.doc")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:4096])
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := langchain.Loader{}.Load(context.Background(), "f.doc", data)
		switch {
		case err != nil && errors.Is(err, context.Canceled):
			t.Fatal(err)
		case err == nil && !utf8.ValidString(got):
			t.Errorf("Load = %q: not UTF-8", got)
		}
	})
}

func BenchmarkLoadDOC(b *testing.B) {
	data, err := os.ReadFile("testdata/handbook.doc")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := (langchain.Loader{}).Load(context.Background(), "handbook.doc", data); err != nil {
			b.Fatal(err)
		}
	}
}
