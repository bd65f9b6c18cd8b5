package langchain

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"

	"github.com/citebot/citebot/rag"
)

// readPDF returns a PDF's text as a reader sees the page: its glyphs set
// in lines by where they stand, the lines of a paragraph joined (a word
// broken at a line's end joined again), a blank line between paragraphs
// and pages, lines in type larger than the body's as Markdown headings,
// and a table as a Markdown table (see findTables). langchaingo's PDF
// loader, on the same reader (ledongthuc/pdf), gives each page's text
// without its line breaks, so that the last word of a line ran into the
// next line's first ("headquartersin Rotterdam") and a document had
// neither sentences on lines of their own nor headings. A page whose
// glyphs carry no positions is taken as langchaingo takes it.
func readPDF(ctx context.Context, data []byte) (text string, err error) {
	defer func() {
		// The reader panics on some malformed files.
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("malformed file: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	var pages [][]pdfLine
	fonts := map[string]*pdf.Font{}
	for i := 1; i <= r.NumPage(); i++ {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		lines := pageLines(p)
		if len(lines) == 0 {
			// No positioned glyphs: the page's plain text, as langchaingo
			// reads it.
			for _, name := range p.Fonts() {
				if _, ok := fonts[name]; !ok {
					f := p.Font(name)
					fonts[name] = &f
				}
			}
			plain, err := p.GetPlainText(fonts)
			if err != nil {
				return "", err
			}
			if plain = strings.TrimSpace(plain); plain != "" {
				lines = []pdfLine{{text: plain}}
			}
		}
		pages = append(pages, lines)
	}
	return layOut(joinTables(pages)), nil
}

// pageLines returns a page's lines, its glyphs set in them as they are
// drawn (see interpret and lineBuilder), and its tables in place of the
// lines they are set in (see findTables).
func pageLines(p pdf.Page) []pdfLine {
	var lb lineBuilder
	interpret(p, lb.add)
	return findTables(lb.finish())
}

// maxStateDepth bounds the graphics states a page may save (q) and not
// yet restore: a crafted page of millions of q would otherwise hold a copy
// of the state for each. A q past it saves nothing, and its Q restores
// nothing.
const maxStateDepth = 64

// interpret calls glyph for each glyph a page's content streams show,
// with its position, advance and size. It follows ledongthuc/pdf's
// Page.Content (BSD licence, from rsc.io/pdf) but for its faults: after
// each TJ that reads the glyph of a newline through the font's encoding
// (in a subset font, whatever glyph has that code: an "n" ended every line
// of a LibreOffice PDF); the ' and " operators fall through to Tm and
// panic; Q restores the font but not its encoding; a page's array of
// content streams is not read; and every glyph is kept at once. A font
// that gives no widths (the standard fonts, often) advances half an em a
// glyph rather than none, so that glyphs drawn apart read apart.
func interpret(p pdf.Page, glyph func(x, y, w, size float64, r rune)) {
	type state struct {
		tc, tw, th, tl, tfs, rise float64
		font                      pdf.Font
		enc                       pdf.TextEncoding
		tm, tlm, ctm              matrix
	}
	g := state{th: 1, ctm: identity}
	show := func(s string) {
		if g.enc == nil {
			return // no font set: nothing to read the codes with
		}
		n := 0
		for _, ch := range g.enc.Decode(s) {
			var w0 float64
			if n < len(s) {
				w0 = g.font.Width(int(s[n]))
			}
			if w0 <= 0 {
				w0 = 500
			}
			trm := matrix{{g.tfs * g.th, 0, 0}, {0, g.tfs, 0}, {0, g.rise, 1}}.mul(g.tm).mul(g.ctm)
			glyph(trm[2][0], trm[2][1], w0/1000*trm[0][0], trm[0][0], ch)
			tx := w0/1000*g.tfs + g.tc
			if n < len(s) && s[n] == ' ' {
				tx += g.tw
			}
			g.tm = translate(tx*g.th, 0).mul(g.tm)
			n++
		}
	}
	nextLine := func() {
		g.tlm = translate(0, -g.tl).mul(g.tlm)
		g.tm = g.tlm
	}
	var stack []state
	unsaved := 0 // q past maxStateDepth, each to be matched by a Q
	do := func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 { return args[i].Float64() }
		switch {
		case op == "q" && len(stack) < maxStateDepth:
			stack = append(stack, g)
		case op == "q":
			unsaved++
		case op == "Q" && unsaved > 0:
			unsaved--
		case op == "Q" && len(stack) > 0:
			g, stack = stack[len(stack)-1], stack[:len(stack)-1]
		case op == "cm" && len(args) == 6:
			g.ctm = matrixOf(args).mul(g.ctm)
		case op == "BT":
			g.tm, g.tlm = identity, identity
		case op == "Tf" && len(args) == 2:
			g.font, g.tfs = p.Font(args[0].Name()), num(1)
			if g.enc = g.font.Encoder(); g.enc == nil {
				g.enc = plainEncoding{}
			}
		case op == "Tc" && len(args) == 1:
			g.tc = num(0)
		case op == "Tw" && len(args) == 1:
			g.tw = num(0)
		case op == "Tz" && len(args) == 1:
			g.th = num(0) / 100
		case op == "TL" && len(args) == 1:
			g.tl = num(0)
		case op == "Ts" && len(args) == 1:
			g.rise = num(0)
		case (op == "Td" || op == "TD") && len(args) == 2:
			if op == "TD" {
				g.tl = -num(1)
			}
			g.tlm = translate(num(0), num(1)).mul(g.tlm)
			g.tm = g.tlm
		case op == "Tm" && len(args) == 6:
			g.tm = matrixOf(args)
			g.tlm = g.tm
		case op == "T*":
			nextLine()
		case op == "Tj" && len(args) == 1:
			show(args[0].RawString())
		case op == "'" && len(args) == 1:
			nextLine()
			show(args[0].RawString())
		case op == "\"" && len(args) == 3:
			g.tw, g.tc = num(0), num(1)
			nextLine()
			show(args[2].RawString())
		case op == "TJ" && len(args) == 1:
			v := args[0]
			for i := 0; i < v.Len(); i++ {
				if x := v.Index(i); x.Kind() == pdf.String {
					show(x.RawString())
				} else {
					g.tm = translate(-x.Float64()/1000*g.tfs*g.th, 0).mul(g.tm)
				}
			}
		}
	}
	if c := p.V.Key("Contents"); c.Kind() == pdf.Array {
		for i := 0; i < c.Len(); i++ {
			pdf.Interpret(c.Index(i), do)
		}
	} else {
		pdf.Interpret(c, do)
	}
}

// plainEncoding reads each byte as the character of that code, for a
// font without an encoding the reader knows.
type plainEncoding struct{}

func (plainEncoding) Decode(raw string) string {
	r := make([]rune, len(raw))
	for i := 0; i < len(raw); i++ {
		r[i] = rune(raw[i])
	}
	return string(r)
}

// matrix is a PDF transformation matrix [a b 0; c d 0; e f 1].
type matrix [3][3]float64

var identity = matrix{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}

func translate(x, y float64) matrix { return matrix{{1, 0, 0}, {0, 1, 0}, {x, y, 1}} }

// matrixOf is the matrix of the six operands a b c d e f.
func matrixOf(args []pdf.Value) matrix {
	var m matrix
	for i := range 6 {
		m[i/2][i%2] = args[i].Float64()
	}
	m[2][2] = 1
	return m
}

func (x matrix) mul(y matrix) matrix {
	var z matrix
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				z[i][j] += x[i][k] * y[k][j]
			}
		}
	}
	return z
}

