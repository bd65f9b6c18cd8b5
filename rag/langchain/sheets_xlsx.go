package langchain

import (
	"context"
	"encoding/xml"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// Excel workbooks are read from their XML parts with archive/zip and
// encoding/xml: langchaingo has no loader for them.
// Macro-enabled workbooks (.xlsm) and templates (.xltx, .xltm) are the
// same packages; macros are never run.
func init() {
	for _, e := range []string{".xlsx", ".xlsm", ".xltx", ".xltm"} {
		formats[e] = format{binary: true, load: loadXLSX}
	}
}

// loadXLSX reads the visible worksheets of an Excel workbook, in the
// workbook's order, each headed by its name. Shared and inline strings,
// numbers, booleans and formula results are read as stored; a number in a
// cell whose style is a date or time format is written as a date
// (2024-12-26, or 2024-12-26 13:30 with a time of day); error values are
// left out.
func loadXLSX(ctx context.Context, name string, data []byte) (string, error) {
	return readXLSX(ctx, name, data)
}

// xlsxSheet is a worksheet listed in the workbook.
type xlsxSheet struct {
	name, rel string
	hidden    bool
}

func readXLSX(ctx context.Context, name string, data []byte) (string, error) {
	a, err := openZipPackage(data)
	if err != nil {
		return "", err
	}
	const workbook = "xl/workbook.xml"
	var sheets []xlsxSheet
	date1904 := false
	err = a.readRawXML(ctx, workbook, func(_ *xmlPart, t xml.Token) error {
		e, ok := t.(xml.StartElement)
		switch {
		case !ok:
		case e.Name.Local == "workbookPr":
			v := attrOf(e, "date1904")
			date1904 = v == "1" || v == "true"
		case e.Name.Local == "sheet":
			s := xlsxSheet{name: attrOf(e, "name")}
			for _, at := range e.Attr {
				if at.Name.Local == "id" && at.Name.Space != "" {
					s.rel = at.Value
				}
			}
			state := attrOf(e, "state")
			s.hidden = state == "hidden" || state == "veryHidden"
			if len(sheets) >= zipMaxEntries {
				return fmt.Errorf("%w: more than %d sheets", errSheetLimit, zipMaxEntries)
			}
			sheets = append(sheets, s)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	// Relationships name each sheet's part and the shared strings and
	// styles parts.
	targets := map[string]string{}
	var sharedPart, stylesPart string
	if rels := "xl/_rels/workbook.xml.rels"; a.has(rels) {
		err := a.readRawXML(ctx, rels, func(_ *xmlPart, t xml.Token) error {
			e, ok := t.(xml.StartElement)
			if !ok || e.Name.Local != "Relationship" || attrOf(e, "TargetMode") == "External" {
				return nil
			}
			target := xlsxPart(attrOf(e, "Target"))
			switch typ := attrOf(e, "Type"); {
			case strings.HasSuffix(typ, "/worksheet"):
				targets[attrOf(e, "Id")] = target
			case strings.HasSuffix(typ, "/sharedStrings"):
				sharedPart = target
			case strings.HasSuffix(typ, "/styles"):
				stylesPart = target
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	if sharedPart == "" && a.has("xl/sharedStrings.xml") {
		sharedPart = "xl/sharedStrings.xml"
	}
	var shared []string
	if sharedPart != "" && a.has(sharedPart) {
		if shared, err = xlsxSharedStrings(ctx, a, sharedPart); err != nil {
			return "", err
		}
	}
	var dates []bool
	if stylesPart != "" && a.has(stylesPart) {
		if dates, err = xlsxDateStyles(ctx, a, stylesPart); err != nil {
			return "", err
		}
	}
	cells := xlsxCells{shared: shared, dates: dates, date1904: date1904}
	var w sheetWriter
	if err := w.title(sheetFileName(name)); err != nil {
		return "", err
	}
	for _, s := range sheets {
		part, ok := targets[s.rel]
		if s.hidden || !ok || !a.has(part) { // a chart sheet, or a sheet with no part
			continue
		}
		if err := w.sheet(s.name); err != nil {
			return "", err
		}
		if err := cells.read(ctx, a, part, &w); err != nil {
			return "", err
		}
	}
	return w.text(), nil
}

// xlsxPart resolves a relationship's target, relative to xl/ or absolute
// from the archive's root, to an entry name.
func xlsxPart(target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Join("xl", target)
}

// xlsxSharedStrings reads the shared string table: the text of each <si>,
// its runs joined, phonetic readings (<rPh>) left out.
func xlsxSharedStrings(ctx context.Context, a *zipPackage, part string) ([]string, error) {
	var out []string
	var b strings.Builder
	inT, inPh := false, 0
	err := a.readRawXML(ctx, part, func(_ *xmlPart, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				b.Reset()
			case "t":
				inT = true
			case "rPh":
				inPh++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(out) >= sheetMaxStrings {
					return fmt.Errorf("%w: more than %d shared strings", errSheetLimit, sheetMaxStrings)
				}
				out = append(out, b.String())
			case "t":
				inT = false
			case "rPh":
				inPh--
			}
		case xml.CharData:
			if inT && inPh == 0 {
				b.Write(t)
			}
		}
		return nil
	})
	return out, err
}

// xlsxDateStyles reads which cell formats (by index, a cell's s attribute)
// show a number as a date or time.
func xlsxDateStyles(ctx context.Context, a *zipPackage, part string) ([]bool, error) {
	custom := map[string]bool{} // numFmtId → whether a date format
	var dates []bool
	inXfs := false
	err := a.readRawXML(ctx, part, func(_ *xmlPart, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				custom[attrOf(t, "numFmtId")] = isDateFormat(attrOf(t, "formatCode"))
			case "cellXfs":
				inXfs = true
			case "xf":
				if inXfs {
					if len(dates) >= sheetMaxStrings {
						return fmt.Errorf("%w: more than %d cell formats", errSheetLimit, sheetMaxStrings)
					}
					id := attrOf(t, "numFmtId")
					isDate, ok := custom[id]
					if !ok {
						n, _ := strconv.Atoi(id)
						isDate = builtinDateFormat(n)
					}
					dates = append(dates, isDate)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
		return nil
	})
	return dates, err
}

// isDateFormat reports whether an Excel number format code shows a date or
// a time: it has a day, month, year, hour or second code outside quoted
// text, escapes and brackets (colours, conditions, locales).
func isDateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case '\\', '_', '*':
			i++
		case '[':
			if j := strings.IndexByte(code[i:], ']'); j >= 0 {
				i += j
			}
		case 'd', 'D', 'm', 'M', 'y', 'Y', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// xlsxCells reads worksheets' cells.
type xlsxCells struct {
	shared   []string
	dates    []bool
	date1904 bool
}

// read writes the rows of the worksheet part.
func (x xlsxCells) read(ctx context.Context, a *zipPackage, part string, w *sheetWriter) error {
	var row []string
	next := 0 // the column of a cell with no reference
	var cell struct {
		col        int
		typ, style string
		v, is      strings.Builder
		inV, inT   bool
		inPh       int
	}
	rows := 0
	return a.readRawXML(ctx, part, func(_ *xmlPart, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row, next = row[:0], 0
				if rows++; rows%4096 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
			case "c":
				cell.col = next
				if ref := attrOf(t, "r"); ref != "" {
					cell.col = xlsxColumn(ref)
				}
				cell.typ, cell.style = attrOf(t, "t"), attrOf(t, "s")
				cell.v.Reset()
				cell.is.Reset()
			case "v":
				cell.inV = true
			case "t":
				cell.inT = true
			case "rPh":
				cell.inPh++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "row":
				return w.row(row, 1)
			case "c":
				next = cell.col + 1
				v, err := x.value(cell.typ, cell.style, cell.v.String(), cell.is.String())
				if err != nil || v == "" {
					return err
				}
				if cell.col >= sheetMaxColumns {
					return fmt.Errorf("%w: a value in column %d (at most %d)", errSheetLimit, cell.col+1, sheetMaxColumns)
				}
				for len(row) <= cell.col {
					row = append(row, "")
				}
				row[cell.col] = v
			case "v":
				cell.inV = false
			case "t":
				cell.inT = false
			case "rPh":
				cell.inPh--
			}
		case xml.CharData:
			switch {
			case cell.inV:
				cell.v.Write(t)
			case cell.inT && cell.inPh == 0:
				cell.is.Write(t)
			}
		}
		return nil
	})
}

// value is the text of a cell of type typ and style index style, whose
// <v> holds v and whose inline string is is.
func (x xlsxCells) value(typ, style, v, is string) (string, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(x.shared) {
			return "", fmt.Errorf("shared string %q out of range", v)
		}
		return x.shared[i], nil
	case "inlineStr":
		return is, nil
	case "b":
		switch strings.TrimSpace(v) {
		case "1", "true":
			return "TRUE", nil
		case "0", "false":
			return "FALSE", nil
		}
		return v, nil
	case "e":
		return "", nil
	case "", "n":
		if s, err := strconv.Atoi(style); err == nil && s >= 0 && s < len(x.dates) && x.dates[s] {
			if d, ok := excelDate(v, x.date1904); ok {
				return d, nil
			}
		}
	}
	return v, nil
}

// excelDate writes an Excel date serial number (days since 1899-12-30,
// or since 1904-01-01 in the 1904 system) as a date, with the time of day
// where it has one, or as a time alone for a serial below 1.
func excelDate(v string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f >= 2958466 || math.IsNaN(f) {
		return "", false
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case f < 61:
		// Excel counts a 29 February 1900 that never was: serials before
		// it are a day later than the calendar.
		base = base.AddDate(0, 0, 1)
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	t := base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	switch {
	case f < 1 && !date1904:
		return t.Format("15:04:05"), true
	case secs == 0:
		return t.Format("2006-01-02"), true
	case int(secs)%60 == 0:
		return t.Format("2006-01-02 15:04"), true
	}
	return t.Format("2006-01-02 15:04:05"), true
}

// xlsxColumn is the 0-based column of a cell reference such as "B7", or a
// column past every limit for a reference that is not one.
func xlsxColumn(ref string) int {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a') + 1
		default:
			i = len(ref)
		}
		if col > 1<<20 {
			return 1 << 20
		}
	}
	if col == 0 {
		return 1 << 20
	}
	return col - 1
}

// builtinDateFormat reports whether a built-in number format (one a file
// need not define) shows a date or time: Excel's and its East Asian
// versions' (for the .xls reader too).
func builtinDateFormat(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}
