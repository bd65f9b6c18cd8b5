package langchain

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// PowerPoint 97–2003 presentations (.ppt; their slide shows, .pps, and
// templates, .pot), still in many a shared drive, are read (in the
// isolated child, see cmd/citebot) as the .pptx reader reads a
// presentation, so that a deck gives the same text whichever of the two it
// was saved in: the compound file's "Current User" and "PowerPoint
// Document" streams with github.com/richardlehane/mscfb, their records
// ([MS-PPT] 2.3) read here. The live document is found through the user
// edits' persist directories; its list of slides gives their order, and
// each slide's drawing its shapes in order: each slide is written under a
// "# title" line (its first title placeholder's text, or "Slide N") and
// then the paragraphs of its other shapes, text boxes too, and the rows of
// its tables (a group of cells, read by their places) as the other
// structured formats' are. A placeholder whose text the list of slides
// holds (as PowerPoint writes them) is read from there. Speaker notes,
// masters, comments and pictures are left out. An encrypted presentation,
// or one older than PowerPoint 97, is an error wrapping errPPT.
func init() {
	for _, e := range []string{".ppt", ".pps", ".pot"} {
		formats[e] = format{binary: true, load: loadPPT}
	}
}

// errPPT reports a file that is not a PowerPoint 97–2003 presentation this
// reader can read.
var errPPT = errors.New("not a readable PowerPoint 97–2003 presentation")

// The record types the reader uses ([MS-PPT] 2.13.24, [MS-ODRAW] 2.2).
const (
	pptDocument         = 0x03E8
	pptSlide            = 0x03EE
	pptSlidePersist     = 0x03F3
	pptDrawing          = 0x040C
	pptOutlineTextRef   = 0x0F9E
	pptTextHeader       = 0x0F9F
	pptTextChars        = 0x0FA0
	pptTextBytes        = 0x0FA8
	pptSlideList        = 0x0FF0
	pptUserEdit         = 0x0FF5
	pptCurrentUser      = 0x0FF6
	pptPersistDirectory = 0x1772
	artDgContainer      = 0xF002
	artSpgrContainer    = 0xF003
	artSpContainer      = 0xF004
	artFSP              = 0xF00A
	artFOPT             = 0xF00B
	artClientTextbox    = 0xF00D
	artChildAnchor      = 0xF00F
	artTertiaryFOPT     = 0xF122
)

// The types of a text (TextHeaderAtom's textType): a title's, and a
// speaker note's.
const (
	pptTitleText       = 0
	pptNotesText       = 2
	pptCenterTitleText = 6
)

// Bounds for hostile files: containers nested deeper than pptMaxDepth, or
// more than pptMaxSlides slides, are an error; so is more text than
// sheetMaxText, which a crafted file could reach by naming one text many
// times.
const (
	pptMaxDepth  = 64
	pptMaxSlides = 10_000
	// pptMaxEdits is the most user edits read, newest first.
	pptMaxEdits = 10_000
)

// loadPPT reads a PowerPoint 97–2003 presentation.
func loadPPT(ctx context.Context, _ string, data []byte) (text string, err error) {
	defer recoverCompound(errPPT, &text, &err)
	user, doc, err := pptStreams(data)
	if err != nil {
		return "", err
	}
	return readPPT(ctx, user, doc)
}

// pptStreams returns the "Current User" and "PowerPoint Document" streams
// of a compound file, each no longer than the file.
func pptStreams(data []byte) (user, doc []byte, err error) {
	streams, others, err := compoundStreams(data, errPPT, "Current User", "PowerPoint Document")
	switch {
	case err != nil:
		return nil, nil, err
	case others["EncryptedSummary"]:
		return nil, nil, fmt.Errorf("%w: encrypted", errPPT)
	case streams["PowerPoint Document"] == nil && others["PP40"]:
		return nil, nil, fmt.Errorf("%w: PowerPoint 95 or older", errPPT)
	case streams["PowerPoint Document"] == nil:
		return nil, nil, fmt.Errorf("%w: no PowerPoint Document stream", errPPT)
	case streams["Current User"] == nil:
		return nil, nil, fmt.Errorf("%w: no Current User stream", errPPT)
	}
	return streams["Current User"], streams["PowerPoint Document"], nil
}

// pptRecord is a record: its header's fields and its body.
type pptRecord struct {
	typ  uint16
	inst uint16 // recInstance
	body []byte
}

// pptReader reads the records of a presentation's document stream.
type pptReader struct {
	ctx   context.Context
	doc   []byte
	steps int // records read, for polling the context
	left  int // bytes of slides that may still be read
	text  int // bytes of text read
}