// pdfLine is a line of a page: its text, its baseline and its type size,
// and its runs; or a table found where its lines were (see findTables).
type pdfLine struct {
	text  string
	y     float64
	size  float64
	runs  []pdfRun
	table *pdfTable
}

// pdfRun is a run of a line's glyphs with no gap wider than a space
// between them: the line's text from byte at to the next run's, and
// where its ink lies across the page.
type pdfRun struct {
	at int
	pdfSpan
}

// runText is the text of a line's run i.
func (l pdfLine) runText(i int) string {
	end := len(l.text)
	if i+1 < len(l.runs) {
		end = l.runs[i+1].at
	}
	return strings.TrimSpace(l.text[min(l.runs[i].at, end):end])
}

// lineBuilder sets a page's glyphs, in the order drawn, in lines: a
// glyph starts a new line when its baseline is off the line's by more
// than two-fifths of its size; within a line a gap wider than a fifth of
// the type size is a space, and starts a new run. A line keeps at most
// maxTableCols+1 runs apart (a row of more cells is no table's), the
// last holding the rest of the line.
type lineBuilder struct {
	lines []pdfLine
	b     strings.Builder
	cur   pdfLine
	end   float64 // where the last glyph ends
	space bool    // the last glyph was a space
}

func (lb *lineBuilder) add(x, y, w, size float64, r rune) {
	size = math.Max(size, 1)
	switch {
	case lb.b.Len() == 0:
		lb.cur = pdfLine{y: y, size: size}
		lb.run()
	case math.Abs(y-lb.cur.y) > 0.4*size:
		lb.flush()
		lb.cur = pdfLine{y: y, size: size}
		lb.run()
	case x-lb.end > 0.2*size && !lb.space && r != ' ':
		lb.b.WriteByte(' ')
		lb.run()
	}
	lb.cur.size = math.Max(lb.cur.size, size)
	lb.b.WriteRune(r)
	if r != ' ' {
		run := &lb.cur.runs[len(lb.cur.runs)-1]
		run.x0, run.x1 = math.Min(run.x0, x), math.Max(run.x1, x+w)
	}
	lb.end, lb.space = x+w, r == ' '
}

