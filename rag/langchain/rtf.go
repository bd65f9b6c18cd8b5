package langchain

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Rich Text Format, which Word, WordPad, LibreOffice and TextEdit save, and
// in which many policies and letters are sent, is read in process: each
// paragraph a line, a paragraph in a heading style ("heading 1", "Title")
// or with an outline level a Markdown heading line, a table as the other
// structured formats' tables (tableRows). Headers, footers, footnotes,
// comments, field instructions (a hyperlink's address; its text is read),
// pictures, objects, the document's information and its tables of fonts,
// colours, styles and lists are left out.
func init() {
	formats[".rtf"] = format{binary: true, load: loadRTF}
}

// errRTF reports a file that is not RTF, or nests its groups deeper than
// any word processor writes.
var errRTF = errors.New("not a Rich Text Format file")

// maxRTFDepth bounds the nesting of groups: Word's documents stay in the
// tens.
const maxRTFDepth = 1000

// maxStyleName bounds what is kept of a stylesheet entry's text: enough
// for any style's name ("heading 1").
const maxStyleName = 256

// rtfSkipped are the destinations whose text is not the document's.
var rtfSkipped = map[string]bool{
	"fonttbl": true, "colortbl": true, "info": true, "pict": true, "object": true, "header": true,
	"headerl": true, "headerr": true, "headerf": true, "footer": true, "footerl": true, "footerr": true,
	"footerf": true, "footnote": true, "annotation": true, "fldinst": true, "xe": true, "tc": true,
	"txe": true, "themedata": true, "colorschememapping": true, "latentstyles": true, "datastore": true,
	"generator": true, "listtable": true, "listoverridetable": true, "rsidtbl": true, "xmlnstbl": true,
	"mmathPr": true, "pgdsctbl": true, "filetbl": true, "revtbl": true, "protusertbl": true, "shp": true,
	"nonshppict": true, "userprops": true, "docvar": true, "ftnsep": true, "ftnsepc": true,
	"aftnsep": true, "aftnsepc": true, "pntxta": true, "pntxtb": true, "atnid": true, "atnauthor": true,
	"bkmkstart": true, "bkmkend": true, "template": true,
}

// rtfSymbols are the control words that stand for a character.
var rtfSymbols = map[string]string{
	"tab": " ", "emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’",
	"ldblquote": "“", "rdblquote": "”", "emspace": " ", "enspace": " ", "qmspace": " ", "line": " ",
	"~": " ", "_": "-",
}

// rtfGroup is what a group of a document sets for the groups in it.
type rtfGroup struct {
	skip   bool // a destination not read
	styles bool // the stylesheet: its entries name the styles
	uc     int  // characters after \u that stand in for it
	hidden bool // hidden text (\v) or a tracked deletion (\deleted): not what a reader sees
}

// rtfReader reads an RTF document's text.
type rtfReader struct {
	data     []byte
	i        int
	group    rtfGroup
	stack    []rtfGroup
	decoder  *charmap.Charmap
	text     strings.Builder // the paragraph being read
	cell     strings.Builder // the table cell's paragraphs before the one being read
	out      blockText
	styles   map[int]int // style number → heading level (0 for none)
	style    int         // the paragraph's style number
	outline  int         // the paragraph's outline level plus one, 0 for none
	inTable  bool        // the paragraph is in a table
	cells    []string    // the table row's cells so far
	rows     tableRows
	skipNext int    // characters still to skip after a \u
	high     rune   // a \u's high surrogate, waiting for its low one; 0 for none
	entry    string // the stylesheet entry's text so far
	entryNum int    // its style number, -1 for a character style
}

