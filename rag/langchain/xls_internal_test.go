package langchain

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

// Workbook streams built record by record, for what LibreOffice's files
// do not hold: rich and phonetic shared strings, strings split inside
// their formatting runs, RK numbers of each kind, hidden, very hidden and
// chart, macro and dialog sheets, an embedded chart, and hostile records.

// xrec is a BIFF8 record: its type and body.
func xrec(typ uint16, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	return append(binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, typ), uint16(len(b))), b...)
}

func xu16(v uint16) []byte  { return binary.LittleEndian.AppendUint16(nil, v) }
func xu32(v uint32) []byte  { return binary.LittleEndian.AppendUint32(nil, v) }
func xf64(v float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)) }

// xcell is a cell record's row, column and cell format.
func xcell(row, col, xf uint16) []byte {
	return bytes.Join([][]byte{xu16(row), xu16(col), xu16(xf)}, nil)
}

// xstr is an XLUnicodeString: 8-bit characters where s is Latin-1, else
// 16-bit.
func xstr(s string) []byte {
	b, wide := xu16(uint16(len([]rune(s)))), strings.ContainsFunc(s, func(r rune) bool { return r > 0xFF })
	if !wide {
		b = append(b, 0)
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b
	}
	b = append(b, 1)
	for _, r := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(r))
	}
	return b
}

// xbof is a BIFF8 BOF record of a substream of type dt.
func xbof(dt uint16) []byte {
	return xrec(xlsBOF, xu16(xlsBIFF8), xu16(dt), make([]byte, 12))
}

// xsheet is a sheet of a built workbook: its name, state (0 visible, 1
// hidden, 2 very hidden), type (0 a worksheet, 2 a chart) and records
// between its BOF and EOF.
type xsheet struct {
	name        string
	state, kind byte
	dt          uint16 // its BOF's substream type; a worksheet's when 0
	records     [][]byte
}

// xbook returns a workbook stream: the globals' records, then the sheets.
func xbook(globals [][]byte, sheets ...xsheet) []byte {
	bound := func(s xsheet, offset uint32) []byte {
		return xrec(xlsBoundSheet, xu32(offset), []byte{s.state, s.kind, byte(len(s.name)), 0}, []byte(s.name))
	}
	size := len(xbof(xlsGlobals)) + len(xrec(xlsEOF))
	for _, r := range globals {
		size += len(r)
	}
	for _, s := range sheets {
		size += len(bound(s, 0))
	}
	var subs []byte
	out := xbof(xlsGlobals)
	for _, r := range globals {
		out = append(out, r...)
	}
	for _, s := range sheets {
		out = append(out, bound(s, uint32(size+len(subs)))...)
		dt := s.dt
		if dt == 0 {
			dt = xlsWorksheet
		}
		subs = append(subs, xbof(dt)...)
		for _, r := range s.records {
			subs = append(subs, r...)
		}
		subs = append(subs, xrec(xlsEOF)...)
	}
	out = append(out, xrec(xlsEOF)...)
	return append(out, subs...)
}

// xrk is an RK number: an integer (x100 for hundredths) or the high bits
// of a float64.
func xrk(v float64, int, x100 bool) []byte {
	if x100 {
		v *= 100
	}
	var rk uint32
	if int {
		rk = uint32(int32(math.Round(v)))<<2 | 0x02
	} else {
		rk = uint32(math.Float64bits(v) >> 32)
	}
	if x100 {
		rk |= 0x01
	}
	return xu32(rk)
}

