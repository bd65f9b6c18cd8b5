package langchain

import (
	"context"
	"encoding/xml"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Word (.docx) and PowerPoint (.pptx) files are Office Open XML packages:
// zip archives of XML parts that name each other through relationship
// parts. They are read with archive/zip and encoding/xml (langchaingo has
// no loader for them) within the bounds of zipPackage.

// Their macro-enabled files (.docm, .pptm), templates (.dotx, .dotm,
// .potx, .potm) and slide shows (.ppsx, .ppsm) are the same packages: the
// main part is found by the package's relationship either way, and macros
// are never run.
func init() {
	for _, e := range []string{".docx", ".docm", ".dotx", ".dotm"} {
		formats[e] = format{binary: true, load: loadDOCX}
	}
	for _, e := range []string{".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm"} {
		formats[e] = format{binary: true, load: loadPPTX}
	}
}

// loadDOCX reads a Word document's body: paragraphs in order, headings
// (by style or outline level) as Markdown headings, table rows as lines of
// cells. Headers, footers, notes, comments and deleted text are left out.
func loadDOCX(ctx context.Context, name string, data []byte) (string, error) {
	return readDOCX(ctx, data)
}

// loadPPTX reads a presentation's slides in order, each a "# title" line
// (the title placeholder's text, or "Slide N") and then the text of its
// shapes and tables. Speaker notes are left out.
func loadPPTX(ctx context.Context, name string, data []byte) (string, error) {
	return readPPTX(ctx, data)
}

// opcRel is one relationship of an Office part.
type opcRel struct {
	typ    string // the relationship type, a URI
	target string // the part name it points to
}

// opcRels reads the relationships of the part name ("" for the package's
// own), by id; a part without relationships has none. External targets
// are left out.
func opcRels(ctx context.Context, p *zipPackage, name string) (map[string]opcRel, error) {
	relsName := "_rels/.rels"
	if name != "" {
		relsName = path.Join(path.Dir(name), "_rels", path.Base(name)+".rels")
	}
	rels := map[string]opcRel{}
	if !p.has(relsName) {
		return rels, nil
	}
	err := p.readXML(ctx, relsName, false, func(_ *xmlPart, tok xml.Token) error {
		t, ok := tok.(xml.StartElement)
		if !ok || t.Name.Local != "Relationship" || attrOf(t, "TargetMode") == "External" {
			return nil
		}
		rels[attrOf(t, "Id")] = opcRel{typ: attrOf(t, "Type"), target: resolvePart(name, attrOf(t, "Target"))}
		return nil
	})
	return rels, err
}

// relTarget returns the target of the first relationship in rels whose
// type ends with kind ("/officeDocument", "/styles"), or else fallback.
func relTarget(rels map[string]opcRel, kind, fallback string) string {
	ids := make([]string, 0, len(rels))
	for id := range rels {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if strings.HasSuffix(rels[id].typ, kind) {
			return rels[id].target
		}
	}
	return fallback
}

// relID returns the relationship id attribute (r:id) of t.
func relID(t xml.StartElement) string {
	for _, a := range t.Attr {
		if a.Name.Local == "id" && strings.HasSuffix(a.Name.Space, "relationships") {
			return a.Value
		}
	}
	return ""
}

// wordStyle is what a heading needs of a Word paragraph style.
type wordStyle struct {
	name    string // the style's name, as "heading 1"
	basedOn string // the id of the style it inherits from
	outline int    // its outline level, 0 for the top; -1 when it sets none
}

// wordHeadingName matches the names (and ids) of Word's heading styles.
var wordHeadingName = regexp.MustCompile(`^(?i:heading) ?([1-9])$`)

// wordTOCName matches the names and ids of the styles of a table of
// contents, whose lines repeat the headings.
var wordTOCName = regexp.MustCompile(`^(?i:toc) ?[1-9]$`)

// wordStyles reads the paragraph styles of a styles part, by id.
func wordStyles(ctx context.Context, p *zipPackage, name string) (map[string]wordStyle, error) {
	styles := map[string]wordStyle{}
	var id string
	var cur *wordStyle
	err := p.readXML(ctx, name, false, func(_ *xmlPart, tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "style":
				if typ := attrOf(t, "type"); typ == "paragraph" || typ == "" {
					id, cur = attrOf(t, "styleId"), &wordStyle{outline: -1}
				}
			case "name":
				if cur != nil {
					cur.name = attrOf(t, "val")
				}
			case "basedOn":
				if cur != nil {
					cur.basedOn = attrOf(t, "val")
				}
			case "outlineLvl":
				if cur != nil {
					cur.outline = outlineLevel(attrOf(t, "val"))
				}
			}
		case xml.EndElement:
			if t.Name.Local == "style" && cur != nil {
				if _, dup := styles[id]; !dup {
					styles[id] = *cur
				}
				cur = nil
			}
		}
		return nil
	})
	return styles, err
}