// records calls each for the records b holds in turn, in a container
// depth containers deep; a record longer than what holds it is an error,
// and a few bytes after the last record are left.
func (p *pptReader) records(b []byte, depth int, each func(r pptRecord) error) error {
	if depth > pptMaxDepth {
		return fmt.Errorf("%w: containers nested deeper than %d", errPPT, pptMaxDepth)
	}
	le := binary.LittleEndian
	for len(b) >= 8 {
		r := pptRecord{typ: le.Uint16(b[2:]), inst: le.Uint16(b) >> 4}
		n := le.Uint32(b[4:])
		if uint64(n) > uint64(len(b)-8) {
			return fmt.Errorf("%w: record %#04x of %d bytes past its container's end", errPPT, r.typ, n)
		}
		p.steps++
		if err := poll(p.ctx, p.steps); err != nil {
			return err
		}
		r.body = b[8 : 8+n]
		if err := each(r); err != nil {
			return err
		}
		b = b[8+n:]
	}
	return nil
}

// recordAt returns the record at offset off of the document stream.
func (p *pptReader) recordAt(off uint32) (pptRecord, error) {
	le := binary.LittleEndian
	at := uint64(off)
	if at+8 > uint64(len(p.doc)) {
		return pptRecord{}, fmt.Errorf("%w: a record at offset %d, past the stream's end", errPPT, off)
	}
	r := pptRecord{typ: le.Uint16(p.doc[at+2:]), inst: le.Uint16(p.doc[at:]) >> 4}
	end := at + 8 + uint64(le.Uint32(p.doc[at+4:]))
	if end > uint64(len(p.doc)) {
		return pptRecord{}, fmt.Errorf("%w: record %#04x at offset %d past the stream's end", errPPT, r.typ, off)
	}
	r.body = p.doc[at+8 : end]
	return r, nil
}

// errPPTStop ends a walk over a presentation's records early.
var errPPTStop = errors.New("stop")

// readPPT reads a presentation from its Current User and PowerPoint
// Document streams.
func readPPT(ctx context.Context, user, doc []byte) (string, error) {
	p := &pptReader{ctx: ctx, doc: doc, left: len(doc)}
	edit, err := pptCurrentEdit(user)
	if err != nil {
		return "", err
	}
	persist, docRef, err := p.persistDirectory(edit)
	if err != nil {
		return "", err
	}
	off, ok := persist[docRef]
	if !ok {
		return "", fmt.Errorf("%w: no document container", errPPT)
	}
	d, err := p.recordAt(off)
	if err != nil {
		return "", err
	}
	if d.typ != pptDocument {
		return "", fmt.Errorf("%w: record %#04x where the document container is", errPPT, d.typ)
	}
	slides, err := p.slideList(d.body)
	if err != nil {
		return "", err
	}
	if len(slides) == 0 {
		return "", fmt.Errorf("%w: no slides in the presentation", errPPT)
	}
	var w blockText
	for i, s := range slides {
		var out pptSlideText
		if off, ok := persist[s.persist]; ok {
			if err := p.readSlide(off, s.texts, &out); err != nil {
				return "", err
			}
		} else {
			// A slide whose own record is not there: the texts the list
			// holds for it.
			for _, t := range s.texts {
				if err := p.add(&out, t); err != nil {
					return "", err
				}
			}
		}
		w.slide(i+1, out.title, out.lines)
	}
	return w.String(), nil
}

// pptCurrentEdit reads the Current User stream: the offset of the newest
// user edit in the document stream.
func pptCurrentEdit(user []byte) (uint32, error) {
	le := binary.LittleEndian
	if len(user) < 28 {
		// PowerPoint 95's Current User stream is a size, then that many
		// bytes, fewer than PowerPoint 97's.
		if len(user) >= 4 && int64(le.Uint32(user))+4 == int64(len(user)) {
			return 0, fmt.Errorf("%w: PowerPoint 95 or older", errPPT)
		}
		return 0, fmt.Errorf("%w: Current User stream of %d bytes", errPPT, len(user))
	}
	if le.Uint16(user[2:]) != pptCurrentUser {
		return 0, fmt.Errorf("%w: no CurrentUserAtom", errPPT)
	}
	switch token := le.Uint32(user[12:]); token {
	case 0xE391C05F:
	case 0xF3D1C4DF:
		return 0, fmt.Errorf("%w: encrypted", errPPT)
	default:
		return 0, fmt.Errorf("%w: header token %#08x", errPPT, token)
	}
	return le.Uint32(user[16:]), nil
}

