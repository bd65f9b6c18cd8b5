package langchain_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag/langchain"
)

func loadString(t testing.TB, name string, data []byte) string {
	t.Helper()
	got, err := langchain.Loader{}.Load(context.Background(), name, data)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return got
}

func TestLoadDelimited(t *testing.T) {
	for _, c := range []struct {
		what, name, data, want string
	}{
		{"header names carried, quoted commas", "dir/holidays.csv",
			"date,holiday,offices\n2024-12-25,Christmas Day,\"London, Paris\"\n2024-12-26,Boxing Day,London\n",
			"# holidays\ndate: 2024-12-25; holiday: Christmas Day; offices: London, Paris.\ndate: 2024-12-26; holiday: Boxing Day; offices: London."},
		{"empty cells and rows skipped", "a.csv",
			"date,holiday,offices\n\n2025-01-01,,London\n,,\n2025-04-18,Good Friday,\n",
			"# a\ndate: 2025-01-01; offices: London.\ndate: 2025-04-18; holiday: Good Friday."},
		{"a quoted line break stays in its row", "notes.csv",
			"name,note\nAda,\"first line\nsecond   line\"\n",
			"# notes\nname: Ada; note: first line second line."},
		{"a value that ends a sentence gets no second stop", "q.csv",
			"question,answer\nOpen?,Yes.\n",
			"# q\nquestion: Open?; answer: Yes."},
		{"cells past the header stand alone; a header's colon is dropped", "x.CSV",
			"Name:,Age\nBo,7,extra\n",
			"# x\nName: Bo; Age: 7; extra."},
		{"a header alone is written as values", "h.csv",
			"alpha,beta\n",
			"# h\nalpha; beta."},
		{"byte order mark", "bom.csv",
			"\uFEFFcity,country\nAstana,Kazakhstan\n",
			"# bom\ncity: Astana; country: Kazakhstan."},
		{"semicolons where the header has more of them", "eu.csv",
			"item;price\nbread;1,20\n",
			"# eu\nitem: bread; price: 1,20."},
		{"stray quotes kept", "lazy.csv",
			"a,b\nsay \"hi\",ok\n",
			"# lazy\na: say \"hi\"; b: ok."},
		{"a line that would read as a heading", "count.csv",
			"# of staff,office\n12,London\n",
			"# count\nNo. of staff: 12; office: London."},
		{"CRLF", "crlf.csv",
			"a,b\r\n1,2\r\n",
			"# crlf\na: 1; b: 2."},
		{"TSV", "staff.tsv",
			"name\trole\toffice\nAda Lovelace\tanalyst\tLondon, UK\nAlan\t\tManchester\n",
			"# staff\nname: Ada Lovelace; role: analyst; office: London, UK.\nname: Alan; office: Manchester."},
	} {
		t.Run(c.what, func(t *testing.T) {
			if got := loadString(t, c.name, []byte(c.data)); got != c.want {
				t.Errorf("Load(%s) =\n%q\nwant\n%q", c.name, got, c.want)
			}
		})
	}
}