// loadRTF reads an RTF file.
func loadRTF(ctx context.Context, _ string, data []byte) (string, error) {
	if !strings.HasPrefix(strings.TrimLeft(string(data[:min(len(data), 64)]), " \t\r\n"), `{\rtf`) {
		return "", errRTF
	}
	r := &rtfReader{data: data, group: rtfGroup{uc: 1}, decoder: charmap.Windows1252, styles: map[int]int{}, entryNum: -1}
	if err := r.read(ctx); err != nil {
		return "", err
	}
	r.paragraph()
	return r.out.String(), nil
}

func (r *rtfReader) read(ctx context.Context) error {
	for n := 0; r.i < len(r.data); n++ {
		if err := poll(ctx, n); err != nil {
			return err
		}
		c := r.data[r.i]
		r.i++
		switch c {
		case '{':
			if len(r.stack) >= maxRTFDepth {
				return errRTF
			}
			r.stack = append(r.stack, r.group)
			r.skipNext = 0
		case '}':
			if len(r.stack) == 0 {
				return nil // the document's end; what follows it is not read
			}
			if r.group.styles {
				r.endEntry()
			}
			r.group, r.stack = r.stack[len(r.stack)-1], r.stack[:len(r.stack)-1]
			r.skipNext = 0
		case '\\':
			r.control()
		case '\r', '\n':
		default:
			r.char(r.decoder.DecodeByte(c))
		}
	}
	return nil
}

// control reads a control word or symbol after its backslash.
func (r *rtfReader) control() {
	if r.i >= len(r.data) {
		return
	}
	c := r.data[r.i]
	if !isLetter(c) {
		r.i++
		switch c {
		case '\'':
			if r.i+2 <= len(r.data) {
				if b, err := strconv.ParseUint(string(r.data[r.i:r.i+2]), 16, 8); err == nil {
					r.i += 2
					r.char(r.decoder.DecodeByte(byte(b)))
				}
			}
		case '*':
			r.group.skip = true // an optional destination: not the document's text
		case '\\', '{', '}':
			r.char(rune(c))
		case '\r', '\n':
			r.word("par", 0, false)
		default:
			if s, ok := rtfSymbols[string(c)]; ok && !r.group.skip {
				r.literal(s)
			}
		}
		return
	}
	start := r.i
	for r.i < len(r.data) && r.i-start < 32 && isLetter(r.data[r.i]) {
		r.i++
	}
	word := string(r.data[start:r.i])
	numStart := r.i
	if r.i < len(r.data) && r.data[r.i] == '-' {
		r.i++
	}
	for r.i < len(r.data) && r.i-numStart < 10 && r.data[r.i] >= '0' && r.data[r.i] <= '9' {
		r.i++
	}
	param, err := strconv.Atoi(string(r.data[numStart:r.i]))
	hasParam := err == nil
	if r.i < len(r.data) && r.data[r.i] == ' ' {
		r.i++ // the space that ends a control word is not text
	}
	r.word(word, param, hasParam)
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// word acts on the control word with its parameter.
func (r *rtfReader) word(word string, param int, hasParam bool) {
	switch {
	case word == "bin" && hasParam:
		r.i = min(len(r.data), r.i+max(param, 0)) // binary data, never text
		return
	case word == "stylesheet":
		r.group.styles = true
		return
	case rtfSkipped[word]:
		r.group.skip = true
		return
	case word == "ansicpg" && hasParam:
		if cm := codePage(param); cm != nil {
			r.decoder = cm
		}
		return
	case word == "uc" && hasParam:
		r.group.uc = max(param, 0)
		return
	}
	if r.group.styles {
		switch word {
		case "s":
			r.entryNum = param
		case "cs", "ds", "ts", "tsrowd":
			r.entryNum = -1
		}
		return
	}
	if r.group.skip {
		return
	}
	switch word {
	case "u":
		if hasParam {
			if param < 0 {
				param += 65536
			}
			r.unicode(rune(param))
			r.skipNext = r.group.uc
		}
	case "v", "deleted":
		r.group.hidden = !hasParam || param != 0
	case "plain":
		r.group.hidden = false
	case "par", "page", "sect":
		r.paragraph()
	case "pard":
		r.style, r.outline, r.inTable = 0, 0, false
	case "s":
		r.style = param
	case "outlinelevel":
		if hasParam && param >= 0 && param < 9 {
			r.outline = param + 1
		}
	case "intbl":
		r.inTable = true
	case "cell":
		r.cell.WriteString(r.take())
		r.cells = append(r.cells, r.cell.String())
		r.cell.Reset()
	case "row":
		if line := r.rows.line(r.cells); line != "" {
			r.out.line(line)
		}
		r.cells = r.cells[:0]
	default:
		if s, ok := rtfSymbols[word]; ok {
			r.literal(s)
		}
	}
}

// unicode adds the character of a \u, a character outside the Basic
// Multilingual Plane from its two surrogates ("\u-10179?\u-8704?" is 😀).
func (r *rtfReader) unicode(c rune) {
	switch {
	case utf16.IsSurrogate(c) && c < 0xDC00:
		r.high = c
		return
	case utf16.IsSurrogate(c) && r.high != 0:
		c = utf16.DecodeRune(r.high, c)
	}
	r.high = 0
	r.char(c)
}

// char adds a character of text, unless it stands in for the \u before it.
func (r *rtfReader) char(c rune) {
	if r.skipNext > 0 {
		r.skipNext--
		return
	}
	r.high = 0
	if r.group.styles {
		if len(r.entry) < maxStyleName { // a style's name is short; the rest is not read
			r.entry += string(c)
		}
		return
	}
	if !r.group.skip && !r.group.hidden {
		r.text.WriteRune(c)
	}
}

// literal adds the text a control word stands for.
func (r *rtfReader) literal(s string) {
	r.skipNext = 0
	if !r.group.hidden {
		r.text.WriteString(s)
	}
}

// endEntry records the stylesheet entry just read: "heading 1" to
// "heading 9" and "Title" are headings.
func (r *rtfReader) endEntry() {
	if r.entry == "" {
		return
	}
	name := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(r.entry), ";")))
	if r.entryNum >= 0 {
		switch {
		case name == "title":
			r.styles[r.entryNum] = 1
		case strings.HasPrefix(name, "heading "):
			if n, err := strconv.Atoi(strings.TrimPrefix(name, "heading ")); err == nil && n >= 1 && n <= 9 {
				r.styles[r.entryNum] = n
			}
		}
	}
	r.entry, r.entryNum = "", -1
}