// The shared string table: plain, rich (formatting runs) and phonetic
// strings, in 8 and 16 bits, split across CONTINUE records inside their
// characters (where the next record says again how wide they are), inside
// their formatting runs and inside their phonetic data.
func TestXLSSharedStrings(t *testing.T) {
	// "Grüße" in 8 bits with two formatting runs; "日本語" in 16 bits with
	// phonetic data of 6 bytes; "plain".
	first := bytes.Join([][]byte{xu32(3), xu32(3),
		xu16(5), {0x08}, xu16(2), []byte("Gr"), // cut after "Gr"
	}, nil)
	cont1 := bytes.Join([][]byte{{0x01}, // the rest in 16 bits
		xu16('ü'), xu16('ß'), xu16('e'),
		xu32(0), // the first run; the second is cut
		{1, 0},
	}, nil)
	cont2 := bytes.Join([][]byte{{2, 0},
		xu16(3), {0x05}, xu32(6), xu16('日'), // cut after 日
	}, nil)
	cont3 := bytes.Join([][]byte{{0x01}, xu16('本'), xu16('語'), {1, 2, 3}}, nil)
	cont4 := bytes.Join([][]byte{{4, 5, 6}, xu16(5), {0}, []byte("plain")}, nil)
	got, err := xlsSharedStrings([][]byte{first, cont1, cont2, cont3, cont4})
	if want := []string{"Grüße", "日本語", "plain"}; err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("xlsSharedStrings = %q, %v, want %q", got, err, want)
	}
	// A count larger than the strings there: those there.
	got, err = xlsSharedStrings([][]byte{bytes.Join([][]byte{xu32(9), xu32(4_000_000_000), xstr("one")}, nil)})
	if err != nil || len(got) != 1 || got[0] != "one" {
		t.Errorf("xlsSharedStrings with a count too large = %q, %v", got, err)
	}
	// A string cut short, phonetic data past the table: errors.
	for _, parts := range [][][]byte{
		{bytes.Join([][]byte{xu32(1), xu32(1), xu16(10), {0}, []byte("abc")}, nil)},
		{bytes.Join([][]byte{xu32(1), xu32(1), xu16(1), {0x04}, xu32(1 << 31), []byte("a")}, nil)},
		{bytes.Join([][]byte{xu32(1), xu32(1), xu16(2), {1}, {'a'}}, nil)}, // half a 16-bit character
	} {
		if got, err := xlsSharedStrings(parts); !errors.Is(err, errXLS) {
			t.Errorf("xlsSharedStrings(%x) = %q, %v, want errXLS", parts, got, err)
		}
	}
}

