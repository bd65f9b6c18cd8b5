package langchain

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Excel 97–2003 workbooks (.xls), still in many a shared drive, are read
// (in the isolated child, see cmd/citebot) as the .xlsx reader reads a
// workbook, so that a workbook gives the same text whichever of the two it
// was saved in: the compound file's "Workbook" stream with
// github.com/richardlehane/mscfb, its BIFF8 records ([MS-XLS] 2.4) read
// here. The visible worksheets are read in the workbook's order, each
// headed by its name (hidden, chart, macro and dialog sheets left out);
// shared and cells' own strings, numbers, booleans and formulas' cached
// results are read as stored, a number in a date or time format written
// as a date (excelDate), error values left out; a merged cell's value is
// its first cell's. Numbers are written with at most 15 significant
// digits, as Excel shows them (LibreOffice stores as many in an .xlsx,
// but writes an exponent with three digits: "1E-007" where this reader
// writes "1E-7").
// BIFF8's 8-bit strings are Latin-1 whatever its CODEPAGE record says. A
// workbook older than BIFF8 (Excel 5.0/95, whose stream is "Book"), or an
// encrypted one, is an error wrapping errXLS.
func init() {
	formats[".xls"] = format{binary: true, load: loadXLS}
}

// errXLS reports a file that is not an Excel 97–2003 workbook this reader
// can read.
var errXLS = errors.New("not a readable Excel 97–2003 workbook")

// The BIFF8 record types the reader uses ([MS-XLS] 2.3).
const (
	xlsFormula    = 0x0006
	xlsEOF        = 0x000A
	xlsDateMode   = 0x0022
	xlsFilePass   = 0x002F
	xlsContinue   = 0x003C
	xlsWsBool     = 0x0081
	xlsBoundSheet = 0x0085
	xlsMulRK      = 0x00BD
	xlsRString    = 0x00D6
	xlsXF         = 0x00E0
	xlsSST        = 0x00FC
	xlsLabelSST   = 0x00FD
	xlsNumber     = 0x0203
	xlsLabel      = 0x0204
	xlsBoolErr    = 0x0205
	xlsString     = 0x0207
	xlsRK         = 0x027E
	xlsFormat     = 0x041E
	xlsBOF        = 0x0809
)

// The BOF record's fields: BIFF8's version, and the substreams' types.
const (
	xlsBIFF8     = 0x0600
	xlsGlobals   = 0x0005
	xlsWorksheet = 0x0010
)

// loadXLS reads an Excel 97–2003 workbook.
func loadXLS(ctx context.Context, name string, data []byte) (text string, err error) {
	defer recoverCompound(errXLS, &text, &err)
	stream, err := xlsStream(data)
	if err != nil {
		return "", err
	}
	return readXLS(ctx, name, stream)
}

// readXLS reads the workbook stream of the workbook name.
func readXLS(ctx context.Context, name string, stream []byte) (string, error) {
	// Every substream is read once at most: the records read, all
	// substreams together, are no more than the stream holds, so that
	// sheets a crafted file lists at overlapping offsets cost no more
	// than the stream.
	budget := len(stream)
	book, err := xlsReadGlobals(ctx, &xlsRecords{b: stream, left: &budget})
	if err != nil {
		return "", err
	}
	var w sheetWriter
	if err := w.title(sheetFileName(name)); err != nil {
		return "", err
	}
	for _, s := range book.sheets {
		if s.hidden || s.kind != 0 || int64(s.offset) >= int64(len(stream)) {
			continue // a hidden sheet, a chart, macro or VBA sheet, or none
		}
		r := &xlsRecords{b: stream, at: int(s.offset), left: &budget}
		if err := book.readSheet(ctx, r, s.name, &w); err != nil {
			return "", err
		}
	}
	return w.text(), nil
}

// xlsStream returns the workbook stream of a compound file, no longer than
// the file.
func xlsStream(data []byte) ([]byte, error) {
	streams, others, err := compoundStreams(data, errXLS, "Workbook")
	switch {
	case err != nil:
		return nil, err
	case streams["Workbook"] != nil:
		return streams["Workbook"], nil
	case others["Book"]:
		return nil, fmt.Errorf("%w: Excel 5.0/95 or older (BIFF5)", errXLS)
	}
	return nil, fmt.Errorf("%w: no Workbook stream", errXLS)
}

// xlsRecords reads a stream's records in order.
type xlsRecords struct {
	b    []byte
	at   int  // the next record's offset in b
	left *int // the bytes all readers of b may still read
	n    int  // records read, for checking the context now and then
}