// outlineLevel reads a w:outlineLvl value: 0–8 are heading levels, 9 (or
// anything else) is body text, -1.
func outlineLevel(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 8 {
		return 9
	}
	return n
}

// wordLevel returns the heading level (1 for the top) of a paragraph in
// the style id, 0 for body text and -1 for a line of a table of contents.
func wordLevel(styles map[string]wordStyle, id string) int {
	for range 16 { // a chain of basedOn longer than this is a loop
		s, ok := styles[id]
		name := s.name
		if !ok {
			name = id
		}
		switch {
		case s.outline >= 0 && s.outline <= 8 && ok:
			return s.outline + 1
		case s.outline == 9 && ok:
			return 0
		case wordHeadingName.MatchString(name):
			return int(wordHeadingName.FindStringSubmatch(name)[1][0] - '0')
		case strings.EqualFold(name, "title"):
			return 1
		case wordTOCName.MatchString(name):
			return -1
		case !ok || s.basedOn == "":
			return 0
		}
		id = s.basedOn
	}
	return 0
}

// openOPC opens an Office (OPC) package and finds its main part, named by
// the package's relationships (or fallback where they do not say), and
// that part's own relationships.
func openOPC(ctx context.Context, data []byte, fallback string) (p *zipPackage, main string, mainRels map[string]opcRel, err error) {
	if p, err = openZipPackage(data); err != nil {
		return nil, "", nil, err
	}
	rels, err := opcRels(ctx, p, "")
	if err != nil {
		return nil, "", nil, err
	}
	main = relTarget(rels, "/officeDocument", fallback)
	if mainRels, err = opcRels(ctx, p, main); err != nil {
		return nil, "", nil, err
	}
	return p, main, mainRels, nil
}