func TestLoadXLSX(t *testing.T) {
	var shared []string
	holidays := xlsxRows(&shared, [][]string{
		{"date", "holiday", "offices"},
		{"2024-12-25", "Christmas Day", "London, Paris"},
		{"2024-12-26", "Boxing Day", ""},
	})
	// Styles: cell format 1 is a built-in date, 2 a custom date-time, 3 a
	// number with a quoted "d" that is no date.
	styles := `<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd\ hh:mm"/><numFmt numFmtId="165" formatCode="0.0&quot; days&quot;"/></numFmts>` +
		`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
		`<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>`
	shared = append(shared, "ignored", "kana")
	kinds := `<row r="1"><c r="A1" t="inlineStr"><is><t>kind</t></is></c><c r="B1" t="inlineStr"><is><r><t>val</t></r><r><t>ue</t></r></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>number</t></is></c><c r="B2"><v>1.5</v></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>bool</t></is></c><c r="B3" t="b"><v>1</v></c></row>` +
		`<row r="4"><c r="A4" t="inlineStr"><is><t>date</t></is></c><c r="B4" s="1"><v>45652</v></c></row>` +
		`<row r="5"><c r="A5" t="inlineStr"><is><t>stamp</t></is></c><c r="B5" s="2"><v>45652.5625</v></c></row>` +
		`<row r="6"><c r="A6" t="inlineStr"><is><t>days</t></is></c><c r="B6" s="3"><v>2</v></c></row>` +
		`<row r="7"><c r="A7" t="inlineStr"><is><t>error</t></is></c><c r="B7" t="e"><v>#DIV/0!</v></c><c r="C7" t="str"><f>A1</f><v>formula</v></c></row>` +
		// Cells without references follow the one before; a far column
		// with an empty cell costs nothing.
		`<row r="9"><c t="inlineStr"><is><t>gap</t></is></c><c/><c t="inlineStr"><is><t>third</t><rPh><t>yomi</t></rPh></is></c><c r="XFD9"/></row>`
	data := makeXLSX(t, shared, styles,
		xsheet{name: "Holidays 2024", rows: holidays},
		xsheet{name: "Secret", state: "hidden", rows: `<row r="1"><c r="A1" t="s"><v>3</v></c></row>`},
		xsheet{name: "Kinds & types", rows: kinds},
		xsheet{name: "Empty"},
	)
	want := "# book\n\n## Holidays 2024\n" +
		"date: 2024-12-25; holiday: Christmas Day; offices: London, Paris.\n" +
		"date: 2024-12-26; holiday: Boxing Day.\n" +
		"\n## Kinds & types\n" +
		"kind: number; value: 1.5.\n" +
		"kind: bool; value: TRUE.\n" +
		"kind: date; value: 2024-12-26.\n" +
		"kind: stamp; value: 2024-12-26 13:30.\n" +
		"kind: days; value: 2.\n" +
		"kind: error; formula.\n" +
		"kind: gap; third.\n" +
		"\n## Empty"
	if got := loadString(t, "book.xlsx", data); got != want {
		t.Errorf("Load(book.xlsx) =\n%s\nwant\n%s", got, want)
	}
}

func TestLoadODS(t *testing.T) {
	data := makeODS(t,
		otable{"Holidays", odsRows([][]string{
			{"date", "holiday", "offices"},
			{"2024-12-25", "Christmas Day", "London, Paris"},
			{"2024-12-26", "Boxing Day", ""},
		})},
		otable{"hidden:Lookup", odsRows([][]string{{"code", "name"}, {"L", "London"}})},
		otable{"Formats", `<table:table-row><table:table-cell><text:p>kind</text:p></table:table-cell><table:table-cell><text:p>value</text:p></table:table-cell><table:table-cell><text:p>more</text:p></table:table-cell></table:table-row>` +
			// Shown text wins over the stored value; a comment is no text.
			`<table:table-row><table:table-cell><text:p>date</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2024-12-26"><office:annotation><dc:creator>Bo</dc:creator><text:p>check this</text:p></office:annotation><text:p>26/12/2024</text:p></table:table-cell></table:table-row>` +
			// No shown text: the stored value.
			`<table:table-row><table:table-cell><text:p>number</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1234.5"/></table:table-row>` +
			// Paragraphs, spans, spaces and line breaks.
			`<table:table-row><table:table-cell><text:p>text</text:p></table:table-cell><table:table-cell><text:p>one<text:s text:c="3"/><text:span>two</text:span></text:p><text:p>three<text:line-break/>four</text:p></table:table-cell></table:table-row>` +
			// Repeated cells and rows are written as often as they repeat.
			`<table:table-row table:number-rows-repeated="2"><table:table-cell><text:p>same</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"><text:p>x</text:p></table:table-cell></table:table-row>` +
			// A merged cell's covered part is an empty column.
			`<table:table-row><table:table-cell table:number-columns-spanned="2"><text:p>wide</text:p></table:table-cell><table:covered-table-cell/><table:table-cell><text:p>last</text:p></table:table-cell></table:table-row>` +
			`<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`},
	)
	want := "# book\n\n## Holidays\n" +
		"date: 2024-12-25; holiday: Christmas Day; offices: London, Paris.\n" +
		"date: 2024-12-26; holiday: Boxing Day.\n" +
		"\n## Formats\n" +
		"kind: date; value: 26/12/2024.\n" +
		"kind: number; value: 1234.5.\n" +
		"kind: text; value: one two three four.\n" +
		"kind: same; value: x; more: x.\n" +
		"kind: same; value: x; more: x.\n" +
		"kind: wide; more: last."
	if got := loadString(t, "book.ods", data); got != want {
		t.Errorf("Load(book.ods) =\n%s\nwant\n%s", got, want)
	}
}

