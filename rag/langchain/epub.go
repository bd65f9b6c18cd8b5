package langchain

import (
	"context"
	"encoding/xml"
	"fmt"
	"path"
	"slices"
	"strings"
)

// An e-book (.epub) is a zip package: META-INF/container.xml names the
// package document (OPF), whose spine lists the chapters, XHTML parts, in
// reading order. It is read with archive/zip and encoding/xml within the
// bounds of zipPackage.

func init() {
	formats[".epub"] = format{binary: true, load: loadEPUB}
}

// loadEPUB reads an e-book: its title as a heading, then its chapters in
// spine order, each block element a line, h1–h6 as Markdown headings and
// table rows as lines of cells. Navigation documents, scripts, styles and
// page-break markers are left out.
func loadEPUB(ctx context.Context, name string, data []byte) (string, error) {
	return readEPUB(ctx, data)
}

// epubItem is an entry of an OPF manifest.
type epubItem struct {
	href, mediaType, properties string
}

func readEPUB(ctx context.Context, data []byte) (string, error) {
	p, err := openZipPackage(data)
	if err != nil {
		return "", err
	}
	opf := ""
	if p.has("META-INF/container.xml") {
		err := p.readXML(ctx, "META-INF/container.xml", false, func(_ *xmlPart, tok xml.Token) error {
			if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "rootfile" && opf == "" {
				opf = resolvePart("", attrOf(t, "full-path"))
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	if opf == "" || !p.has(opf) {
		if i := slices.IndexFunc(p.names, func(n string) bool { return path.Ext(n) == ".opf" }); i >= 0 {
			opf = p.names[i]
		} else {
			return "", fmt.Errorf("no package document (.opf) in the e-book")
		}
	}

	var (
		title    strings.Builder
		hasTitle bool
		manifest = map[string]epubItem{}
		spine    []string
	)
	err = p.readXML(ctx, opf, false, func(x *xmlPart, tok xml.Token) error {
		t, ok := tok.(xml.StartElement)
		if !ok {
			return nil
		}
		switch t.Name.Local {
		case "title":
			if !hasTitle && strings.Contains(t.Name.Space, "purl.org/dc") {
				hasTitle = true
				return x.text(&title)
			}
		case "item":
			manifest[attrOf(t, "id")] = epubItem{
				href:       resolvePart(opf, attrOf(t, "href")),
				mediaType:  attrOf(t, "media-type"),
				properties: attrOf(t, "properties"),
			}
		case "itemref":
			if len(spine) >= zipMaxEntries {
				return fmt.Errorf("%w: more than %d chapters", errZipLimit, zipMaxEntries)
			}
			spine = append(spine, attrOf(t, "idref"))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	var w blockText
	w.paragraph(1, title.String())
	for _, id := range spine {
		it, ok := manifest[id]
		if !ok || !p.has(it.href) || slices.Contains(strings.Fields(it.properties), "nav") {
			continue
		}
		switch it.mediaType {
		case "application/xhtml+xml", "text/html", "application/x-dtbook+xml":
		default:
			continue
		}
		if err := readXHTML(ctx, p, it.href, &w); err != nil {
			return "", err
		}
	}
	return w.String(), nil
}

// xhtmlSkipped are the elements whose content is not text a reader of the
// book sees as running text.
var xhtmlSkipped = map[string]bool{
	"head": true, "script": true, "style": true, "noscript": true, "template": true,
	"nav": true, "svg": true, "math": true, "iframe": true, "object": true, "canvas": true,
}

// readXHTML writes the text of the chapter name to w: a line per block
// element, headings as Markdown headings, a table row as a line of cells.
func readXHTML(ctx context.Context, p *zipPackage, name string, w *blockText) error {
	var (
		line  strings.Builder
		level int
		rows  int // the depth of table rows around the token
		cells []string
		cell  strings.Builder
		table tableRows
	)
	flush := func() {
		w.paragraph(level, line.String())
		line.Reset()
		level = 0
	}
	// text is where character data goes: the line, or the cell of a row.
	text := func() *strings.Builder {
		if rows > 0 {
			return &cell
		}
		return &line
	}
	err := p.readXML(ctx, name, true, func(x *xmlPart, tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			el := strings.ToLower(t.Name.Local)
			if xhtmlSkipped[el] || xhtmlHidden(t) || strings.Contains(epubType(t), "pagebreak") {
				return x.skip()
			}
			switch {
			case el == "table" && rows == 0:
				table = tableRows{}
			case el == "tr":
				if rows++; rows == 1 {
					flush()
					cells = cells[:0]
					cell.Reset()
				}
			case el == "br":
				text().WriteByte(' ')
			case rows > 0 && blockElements[el]:
				cell.WriteByte(' ')
			case blockElements[el]:
				flush()
				if len(el) == 2 && el[0] == 'h' && el[1] >= '1' && el[1] <= '6' {
					level = int(el[1] - '0')
				}
			}
		case xml.CharData:
			text().Write(t)
		case xml.EndElement:
			el := strings.ToLower(t.Name.Local)
			switch {
			case el == "tr" && rows > 0:
				if rows--; rows == 0 {
					w.line(table.line(cells))
				}
			case rows == 1 && (el == "td" || el == "th"):
				cells = append(cells, cell.String())
				cell.Reset()
			case rows > 0:
			case blockElements[el]:
				flush()
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	flush() // text after the last block element
	return nil
}

// xhtmlHidden reports whether t has the hidden attribute, whatever its value.
func xhtmlHidden(t xml.StartElement) bool {
	return slices.ContainsFunc(t.Attr, func(a xml.Attr) bool { return a.Name.Local == "hidden" })
}

// epubType returns the epub:type attribute of t.
func epubType(t xml.StartElement) string {
	for _, a := range t.Attr {
		if a.Name.Local == "type" && strings.Contains(a.Name.Space, "ops") {
			return a.Value
		}
	}
	return ""
}
