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
)

// readPDF returns a PDF's text as a reader sees the page: its glyphs set
// in lines by where they stand, the lines of a paragraph joined (a word
// broken at a line's end joined again), a blank line between paragraphs
// and pages, and lines in type larger than the body's as Markdown
// headings. langchaingo's PDF loader, on the same reader
// (ledongthuc/pdf), gives each page's text without its line breaks, so
// that the last word of a line ran into the next line's first
// ("headquartersin Rotterdam") and a document had neither sentences on
// lines of their own nor headings. A page whose glyphs carry no positions
// is taken as langchaingo takes it.
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
		lines := pdfLines(pageGlyphs(p))
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
	return layOut(pages), nil
}

// pageGlyphs returns the glyphs a page's content stream shows, each with
// its position and size. It follows ledongthuc/pdf's Page.Content (BSD
// licence, from rsc.io/pdf) but for two faults of it: after each TJ that
// reads the glyph of a newline through the font's encoding (in a subset
// font, whatever glyph has that code: an "n" ended every line of a
// LibreOffice PDF), and the ' and " operators fall through to Tm and
// panic.
func pageGlyphs(p pdf.Page) []pdf.Text {
	type state struct {
		tc, tw, th, tl, tfs, rise float64
		font                      pdf.Font
		tm, tlm, ctm              matrix
	}
	g := state{th: 1, ctm: identity}
	var enc pdf.TextEncoding
	var out []pdf.Text
	show := func(s string) {
		if enc == nil {
			return // no font set: nothing to read the codes with
		}
		n := 0
		for _, ch := range enc.Decode(s) {
			var w0 float64
			if n < len(s) {
				w0 = g.font.Width(int(s[n]))
			}
			trm := matrix{{g.tfs * g.th, 0, 0}, {0, g.tfs, 0}, {0, g.rise, 1}}.mul(g.tm).mul(g.ctm)
			out = append(out, pdf.Text{FontSize: trm[0][0], X: trm[2][0], Y: trm[2][1], W: w0 / 1000 * trm[0][0], S: string(ch)})
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
	pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 { return args[i].Float64() }
		switch {
		case op == "q":
			stack = append(stack, g)
		case op == "Q" && len(stack) > 0:
			g, stack = stack[len(stack)-1], stack[:len(stack)-1]
		case op == "cm" && len(args) == 6:
			g.ctm = matrixOf(args).mul(g.ctm)
		case op == "BT":
			g.tm, g.tlm = identity, identity
		case op == "Tf" && len(args) == 2:
			g.font, g.tfs = p.Font(args[0].Name()), num(1)
			if enc = g.font.Encoder(); enc == nil {
				enc = plainEncoding{}
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
	})
	return out
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

// pdfLine is a line of a page: its text, its baseline and its type size.
type pdfLine struct {
	text string
	y    float64
	size float64
}

// pdfLines sets a page's glyphs, in the order drawn, in lines: a glyph
// starts a new line when its baseline is off the line's by more than
// two-fifths of its size; within a line a gap wider than a fifth of the
// type size is a space.
func pdfLines(glyphs []pdf.Text) []pdfLine {
	var lines []pdfLine
	var b strings.Builder
	var cur pdfLine
	var end float64 // where the last glyph ends
	flush := func() {
		if t := strings.TrimSpace(b.String()); t != "" {
			cur.text = t
			lines = append(lines, cur)
		}
		b.Reset()
	}
	for _, g := range glyphs {
		if g.S == "" {
			continue
		}
		size := math.Max(g.FontSize, 1)
		switch {
		case b.Len() == 0:
			cur = pdfLine{y: g.Y, size: size}
		case math.Abs(g.Y-cur.y) > 0.4*size:
			flush()
			cur = pdfLine{y: g.Y, size: size}
		case g.X-end > 0.2*size && !strings.HasSuffix(b.String(), " ") && !strings.HasPrefix(g.S, " "):
			b.WriteByte(' ')
		}
		cur.size = math.Max(cur.size, size)
		b.WriteString(g.S)
		end = g.X + g.W
	}
	flush()
	return lines
}

// layOut joins pages of lines into text: a new paragraph where a line's
// gap from the one before is wider than the page's line spacing by more
// than a third (or than one and a half lines of its type), or its type
// size changes; headings where the type is larger than the body's, by
// size ("#" the largest).
func layOut(pages [][]pdfLine) string {
	body := bodySize(pages)
	var larger []float64 // sizes of headings, largest first
	for _, lines := range pages {
		for _, l := range lines {
			if l.size > body*1.15 && !slices.Contains(larger, l.size) {
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
			if i > 0 {
				gap := prev.y - l.y
				// A wider gap than the paragraph's lines keep, or than one
				// and a half lines where every paragraph is one line.
				if gap <= 0 || gap > spacing*4/3 || gap > 1.5*prev.size || math.Abs(l.size-prev.size) > 0.1*prev.size {
					flush()
				}
			}
			if para.Len() > 0 {
				s := para.String()
				last, _ := utf8.DecodeLastRuneInString(s[:len(s)-1])
				first, _ := utf8.DecodeRuneInString(l.text)
				if strings.HasSuffix(s, "-") && unicode.IsLetter(last) && unicode.IsLower(first) {
					// A word broken at the line's end ("equip-" "ment").
					para.Reset()
					para.WriteString(s[:len(s)-1])
				} else {
					para.WriteByte(' ')
				}
			}
			para.WriteString(l.text)
			prev = l
		}
		flush()
	}
	return strings.Join(paras, "\n\n")
}

// bodySize is the type size of most of the text.
func bodySize(pages [][]pdfLine) float64 {
	chars := map[float64]int{}
	for _, lines := range pages {
		for _, l := range lines {
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
// overprint); +Inf for a page of one line.
func lineSpacing(lines []pdfLine) float64 {
	best := math.Inf(1)
	for i := 1; i < len(lines); i++ {
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
