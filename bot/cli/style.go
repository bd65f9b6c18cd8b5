package cli

import (
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"
)

// style is how text output may use the terminal it goes to: none of this
// when it goes to a file or a pipe, where scripts read it.
type style struct {
	width int  // wrap to this many columns; 0: no wrapping
	bold  bool // mark the quoted sentence in its passage in bold
}

// styleFor finds Stdout's terminal, if it is one. NO_COLOR and TERM=dumb
// keep the wrapping and drop the bold.
func styleFor(env Env) style {
	cols := env.Columns
	if f, ok := env.Stdout.(*os.File); ok && cols == 0 && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			cols = w
		}
	}
	if cols <= 0 {
		return style{}
	}
	return style{width: max(cols, 40), bold: env.Getenv("NO_COLOR") == "" && env.Getenv("TERM") != "dumb"}
}

const (
	boldOn  = "\x1b[1m"
	boldOff = "\x1b[22m"
)

// writeText writes a document's text (made terminal-safe here) indented by
// prefix, wrapped to the style's width, with the first quote in it marked.
func (st style) writeText(w io.Writer, text, quote, prefix string) {
	text = termSafe(text)
	if st.width > 0 {
		text = wrap(text, st.width-len(prefix))
	}
	// wrap turns spaces into newlines and nothing else, so the quote is
	// found in the wrapped text by its offset in the unwrapped one.
	if quote = termSafe(quote); st.bold && quote != "" {
		if i := strings.Index(strings.ReplaceAll(text, "\n", " "), strings.ReplaceAll(quote, "\n", " ")); i >= 0 {
			j := i + len(quote)
			// Each line of the quote is marked on its own, so that the
			// indent never falls inside the bold.
			marked := boldOn + strings.ReplaceAll(text[i:j], "\n", boldOff+"\n"+boldOn) + boldOff
			text = text[:i] + marked + text[j:]
		}
	}
	io.WriteString(w, indent(text, prefix)+"\n")
}

// line writes a line of output (made terminal-safe here), wrapped to the
// style's width.
func (st style) line(w io.Writer, s string) {
	s = termSafe(s)
	if st.width > 0 {
		s = wrap(s, st.width)
	}
	io.WriteString(w, s+"\n")
}

// wrap breaks s's lines at spaces so that each fits in width columns where
// its words do, replacing a space with a newline and changing nothing
// else: every byte keeps its offset. A word wider than the line is left
// whole.
func wrap(s string, width int) string {
	b := []byte(s)
	col, lastSpace := 0, -1 // the current line's width, and its last space
	colAtSpace := 0         // the width up to and including that space
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == '\n':
			col, lastSpace = 0, -1
		case r == ' ':
			col++
			lastSpace, colAtSpace = i, col
		default:
			col += runewidth.RuneWidth(r)
		}
		if col > width && lastSpace >= 0 && r != ' ' {
			b[lastSpace] = '\n'
			col -= colAtSpace
			lastSpace = -1
		}
		i += size
	}
	return string(b)
}
