package langchain_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

// The .xls fixtures are LibreOffice 7.4's ("MS Excel 97") of the
// workbooks testdata/staff.py writes, beside its .xlsx of the same: a
// sheet "Staff" of text (é, €, 日本: both 8-bit and 16-bit strings),
// integers, decimals, dates, a date and time, a time, a percentage,
// formulas whose cached results are a number, a string, a boolean, an
// error and an empty string, a merged cell, empty cells and an empty row;
// a hidden sheet "Secret"; in staff.xls a sheet "Codes" of 3,000 distinct
// strings, whose shared string table runs over eight CONTINUE records,
// strings split across them (16-bit ones too). small.xls counts its dates
// from 1904.

// lo3Exponent matches the exponent LibreOffice writes in an .xlsx, of at
// least three digits ("1E+020"), where Excel writes "1E+20".
var lo3Exponent = regexp.MustCompile(`([0-9])E([+-])0*([0-9])`)

// A workbook gives the same text as .xls as it gives as .xlsx, but for
// the exponent of a number too large or too small to write without one:
// the .xls reader writes it as Excel does ("1E+20", "1.5E-7"), where
// LibreOffice's .xlsx holds "1E+020" and "1.5E-007".
func TestLoaderXLS(t *testing.T) {
	for _, c := range []struct{ name, staff string }{
		{"staff", "name: Edsger Dijkstra; start: 13:30:00; days: 100000; rate: 1E+20; total: TRUE; share: 1.5E-7.\n"},
		{"small", "name: Edsger Dijkstra; start: 1904-01-01 13:30; days: 100000; rate: 1E+20; total: TRUE; share: 1.5E-7.\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			xls := loadFile(t, "testdata/"+c.name+".xls")
			xlsx := loadFile(t, "testdata/"+c.name+".xlsx")
			if want := lo3Exponent.ReplaceAllString(xlsx, "${1}E${2}${3}"); xls != want {
				t.Errorf("%s.xls and %s.xlsx differ:\n%s", c.name, c.name, firstDiff(xls, want))
			}
			want := "# " + c.name + "\n\n## Staff\n" +
				"name: Ada Lovelace; start: 2024-12-26; days: 25; rate: 12.5; total: 312.5; note: Café € 日本; flag: 1; share: 0.25.\n" +
				"name: Alan Turing; start: 2025-01-02 09:30; days: 30; rate: 0.1; total: 3; note: Alan Turing (UK); flag: 0.\n" +
				"name: Grace Hopper; days: -7; rate: 1234567.891; note: wide note; share: last.\n" + c.staff
			if !strings.HasPrefix(xls, want) {
				t.Errorf("Load(%s.xls) =\n%s\nwant it to start\n%s", c.name, xls, want)
			}
			if strings.Contains(xls, "Secret") || strings.Contains(xls, "hidden value") {
				t.Errorf("Load(%s.xls) reads the hidden sheet", c.name)
			}
		})
	}
	xls := loadFile(t, "testdata/staff.xls")
	for _, line := range []string{"\n\n## Codes\ncode: C0001; label: label 1.\n", "\ncode: C0007; label: label 7 Zürich.\n",
		"\ncode: C2981; label: label 2981 東京.\n", "\ncode: C3000; label: label 3000."} {
		if !strings.Contains(xls, line) {
			t.Errorf("Load(staff.xls) has no %q", line)
		}
	}
	if n := strings.Count(xls, "\ncode: C"); n != 3000 {
		t.Errorf("Load(staff.xls) has %d codes, want 3000", n)
	}
}

// loadFile loads a file of testdata through the Loader.
func loadFile(t testing.TB, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return loadString(t, filepath.Base(file), data)
}

// firstDiff shows where two texts first differ, a line of each.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n%s\nvs\n%s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("one has %d lines, the other %d", len(la), len(lb))
}

