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

	"golang.org/x/text/encoding/charmap"
)

// Word 97–2003 documents (.doc), still in many a shared drive, are read
// (in the isolated child, see cmd/citebot): the compound file's streams with github.com/richardlehane/mscfb,
// the main document's text from the piece table the File Information Block
// points to ([MS-DOC] 2.4.1), each paragraph a line, a paragraph in a
// built-in heading style ("heading 1" to "heading 9", "Title") a Markdown
// heading line, a table's rows as the other structured formats' are
// (its header's cells joined by " | ", each other row a sentence naming
// its cells). Field codes (a
// hyperlink's address, a table of contents' switches) are left out, their
// results read; pictures, footnotes, headers, comments and text boxes are
// not part of the main text. An encrypted document, or one older than
// Word 97, is an error naming the file.
func init() {
	formats[".doc"] = format{binary: true, load: loadDOC}
}

// errDOC reports a file that is not a Word 97–2003 document this reader
// can read.
var errDOC = errors.New("not a readable Word 97–2003 document")

// loadDOC reads a Word 97–2003 document.
func loadDOC(ctx context.Context, _ string, data []byte) (text string, err error) {
	defer recoverCompound(errDOC, &text, &err)
	streams, _, err := compoundStreams(data, errDOC, "WordDocument", "0Table", "1Table")
	if err != nil {
		return "", err
	}
	word := streams["WordDocument"]
	if len(word) < 0x60 || binary.LittleEndian.Uint16(word) != 0xA5EC {
		return "", fmt.Errorf("%w: no Word document stream", errDOC)
	}
	if nFib := binary.LittleEndian.Uint16(word[2:]); nFib < 0x00C1 {
		return "", fmt.Errorf("%w: Word 95 or older (nFib %#x)", errDOC, nFib)
	}
	flags := binary.LittleEndian.Uint16(word[0x0A:])
	if flags&0x0100 != 0 {
		return "", fmt.Errorf("%w: encrypted", errDOC)
	}
	table := streams["0Table"]
	if flags&0x0200 != 0 {
		table = streams["1Table"]
	}
	ccpText, pairs, err := docFibPairs(word)
	if err != nil {
		return "", err
	}
	clx, ok := docPart(table, pairs, fibClx)
	if !ok {
		return "", fmt.Errorf("%w: piece table out of bounds", errDOC)
	}
	raw, marks, err := docText(ctx, word, clx, ccpText)
	if err != nil {
		return "", err
	}
	// Headings and rows' ends, where the styles and the paragraphs'
	// properties read well; a document whose tables do not is read
	// without them.
	var props []docPar
	if bte, ok := docPart(table, pairs, fibPlcfBtePapx); ok {
		stsh, _ := docPart(table, pairs, fibStshf)
		props = docParagraphs(word, stsh, bte, marks)
	}
	return docLines(raw, props), nil
}

// The pairs of FibRgFcLcb97 that the reader uses: the stylesheet, the
// paragraphs' properties, the piece table.
const (
	fibStshf       = 1
	fibPlcfBtePapx = 13
	fibClx         = 33
)

// docFibPairs reads the File Information Block: the main document's
// length in characters, and FibRgFcLcb97's (offset, length) pairs, at
// least up to the piece table's.
func docFibPairs(word []byte) (ccpText uint32, pairs []uint32, err error) {
	le := binary.LittleEndian
	at := 32 // past FibBase
	csw := int(le.Uint16(word[at:]))
	at += 2 + 2*csw
	if at+2 > len(word) {
		return 0, nil, fmt.Errorf("%w: short File Information Block", errDOC)
	}
	cslw := int(le.Uint16(word[at:]))
	at += 2
	if cslw < 4 || at+4*cslw+2 > len(word) {
		return 0, nil, fmt.Errorf("%w: short File Information Block", errDOC)
	}
	ccpText = le.Uint32(word[at+4*3:]) // FibRgLw97.ccpText
	at += 4 * cslw
	cbRgFcLcb := int(le.Uint16(word[at:]))
	at += 2
	if cbRgFcLcb <= fibClx || at+8*(fibClx+1) > len(word) {
		return 0, nil, fmt.Errorf("%w: short File Information Block", errDOC)
	}
	pairs = make([]uint32, 2*(fibClx+1))
	for i := range pairs {
		pairs[i] = le.Uint32(word[at+4*i:])
	}
	return ccpText, pairs, nil
}

// docPart is the part of the table stream that FibRgFcLcb97's pair i
// locates; false when it is empty or out of bounds.
func docPart(table []byte, pairs []uint32, i int) ([]byte, bool) {
	fc, lcb := uint64(pairs[2*i]), uint64(pairs[2*i+1])
	if lcb == 0 || fc+lcb > uint64(len(table)) {
		return nil, false
	}
	return table[fc : fc+lcb], true
}

// docPar is what a paragraph's properties say of it: its heading level
// (0 for none), and whether its mark ends a table's row.
type docPar struct {
	level  int
	rowEnd bool
}