// next returns the next record's type and body.
func (r *xlsRecords) next(ctx context.Context) (typ uint16, body []byte, err error) {
	if r.at+4 > len(r.b) {
		return 0, nil, fmt.Errorf("%w: the stream ends before its substream does", errXLS)
	}
	typ = binary.LittleEndian.Uint16(r.b[r.at:])
	size := int(binary.LittleEndian.Uint16(r.b[r.at+2:]))
	if r.at+4+size > len(r.b) {
		return 0, nil, fmt.Errorf("%w: record %#04x of %d bytes past the stream's end", errXLS, typ, size)
	}
	if *r.left -= 4 + size; *r.left < 0 {
		return 0, nil, fmt.Errorf("%w: sheets overlap", errXLS)
	}
	if r.n++; r.n%4096 == 0 {
		if err := ctx.Err(); err != nil {
			return 0, nil, err
		}
	}
	body = r.b[r.at+4 : r.at+4+size]
	r.at += 4 + size
	return typ, body, nil
}

// continued returns a record's body and those of the CONTINUE records that
// follow it, which carry on its data.
func (r *xlsRecords) continued(ctx context.Context, body []byte) ([][]byte, error) {
	parts := [][]byte{body}
	for r.at+4 <= len(r.b) && binary.LittleEndian.Uint16(r.b[r.at:]) == xlsContinue {
		_, c, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	return parts, nil
}

// xlsSubstream checks that a BOF record's body starts a BIFF8 substream, and
// returns the substream's type.
func xlsSubstream(typ uint16, body []byte) (uint16, error) {
	if typ != xlsBOF || len(body) < 4 {
		return 0, fmt.Errorf("%w: no BOF record where a substream starts", errXLS)
	}
	if v := binary.LittleEndian.Uint16(body); v != xlsBIFF8 {
		return 0, fmt.Errorf("%w: BIFF version %#04x, not BIFF8", errXLS, v)
	}
	return binary.LittleEndian.Uint16(body[2:]), nil
}

// xlsBook is what a workbook's globals substream says of its sheets.
type xlsBook struct {
	sheets   []xlsSheet
	shared   []string // the shared string table
	dates    []bool   // by cell format (XF record) index: a date or time format
	date1904 bool
}

// xlsSheet is a sheet listed in the workbook (a BOUNDSHEET8 record).
type xlsSheet struct {
	name   string
	offset uint32 // its BOF record's offset in the stream
	hidden bool
	kind   byte // 0 for a worksheet or dialog sheet
}

// xlsReadGlobals reads the workbook's globals substream: its sheets, its
// shared strings, which cell formats are dates, and its date system.
func xlsReadGlobals(ctx context.Context, r *xlsRecords) (*xlsBook, error) {
	le := binary.LittleEndian
	typ, body, err := r.next(ctx)
	if err != nil {
		return nil, err
	}
	if dt, err := xlsSubstream(typ, body); err != nil {
		return nil, err
	} else if dt != xlsGlobals {
		return nil, fmt.Errorf("%w: the stream opens with substream type %#04x, not the globals", errXLS, dt)
	}
	book := &xlsBook{}
	custom := map[uint16]bool{} // number format index → whether a date format
	var formats []uint16        // each cell format's number format index
	for {
		typ, body, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		switch typ {
		case xlsEOF:
			book.dates = make([]bool, len(formats))
			for i, f := range formats {
				isDate, ok := custom[f]
				if !ok {
					isDate = builtinDateFormat(int(f))
				}
				book.dates[i] = isDate
			}
			return book, nil
		case xlsFilePass:
			return nil, fmt.Errorf("%w: encrypted", errXLS)
		case xlsDateMode:
			book.date1904 = len(body) >= 2 && le.Uint16(body) != 0
		case xlsBoundSheet:
			if len(body) < 8 {
				return nil, fmt.Errorf("%w: short BOUNDSHEET8 record", errXLS)
			}
			t := xlsText{parts: [][]byte{body[6:]}}
			name, ok := t.shortString()
			if !ok {
				return nil, fmt.Errorf("%w: sheet name past its record", errXLS)
			}
			if len(book.sheets) >= zipMaxEntries {
				return nil, fmt.Errorf("%w: more than %d sheets", errSheetLimit, zipMaxEntries)
			}
			book.sheets = append(book.sheets, xlsSheet{name: name, offset: le.Uint32(body), hidden: body[4]&0x03 != 0, kind: body[5]})
		case xlsSST:
			parts, err := r.continued(ctx, body)
			if err != nil {
				return nil, err
			}
			if book.shared, err = xlsSharedStrings(parts); err != nil {
				return nil, err
			}
		case xlsFormat:
			if len(body) < 2 {
				continue
			}
			t := xlsText{parts: [][]byte{body[2:]}}
			if code, ok := t.string(); ok {
				custom[le.Uint16(body)] = isDateFormat(code)
			}
		case xlsXF:
			if len(body) < 4 {
				return nil, fmt.Errorf("%w: short XF record", errXLS)
			}
			if len(formats) >= sheetMaxStrings {
				return nil, fmt.Errorf("%w: more than %d cell formats", errSheetLimit, sheetMaxStrings)
			}
			formats = append(formats, le.Uint16(body[2:]))
		}
	}
}

// xlsSharedStrings reads the shared string table (the SST record and its
// CONTINUE records): each string's text, its formatting runs and phonetic
// data skipped. The count the table gives is trusted only as far as its
// strings are there.
func xlsSharedStrings(parts [][]byte) ([]string, error) {
	t := xlsText{parts: parts}
	var count uint32
	if !t.skip(4) || !t.uint32(&count) {
		return nil, fmt.Errorf("%w: short SST record", errXLS)
	}
	var out []string
	size := 0
	for i := uint32(0); i < count && !t.done(); i++ {
		s, ok := t.richString()
		if !ok {
			return nil, fmt.Errorf("%w: shared string %d past its records", errXLS, i)
		}
		if len(out) >= sheetMaxStrings {
			return nil, fmt.Errorf("%w: more than %d shared strings", errSheetLimit, sheetMaxStrings)
		}
		if size += len(s); size > sheetMaxText {
			return nil, fmt.Errorf("%w: more than %d bytes of shared strings", errSheetLimit, sheetMaxText)
		}
		out = append(out, s)
	}
	return out, nil
}

// xlsCells reads a worksheet's cells into rows.
type xlsCells struct {
	w      *sheetWriter
	name   string // the sheet's, written before its first row
	headed bool
	row    []string
	at     int // the row being read; -1 before the first
}

// readSheet writes the rows of the worksheet whose substream r starts,
// headed by its name; a dialog sheet, or a substream of another type (a chart's, a macro
// sheet's) is skipped.
func (b *xlsBook) readSheet(ctx context.Context, r *xlsRecords, name string, w *sheetWriter) error {
	le := binary.LittleEndian
	typ, body, err := r.next(ctx)
	if err != nil {
		return err
	}
	if dt, err := xlsSubstream(typ, body); err != nil {
		return err
	} else if dt != xlsWorksheet {
		return nil
	}
	c := xlsCells{w: w, name: name, at: -1}
	depth := 0 // substreams open inside the sheet's: embedded charts
	// The cell of a formula whose result is a string, which the STRING
	// record after it holds.
	var pending struct {
		row, col int
		ok       bool
	}
	for {
		typ, body, err := r.next(ctx)
		if err != nil {
			return err
		}
		switch {
		case typ == xlsBOF:
			depth++
			continue
		case typ == xlsEOF && depth == 0:
			if err := c.head(); err != nil {
				return err
			}
			return c.flush()
		case typ == xlsEOF:
			depth--
			continue
		case depth > 0:
			continue
		case typ == xlsWsBool && len(body) >= 1 && body[0]&0x10 != 0 && !c.headed:
			return nil // a dialog sheet, which an .xlsx does not hold as a worksheet
		}
		if typ == xlsString {
			// A formula's string result, which may carry on in CONTINUE
			// records.
			parts, err := r.continued(ctx, body)
			if err != nil {
				return err
			}
			if pending.ok {
				t := xlsText{parts: parts}
				if s, ok := t.string(); ok {
					if err := c.set(pending.row, pending.col, s); err != nil {
						return err
					}
				}
			}
			pending.ok = false
			continue
		}
		switch typ {
		case xlsLabelSST, xlsLabel, xlsRString, xlsNumber, xlsRK, xlsMulRK, xlsBoolErr, xlsFormula:
			pending.ok = false // a formula's string result follows it, before the next cell
		default:
			continue
		}
		if len(body) < 6 {
			continue // a broken cell record
		}
		row, col, xf := int(le.Uint16(body)), int(le.Uint16(body[2:])), int(le.Uint16(body[4:]))
		var v string
		switch typ {
		case xlsLabelSST:
			if len(body) < 10 {
				continue
			}
			i := le.Uint32(body[6:])
			if uint64(i) >= uint64(len(b.shared)) {
				return fmt.Errorf("%w: shared string %d out of range", errXLS, i)
			}
			v = b.shared[i]
		case xlsLabel, xlsRString:
			t := xlsText{parts: [][]byte{body[6:]}}
			v, _ = t.string()
		case xlsNumber:
			if len(body) < 14 {
				continue
			}
			v = b.number(math.Float64frombits(le.Uint64(body[6:])), xf)
		case xlsRK:
			if len(body) < 10 {
				continue
			}
			v = b.number(xlsRKNumber(le.Uint32(body[6:])), xf)
		case xlsMulRK:
			// A row's run of RK cells: a cell format and a number each,
			// then the last column.
			for i, at := col, 4; at+6 <= len(body)-2; i, at = i+1, at+6 {
				n := b.number(xlsRKNumber(le.Uint32(body[at+2:])), int(le.Uint16(body[at:])))
				if err := c.set(row, i, n); err != nil {
					return err
				}
			}
			continue
		case xlsBoolErr:
			if len(body) < 8 || body[7] != 0 { // an error value
				continue
			}
			v = xlsBool(body[6])
		case xlsFormula:
			if len(body) < 14 {
				continue
			}
			res := body[6:14]
			if le.Uint16(res[6:]) != 0xFFFF {
				v = b.number(math.Float64frombits(le.Uint64(res)), xf)
				break
			}
			switch res[0] {
			case 0: // a string, in the STRING record that follows
				pending.row, pending.col, pending.ok = row, col, true
				continue
			case 1:
				v = xlsBool(res[2])
			default: // an error, or an empty string
				continue
			}
		}
		if err := c.set(row, col, v); err != nil {
			return err
		}
	}
}

// number is the text of a number in a cell of format xf: a date where the
// format is a date's, else the number.
func (b *xlsBook) number(f float64, xf int) string {
	v := xlsNumberText(f)
	if xf >= 0 && xf < len(b.dates) && b.dates[xf] {
		if d, ok := excelDate(v, b.date1904); ok {
			return d
		}
	}
	return v
}

// set puts a cell's value in its row, writing the row before when the cell
// is in another. Cells come in rows' order, as Excel writes them; a row
// whose cells a file splits is written as two.
func (c *xlsCells) set(row, col int, v string) error {
	if v == "" {
		return nil
	}
	if err := c.head(); err != nil {
		return err
	}
	if row != c.at {
		if err := c.flush(); err != nil {
			return err
		}
		c.at = row
	}
	if col >= sheetMaxColumns {
		return fmt.Errorf("%w: a value in column %d (at most %d)", errSheetLimit, col+1, sheetMaxColumns)
	}
	for len(c.row) <= col {
		c.row = append(c.row, "")
	}
	c.row[col] = v
	return nil
}

// head writes the sheet's heading, once.
func (c *xlsCells) head() error {
	if c.headed {
		return nil
	}
	c.headed = true
	return c.w.sheet(c.name)
}

// flush writes the row being read.
func (c *xlsCells) flush() error {
	if len(c.row) == 0 {
		return nil
	}
	err := c.w.row(c.row, 1)
	c.row = c.row[:0]
	return err
}

// xlsBool is the text of a boolean, as the .xlsx reader writes one.
func xlsBool(b byte) string {
	if b != 0 {
		return "TRUE"
	}
	return "FALSE"
}

// xlsRKNumber decodes an RK number ([MS-XLS] 2.5.218): a 30-bit integer or
// the high 30 bits of a float64, divided by 100 where its flag says so.
func xlsRKNumber(rk uint32) float64 {
	var f float64
	if rk&0x02 != 0 {
		f = float64(int32(rk) >> 2)
	} else {
		f = math.Float64frombits(uint64(rk&^0x03) << 32)
	}
	if rk&0x01 != 0 {
		f /= 100
	}
	return f
}

// xlsNumberText writes a number with at most 15 significant digits, the
// precision Excel shows and LibreOffice stores in an .xlsx: 0.1, 12.5,
// 45659.3958333333, 1E+20, 1.5E-7.
func xlsNumberText(f float64) string {
	s := strconv.FormatFloat(f, 'g', 15, 64)
	mant, exp, ok := strings.Cut(s, "e")
	if !ok {
		return s
	}
	sign := exp[:1]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "E" + sign + exp
}

// xlsText reads strings ([MS-XLS] 2.5.293–2.5.296) from a record's body
// and the CONTINUE records after it: where a string's characters run on
// into the next record, that record opens with a byte of options of its
// own, saying again whether they are 8 or 16 bits wide.
type xlsText struct {
	parts [][]byte
	at    int      // the next byte's offset in parts[0]
	units []uint16 // a string's UTF-16 code units, reused
}

// done reports whether every byte has been read.
func (t *xlsText) done() bool {
	for len(t.parts) > 0 && t.at >= len(t.parts[0]) {
		t.parts, t.at = t.parts[1:], 0
	}
	return len(t.parts) == 0
}

// read reads the next n bytes as they run on from part to part into dst
// (nil to skip them).
func (t *xlsText) read(n int, dst []byte) bool {
	for n > 0 {
		if t.done() {
			return false
		}
		k := min(n, len(t.parts[0])-t.at)
		if dst != nil {
			dst = dst[copy(dst, t.parts[0][t.at:t.at+k]):]
		}
		t.at += k
		n -= k
	}
	return true
}

func (t *xlsText) skip(n int) bool { return n >= 0 && t.read(n, nil) }

func (t *xlsText) byte(v *byte) bool {
	var b [1]byte
	ok := t.read(1, b[:])
	*v = b[0]
	return ok
}

func (t *xlsText) uint16(v *uint16) bool {
	var b [2]byte
	ok := t.read(2, b[:])
	*v = binary.LittleEndian.Uint16(b[:])
	return ok
}

func (t *xlsText) uint32(v *uint32) bool {
	var b [4]byte
	ok := t.read(4, b[:])
	*v = binary.LittleEndian.Uint32(b[:])
	return ok
}

// chars reads n characters, 16 bits wide where wide is set, else 8 bits
// (Latin-1: the high byte of each is 0); a part that opens inside them
// opens with an options byte.
func (t *xlsText) chars(n int, wide bool) (string, bool) {
	t.units = t.units[:0]
	for n > 0 {
		if len(t.parts) == 0 {
			return "", false
		}
		if t.at >= len(t.parts[0]) {
			t.parts, t.at = t.parts[1:], 0
			if len(t.parts) == 0 || len(t.parts[0]) == 0 {
				return "", false
			}
			wide = t.parts[0][0]&0x01 != 0
			t.at = 1
			continue
		}
		p := t.parts[0][t.at:]
		if wide {
			k := min(n, len(p)/2)
			if k == 0 {
				return "", false // half a character before the part's end
			}
			for i := range k {
				t.units = append(t.units, binary.LittleEndian.Uint16(p[2*i:]))
			}
			t.at += 2 * k
			n -= k
			continue
		}
		k := min(n, len(p))
		for _, c := range p[:k] {
			t.units = append(t.units, uint16(c))
		}
		t.at += k
		n -= k
	}
	var b strings.Builder
	b.Grow(len(t.units))
	for i := 0; i < len(t.units); i++ {
		u := rune(t.units[i])
		if utf16.IsSurrogate(u) && i+1 < len(t.units) {
			if r := utf16.DecodeRune(u, rune(t.units[i+1])); r != '\uFFFD' {
				b.WriteRune(r)
				i++
				continue
			}
		}
		b.WriteRune(u) // a lone surrogate is written as U+FFFD
	}
	return b.String(), true
}

// string reads an XLUnicodeString: a 16-bit count of characters, an
// options byte, the characters.
func (t *xlsText) string() (string, bool) {
	var n uint16
	var opts byte
	if !t.uint16(&n) || !t.byte(&opts) {
		return "", false
	}
	return t.chars(int(n), opts&0x01 != 0)
}

// shortString reads a ShortXLUnicodeString: an 8-bit count of characters,
// an options byte, the characters.
func (t *xlsText) shortString() (string, bool) {
	var n, opts byte
	if !t.byte(&n) || !t.byte(&opts) {
		return "", false
	}
	return t.chars(int(n), opts&0x01 != 0)
}

// richString reads an XLUnicodeRichExtendedString, a shared string: a
// count of characters, options, the counts of its formatting runs and of
// its phonetic data where the options say it has them, its characters,
// then the runs and the phonetic data, which are skipped.
func (t *xlsText) richString() (string, bool) {
	var n uint16
	var opts byte
	if !t.uint16(&n) || !t.byte(&opts) {
		return "", false
	}
	var runs uint16
	var ext uint32
	if opts&0x08 != 0 && !t.uint16(&runs) {
		return "", false
	}
	if opts&0x04 != 0 && !t.uint32(&ext) {
		return "", false
	}
	s, ok := t.chars(int(n), opts&0x01 != 0)
	if !ok || !t.skip(4*int(runs)) || ext > math.MaxInt32 || !t.skip(int(ext)) {
		return "", false
	}
	return s, true
}