// Each kind of cell record, as the .xlsx reader would write the cell.
func TestXLSCells(t *testing.T) {
	sst := xrec(xlsSST, xu32(2), xu32(2), xstr("kind"), xstr("value"))
	globals := [][]byte{
		xrec(xlsDateMode, xu16(0)),
		xrec(xlsFormat, xu16(164), xstr(`yyyy\-mm\-dd hh:mm`)),
		xrec(xlsFormat, xu16(165), xstr(`0.0" days"`)),
		xrec(xlsXF, xu16(0), xu16(0), make([]byte, 16)),   // 0: General
		xrec(xlsXF, xu16(0), xu16(14), make([]byte, 16)),  // 1: a built-in date
		xrec(xlsXF, xu16(0), xu16(164), make([]byte, 16)), // 2: a custom date and time
		xrec(xlsXF, xu16(0), xu16(165), make([]byte, 16)), // 3: a quoted "d", no date
		sst,
	}
	label := func(row uint16, s string) []byte { return xrec(xlsLabel, xcell(row, 0, 0), xstr(s)) }
	cells := [][]byte{
		xrec(xlsLabelSST, xcell(0, 0, 0), xu32(0)), xrec(xlsLabelSST, xcell(0, 1, 0), xu32(1)),
		label(1, "number"), xrec(xlsNumber, xcell(1, 1, 0), xf64(1.5)),
		label(2, "rk int"), xrec(xlsRK, xcell(2, 1, 0), xrk(-42, true, false)),
		label(3, "rk hundredths"), xrec(xlsRK, xcell(3, 1, 0), xrk(12.34, true, true)),
		label(4, "rk float"), xrec(xlsRK, xcell(4, 1, 0), xrk(0.5, false, false)),
		label(5, "rk float hundredths"), xrec(xlsRK, xcell(5, 1, 0), xrk(1.25, false, true)),
		label(6, "date"), xrec(xlsRK, xcell(6, 1, 1), xrk(45652, true, false)),
		label(7, "stamp"), xrec(xlsNumber, xcell(7, 1, 2), xf64(45652.5625)),
		label(8, "days"), xrec(xlsNumber, xcell(8, 1, 3), xf64(2)),
		label(9, "bool"), xrec(xlsBoolErr, xcell(9, 1, 0), []byte{1, 0}),
		label(10, "error"), xrec(xlsBoolErr, xcell(10, 1, 0), []byte{0x07, 1}),
		// A row's run of RK numbers, the second a date.
		xrec(xlsMulRK, xu16(11), xu16(0), xu16(0), xrk(7, true, false), xu16(1), xrk(45652, true, false), xu16(0), xrk(3.5, false, false), xu16(2)),
		// Formulas' cached results: a number, a string in the STRING
		// record after it (continued, 16 bits in the CONTINUE), a
		// boolean, an error, an empty string.
		label(12, "formula"),
		xrec(xlsFormula, xcell(12, 1, 0), xf64(312.5), make([]byte, 6)),
		xrec(xlsFormula, xcell(12, 2, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6)),
		xrec(xlsString, xu16(6), []byte{0}, []byte("abc")),
		xrec(xlsContinue, []byte{1}, xu16('d'), xu16('é'), xu16('€')),
		xrec(xlsFormula, xcell(12, 3, 0), []byte{1, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6)),
		xrec(xlsFormula, xcell(12, 4, 0), []byte{2, 0, 0x07, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6)),
		xrec(xlsFormula, xcell(12, 5, 0), []byte{3, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6)),
		xrec(xlsFormula, xcell(12, 6, 0), []byte{1, 0, 1, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6)),
		// Blanks, and rich text.
		label(13, "blank"), xrec(0x0201, xcell(13, 1, 0)), xrec(0x00BE, xu16(13), xu16(2), xu16(0), xu16(0), xu16(3)),
		xrec(xlsRString, xcell(13, 4, 0), xstr("rich"), xu16(0)),
		// An embedded chart's substream, whose records are not the sheet's.
		xbof(0x0020), label(20, "in a chart"), xrec(xlsEOF),
	}
	stream := xbook(globals,
		xsheet{name: "Cells", records: cells},
		xsheet{name: "Hidden", state: 1, records: [][]byte{label(0, "hidden")}},
		xsheet{name: "Very hidden", state: 2, records: [][]byte{label(0, "very hidden")}},
		xsheet{name: "Chart", kind: 2, dt: 0x0020, records: [][]byte{label(0, "chart")}},
		xsheet{name: "Macro", dt: 0x0040, records: [][]byte{label(0, "macro")}},
		xsheet{name: "Dialog", records: [][]byte{xrec(xlsWsBool, []byte{0x11, 0x04}), label(0, "dialog")}},
		xsheet{name: "1900", records: [][]byte{label(0, "day"), xrec(xlsRK, xcell(1, 0, 1), xrk(1, true, false))}},
	)
	got, err := readXLS(context.Background(), "book.xls", stream)
	want := "# book\n\n## Cells\n" +
		"kind: number; value: 1.5.\n" +
		"kind: rk int; value: -42.\n" +
		"kind: rk hundredths; value: 12.34.\n" +
		"kind: rk float; value: 0.5.\n" +
		"kind: rk float hundredths; value: 1.25.\n" +
		"kind: date; value: 2024-12-26.\n" +
		"kind: stamp; value: 2024-12-26 13:30.\n" +
		"kind: days; value: 2.\n" +
		"kind: bool; value: TRUE.\n" +
		"kind: error.\n" +
		"kind: 7; value: 2024-12-26; 3.5.\n" +
		"kind: formula; value: 312.5; abcdé€; FALSE; TRUE.\n" +
		"kind: blank; rich.\n" +
		"\n## 1900\nday: 1900-01-01."
	if err != nil || got != want {
		t.Errorf("readXLS =\n%s, %v\nwant\n%s", got, err, want)
	}
	// In the 1904 date system, serial 1 is 2 January 1904.
	globals[0] = xrec(xlsDateMode, xu16(1))
	got, err = readXLS(context.Background(), "book.xls", xbook(globals, xsheet{name: "1904", records: [][]byte{label(0, "day"), xrec(xlsRK, xcell(1, 0, 1), xrk(1, true, false))}}))
	if want := "# book\n\n## 1904\nday: 1904-01-02."; err != nil || got != want {
		t.Errorf("readXLS(1904) = %q, %v, want %q", got, err, want)
	}
}

