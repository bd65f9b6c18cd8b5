package langchain

import (
	"context"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// OpenDocument text (.odt) and presentations (.odp) are zip packages whose
// content.xml holds the body. They are read with archive/zip and
// encoding/xml within the bounds of zipPackage.

// Their templates (.ott, .otp) are the same packages.
func init() {
	formats[".odt"] = format{binary: true, load: loadODT}
	formats[".ott"] = format{binary: true, load: loadODT}
	formats[".odp"] = format{binary: true, load: loadODP}
	formats[".otp"] = format{binary: true, load: loadODP}
}

// loadODT reads an OpenDocument text: paragraphs in order, headings
// (text:h, and paragraphs in the Title style) as Markdown headings, table
// rows as lines of cells. Notes, comments, tracked deletions and indexes
// (a table of contents) are left out.
func loadODT(ctx context.Context, name string, data []byte) (string, error) {
	return readODF(ctx, data, false)
}

// loadODP reads an OpenDocument presentation's pages in order, each a "#
// title" line (its title frame's text, or "Slide N") and then the text of
// its other frames and tables. Speaker notes are left out.
func loadODP(ctx context.Context, name string, data []byte) (string, error) {
	return readODF(ctx, data, true)
}

// odfSkipped are the elements of an OpenDocument body whose text is not
// the document's own running text.
var odfSkipped = map[string]bool{
	"note": true, "annotation": true, "tracked-changes": true, "notes": true,
	"table-of-content": true, "alphabetical-index": true, "illustration-index": true,
	"table-index": true, "object-index": true, "user-index": true, "bibliography": true,
	"sequence-decls": true, "variable-decls": true, "user-field-decls": true, "forms": true,
}

// odfStyle is what a heading needs of an OpenDocument paragraph style.
type odfStyle struct {
	parent  string // the name of the style it inherits from
	outline int    // its default outline level, 1 for the top; 0 for none
}

// odfLevel returns the heading level (1 for the top) of a paragraph in the
// style name: its outline level, or the level in the name of a heading
// style ("Heading_20_2"), or 1 for the Title style; 0 for body text.
func odfLevel(styles map[string]odfStyle, name string) int {
	for range 16 { // a chain of parents longer than this is a loop
		s, ok := styles[name]
		if ok && s.outline > 0 {
			return s.outline
		}
		display := strings.ReplaceAll(name, "_20_", " ")
		if m := wordHeadingName.FindStringSubmatch(display); m != nil {
			return int(m[1][0] - '0')
		}
		if display == "Title" {
			return 1
		}
		if !ok || s.parent == "" {
			return 0
		}
		name = s.parent
	}
	return 0
}

// readODF reads the content.xml of an OpenDocument package; slides sets
// presentation mode, where each draw:page is a slide.
func readODF(ctx context.Context, data []byte, slides bool) (string, error) {
	p, err := openZipPackage(data)
	if err != nil {
		return "", err
	}
	// Paragraph styles, named and automatic, tell which paragraphs are
	// headings; text:h says so itself.
	styles := map[string]odfStyle{}
	addStyle := func(_ *xmlPart, tok xml.Token) error {
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "style" {
			level, _ := strconv.Atoi(attrOf(t, "default-outline-level"))
			styles[attrOf(t, "name")] = odfStyle{parent: attrOf(t, "parent-style-name"), outline: level}
		}
		return nil
	}
	if p.has("styles.xml") {
		if err := p.readXML(ctx, "styles.xml", false, addStyle); err != nil {
			return "", err
		}
	}
	type para struct {
		text  strings.Builder
		level int
	}
	var (
		w      blockText
		inBody bool
		paras  []*para
		table  tableReader

		page       int      // slides: the page being read, from 1
		title      []string // slides: the title frame's paragraphs
		lines      []string // slides: the page's other lines
		titleDepth int      // slides: the depth of the title frame, 0 outside it
	)
	// emit adds a finished paragraph or row.
	emit := func(level int, text string) {
		switch {
		case titleDepth > 0:
			title = append(title, text)
		case slides:
			if level > 0 {
				text = strings.Repeat("#", min(level, 6)+1) + " " + text
			}
			lines = append(lines, text)
		default:
			w.paragraph(level, text)
		}
	}
	err = p.readXML(ctx, "content.xml", false, func(x *xmlPart, tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			if !inBody {
				if t.Name.Local == "body" {
					inBody = true
				}
				return addStyle(x, tok)
			}
			switch t.Name.Local {
			case "h":
				level, err := strconv.Atoi(attrOf(t, "outline-level"))
				if err != nil || level < 1 {
					level = 1
				}
				paras = append(paras, &para{level: level})
			case "p":
				paras = append(paras, &para{level: odfLevel(styles, attrOf(t, "style-name"))})
			case "s", "tab", "line-break":
				if len(paras) > 0 {
					paras[len(paras)-1].text.WriteByte(' ')
				}
			case "desc", "title":
				if strings.Contains(t.Name.Space, "svg") {
					return x.skip()
				}
			case "page":
				page++
				title, lines = title[:0], lines[:0]
			case "table":
				table.startTable()
			case "table-row":
				table.startRow()
			case "table-cell":
				table.startCell()
			default:
				if odfSkipped[t.Name.Local] {
					return x.skip()
				}
			}
			if slides && titleDepth == 0 && attrOf(t, "class") == "title" {
				titleDepth = x.depth
			}
		case xml.CharData:
			if inBody && len(paras) > 0 {
				paras[len(paras)-1].text.Write(t)
			}
		case xml.EndElement:
			if !inBody {
				return nil
			}
			switch t.Name.Local {
			case "h", "p":
				if len(paras) == 0 {
					return nil
				}
				p := paras[len(paras)-1]
				paras = paras[:len(paras)-1]
				if text := collapseSpace(p.text.String()); table.in() {
					table.text(text)
				} else if text != "" {
					emit(p.level, text)
				}
			case "table":
				table.endTable()
			case "table-cell":
				table.endCell()
			case "table-row":
				if line := table.endRow(); line != "" {
					emit(0, line)
				}
			case "page":
				if slides {
					w.slide(page, strings.Join(title, " "), lines)
				}
			case "body":
				inBody = false
			}
			if x.depth < titleDepth {
				titleDepth = 0
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if slides && page == 0 {
		return "", fmt.Errorf("no slides in the presentation")
	}
	return w.String(), nil
}