// run starts a new run where the line's text is.
func (lb *lineBuilder) run() {
	if len(lb.cur.runs) <= maxTableCols {
		lb.cur.runs = append(lb.cur.runs, pdfRun{lb.b.Len(), pdfSpan{math.Inf(1), math.Inf(-1)}})
	}
}

func (lb *lineBuilder) flush() {
	s := lb.b.String()
	if t := strings.TrimSpace(s); t != "" {
		lead := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
		for i := range lb.cur.runs {
			lb.cur.runs[i].at = max(lb.cur.runs[i].at-lead, 0)
		}
		lb.cur.text = t
		lb.lines = append(lb.lines, lb.cur)
	}
	lb.b.Reset()
}

// finish returns the lines.
func (lb *lineBuilder) finish() []pdfLine {
	lb.flush()
	return lb.lines
}

// startsItem reports a line that opens a list item: a bullet ("• ",
// "- ") or an item's number ("2. ", "3) ").
func startsItem(line string) bool {
	r, size := utf8.DecodeRuneInString(line)
	n := 0
	if rag.IsBullet(r) {
		n = size
	} else {
		for n < len(line) && n < 3 && line[n] >= '0' && line[n] <= '9' {
			n++
		}
		if n == 0 || n == len(line) || line[n] != '.' && line[n] != ')' {
			return false
		}
		n++
	}
	return n < len(line) && (line[n] == ' ' || line[n] == '\t')
}

// layOut joins pages of lines into text: a new paragraph where a line's
// gap from the one before is wider than the page's line spacing by more
// than a third (or than one and a half lines of its type), where its type
// size changes, or where it opens a list item; headings where the type is
// larger than the body's, by size ("#" the largest); a table as a
// Markdown table, a paragraph of its own.
func layOut(pages [][]pdfLine) string {
	body := bodySize(pages)
	var larger []float64 // sizes of headings, largest first
	for _, lines := range pages {
		for _, l := range lines {
			if l.table == nil && l.size > body*1.15 && !slices.Contains(larger, l.size) {
				larger = append(larger, l.size)
			}
		}
	}
	slices.SortFunc(larger, func(a, b float64) int { return -cmpFloat(a, b) })
	var paras []string
	for _, lines := range pages {
		spacing := lineSpacing(lines)
		var para strings.Builder
		var prev pdfLine
		flush := func() {
			if t := strings.TrimSpace(para.String()); t != "" {
				if i := slices.Index(larger, prev.size); i >= 0 && utf8.RuneCountInString(t) <= 200 {
					t = strings.Repeat("#", min(i+1, 6)) + " " + t
				}
				paras = append(paras, t)
			}
			para.Reset()
		}
		for i, l := range lines {
			if l.table != nil {
				flush()
				paras = append(paras, l.table.markdown())
				prev = l
				continue
			}
			if i > 0 {
				gap := prev.y - l.y
				// A wider gap than the paragraph's lines keep, or than one
				// and a half lines where every paragraph is one line.
				if prev.table != nil || gap <= 0 || gap > spacing*4/3 || gap > 1.5*prev.size || math.Abs(l.size-prev.size) > 0.1*prev.size || startsItem(l.text) {
					flush()
				}
			}
			joinLine(&para, l.text)
			prev = l
		}
		flush()
	}
	return strings.Join(paras, "\n\n")
}

// joinLine adds a line to the paragraph b: after a space, or where b
// ends in a word broken at the line's end ("equip-" "ment") in place of
// the hyphen.
func joinLine(b *strings.Builder, line string) {
	if b.Len() > 0 {
		s := b.String()
		last, _ := utf8.DecodeLastRuneInString(s[:len(s)-1])
		first, _ := utf8.DecodeRuneInString(line)
		if strings.HasSuffix(s, "-") && unicode.IsLetter(last) && unicode.IsLower(first) {
			b.Reset()
			b.WriteString(s[:len(s)-1])
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteString(line)
}

// bodySize is the type size of most of the text outside tables.
func bodySize(pages [][]pdfLine) float64 {
	chars := map[float64]int{}
	for _, lines := range pages {
		for _, l := range lines {
			if l.table != nil {
				continue
			}
			chars[l.size] += len(l.text)
		}
	}
	best, n := 0.0, -1
	for size, c := range chars {
		if c > n || c == n && size < best {
			best, n = size, c
		}
	}
	return best
}

// lineSpacing is the distance between the lines of a paragraph on this
// page: the narrowest gap between consecutive lines going down that is at
// least nine tenths of their type size (a narrower one is a superscript or
// overprint), tables aside; +Inf for a page of one line.
func lineSpacing(lines []pdfLine) float64 {
	best := math.Inf(1)
	for i := 1; i < len(lines); i++ {
		if lines[i-1].table != nil || lines[i].table != nil {
			continue
		}
		if gap := lines[i-1].y - lines[i].y; gap >= 0.9*lines[i].size {
			best = math.Min(best, gap)
		}
	}
	return best
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
