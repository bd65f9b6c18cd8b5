package langchain

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// CSV and TSV files are read with encoding/csv rather than langchaingo's
// CSV loader, which writes each cell as a line of its own ("date: …" then
// "holiday: …": lines too short to be quoted as an answer), keeps empty
// cells, reads commas only and has no bounds.
func init() {
	formats[".csv"] = format{load: loadCSV}
	formats[".tsv"] = format{load: loadTSV}
}

// loadCSV reads a comma-separated file (or semicolon-separated, as
// spreadsheets write CSV where the comma is the decimal mark: the header
// line decides).
func loadCSV(ctx context.Context, name string, data []byte) (string, error) {
	return loadDelimited(ctx, name, data, csvDelimiter(data))
}

// loadTSV reads a tab-separated file.
func loadTSV(ctx context.Context, name string, data []byte) (string, error) {
	return loadDelimited(ctx, name, data, '\t')
}

// loadDelimited reads delimited text as one sheet named after the file.
// Quotes are optional and a stray quote is kept as text; rows may have
// any number of fields.
func loadDelimited(ctx context.Context, name string, data []byte, comma rune) (string, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte(byteOrderMarkUTF8))))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var w sheetWriter
	if err := w.title(sheetFileName(name)); err != nil {
		return "", err
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		if err := w.row(rec, 1); err != nil {
			return "", fmt.Errorf("row %d: %w", n+1, err)
		}
	}
	return w.text(), nil
}

// byteOrderMarkUTF8 is U+FEFF in UTF-8. The index drops it before a text
// format's loader sees the file; a caller of Load may not.
const byteOrderMarkUTF8 = "\uFEFF"

// csvDelimiter picks the delimiter of a .csv file: a semicolon where the
// first line has more semicolons than commas outside quotes, else a comma.
func csvDelimiter(data []byte) rune {
	commas, semicolons, quoted := 0, 0, false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if semicolons > commas {
				return ';'
			}
			return ','
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}