// Each hostile file is an error naming it, returned quickly: repeats that
// would expand past the limits, archives that inflate past them, too many
// entries, XML nested too deep, and malformed parts.
func TestLoadHostileSheets(t *testing.T) {
	cell := func(attrs string) string {
		return `<table:table-row` + attrs + `><table:table-cell><text:p>h</text:p></table:table-cell></table:table-row>`
	}
	wideRow := `<table:table-row table:number-rows-repeated="999999"><table:table-cell table:number-columns-repeated="1000"><text:p>value</text:p></table:table-cell></table:table-row>`
	deep := strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)
	cases := []struct {
		what, name string
		data       []byte
	}{
		{"a cell repeated a billion times", "cols.ods", makeODS(t, otable{"S", cell("") +
			`<table:table-row><table:table-cell table:number-columns-repeated="1000000000"><text:p>x</text:p></table:table-cell></table:table-row>`})},
		{"a row repeated a billion times", "rows.ods", makeODS(t, otable{"S", cell("") + cell(` table:number-rows-repeated="1000000000"`)})},
		{"a repeat with too many digits", "digits.ods", makeODS(t, otable{"S", cell("") + cell(` table:number-rows-repeated="99999999999999999999999"`)})},
		{"repeats within the row and column limits, past the text limit", "wide.ods", makeODS(t, otable{"S", cell("") + wideRow})},
		{"a value far right", "far.xlsx", makeXLSX(t, nil, "", xsheet{name: "S", rows: `<row><c r="ZZZ1" t="inlineStr"><is><t>x</t></is></c></row>`})},
		{"a shared string out of range", "sst.xlsx", makeXLSX(t, []string{"a"}, "", xsheet{name: "S", rows: `<row><c t="s"><v>7</v></c></row>`})},
		{"XML nested too deep", "deep.xlsx", makeXLSX(t, nil, "", xsheet{name: "S", rows: `<row><c t="inlineStr"><is><t>x</t></is></c></row>` + deep})},
		{"an undefined entity", "entity.ods", makeODS(t, otable{"S", `<table:table-row><table:table-cell><text:p>&lol9;</text:p></table:table-cell></table:table-row>`})},
		{"a zip bomb", "bomb.xlsx", zipBomb(t)},
		{"too many entries", "many.ods", manyEntries(t)},
		{"no workbook", "empty.xlsx", sheetZip(t, zipEntry{"x", "y"})},
		{"no content", "empty.ods", sheetZip(t, zipEntry{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"})},
		{"not a zip", "text.xlsx", []byte("date,holiday\n")},
		{"truncated", "cut.ods", makeODS(t, otable{"S", cell("")})[:200]},
		{"too many columns in CSV", "wide.csv", []byte(strings.Repeat("a,", 1001) + "a\n")},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			start := time.Now()
			text, err := langchain.Loader{}.Load(context.Background(), c.name, c.data)
			took := time.Since(start)
			t.Logf("%s (%d bytes): %v after %v", c.name, len(c.data), err, took.Round(time.Millisecond))
			if err == nil {
				t.Fatalf("Load(%s) = %d bytes of text, want an error", c.name, len(text))
			}
			if !strings.Contains(err.Error(), c.name) {
				t.Errorf("error %q does not name the file", err)
			}
			if took > 5*time.Second && !raceDetector {
				t.Errorf("Load(%s) took %v", c.name, took)
			}
		})
	}
}