// persistDirectory reads the user edits from the newest back, and returns
// the persist directory they make (each object's offset in the stream, by
// its persist id, the newest edit's where they overlap) and the persist id
// of the live document container. The edits' directories, all together,
// are no longer than the stream: a crafted file whose edits name one
// directory many times costs no more than the stream.
func (p *pptReader) persistDirectory(edit uint32) (map[uint32]uint32, uint32, error) {
	le := binary.LittleEndian
	persist := map[uint32]uint32{}
	seen := map[uint32]bool{}
	var docRef uint32
	left := len(p.doc)
	for i := 0; ; i++ {
		if seen[edit] || i >= pptMaxEdits {
			return nil, 0, fmt.Errorf("%w: user edits loop", errPPT)
		}
		seen[edit] = true
		u, err := p.recordAt(edit)
		if err != nil {
			return nil, 0, err
		}
		if u.typ != pptUserEdit || len(u.body) < 28 {
			return nil, 0, fmt.Errorf("%w: no UserEditAtom at offset %d", errPPT, edit)
		}
		if i == 0 {
			docRef = le.Uint32(u.body[16:])
			// An edit that names an encryption session: the streams are
			// encrypted.
			if len(u.body) >= 32 {
				return nil, 0, fmt.Errorf("%w: encrypted", errPPT)
			}
		}
		d, err := p.recordAt(le.Uint32(u.body[12:]))
		if err != nil {
			return nil, 0, err
		}
		if d.typ != pptPersistDirectory {
			return nil, 0, fmt.Errorf("%w: no PersistDirectoryAtom where the user edit says", errPPT)
		}
		if left -= len(d.body); left < 0 {
			return nil, 0, fmt.Errorf("%w: persist directories overlap", errPPT)
		}
		// Entries: a first persist id (20 bits) and a count (12 bits),
		// then the offsets of that many objects.
		for b := d.body; len(b) >= 4; {
			id, n := le.Uint32(b)&0xFFFFF, int(le.Uint32(b)>>20)
			b = b[4:]
			if 4*n > len(b) {
				return nil, 0, fmt.Errorf("%w: persist directory entry past its record", errPPT)
			}
			for j := range n {
				if _, newer := persist[id+uint32(j)]; !newer {
					persist[id+uint32(j)] = le.Uint32(b[4*j:])
				}
			}
			b = b[4*n:]
		}
		if edit = le.Uint32(u.body[8:]); edit == 0 {
			return persist, docRef, nil
		}
	}
}

// pptText is a text of a slide: its type, its characters (UTF-16 code
// units) and where in them fields stand.
type pptText struct {
	typ    uint32
	units  []uint16
	fields []uint32
}

// pptField reports a record that marks where a field (a slide number, a
// date, a header or footer) stands in a text: its position, which holds
// a "*" ([MS-PPT] 2.9.51–2.9.56).
func pptField(typ uint16) bool {
	switch typ {
	case 0x0FD8, 0x0FF7, 0x0FF8, 0x0FF9, 0x0FFA, 0x1015:
		return true
	}
	return false
}

// read adds what an atom of a text's says of it: its characters, where a
// field stands.
func (t *pptText) read(r pptRecord) {
	switch {
	case r.typ == pptTextChars || r.typ == pptTextBytes:
		t.units = pptChars(r)
	case pptField(r.typ) && len(r.body) >= 4:
		t.fields = append(t.fields, binary.LittleEndian.Uint32(r.body))
	}
}

// text returns the text, its fields left out as the .pptx reader leaves
// them out (slide numbers and dates are the slide show's, not the deck's
// text).
func (t pptText) text() string {
	units := t.units
	if len(t.fields) > 0 {
		units = slices.Clone(units)
		for _, f := range t.fields {
			if uint64(f) < uint64(len(units)) && units[f] == '*' {
				units[f] = 0 // a control character, dropped as one
			}
		}
	}
	return string(utf16.Decode(units)) // a lone surrogate as U+FFFD
}

// pptListed is a slide as the document's list of slides has it: the
// persist id of its record, and the texts the list holds for it (those of
// its placeholders, as PowerPoint writes them).
type pptListed struct {
	persist uint32
	texts   []pptText
}