// readDOCX reads the main document part of a Word package.
func readDOCX(ctx context.Context, data []byte) (string, error) {
	p, main, docRels, err := openOPC(ctx, data, "word/document.xml")
	if err != nil {
		return "", err
	}
	styles := map[string]wordStyle{}
	if name := relTarget(docRels, "/styles", path.Join(path.Dir(main), "styles.xml")); p.has(name) {
		if styles, err = wordStyles(ctx, p, name); err != nil {
			return "", err
		}
	}
	levels := map[string]int{}
	level := func(id string) int {
		l, ok := levels[id]
		if !ok {
			l = wordLevel(styles, id)
			levels[id] = l
		}
		return l
	}

	// A paragraph can hold others (in a text box), so paragraphs are a
	// stack; a nested one is written before the one that holds it.
	type para struct {
		text  strings.Builder
		level int
	}
	var (
		w     blockText
		paras []*para
		inPPr int
		inRun int
		table tableReader
	)
	err = p.readXML(ctx, main, false, func(x *xmlPart, tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				paras = append(paras, &para{})
			case "pPr":
				inPPr++
			case "pStyle":
				if inPPr > 0 && len(paras) > 0 {
					paras[len(paras)-1].level = level(attrOf(t, "val"))
				}
			case "outlineLvl":
				if inPPr > 0 && len(paras) > 0 {
					paras[len(paras)-1].level = (outlineLevel(attrOf(t, "val")) + 1) % 10
				}
			case "r":
				inRun++
			case "t":
				if inRun > 0 && len(paras) > 0 {
					return x.text(&paras[len(paras)-1].text)
				}
			case "tab", "br", "cr":
				if inRun > 0 && len(paras) > 0 {
					paras[len(paras)-1].text.WriteByte(' ')
				}
			case "noBreakHyphen":
				if inRun > 0 && len(paras) > 0 {
					paras[len(paras)-1].text.WriteByte('-')
				}
			case "pPrChange", "rPrChange", "del", "moveFrom", "delText", "instrText", "Fallback":
				// Earlier formatting, deleted or moved-away text, field
				// codes, and the copy of a shape for older readers.
				return x.skip()
			case "tbl":
				table.startTable()
			case "tr":
				table.startRow()
			case "tc":
				table.startCell()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p":
				if len(paras) == 0 {
					return nil
				}
				p := paras[len(paras)-1]
				paras = paras[:len(paras)-1]
				switch {
				case table.in():
					table.text(p.text.String())
				case p.level >= 0:
					w.paragraph(p.level, p.text.String())
				}
			case "pPr":
				inPPr--
			case "r":
				inRun--
			case "tbl":
				table.endTable()
			case "tc":
				table.endCell()
			case "tr":
				w.line(table.endRow())
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return w.String(), nil
}

// slideName matches the name of a slide part, for a presentation whose
// list of slides cannot be read.
var slideName = regexp.MustCompile(`^ppt/slides/slide([0-9]{1,9})\.xml$`)

// readPPTX reads the slides of a PowerPoint package in their order.
func readPPTX(ctx context.Context, data []byte) (string, error) {
	p, pres, presRels, err := openOPC(ctx, data, "ppt/presentation.xml")
	if err != nil {
		return "", err
	}
	var slides []string
	if p.has(pres) {
		err = p.readXML(ctx, pres, false, func(_ *xmlPart, tok xml.Token) error {
			if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "sldId" {
				if r, ok := presRels[relID(t)]; ok && p.has(r.target) {
					if len(slides) >= zipMaxEntries {
						return fmt.Errorf("%w: more than %d slides", errZipLimit, zipMaxEntries)
					}
					slides = append(slides, r.target)
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	if len(slides) == 0 {
		// No list of slides: the slide parts by number.
		num := map[string]int{}
		for _, n := range p.names {
			if m := slideName.FindStringSubmatch(n); m != nil {
				num[n], _ = strconv.Atoi(m[1])
				slides = append(slides, n)
			}
		}
		slices.SortFunc(slides, func(a, b string) int { return num[a] - num[b] })
	}
	if len(slides) == 0 {
		return "", fmt.Errorf("no slides in the presentation")
	}
	var w blockText
	for i, s := range slides {
		title, lines, err := readSlide(ctx, p, s)
		if err != nil {
			return "", err
		}
		w.slide(i+1, title, lines)
	}
	return w.String(), nil
}

// readSlide reads one slide part: the text of its title placeholder, and
// the paragraphs of its other shapes and the rows of its tables in order.
func readSlide(ctx context.Context, p *zipPackage, name string) (title string, lines []string, err error) {
	var (
		shape    []string // the paragraphs of the shape being read
		inShape  bool
		isTitle  bool
		isFooter bool // a footer's, a date's or a slide number's placeholder
		hasTitle bool
		para     strings.Builder
		inPara   bool
		table    tableReader
	)
	err = p.readXML(ctx, name, false, func(x *xmlPart, tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "sp":
				shape, inShape, isTitle, isFooter = shape[:0], true, false, false
			case "ph":
				switch typ := attrOf(t, "type"); {
				case inShape && !hasTitle && (typ == "title" || typ == "ctrTitle"):
					isTitle = true
				case typ == "ftr" || typ == "dt" || typ == "sldNum":
					// The same on every slide, and no part of a .ppt's
					// slides: left out.
					isFooter = true
				}
			case "p":
				para.Reset()
				inPara = true
			case "t":
				if inPara {
					return x.text(&para)
				}
			case "br":
				para.WriteByte(' ')
			case "fld", "Fallback":
				// Slide numbers and dates; the copy of a shape for older
				// readers.
				return x.skip()
			case "tbl":
				table.startTable()
			case "tr":
				table.startRow()
			case "tc":
				table.startCell()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p":
				inPara = false
				switch text := collapseSpace(para.String()); {
				case table.in():
					table.text(text)
				case inShape:
					shape = append(shape, text)
				default:
					lines = append(lines, text)
				}
			case "sp":
				switch {
				case isTitle:
					title, hasTitle = strings.Join(shape, " "), true
				case !isFooter:
					lines = append(lines, shape...)
				}
				inShape = false
			case "tbl":
				table.endTable()
			case "tc":
				table.endCell()
			case "tr":
				if line := table.endRow(); line != "" {
					lines = append(lines, line)
				}
			}
		}
		return nil
	})
	return title, lines, err
}