// docParagraphs returns what the properties of the paragraph each mark
// (the file offset of a paragraph's or a cell's end) ends say of it: the
// heading level of the built-in styles "heading 1" to "heading 9" (style
// identifiers 1 to 9) and "Title" (62), read from the stylesheet (stsh,
// when it reads), and whether it ends a table's row. They are read from
// the paragraphs' property pages, whose bin table is bte; nil when those
// do not read.
func docParagraphs(word, stsh, bte []byte, marks []uint32) []docPar {
	le := binary.LittleEndian
	level := map[uint16]int{} // style index → heading level
	if len(stsh) >= 4 {
		// The stylesheet: its header, then each style's base, whose
		// first 12 bits are its built-in identifier.
		if cbStshi := int(le.Uint16(stsh)); cbStshi >= 2 && 2+cbStshi <= len(stsh) {
			cstd := int(le.Uint16(stsh[2:]))
			at := 2 + cbStshi
			for istd := 0; istd < cstd && at+2 <= len(stsh); istd++ {
				cb := int(le.Uint16(stsh[at:]))
				at += 2
				if cb >= 2 && at+cb <= len(stsh) {
					switch sti := le.Uint16(stsh[at:]) & 0x0FFF; {
					case sti >= 1 && sti <= 9:
						level[uint16(istd)] = int(sti)
					case sti == 62:
						level[uint16(istd)] = 1
					}
				}
				at += cb
			}
		}
	}
	if len(bte) < 4 {
		return nil
	}
	// The paragraphs' properties: pages of 512 bytes, each with runs of
	// file offsets and, for each run, its properties: the style, then
	// modifiers, among them whether the paragraph ends a row.
	type run struct {
		from, to uint32
		par      docPar
	}
	var runs []run
	n := (len(bte) - 4) / 8
	for i := range n {
		pn := uint64(le.Uint32(bte[4*(n+1)+4*i:]) & 0x3FFFFF)
		if (pn+1)*512 > uint64(len(word)) {
			return nil
		}
		page := word[pn*512 : (pn+1)*512]
		crun := int(page[511])
		if 4*(crun+1)+13*crun > 511 {
			return nil
		}
		for j := range crun {
			r := run{from: le.Uint32(page[4*j:]), to: le.Uint32(page[4*j+4:])}
			var grp []byte // the style's index, then the modifiers
			if off := 2 * int(page[4*(crun+1)+13*j]); off > 0 && off < 511 {
				if cb := int(page[off]); cb != 0 && off+2*cb <= 511 {
					grp = page[off+1 : off+2*cb]
				} else if cb == 0 && off+1 < 511 && off+2+2*int(page[off+1]) <= 511 {
					grp = page[off+2 : off+2+2*int(page[off+1])]
				}
			}
			if len(grp) >= 2 {
				r.par = docPar{level: level[le.Uint16(grp)], rowEnd: rowEnds(grp[2:])}
			}
			runs = append(runs, r)
		}
	}
	// Each mark's run, found by binary search over the runs in order.
	slices.SortStableFunc(runs, func(a, b run) int { return cmp.Compare(a.from, b.from) })
	props := make([]docPar, len(marks))
	for i, fc := range marks {
		j, _ := slices.BinarySearchFunc(runs, fc, func(r run, fc uint32) int { return cmp.Compare(r.from, fc+1) })
		if j > 0 && fc < runs[j-1].to {
			props[i] = runs[j-1].par
		}
	}
	return props
}

// rowEnds reports whether paragraph modifiers (a grpprl) mark the end of a
// table's row: sprmPFTtp or sprmPFInnerTtp set.
func rowEnds(grpprl []byte) bool {
	le := binary.LittleEndian
	for len(grpprl) >= 2 {
		sprm := le.Uint16(grpprl)
		grpprl = grpprl[2:]
		var size int
		switch sprm >> 13 { // the operand's size
		case 0, 1:
			size = 1
		case 2, 4, 5:
			size = 2
		case 3:
			size = 4
		case 7:
			size = 3
		default: // variable: its first byte, or two for a table's definition
			if len(grpprl) < 1 {
				return false
			}
			size = 1 + int(grpprl[0])
			if sprm == 0xD606 || sprm == 0xD608 {
				if len(grpprl) < 2 {
					return false
				}
				size = 1 + int(le.Uint16(grpprl))
			}
		}
		if size > len(grpprl) {
			return false
		}
		if (sprm == 0x2417 || sprm == 0x244C) && grpprl[0] == 1 {
			return true
		}
		grpprl = grpprl[size:]
	}
	return false
}

