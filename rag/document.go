package rag

// Span is a half-open byte range [Start, End) of a document's text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Document is one source file after loading and cleaning.
type Document struct {
	// Source is the file's path relative to the corpus root, slash-separated.
	Source string `json:"source"`
	// Title is the first heading-like line, or a shortened first sentence.
	Title string `json:"title"`
	// Date is the first date written in the text as YYYY-MM-DD, or "".
	Date string `json:"date,omitempty"`
	// Hash is the hex SHA-256 of the file's bytes.
	Hash string `json:"hash"`
	// Text is the text the loader extracted; for .txt and .md files it is the
	// file itself. Chunk offsets and citations refer to it.
	Text string `json:"text"`
	// Kept lists the ranges of Text that survived cleaning, in order. Text
	// outside them is boilerplate (menus, share buttons, site chrome).
	Kept []Span `json:"kept"`
}

// Chunk is a passage of a document that is embedded and retrieved as a unit.
// Its Text is exactly Document.Text[Start:End].
type Chunk struct {
	ID      string `json:"id"` // Source + "#" + Ordinal
	Source  string `json:"source"`
	Title   string `json:"title"`
	Date    string `json:"date,omitempty"`
	Ordinal int    `json:"ordinal"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Text    string `json:"text"`
	// Section is the path of headings the chunk falls under, the
	// document's title left out ("Vacation › Carry-over"); "" when none.
	Section string `json:"section,omitempty"`
}
