package httpapi

import (
	"net/http"
	"strings"

	"github.com/citebot/citebot/rag"
)

// documentsResponse is the body of GET /v1/documents.
type documentsResponse struct {
	Documents []rag.DocumentInfo `json:"documents"`
	// Writable says whether this client may add and remove documents (with
	// WriteHeader): the server allows writes and, without API keys, the
	// client is on loopback. The page shows its upload and delete controls
	// only then.
	Writable bool `json:"writable"`
}

// documentText is the body of GET /v1/documents/{source}: the document's
// cleaned text and where each piece of it lies in the source.
type documentText struct {
	Source string `json:"source"`
	Title  string `json:"title"`
	Date   string `json:"date"`
	// Text is the kept spans of the source's text joined by a blank line
	// (spanSeparator): what survived cleaning, boilerplate left out.
	Text string `json:"text"`
	// Spans are the kept spans in order.
	Spans []keptSpan `json:"spans"`
}

// keptSpan places one kept span both in the source's text, the coordinates
// of passages' start and end, and in documentText.Text. All offsets are in
// bytes of UTF-8.
type keptSpan struct {
	Start  int `json:"start"`  // first byte in the source's text
	End    int `json:"end"`    // the byte after the last, in the source's text
	Offset int `json:"offset"` // where the span begins in Text
}

// spanSeparator joins kept spans in documentText.Text.
const spanSeparator = "\n\n"

// documents answers GET /v1/documents with the indexed documents.
func (h *Handler) documents(w http.ResponseWriter, r *http.Request) {
	docs := h.idx.Documents()
	if docs == nil {
		docs = []rag.DocumentInfo{}
	}
	writable := h.opts.AllowWrites && (len(h.opts.APIKeys) > 0 || loopbackClient(r))
	writeJSON(w, r, http.StatusOK, documentsResponse{Documents: docs, Writable: writable})
}

// document answers GET /v1/documents/{source} with one document's cleaned
// text. The source is looked up in the index, never opened as a file.
func (h *Handler) document(w http.ResponseWriter, r *http.Request) {
	source := r.PathValue("source")
	doc, ok := h.idx.Document(source)
	if !ok {
		writeError(w, r, http.StatusNotFound, "no indexed document has this source")
		return
	}
	writeJSON(w, r, http.StatusOK, cleanedText(doc))
}

// cleanedText joins doc's kept spans. Spans out of bounds or order, which
// the index never holds, are skipped rather than trusted.
func cleanedText(doc rag.Document) documentText {
	out := documentText{Source: doc.Source, Title: doc.Title, Date: doc.Date, Spans: []keptSpan{}}
	var b strings.Builder
	prev := 0
	for _, sp := range doc.Kept {
		if sp.Start < prev || sp.Start > sp.End || sp.End > len(doc.Text) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(spanSeparator)
		}
		out.Spans = append(out.Spans, keptSpan{Start: sp.Start, End: sp.End, Offset: b.Len()})
		b.WriteString(doc.Text[sp.Start:sp.End])
		prev = sp.End
	}
	out.Text = b.String()
	return out
}