// slideList reads the document container's list of slides (its
// SlideListWithTextContainer of instance 0), in the presentation's order.
func (p *pptReader) slideList(doc []byte) ([]pptListed, error) {
	var slides []pptListed
	err := p.records(doc, 1, func(r pptRecord) error {
		if r.typ != pptSlideList || r.inst != 0 {
			return nil
		}
		err := p.records(r.body, 2, func(r pptRecord) error {
			switch {
			case r.typ == pptSlidePersist:
				if len(r.body) < 4 {
					return fmt.Errorf("%w: short SlidePersistAtom", errPPT)
				}
				if len(slides) >= pptMaxSlides {
					return fmt.Errorf("%w: more than %d slides", errPPT, pptMaxSlides)
				}
				slides = append(slides, pptListed{persist: binary.LittleEndian.Uint32(r.body)})
			case len(slides) == 0:
			case r.typ == pptTextHeader && len(r.body) >= 4:
				s := &slides[len(slides)-1]
				s.texts = append(s.texts, pptText{typ: binary.LittleEndian.Uint32(r.body)})
			default:
				if s := &slides[len(slides)-1]; len(s.texts) > 0 {
					s.texts[len(s.texts)-1].read(r)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return errPPTStop // the first list of slides
	})
	if err != nil && !errors.Is(err, errPPTStop) {
		return nil, err
	}
	return slides, nil
}

// pptChars returns the characters of a TextCharsAtom (UTF-16LE) or a
// TextBytesAtom (each byte a character of Latin-1, as the format says) as
// UTF-16 code units.
func pptChars(r pptRecord) []uint16 {
	if r.typ == pptTextBytes {
		units := make([]uint16, len(r.body))
		for i, c := range r.body {
			units[i] = uint16(c)
		}
		return units
	}
	units := make([]uint16, len(r.body)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(r.body[2*i:])
	}
	return units
}

// pptSlideText is what a slide is written as: its title, and its other
// paragraphs and its tables' rows in order.
type pptSlideText struct {
	title    string
	hasTitle bool
	lines    []string
}

// add adds a text to a slide: its paragraphs, each a line, or the title's
// where it is the slide's first title; a speaker note's is left out.
func (p *pptReader) add(s *pptSlideText, t pptText) error {
	if t.typ == pptNotesText {
		return nil
	}
	if err := p.count(len(t.units) + len(t.fields)); err != nil {
		return err
	}
	paras := pptParagraphs(t.text())
	if (t.typ == pptTitleText || t.typ == pptCenterTitleText) && !s.hasTitle {
		s.title, s.hasTitle = strings.Join(paras, " "), true
		return nil
	}
	s.lines = append(s.lines, paras...)
	return nil
}

// count counts text read, and the fields marked in it, against
// sheetMaxText: a text listed once and named by many shapes counts each
// time it is read.
func (p *pptReader) count(n int) error {
	if p.text += n; p.text > sheetMaxText {
		return fmt.Errorf("%w: more than %d bytes of text", errPPT, sheetMaxText)
	}
	return nil
}

// pptParagraphs splits a text into its paragraphs, which \r ends (or \n),
// each with its white space collapsed, a line break (\v) and other control
// characters as spaces; empty ones are left out.
func pptParagraphs(text string) []string {
	var paras []string
	for _, para := range strings.FieldsFunc(text, func(r rune) bool { return r == '\r' || r == '\n' }) {
		para = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7F {
				return ' '
			}
			return r
		}, para)
		if para = collapseSpace(para); para != "" {
			paras = append(paras, para)
		}
	}
	return paras
}

// readSlide reads the slide whose record is at off into s: its drawing's
// shapes in order, a placeholder's text from the texts the list of slides
// holds for it where the shape refers to one.
func (p *pptReader) readSlide(off uint32, listed []pptText, s *pptSlideText) error {
	r, err := p.recordAt(off)
	if err != nil {
		return err
	}
	if r.typ != pptSlide {
		return fmt.Errorf("%w: record %#04x where a slide is", errPPT, r.typ)
	}
	// Each slide is read once at most: slides that a crafted file lists
	// at one offset cost no more than the stream.
	if p.left -= len(r.body); p.left < 0 {
		return fmt.Errorf("%w: slides overlap", errPPT)
	}
	return p.records(r.body, 1, func(r pptRecord) error {
		if r.typ != pptDrawing {
			return nil
		}
		return p.records(r.body, 2, func(r pptRecord) error {
			if r.typ != artDgContainer {
				return nil
			}
			return p.records(r.body, 3, func(r pptRecord) error {
				if r.typ != artSpgrContainer {
					return nil
				}
				return p.shapes(r.body, 4, listed, s)
			})
		})
	})
}

// shapes reads the shapes of a group (a slide's drawing is one) into s, in
// order: each shape's text, a group's shapes, a table's rows.
func (p *pptReader) shapes(group []byte, depth int, listed []pptText, s *pptSlideText) error {
	return p.records(group, depth, func(r pptRecord) error {
		switch r.typ {
		case artSpContainer:
			t, ok, err := p.shapeText(r.body, depth+1, listed)
			if err != nil || !ok {
				return err
			}
			return p.add(s, t)
		case artSpgrContainer:
			table, err := p.isTable(r.body, depth+1)
			if err != nil {
				return err
			}
			if table {
				return p.table(r.body, depth+1, listed, s)
			}
			return p.shapes(r.body, depth+1, listed, s)
		}
		return nil
	})
}

// shapeText returns the text of a shape (an OfficeArtSpContainer): that
// of its client text box, or the listed text it refers to; false for a
// shape without text.
func (p *pptReader) shapeText(shape []byte, depth int, listed []pptText) (t pptText, ok bool, err error) {
	le := binary.LittleEndian
	err = p.records(shape, depth, func(r pptRecord) error {
		if r.typ != artClientTextbox {
			return nil
		}
		return p.records(r.body, depth+1, func(r pptRecord) error {
			switch {
			case r.typ == pptTextHeader && len(r.body) >= 4:
				t.typ = le.Uint32(r.body)
			case r.typ == pptTextChars || r.typ == pptTextBytes:
				t.read(r)
				ok = true
			case r.typ == pptOutlineTextRef && len(r.body) >= 4:
				if i := le.Uint32(r.body); uint64(i) < uint64(len(listed)) {
					t, ok = listed[i], true
				}
			default:
				t.read(r)
			}
			return nil
		})
	})
	return t, ok, err
}

// isTable reports whether a group (an OfficeArtSpgrContainer) is a table:
// its own shape, the first, has the property tableProperties (0x039F) set.
func (p *pptReader) isTable(group []byte, depth int) (bool, error) {
	le := binary.LittleEndian
	table := false
	err := p.records(group, depth, func(r pptRecord) error {
		if r.typ != artSpContainer {
			return errPPTStop
		}
		err := p.records(r.body, depth+1, func(r pptRecord) error {
			if r.typ != artFOPT && r.typ != artTertiaryFOPT {
				return nil
			}
			// r.inst properties of 6 bytes: an id and its flags, a value.
			for i := 0; i < int(r.inst) && 6*i+6 <= len(r.body); i++ {
				id := le.Uint16(r.body[6*i:])
				if id&0x3FFF == 0x039F && id&0x8000 == 0 && le.Uint32(r.body[6*i+2:])&1 != 0 {
					table = true
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return errPPTStop
	})
	if err != nil && !errors.Is(err, errPPTStop) {
		return false, err
	}
	return table, nil
}

// table reads a table, a group of cells, into s: each cell a shape whose
// place in the group (its child anchor) gives its row and column; the
// rows written as the other structured formats' are (tableRows).
func (p *pptReader) table(group []byte, depth int, listed []pptText, s *pptSlideText) error {
	le := binary.LittleEndian
	type cell struct {
		top, left int32
		text      string
	}
	var cells []cell
	err := p.records(group, depth, func(r pptRecord) error {
		if r.typ != artSpContainer {
			return nil
		}
		var c cell
		anchored, line := false, false
		err := p.records(r.body, depth+1, func(r pptRecord) error {
			switch {
			case r.typ == artFSP:
				// A border (msosptLine), or a group's own shape (fGroup),
				// which a table grouped with other shapes has: no cell.
				line = r.inst == 20 || len(r.body) >= 8 && le.Uint32(r.body[4:])&1 != 0
			case r.typ == artChildAnchor && len(r.body) >= 16:
				c.left, c.top = int32(le.Uint32(r.body)), int32(le.Uint32(r.body[4:]))
				anchored = true
			}
			return nil
		})
		if err != nil || !anchored || line {
			return err // the group's own shape, a border
		}
		t, _, err := p.shapeText(r.body, depth+1, listed)
		if err != nil {
			return err
		}
		if err := p.count(len(t.units) + len(t.fields)); err != nil {
			return err
		}
		c.text = strings.Join(pptParagraphs(t.text()), " ")
		cells = append(cells, c)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortStableFunc(cells, func(a, b cell) int {
		return cmp.Or(cmp.Compare(a.top, b.top), cmp.Compare(a.left, b.left))
	})
	var rows tableRows
	for len(cells) > 0 {
		n := 1
		for n < len(cells) && cells[n].top == cells[0].top {
			n++
		}
		row := make([]string, n)
		for i, c := range cells[:n] {
			row[i] = c.text
		}
		cells = cells[n:]
		if line := rows.line(row); line != "" {
			s.lines = append(s.lines, line)
		}
	}
	return nil
}
