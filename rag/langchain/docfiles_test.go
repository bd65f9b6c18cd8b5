package langchain_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
)

// Builders of real, minimal Office, OpenDocument and EPUB files: the parts
// each format needs, written with archive/zip as the applications write
// them. Word, LibreOffice and e-book readers open them.

// docPart is one entry of a built archive.
type docPart struct {
	name, body string
	stored     bool // written without compression (an ODF or EPUB mimetype)
}

// docArchive zips parts in order.
func docArchive(parts ...docPart) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		method := zip.Deflate
		if p.stored {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			panic(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

const (
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsW     = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	nsP     = `xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"`
	relType = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
)

// opcRelsPart is a relationships part; each rel is "Id Type Target".
func opcRelsPart(name string, rels ...[3]string) docPart {
	var b strings.Builder
	b.WriteString(xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for _, r := range rels {
		fmt.Fprintf(&b, `<Relationship Id="%s" Type="%s%s" Target="%s"/>`, r[0], relType, r[1], r[2])
	}
	b.WriteString(`</Relationships>`)
	return docPart{name: name, body: b.String()}
}

// wordStylesXML defines Heading1–3 (by outline level, with Word's names),
// Title, and a custom style based on Heading2.
const wordStylesXML = xmlDecl + `<w:styles ` + nsW + `>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="berschrift3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="PolicyHeading"><w:name w:val="Policy Heading"/><w:basedOn w:val="Heading2"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/></w:style>` +
	`</w:styles>`

// makeDOCX is a Word document whose w:body holds body; with styles the
// package has wordStylesXML.
func makeDOCX(body string, styles bool) []byte {
	parts := []docPart{
		{name: "[Content_Types].xml", body: xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
			`</Types>`},
		opcRelsPart("_rels/.rels", [3]string{"rId1", "officeDocument", "word/document.xml"}),
		{name: "word/document.xml", body: xmlDecl + `<w:document ` + nsW + `><w:body>` + body +
			`<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr></w:body></w:document>`},
	}
	if styles {
		parts = append(parts,
			opcRelsPart("word/_rels/document.xml.rels", [3]string{"rId1", "styles", "styles.xml"}),
			docPart{name: "word/styles.xml", body: wordStylesXML})
	}
	return docArchive(parts...)
}

// wPara is a Word paragraph in the style (none for "") of runs of text.
func wPara(style string, runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	if style != "" {
		fmt.Fprintf(&b, `<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, style)
	}
	for _, r := range runs {
		fmt.Fprintf(&b, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, r)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// wTable is a Word table of rows of one-paragraph cells.
func wTable(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
	for _, r := range rows {
		b.WriteString("<w:tr>")
		for _, c := range r {
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr>` + wPara("", c) + `</w:tc>`)
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
	return b.String()
}

// makePPTX is a presentation of slides, each the shapes of its shape tree.
func makePPTX(slides ...string) []byte {
	var types, ids strings.Builder
	presRels := [][3]string{}
	parts := []docPart{}
	for i, s := range slides {
		n := i + 1
		fmt.Fprintf(&types, `<Override PartName="/ppt/slides/slide%d.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>`, n)
		fmt.Fprintf(&ids, `<p:sldId id="%d" r:id="rId%d"/>`, 255+n, n+1)
		presRels = append(presRels, [3]string{fmt.Sprintf("rId%d", n+1), "slide", fmt.Sprintf("slides/slide%d.xml", n)})
		parts = append(parts, docPart{
			name: fmt.Sprintf("ppt/slides/slide%d.xml", n),
			body: xmlDecl + `<p:sld ` + nsP + `><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>` +
				s + `</p:spTree></p:cSld></p:sld>`,
		})
	}
	head := []docPart{
		{name: "[Content_Types].xml", body: xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>` +
			types.String() + `</Types>`},
		opcRelsPart("_rels/.rels", [3]string{"rId1", "officeDocument", "ppt/presentation.xml"}),
		{name: "ppt/presentation.xml", body: xmlDecl + `<p:presentation ` + nsP + `><p:sldIdLst>` + ids.String() +
			`</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/></p:presentation>`},
		opcRelsPart("ppt/_rels/presentation.xml.rels", presRels...),
	}
	return docArchive(append(head, parts...)...)
}

// pShape is a slide shape: a placeholder of type ph ("title", "body", or
// "" for a plain text box) holding paragraphs.
func pShape(ph string, paras ...string) string {
	var b strings.Builder
	b.WriteString(`<p:sp><p:nvSpPr><p:cNvPr id="2" name="Shape"/><p:cNvSpPr/><p:nvPr>`)
	if ph != "" {
		fmt.Fprintf(&b, `<p:ph type="%s"/>`, ph)
	}
	b.WriteString(`</p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>`)
	for _, p := range paras {
		fmt.Fprintf(&b, `<a:p><a:r><a:rPr lang="en-US"/><a:t>%s</a:t></a:r></a:p>`, p)
	}
	b.WriteString(`</p:txBody></p:sp>`)
	return b.String()
}

// pTable is a slide's table of rows.
func pTable(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(`<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="4" name="Table"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>` +
		`<p:xfrm/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl>`)
	for _, r := range rows {
		b.WriteString(`<a:tr h="370840">`)
		for _, c := range r {
			fmt.Fprintf(&b, `<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>%s</a:t></a:r></a:p></a:txBody><a:tcPr/></a:tc>`, c)
		}
		b.WriteString(`</a:tr>`)
	}
	b.WriteString(`</a:tbl></a:graphicData></a:graphic></p:graphicFrame>`)
	return b.String()
}

const nsODF = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ` +
	`xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" office:version="1.3"`

// makeODF is an OpenDocument package of the mimetype whose office:body
// holds body, with automatic styles autoStyles.
func makeODF(mimetype, autoStyles, body string) []byte {
	return docArchive(
		docPart{name: "mimetype", body: mimetype, stored: true},
		docPart{name: "META-INF/manifest.xml", body: xmlDecl + `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">` +
			`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + mimetype + `"/>` +
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
		docPart{name: "content.xml", body: xmlDecl + `<office:document-content ` + nsODF + `>` +
			`<office:automatic-styles>` + autoStyles + `</office:automatic-styles><office:body>` + body +
			`</office:body></office:document-content>`},
	)
}

// makeODT is an OpenDocument text whose office:text holds body.
func makeODT(body string) []byte {
	return makeODF("application/vnd.oasis.opendocument.text",
		`<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>`,
		`<office:text><text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>`+body+`</office:text>`)
}

// makeODP is an OpenDocument presentation of pages, each its frames.
func makeODP(pages ...string) []byte {
	var b strings.Builder
	for i, p := range pages {
		fmt.Fprintf(&b, `<draw:page draw:name="page%d" draw:master-page-name="Default">%s</draw:page>`, i+1, p)
	}
	return makeODF("application/vnd.oasis.opendocument.presentation", "", `<office:presentation>`+b.String()+`</office:presentation>`)
}

// odpFrame is a frame of the presentation class ("title", "outline", or
// "" for a plain text box) holding paragraphs.
func odpFrame(class string, paras ...string) string {
	var b strings.Builder
	b.WriteString(`<draw:frame svg:width="20cm" svg:height="3cm"`)
	if class != "" {
		fmt.Fprintf(&b, ` presentation:class="%s"`, class)
	}
	b.WriteString(`><draw:text-box>`)
	for _, p := range paras {
		b.WriteString(`<text:p>` + p + `</text:p>`)
	}
	b.WriteString(`</draw:text-box></draw:frame>`)
	return b.String()
}

// makeEPUB is an EPUB 3 book of the title whose chapters are XHTML
// bodies, in spine order; a navigation document is in the manifest and in
// the spine, as some books have it.
func makeEPUB(title string, chapters ...string) []byte {
	var manifest, spine strings.Builder
	parts := []docPart{
		{name: "mimetype", body: "application/epub+zip", stored: true},
		{name: "META-INF/container.xml", body: xmlDecl + `<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">` +
			`<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`},
		{name: "OEBPS/nav.xhtml", body: xmlDecl + `<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title></head>` +
			`<body><nav epub:type="toc"><ol><li><a href="text/ch1.xhtml">Chapter</a></li></ol></nav></body></html>`},
	}
	manifest.WriteString(`<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>`)
	spine.WriteString(`<itemref idref="nav"/>`)
	// The chapters are listed in the manifest in reverse, so that only the
	// spine gives their order.
	for i := len(chapters) - 1; i >= 0; i-- {
		fmt.Fprintf(&manifest, `<item id="ch%d" href="text/ch%%20%d.xhtml" media-type="application/xhtml+xml"/>`, i+1, i+1)
	}
	for i, c := range chapters {
		fmt.Fprintf(&spine, `<itemref idref="ch%d"/>`, i+1)
		parts = append(parts, docPart{
			name: fmt.Sprintf("OEBPS/text/ch %d.xhtml", i+1),
			body: xmlDecl + `<!DOCTYPE html>` + "\n" + `<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">` +
				`<head><title>Chapter</title><style>p { margin: 0 }</style></head><body>` + c + `</body></html>`,
		})
	}
	parts = append(parts, docPart{name: "OEBPS/content.opf", body: xmlDecl +
		`<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">` +
		`<dc:identifier id="uid">urn:uuid:12345</dc:identifier><dc:title>` + title + `</dc:title><dc:language>en</dc:language></metadata>` +
		`<manifest>` + manifest.String() + `</manifest><spine>` + spine.String() + `</spine></package>`})
	return docArchive(parts...)
}