// take returns the paragraph read so far, and starts the next.
func (r *rtfReader) take() string {
	s := r.text.String()
	r.text.Reset()
	return s
}

// paragraph ends the paragraph being read: a heading, a line, or in a
// table the next part of its cell.
func (r *rtfReader) paragraph() {
	text := r.take()
	if r.inTable {
		r.cell.WriteString(text) // a cell's paragraphs are one cell
		r.cell.WriteByte(' ')
		return
	}
	if strings.TrimSpace(text) != "" {
		r.rows = tableRows{} // a table after this one is a table of its own
	}
	level := r.styles[r.style]
	if r.outline > 0 {
		level = r.outline
	}
	r.out.paragraph(level, text)
}

// codePage is the single-byte character set of a Windows code page, nil
// for one not known.
func codePage(n int) *charmap.Charmap {
	switch n {
	case 437:
		return charmap.CodePage437
	case 850:
		return charmap.CodePage850
	case 1250:
		return charmap.Windows1250
	case 1251:
		return charmap.Windows1251
	case 1252:
		return charmap.Windows1252
	case 1253:
		return charmap.Windows1253
	case 1254:
		return charmap.Windows1254
	case 1255:
		return charmap.Windows1255
	case 1256:
		return charmap.Windows1256
	case 1257:
		return charmap.Windows1257
	case 1258:
		return charmap.Windows1258
	case 10000:
		return charmap.Macintosh
	}
	return nil
}
