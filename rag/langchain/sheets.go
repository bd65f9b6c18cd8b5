package langchain

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Spreadsheets (.csv, .tsv, .xlsx, .ods) are read as text with one line per
// table row, so that a question about one row finds it and the row can be
// quoted as an answer. The text starts with a heading line "# name", the
// file's name without its extension (the document's title); in a workbook
// each sheet follows under a heading "## name", the sheet's name, so that
// it is the section of the sheet's rows. A sheet's first non-empty row is
// its header: every later row is written as
//
//	date: 2024-12-26; holiday: Boxing Day; offices: London.
//
// with the header names carried, empty cells left out, whitespace inside a
// cell collapsed to one space, and a full stop at the end (unless the last
// value ends like a sentence), so that the row is one sentence to the
// sentence splitter and never mistaken for a heading. A sheet whose only row
// is its header is written as that row's values. Sheets are separated by a
// blank line.
//
// Hostile files are bounded: a file over a limit below is an error, found
// before the work it would cost. An archive (.xlsx, .ods) is read as a
// zipPackage, within the bounds in zippkg.go as well: its bytes inflated,
// its entries and the nesting of its XML.
const (
	// sheetMaxRows is the most rows written for one file, repeats
	// expanded.
	sheetMaxRows = 1_000_000
	// sheetMaxColumns is the most columns a row may have a value in.
	sheetMaxColumns = 1_000
	// sheetMaxText is the most bytes of text one file may yield.
	sheetMaxText = 64 << 20
	// sheetMaxStrings is the most shared strings a workbook may have.
	sheetMaxStrings = 4_000_000
)

// errSheetLimit reports a spreadsheet over one of the limits above.
var errSheetLimit = errors.New("spreadsheet over a limit")

// sheetWriter writes the rows of a file's sheets as text.
type sheetWriter struct {
	b    strings.Builder
	rows int // rows counted so far, in all sheets

	header []string // the current sheet's header; nil before its first row
	data   int      // data rows written in the current sheet
}

// title starts the text with the heading "# name": the file's name,
// which the index takes as the document's title.
func (w *sheetWriter) title(name string) error {
	return w.heading("#", name)
}

// sheet starts a sheet of a workbook with the heading "## name", so that
// the sheet's name is the section of its rows.
func (w *sheetWriter) sheet(name string) error {
	return w.heading("##", name)
}

func (w *sheetWriter) heading(marks, name string) error {
	w.finish()
	w.header, w.data = nil, 0
	if w.b.Len() > 0 {
		w.b.WriteString("\n")
	}
	name = sheetCell(name)
	if name == "" {
		name = "Sheet"
	}
	return w.write(marks+" "+name+"\n", 1)
}

// row writes a row given by its cells in column order, repeat times (a
// format's repeated rows). Empty rows are left out; the first non-empty one
// of a sheet is its header.
func (w *sheetWriter) row(cells []string, repeat int) error {
	n := 0 // the cells up to the last non-empty one
	for i, c := range cells {
		if cells[i] = sheetCell(c); cells[i] != "" {
			n = i + 1
		}
	}
	if n == 0 || repeat < 1 {
		return nil
	}
	if cells = cells[:n]; n > sheetMaxColumns {
		return fmt.Errorf("%w: a value in column %d (at most %d)", errSheetLimit, n, sheetMaxColumns)
	}
	if repeat > sheetMaxRows-w.rows {
		return fmt.Errorf("%w: more than %d rows", errSheetLimit, sheetMaxRows)
	}
	w.rows += repeat
	if w.header == nil {
		w.header = make([]string, len(cells))
		for i, c := range cells {
			w.header[i] = strings.TrimSpace(strings.TrimSuffix(c, ":"))
		}
		if repeat--; repeat == 0 {
			return nil
		}
	}
	w.data += repeat
	// The row's length is known before it is built: a row of many cells
	// naming one long string would build hundreds of MB to be refused.
	size := 0
	for i, c := range cells {
		if c != "" {
			size += len(c) + 4
			if i < len(w.header) {
				size += len(w.header[i])
			}
		}
	}
	if size > sheetMaxText-w.b.Len() {
		return fmt.Errorf("%w: more than %d bytes of text", errSheetLimit, sheetMaxText)
	}
	return w.write(sheetLine(w.header, cells), repeat)
}

// finish ends the current sheet: a sheet with a header alone writes it as
// a row of values.
func (w *sheetWriter) finish() {
	if w.header != nil && w.data == 0 {
		// Never over the limit: the header was counted as a row, and it is
		// no longer than the cells it came from.
		_ = w.write(sheetLine(nil, w.header), 1)
		w.data = 1
	}
}

// text ends the last sheet and returns the text written.
func (w *sheetWriter) text() string {
	w.finish()
	return strings.TrimRight(w.b.String(), "\n")
}

// write appends s repeat times, within sheetMaxText.
func (w *sheetWriter) write(s string, repeat int) error {
	if len(s) > 0 && repeat > (sheetMaxText-w.b.Len())/len(s) {
		return fmt.Errorf("%w: more than %d bytes of text", errSheetLimit, sheetMaxText)
	}
	for range repeat {
		w.b.WriteString(s)
	}
	return nil
}

// sheetLine formats one row: "name: value" for each non-empty cell (the
// value alone where its column has no name), joined by "; ", with a full
// stop and a line break at the end.
func sheetLine(header, cells []string) string {
	var b strings.Builder
	for i, c := range cells {
		if c == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		if i < len(header) && header[i] != "" {
			b.WriteString(header[i])
			b.WriteString(": ")
		}
		b.WriteString(c)
	}
	if r, _ := utf8.DecodeLastRuneInString(b.String()); !strings.ContainsRune(".!?…", r) {
		b.WriteByte('.')
	}
	b.WriteByte('\n')
	return noHeading(b.String())
}

// sheetCell trims a cell's text and collapses each run of whitespace in it
// (line breaks included) to one space, so that a row stays one line.
func sheetCell(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) &&
		!strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// sheetFileName is a file's name without its directory and extension, the
// heading of a CSV or TSV file's one sheet.
func sheetFileName(name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}