// docText returns the first ccp characters of the document's text, read
// piece by piece from the piece table in clx, and the file offsets of its
// paragraph and cell marks, in order.
func docText(ctx context.Context, word, clx []byte, ccp uint32) (text string, marks []uint32, err error) {
	le := binary.LittleEndian
	// The property modifiers before the piece table are skipped.
	for len(clx) > 0 && clx[0] == 0x01 {
		if len(clx) < 3 {
			return "", nil, fmt.Errorf("%w: bad piece table", errDOC)
		}
		n := 3 + int(le.Uint16(clx[1:]))
		if n > len(clx) {
			return "", nil, fmt.Errorf("%w: bad piece table", errDOC)
		}
		clx = clx[n:]
	}
	if len(clx) < 5 || clx[0] != 0x02 {
		return "", nil, fmt.Errorf("%w: no piece table", errDOC)
	}
	plc := clx[5:]
	if n := le.Uint32(clx[1:]); uint64(n) < uint64(len(plc)) {
		plc = plc[:n]
	}
	pieces := (len(plc) - 4) / 12 // n+1 character positions, then n descriptors of 8 bytes
	if pieces <= 0 {
		return "", nil, fmt.Errorf("%w: empty piece table", errDOC)
	}
	// Pieces do not overlap: the text is no longer than the stream. A
	// file that says otherwise is not read past that.
	ccp = min(ccp, uint32(len(word)))
	var b strings.Builder
	var done uint32
	for i := 0; i < pieces && done < ccp; i++ {
		if err := ctx.Err(); err != nil {
			return "", nil, err
		}
		start, end := le.Uint32(plc[4*i:]), le.Uint32(plc[4*i+4:])
		if end <= start {
			continue
		}
		n := min(end-start, ccp-done)
		done += n
		fc := le.Uint32(plc[4*(pieces+1)+8*i+2:])
		if fc&0x40000000 != 0 { // 8-bit characters at half the offset, in Windows-1252
			off := uint64(fc&0x3FFFFFFF) / 2
			if off+uint64(n) > uint64(len(word)) {
				return "", nil, fmt.Errorf("%w: piece out of bounds", errDOC)
			}
			for j, c := range word[off : off+uint64(n)] {
				if c == '\r' || c == 0x07 {
					marks = append(marks, uint32(off)+uint32(j))
				}
				b.WriteRune(charmap.Windows1252.DecodeByte(c))
			}
			continue
		}
		off := uint64(fc)
		if off+2*uint64(n) > uint64(len(word)) {
			return "", nil, fmt.Errorf("%w: piece out of bounds", errDOC)
		}
		units := make([]uint16, n)
		for j := range units {
			units[j] = le.Uint16(word[off+2*uint64(j):])
			if units[j] == '\r' || units[j] == 0x07 {
				marks = append(marks, uint32(off)+2*uint32(j))
			}
		}
		b.WriteString(string(utf16.Decode(units)))
	}
	return b.String(), marks, nil
}

// docLines turns the document's text, with Word's marks, into lines: a
// paragraph mark ends a line; in a table a cell mark ends a cell and a
// row's mark its row, written as the structured formats' rows are
// (tableRows); a field's code is left out and its result
// kept; objects' anchors are dropped.
func docLines(text string, props []docPar) string {
	var out blockText
	mark := 0 // the paragraph and cell marks read
	var line, cell strings.Builder
	var cells []string
	var rows tableRows  // the table being read
	depth, code := 0, 0 // fields open; of them, those still in their code
	marks := 0          // cell marks in a row, the paragraph between them empty
	for _, r := range text {
		var p docPar
		known := false
		if r == '\r' || r == 0x07 {
			if mark < len(props) {
				p, known = props[mark], true
			}
			mark++
		}
		switch r {
		case 0x13: // a field begins: its code first
			depth++
			code++
			continue
		case 0x14: // the code ends, the result begins
			code = max(code-1, 0)
			continue
		case 0x15: // the field ends
			if depth > 0 {
				depth--
			}
			code = min(code, depth)
			continue
		}
		if code > 0 {
			continue
		}
		switch r {
		case '\r', 0x0C: // a paragraph's end, a page or section break
			if len(cells) > 0 {
				cell.WriteString(line.String() + " ")
			} else {
				if strings.TrimSpace(line.String()) != "" {
					rows = tableRows{} // a table after this one is a table of its own
				}
				out.paragraph(p.level, line.String())
			}
			line.Reset()
		case 0x07: // a cell's end, or a row's: as its properties say, else after a cell's
			if p.rowEnd || !known && marks > 0 && line.Len() == 0 && cell.Len() == 0 {
				if l := rows.line(cells); l != "" {
					out.line(l)
				}
				cells, marks = nil, 0
				continue
			}
			cells = append(cells, cell.String()+line.String())
			cell.Reset()
			line.Reset()
			marks++
			continue
		case 0x0B, '\t', 0xA0: // a line break, a tab, a no-break space
			line.WriteByte(' ')
		case 0x1E: // a no-break hyphen
			line.WriteByte('-')
		case 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x1F: // anchors of pictures, notes, comments, objects; an optional hyphen
		default:
			line.WriteRune(r)
		}
		marks = 0
	}
	if len(cells) > 0 {
		out.line(rows.line(cells))
	}
	out.line(line.String())
	return out.String()
}