// Hostile and broken streams are errors, found before the work they would
// cost.
func TestXLSHostile(t *testing.T) {
	label := xrec(xlsLabel, xcell(0, 0, 0), xstr("x"))
	sheet := xbook(nil, xsheet{name: "S", records: [][]byte{label}})
	// The same sheet listed 1,000 times, at one offset.
	var many [][]byte
	for range 1_000 {
		many = append(many, xrec(xlsBoundSheet, xu32(0), []byte{0, 0, 1, 0, 'S'}))
	}
	overlap := xbook(many, xsheet{name: "S", records: [][]byte{label}})
	at := uint32(len(overlap) - len(xbof(xlsWorksheet)) - len(label) - len(xrec(xlsEOF)))
	for i := range many {
		binary.LittleEndian.PutUint32(overlap[len(xbof(xlsGlobals))+i*len(many[0])+4:], at)
	}
	for _, c := range []struct {
		what   string
		stream []byte
		is     error
	}{
		{"encrypted", xbook([][]byte{xrec(xlsFilePass, xu16(1))}), errXLS},
		{"BIFF5", append(xrec(xlsBOF, xu16(0x0500), xu16(xlsGlobals), make([]byte, 4)), xrec(xlsEOF)...), errXLS},
		{"a worksheet first", xbof(xlsWorksheet), errXLS},
		{"no BOF", xrec(xlsEOF), errXLS},
		{"empty", nil, errXLS},
		{"a record past the end", sheet[:len(sheet)-3], errXLS},
		{"no EOF", sheet[:len(sheet)-4], errXLS},
		{"a record longer than the stream", append(xbof(xlsGlobals), 0x3C, 0, 0xFF, 0xFF, 1, 2), errXLS},
		{"a shared string out of range", xbook(nil, xsheet{name: "S", records: [][]byte{xrec(xlsLabelSST, xcell(0, 0, 0), xu32(5))}}), errXLS},
		{"a value far right", xbook(nil, xsheet{name: "S", records: [][]byte{xrec(xlsLabel, xcell(0, 5000, 0), xstr("x"))}}), errSheetLimit},
		{"a run of numbers far right", xbook(nil, xsheet{name: "S", records: [][]byte{xrec(xlsMulRK, xu16(0), xu16(998), bytes.Repeat(append(xu16(0), xrk(1, true, false)...), 5), xu16(1002))}}), errSheetLimit},
		{"one sheet listed 1,000 times", overlap, errXLS},
	} {
		t.Run(c.what, func(t *testing.T) {
			got, err := readXLS(context.Background(), "bad.xls", c.stream)
			t.Logf("%v", err)
			if !errors.Is(err, c.is) {
				t.Errorf("readXLS = %q, %v, want %v", got, err, c.is)
			}
		})
	}
}

func TestXLSNumberText(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{0, "0"}, {42, "42"}, {-7, "-7"}, {12.5, "12.5"}, {0.1, "0.1"}, {0.1 + 0.2, "0.3"},
		{1.0 / 3, "0.333333333333333"}, {45659.395833333336, "45659.3958333333"},
		{123456789012, "123456789012"}, {1e15, "1E+15"}, {1e20, "1E+20"}, {1.5e-7, "1.5E-7"}, {-2.5e-10, "-2.5E-10"},
	} {
		if got := xlsNumberText(c.f); got != c.want {
			t.Errorf("xlsNumberText(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}
