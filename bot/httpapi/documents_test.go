package httpapi

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
)

func TestDocuments(t *testing.T) {
	idx := sharedIndex(t)
	h := newHandler(t, idx, Options{})
	w := do(t, h, request{method: "GET", target: "/v1/documents"})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	docs := decode[documentsResponse](t, w).Documents
	if len(docs) != 6 {
		t.Fatalf("%d documents, want 6: %+v", len(docs), docs)
	}
	var notes *rag.DocumentInfo
	for i, d := range docs {
		if d.Source == notesDoc {
			notes = &docs[i]
		}
		if d.Title == "" || d.Chunks == 0 {
			t.Errorf("document %+v", d)
		}
	}
	if notes == nil || notes.Title != "Skerry Island field notes" {
		t.Errorf("the sub-directory document is missing or untitled: %+v", docs)
	}
}

// A document's cleaned text holds every citation verbatim, and its spans
// place each kept span both in the source and in the text.
func TestDocument(t *testing.T) {
	idx := sharedIndex(t)
	h := newHandler(t, idx, Options{})
	ans, err := idx.Ask(context.Background(), salafism, 5)
	if err != nil || len(ans.Citations) == 0 {
		t.Fatalf("ask: %v %+v", err, ans)
	}
	w := do(t, h, request{method: "GET", target: "/v1/documents/" + salafismDoc})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	doc := decode[documentText](t, w)
	src, _ := idx.Document(salafismDoc)
	if doc.Source != salafismDoc || doc.Title != src.Title || doc.Date != src.Date || len(doc.Spans) != len(src.Kept) {
		t.Fatalf("document = %+v", doc)
	}
	for _, c := range ans.Citations {
		if c.Source == salafismDoc && !strings.Contains(doc.Text, c.Text) {
			t.Errorf("citation [%d] is not in the document's text", c.N)
		}
	}
	if strings.Contains(doc.Text, "030e63c6e3574e91e8ee74c457f32d72-slider") {
		t.Errorf("the cleaned text keeps a tracking id that cleaning removes")
	}
	for i, sp := range doc.Spans {
		if doc.Text[sp.Offset:sp.Offset+sp.End-sp.Start] != src.Text[sp.Start:sp.End] {
			t.Errorf("span %d = %+v does not map the source into the text", i, sp)
		}
	}
	// A passage's offsets map into the text through its span.
	ps, _ := idx.Search(context.Background(), salafism, 1)
	p := ps[0]
	for _, sp := range doc.Spans {
		if sp.Start <= p.Start && p.End <= sp.End {
			at := sp.Offset + p.Start - sp.Start
			if doc.Text[at:at+p.End-p.Start] != p.Text {
				t.Errorf("passage %s does not map into the text", p.ID)
			}
		}
	}
}

func TestDocumentInSubdirectory(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	for _, target := range []string{"/v1/documents/field/notes.md", "/v1/documents/field%2Fnotes.md"} {
		w := do(t, h, request{method: "GET", target: target})
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", target, w.Code, w.Body)
		}
		doc := decode[documentText](t, w)
		if doc.Source != notesDoc || !strings.Contains(doc.Text, "412 passing ships") || strings.Contains(doc.Text, "Share this") {
			t.Errorf("%s: document = %+v", target, doc)
		}
	}
}

// No request reads a file outside the index: sources are looked up, never
// opened.
func TestDocumentNoPathEscape(t *testing.T) {
	dir := testCorpus(t)
	secret := filepath.Join(filepath.Dir(dir), "secret.txt")
	if err := os.WriteFile(secret, []byte("the secret is swordfish"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(secret) })
	h := newHandler(t, sharedIndex(t), Options{})
	for _, target := range []string{
		"/v1/documents/../secret.txt",
		"/v1/documents/..%2Fsecret.txt",
		"/v1/documents/%2e%2e/secret.txt",
		"/v1/documents/" + strings.TrimPrefix(secret, "/"),
		"/v1/documents/%2F" + strings.TrimPrefix(secret, "/"),
		"/v1/documents//etc/passwd",
		"/v1/documents/",
		"/v1/documents/field",
		"/v1/documents/field/",
	} {
		w := do(t, h, request{method: "GET", target: target})
		if w.Code == http.StatusOK || strings.Contains(w.Body.String(), "swordfish") || strings.Contains(w.Body.String(), "root:") {
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
	}
}

func TestCleanedTextSkipsBadSpans(t *testing.T) {
	doc := rag.Document{Source: "a", Text: "one two three", Kept: []rag.Span{{Start: 0, End: 3}, {Start: 2, End: 5}, {Start: 8, End: 13}, {Start: 10, End: 99}}}
	got := cleanedText(doc)
	if got.Text != "one\n\nthree" || len(got.Spans) != 2 || got.Spans[1] != (keptSpan{Start: 8, End: 13, Offset: 5}) {
		t.Errorf("cleanedText = %+v", got)
	}
}
