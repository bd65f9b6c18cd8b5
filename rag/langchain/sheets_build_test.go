package langchain_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
	"testing"
)

// zipEntry is one file of a test archive.
type zipEntry struct{ name, body string }

// sheetZip returns a zip archive of the entries, in order, deflated
// (a "mimetype" entry is stored, as OpenDocument requires).
func sheetZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		method := zip.Deflate
		if e.name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xsheet is a worksheet of a test workbook: rows is the XML inside
// <sheetData>; state is "", "hidden" or "veryHidden".
type xsheet struct{ name, state, rows string }

// makeXLSX returns a minimal valid .xlsx workbook with the sheets, the
// shared strings and, when styles is not "", that styles part.
func makeXLSX(t testing.TB, shared []string, styles string, sheets ...xsheet) []byte {
	t.Helper()
	const (
		ns   = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
		rns  = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
		rel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		pkgR = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
	)
	var list, rels, types strings.Builder
	entries := []zipEntry{{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships ` + pkgR + `><Relationship Id="rId1" Type="` + rel + `officeDocument" Target="xl/workbook.xml"/></Relationships>`}}
	for i, s := range sheets {
		state := ""
		if s.state != "" {
			state = ` state="` + s.state + `"`
		}
		fmt.Fprintf(&list, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, html.EscapeString(s.name), i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>`, i+1, rel, i+1)
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		entries = append(entries, zipEntry{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1),
			`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ` + ns + `><sheetData>` + s.rows + `</sheetData></worksheet>`})
	}
	if shared != nil {
		var sst strings.Builder
		for _, s := range shared {
			sst.WriteString("<si><t xml:space=\"preserve\">" + html.EscapeString(s) + "</t></si>")
		}
		fmt.Fprintf(&rels, `<Relationship Id="rIdS" Type="%ssharedStrings" Target="sharedStrings.xml"/>`, rel)
		entries = append(entries, zipEntry{"xl/sharedStrings.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d" uniqueCount="%d">%s</sst>`, ns, len(shared), len(shared), sst.String())})
	}
	if styles != "" {
		fmt.Fprintf(&rels, `<Relationship Id="rIdY" Type="%sstyles" Target="styles.xml"/>`, rel)
		entries = append(entries, zipEntry{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8"?><styleSheet ` + ns + `>` + styles + `</styleSheet>`})
	}
	entries = append(entries,
		zipEntry{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ` + ns + ` ` + rns + `><sheets>` + list.String() + `</sheets></workbook>`},
		zipEntry{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships ` + pkgR + `>` + rels.String() + `</Relationships>`},
		zipEntry{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + types.String() + `</Types>`},
	)
	return sheetZip(t, entries...)
}

// xlsxRows writes rows as <row> XML with cell references: a cell that
// reads as a number is stored as one, any other non-empty cell as a shared
// string added to *shared.
func xlsxRows(shared *[]string, rows [][]string) string {
	var b strings.Builder
	for r, row := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, r+1)
		for c, v := range row {
			ref := fmt.Sprintf("%c%d", 'A'+c, r+1)
			switch _, err := strconv.ParseFloat(v, 64); {
			case v == "":
			case err == nil:
				fmt.Fprintf(&b, `<c r="%s"><v>%s</v></c>`, ref, v)
			default:
				fmt.Fprintf(&b, `<c r="%s" t="s"><v>%d</v></c>`, ref, len(*shared))
				*shared = append(*shared, v)
			}
		}
		b.WriteString("</row>")
	}
	return b.String()
}

// otable is a table of a test OpenDocument spreadsheet: rows is the XML
// inside <table:table>; a name "hidden:name" hides the table.
type otable struct{ name, rows string }

// makeODS returns a minimal valid .ods spreadsheet with the tables.
func makeODS(t testing.TB, tables ...otable) []byte {
	t.Helper()
	var body strings.Builder
	for _, tb := range tables {
		style := ""
		if name, ok := strings.CutPrefix(tb.name, "hidden:"); ok {
			tb.name, style = name, ` table:style-name="hide"`
		}
		fmt.Fprintf(&body, `<table:table table:name="%s"%s><table:table-column table:number-columns-repeated="1024"/>%s</table:table>`, html.EscapeString(tb.name), style, tb.rows)
	}
	return sheetZip(t,
		zipEntry{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
		zipEntry{"META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` +
			`<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>` +
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
		zipEntry{"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content ` +
			`xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
			`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" ` +
			`xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2">` +
			`<office:automatic-styles><style:style style:name="show" style:family="table"><style:table-properties table:display="true"/></style:style>` +
			`<style:style style:name="hide" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles>` +
			`<office:body><office:spreadsheet>` + body.String() + `</office:spreadsheet></office:body></office:document-content>`},
	)
}

// odsRows writes rows as <table:table-row> XML of string cells, ending
// each row and the table with the empty repeats LibreOffice writes.
func odsRows(rows [][]string) string {
	var b strings.Builder
	for _, row := range rows {
		b.WriteString("<table:table-row>")
		for _, v := range row {
			if v == "" {
				b.WriteString("<table:table-cell/>")
				continue
			}
			fmt.Fprintf(&b, `<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>`, html.EscapeString(v))
		}
		fmt.Fprintf(&b, `<table:table-cell table:number-columns-repeated="%d"/></table:table-row>`, 1024-len(row))
	}
	b.WriteString(`<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`)
	return b.String()
}
