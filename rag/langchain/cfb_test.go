package langchain_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/langchain"
)

// brokenFile is a file a reader must refuse, and what its error says
// besides the file's name ("" for anything).
type brokenFile struct {
	name string
	data []byte
	says string
}

// wantBroken loads each of the files a compound file's reader must refuse
// (text, the fixture cut short or after its header, random bytes, the
// fixture's header before random bytes) and the reader's own cases, and
// fails unless each is an error naming the file and saying what it says;
// none may panic.
func wantBroken(t *testing.T, fixture, ext string, own ...brokenFile) {
	t.Helper()
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 8192)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	cases := append([]brokenFile{
		{"text" + ext, []byte("just text, named " + ext), ""},
		{"truncated" + ext, data[:len(data)/2], ""},
		{"header" + ext, data[:512], ""},
		{"random" + ext, random, ""},
		{"garbled" + ext, append(append([]byte(nil), data[:512]...), random...), ""},
	}, own...)
	for _, c := range cases {
		got, err := langchain.Loader{}.Load(context.Background(), c.name, c.data)
		t.Logf("%s: %v", c.name, err)
		switch {
		case err == nil:
			t.Errorf("Load(%s) = %.80q, want an error", c.name, got)
		case !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.says):
			t.Errorf("Load(%s): %v, want an error naming the file and saying %q", c.name, err, c.says)
		}
	}
}