// A workbook the test builds as .xlsx, which LibreOffice (where it is
// installed with Calc) saves as .xls, reads the same both ways: shared
// strings, numbers, a date, a hidden sheet.
func TestLoaderXLSLibreOffice(t *testing.T) {
	lo := newLibreOffice(t)
	var shared []string
	rows := xlsxRows(&shared, [][]string{
		{"city", "office", "staff", "ratio"},
		{"Paris", "Rive Gauche", "12", "0.75"},
		{"Zürich", "", "-3", "1234.5"},
		{"東京", "Shibuya", "100000", "2"},
	})
	styles := `<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>`
	dates := `<row r="1"><c r="A1" t="inlineStr"><is><t>day</t></is></c></row><row r="2"><c r="A2" s="1"><v>45652</v></c></row>`
	xlsx := makeXLSX(t, shared, styles,
		xsheet{name: "Offices", rows: rows},
		xsheet{name: "Hidden", state: "hidden", rows: dates},
		xsheet{name: "Dates", rows: dates},
	)
	dir := lo.dir
	if err := os.WriteFile(filepath.Join(dir, "built.xlsx"), xlsx, 0o644); err != nil {
		t.Fatal(err)
	}
	out := lo.convert("xls:MS Excel 97", "xls", filepath.Join(dir, "built.xlsx"))
	data, err := os.ReadFile(filepath.Join(dir, "xls", "built.xls"))
	if errors.Is(err, os.ErrNotExist) && bytes.Contains(out, []byte("could not be loaded")) {
		t.Skipf("LibreOffice has no Calc to open the workbook: %s", out)
	}
	if err != nil {
		t.Fatal(err)
	}
	const want = "# built\n\n## Offices\ncity: Paris; office: Rive Gauche; staff: 12; ratio: 0.75.\n" +
		"city: Zürich; staff: -3; ratio: 1234.5.\ncity: 東京; office: Shibuya; staff: 100000; ratio: 2.\n\n## Dates\nday: 2024-12-26."
	if got := loadString(t, "built.xlsx", xlsx); got != want {
		t.Errorf("Load(built.xlsx) =\n%s\nwant\n%s", got, want)
	}
	if got := loadString(t, "built.xls", data); got != want {
		t.Errorf("Load(built.xls) =\n%s\nwant\n%s", got, want)
	}
	// A macro-enabled workbook and the templates (Excel's, OpenDocument's)
	// read as the workbook they are saved from.
	for _, to := range []string{"xlsm:Calc MS Excel 2007 VBA XML", "xltx:Calc MS Excel 2007 XML Template", "ots:calc8_template"} {
		ext, _, _ := strings.Cut(to, ":")
		lo.convert(to, ext, filepath.Join(dir, "built.xlsx"))
		data, err := os.ReadFile(filepath.Join(dir, ext, "built."+ext))
		if err != nil {
			t.Fatal(err)
		}
		w := want
		if ext == "ots" {
			// OpenDocument's sheets are read as they show a cell: the
			// date as LibreOffice formats it.
			w = strings.Replace(w, "day: 2024-12-26.", "day: 12/26/2024.", 1)
		}
		if got := loadString(t, "built."+ext, data); got != w {
			t.Errorf("Load(built.%s) =\n%s\nwant\n%s", ext, got, w)
		}
	}
}

// A file that is not an Excel 97–2003 workbook this reader can read is an
// error naming it, never a panic: cut short, random bytes, a Word
// document, an encrypted workbook, an Excel 5.0/95 one.
func TestLoaderXLSBroken(t *testing.T) {
	data, err := os.ReadFile("testdata/small.xls")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("testdata/handbook.doc")
	if err != nil {
		t.Fatal(err)
	}
	wantBroken(t, "testdata/small.xls", ".xls",
		brokenFile{"word.xls", doc, "no Workbook stream"},
		brokenFile{"encrypted.xls", xlsEncrypted(t, data), "encrypted"},
		brokenFile{"excel95.xls", xlsRenamedStream(t, data, "Book"), "BIFF5"},
	)
}

// xlsEncrypted returns a copy of a workbook whose globals' second record
// is made a FILEPASS record, which marks an encrypted workbook.
func xlsEncrypted(t testing.TB, data []byte) []byte {
	t.Helper()
	// The globals' BOF record: BIFF8, a workbook globals substream.
	at := bytes.Index(data, []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00})
	if at < 0 {
		t.Fatal("no globals BOF record")
	}
	out := bytes.Clone(data)
	out[at+20], out[at+21] = 0x2F, 0x00
	return out
}

// xlsRenamedStream returns a copy of a workbook whose "Workbook" stream is
// named name (at most 8 characters) in the compound file's directory.
func xlsRenamedStream(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	utf16 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return b
	}
	at := bytes.Index(data, utf16("Workbook\x00"))
	if at < 0 || len(name) > 8 {
		t.Fatal("no Workbook directory entry")
	}
	out := bytes.Clone(data)
	copy(out[at:at+64], make([]byte, 64))
	copy(out[at:], utf16(name+"\x00"))
	out[at+64], out[at+65] = byte(2*len(name)+2), 0
	return out
}

// Whatever the bytes, the Excel reader returns: no panic, valid text for a
// workbook, an error naming the file otherwise.
func FuzzLoadXLS(f *testing.F) {
	for _, file := range []string{"testdata/small.xls", "testdata/staff.xls"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := langchain.Loader{}.Load(context.Background(), "f.xls", data)
		switch {
		case err != nil && errors.Is(err, context.Canceled):
			t.Fatal(err)
		case err == nil && !utf8.ValidString(got):
			t.Errorf("Load = %q: not UTF-8", got)
		}
	})
}

// The same workbook of 3,000 rows of shared strings and a sheet of mixed
// cells, read as .xls and as .xlsx.
func BenchmarkLoadXLS(b *testing.B) {
	for _, file := range []string{"testdata/staff.xls", "testdata/staff.xlsx"} {
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		name := filepath.Base(file)
		b.Run(filepath.Ext(file)[1:], func(b *testing.B) {
			for b.Loop() {
				if _, err := (langchain.Loader{}).Load(context.Background(), name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
