package langchain

import (
	"context"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// OpenDocument spreadsheets are read from content.xml with archive/zip and
// encoding/xml: langchaingo has no loader for them.
// A template (.ots) is the same package.
func init() {
	formats[".ods"] = format{binary: true, load: loadODS}
	formats[".ots"] = format{binary: true, load: loadODS}
}

// loadODS reads the visible tables of an OpenDocument spreadsheet, in
// order, each headed by its name. A cell's text is what the sheet shows (its
// paragraphs; a number or date as formatted), or its stored value where it
// shows none; comments are left out. Repeated rows and cells
// (table:number-rows-repeated, table:number-columns-repeated) are written
// as often as they repeat, within the limits; repeated empty ones, which
// pad every sheet to the editor's full width and height, cost nothing.
func loadODS(ctx context.Context, name string, data []byte) (string, error) {
	return readODS(ctx, name, data)
}

func readODS(ctx context.Context, name string, data []byte) (string, error) {
	a, err := openZipPackage(data)
	if err != nil {
		return "", err
	}
	var w sheetWriter
	if err := w.title(sheetFileName(name)); err != nil {
		return "", err
	}
	var (
		row       []string
		col       int // the next cell's column
		rowRepeat int
		rows      int

		inCell    bool
		cellDepth int // elements open inside the cell
		colRepeat int
		fallback  string // the cell's stored value
		text      strings.Builder
		paras     int // paragraphs in the cell so far
		inPara    int // open text:p or text:h elements
		skip      int // open elements whose text is not shown (comments)

		style  string              // the automatic style being read
		hidden = map[string]bool{} // table styles that hide their table
		hiding int                 // open tables within a hidden one
	)
	err = a.readRawXML(ctx, "content.xml", func(_ *xmlPart, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			if inCell {
				cellDepth++
				switch t.Name.Local {
				case "annotation":
					skip++
				case "p", "h":
					if skip == 0 && inPara == 0 {
						if paras++; paras > 1 {
							text.WriteByte(' ')
						}
					}
					inPara++
				case "s", "tab", "line-break":
					if skip == 0 && inPara > 0 {
						text.WriteByte(' ')
					}
				}
				return nil
			}
			if hiding > 0 {
				if t.Name.Local == "table" {
					hiding++
				}
				return nil
			}
			switch t.Name.Local {
			case "style":
				style = attrOf(t, "name")
			case "table-properties":
				if attrOf(t, "display") == "false" {
					hidden[style] = true
				}
			case "table":
				if hidden[attrOf(t, "style-name")] {
					hiding = 1
					return nil
				}
				return w.sheet(attrOf(t, "name"))
			case "table-row":
				row, col = row[:0], 0
				rowRepeat = odsRepeat(attrOf(t, "number-rows-repeated"))
				if rows++; rows%4096 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
			case "table-cell", "covered-table-cell":
				inCell, cellDepth, skip, paras, inPara = true, 0, 0, 0, 0
				colRepeat = odsRepeat(attrOf(t, "number-columns-repeated"))
				text.Reset()
				fallback = odsValue(t)
			}
		case xml.EndElement:
			if inCell && cellDepth > 0 {
				cellDepth--
				switch t.Name.Local {
				case "annotation":
					skip--
				case "p", "h":
					inPara--
				}
				return nil
			}
			if hiding > 0 {
				if t.Name.Local == "table" {
					hiding--
				}
				return nil
			}
			switch t.Name.Local {
			case "table-cell", "covered-table-cell":
				inCell = false
				v := sheetCell(text.String())
				if v == "" {
					v = sheetCell(fallback)
				}
				if v == "" {
					col = min(col+colRepeat, 1<<30)
					return nil
				}
				if colRepeat > sheetMaxColumns-col {
					return fmt.Errorf("%w: a value in column %d (at most %d)", errSheetLimit, col+colRepeat, sheetMaxColumns)
				}
				for len(row) < col {
					row = append(row, "")
				}
				for range colRepeat {
					row = append(row, v)
				}
				col += colRepeat
			case "table-row":
				return w.row(row, rowRepeat)
			}
		case xml.CharData:
			if inCell && inPara > 0 && skip == 0 {
				text.Write(t)
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return w.text(), nil
}

// odsRepeat reads a repeat count: 1 where it is missing or not a positive
// number, and at most 1<<30 (past every limit).
func odsRepeat(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	switch {
	case err != nil && strings.Trim(v, "0123456789 ") == "" && v != "":
		return 1 << 30 // too many digits
	case err != nil || n < 1:
		return 1
	}
	return min(n, 1<<30)
}

// odsValue is a cell's stored value by its type, for a cell that shows no
// text.
func odsValue(e xml.StartElement) string {
	switch attrOf(e, "value-type") {
	case "float", "percentage", "currency":
		return attrOf(e, "value")
	case "date":
		return attrOf(e, "date-value")
	case "time":
		return attrOf(e, "time-value")
	case "boolean":
		return strings.ToUpper(attrOf(e, "boolean-value"))
	case "string":
		return attrOf(e, "string-value")
	}
	return ""
}