// zipBomb is a workbook whose sheet inflates to 65 MiB of blank space
// from about 65 KiB, past the 64 MiB read from an archive.
func zipBomb(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	write := func(name, body string, pad int) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range pad {
			w.Write(chunk)
		}
	}
	write("xl/workbook.xml", `<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`, 0)
	write("xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`, 0)
	write("xl/worksheets/sheet1.xml", `<worksheet><sheetData>`, 65)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// manyEntries is a spreadsheet archive of 10,001 empty entries.
func manyEntries(t testing.TB) []byte {
	entries := []zipEntry{{"content.xml", "<x/>"}}
	for i := range 10_000 {
		entries = append(entries, zipEntry{fmt.Sprintf("%d", i), ""})
	}
	return sheetZip(t, entries...)
}

// checkSheetText checks what a spreadsheet loader returned for any input:
// an error names the file; text is bounded, and each line is a heading, a
// blank or a row that ends like a sentence.
func checkSheetText(t *testing.T, name, text string, err error) {
	t.Helper()
	if err != nil {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name the file", err)
		}
		return
	}
	if len(text) > 64<<20 {
		t.Errorf("Load(%s) = %d bytes of text", name, len(text))
	}
	for line := range strings.SplitSeq(text, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.ContainsAny(line[len(line)-1:], ".!?") && !strings.HasSuffix(line, "…") {
			t.Errorf("Load(%s): line %q does not end like a sentence", name, line)
		}
	}
}

// fuzzLoad runs the loader on a fuzzed file within a time bound.
func fuzzLoad(t *testing.T, name string, data []byte) {
	start := time.Now()
	text, err := langchain.Loader{}.Load(context.Background(), name, data)
	if took := time.Since(start); took > 10*time.Second && !raceDetector {
		t.Errorf("Load(%s) took %v", name, took)
	}
	checkSheetText(t, name, text, err)
}

func FuzzLoadCSV(f *testing.F) {
	f.Add(false, []byte("date,holiday,offices\n2024-12-26,Boxing Day,London\n"))
	f.Add(false, []byte("a;b\n\"x;\"\"y\"\"\";2\n"))
	f.Add(false, []byte("\uFEFFa,b\n\"multi\nline\",\n,,\n"))
	f.Add(true, []byte("name\trole\nAda\tanalyst\n"))
	f.Add(true, []byte("\"unterminated\tx\n"))
	f.Fuzz(func(t *testing.T, tsv bool, data []byte) {
		name := "fuzz.csv"
		if tsv {
			name = "fuzz.tsv"
		}
		fuzzLoad(t, name, data)
	})
}

func FuzzLoadXLSX(f *testing.F) {
	var shared []string
	rows := xlsxRows(&shared, [][]string{{"date", "holiday"}, {"2024-12-26", "Boxing Day"}, {"45652", "x"}})
	f.Add(makeXLSX(f, shared, `<cellXfs><xf numFmtId="14"/></cellXfs>`, xsheet{name: "A", rows: rows}, xsheet{name: "B", state: "hidden", rows: rows}))
	f.Add(makeXLSX(f, nil, "", xsheet{name: "S", rows: `<row><c t="inlineStr"><is><t>a</t></is></c><c r="C1" t="b"><v>1</v></c></row><row><c s="0"><v>1</v></c></row>`}))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "fuzz.xlsx", data) })
}

func FuzzLoadODS(f *testing.F) {
	f.Add(makeODS(f, otable{"Holidays", odsRows([][]string{{"date", "holiday"}, {"2024-12-26", "Boxing Day"}})}))
	f.Add(makeODS(f, otable{"S", `<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="1"/></table:table-row>` +
		`<table:table-row><table:table-cell><office:annotation><text:p>note</text:p></office:annotation><text:p>a<text:s text:c="2"/>b</text:p></table:table-cell></table:table-row>`}))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "fuzz.ods", data) })
}

// A row of many cells that all name one long shared string is refused
// before it is built: the file is small, the row would be hundreds of MB.
func TestLongRowRefusedBeforeBuilt(t *testing.T) {
	col := func(c int) string {
		name := ""
		for c++; c > 0; c = (c - 1) / 26 {
			name = string(rune('A'+(c-1)%26)) + name
		}
		return name
	}
	var rows strings.Builder
	for r := 1; r <= 2; r++ {
		fmt.Fprintf(&rows, `<row r="%d">`, r)
		for c := range 999 {
			fmt.Fprintf(&rows, `<c r="%s%d" t="s"><v>0</v></c>`, col(c), r)
		}
		rows.WriteString("</row>")
	}
	data := makeXLSX(t, []string{strings.Repeat("x", 40_000)}, "", xsheet{name: "S", rows: rows.String()})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := langchain.Loader{}.Load(context.Background(), "long.xlsx", data)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("Load(long.xlsx) of a 64 MB row succeeded")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("Load(long.xlsx) allocated %d MB before refusing a %d-byte file", alloc>>20, len(data))
	}
}
