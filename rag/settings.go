package rag

import (
	"fmt"
	"strings"
)

// textVersion is rag's own part in turning a file into a document's text:
// decoding (byte order marks, UTF-16, Windows-1252), Clean, Title and the
// date. Bump it whenever a change to them alters the text, title or date of
// any document, so that indexes built before are rebuilt rather than kept.
const textVersion = 3 // 2: Markdown titles without inline markup; 3: a Markdown heading above removed chrome kept

// Versioned is implemented by a Loader or a Splitter whose output depends
// on its settings or its code: ID names them (say "recursive/size=600/
// overlap=120/v1"), and changes whenever the text or the chunks it makes
// would. A snapshot records the IDs it was built with, and an index loading
// one made with other IDs chunks and embeds every document again. A Loader
// or Splitter without ID is known by its type alone.
type Versioned interface {
	ID() string
}

// indexSettings are what shape an index's chunks, besides the embedder
// (whose ID a snapshot records on its own): the snapshot keeps those it was
// built with.
type indexSettings struct {
	Splitter string // the Splitter's ID
	Loader   string // the Loader's ID
	Text     int    // textVersion
}

// settings returns the settings the index chunks with now.
func (x *Index) settings() indexSettings {
	return indexSettings{Splitter: versionOf(x.cfg.Splitter), Loader: versionOf(x.cfg.Loader), Text: textVersion}
}

// versionOf returns v's ID when it is Versioned, else its type.
func versionOf(v any) string {
	if vv, ok := v.(Versioned); ok {
		return vv.ID()
	}
	return fmt.Sprintf("%T", v)
}

// changedSettings describes how now differs from was, the settings of a
// snapshot, or returns "" when they are the same.
func changedSettings(was, now indexSettings) string {
	if was == (indexSettings{}) {
		return "it records no chunk settings (made by an older citebot)"
	}
	var why []string
	if was.Splitter != now.Splitter {
		why = append(why, fmt.Sprintf("chunked by %q, now %q", was.Splitter, now.Splitter))
	}
	if was.Loader != now.Loader {
		why = append(why, fmt.Sprintf("text extracted by loader %q, now %q", was.Loader, now.Loader))
	}
	if was.Text != now.Text {
		why = append(why, fmt.Sprintf("text cleaned by version %d, now %d", was.Text, now.Text))
	}
	return strings.Join(why, ", ")
}
