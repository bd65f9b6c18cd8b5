package langchain

import (
	"fmt"
	"slices"
	"strings"
)

// blockText writes a document's text as the loaders of structured formats
// give it: each paragraph one line, a heading a Markdown heading line ("#
// Title", "## Part"), a table's first row its cells joined by " | " and
// each other row one sentence that names its cells by the first row's
// (tableRows), and a blank line between any two of them.
type blockText struct {
	b strings.Builder
}

// line adds a line of its own, with its whitespace collapsed; an empty one
// is left out.
func (w *blockText) line(text string) {
	text = collapseSpace(text)
	if text == "" {
		return
	}
	if w.b.Len() > 0 {
		w.b.WriteString("\n\n")
	}
	w.b.WriteString(text)
}

// paragraph adds a paragraph, or a heading at level (1 for the top) when
// level is above 0; levels deeper than 6 are written as 6.
func (w *blockText) paragraph(level int, text string) {
	if level <= 0 {
		w.line(text)
		return
	}
	if text = collapseSpace(text); text != "" {
		w.line(strings.Repeat("#", min(level, 6)) + " " + text)
	}
}

// slide adds a slide: its title as a heading, "Slide n" when it has none,
// then its lines (paragraphs and table rows) each as a line of its own.
func (w *blockText) slide(n int, title string, lines []string) {
	if title = collapseSpace(title); title == "" {
		title = fmt.Sprintf("Slide %d", n)
	}
	w.paragraph(1, title)
	for _, l := range lines {
		w.line(l)
	}
}

// tableRows turns a table's rows into lines: the first row with text, its
// header, as its cells joined by " | "; each row after it as one sentence
// that names its cells by the header's ("Item: Hotel; Limit: 150 euros a
// night."), so that a question about one row finds that row and can quote
// it. The zero value is a new table.
type tableRows struct {
	header []string
}

// line returns the line of the row cells, "" for a row without text.
func (t *tableRows) line(cells []string) string {
	row := rowLine(slices.Clone(cells))
	if row == "" {
		return ""
	}
	if t.header == nil {
		t.header = strings.Split(row, " | ")
		return row
	}
	for i, c := range cells {
		cells[i] = collapseSpace(c)
	}
	return strings.TrimSuffix(sheetLine(t.header, cells), "\n")
}

// tableReader follows the outermost table of a part as its elements go by:
// how deep in tables the text is, the cells of the row being read, and
// its rows' lines (tableRows). Text in a nested table belongs to the outer
// table's cell.
type tableReader struct {
	depth int             // tables around the token
	cells []string        // the outermost table's row so far
	cell  strings.Builder // the cell being read
	rows  tableRows
}

// in reports whether the text is in a table.
func (t *tableReader) in() bool { return t.depth > 0 }

// text adds a paragraph to the cell being read.
func (t *tableReader) text(s string) {
	t.cell.WriteByte(' ')
	t.cell.WriteString(s)
}

func (t *tableReader) startTable() {
	if t.depth++; t.depth == 1 {
		t.rows = tableRows{}
	}
}

func (t *tableReader) endTable() { t.depth-- }

func (t *tableReader) startRow() {
	if t.depth == 1 {
		t.cells = t.cells[:0]
	}
}

func (t *tableReader) startCell() {
	if t.depth == 1 {
		t.cell.Reset()
	}
}

func (t *tableReader) endCell() {
	if t.depth == 1 {
		t.cells = append(t.cells, t.cell.String())
	}
}

// endRow returns the line of the outermost table's row just read; "" for
// a row of a nested table or one without text.
func (t *tableReader) endRow() string {
	if t.depth != 1 {
		return ""
	}
	return t.rows.line(t.cells)
}

// rowLine is a table row as one line: its cells joined by " | ", trailing
// empty cells dropped; "" for a row without text.
func rowLine(cells []string) string {
	for i, c := range cells {
		cells[i] = collapseSpace(c)
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return strings.Join(cells, " | ")
}

func (w *blockText) String() string { return w.b.String() }

// collapseSpace trims s and turns each run of white space in it (line
// breaks and no-break spaces too) into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// noHeading keeps a line of text that starts with "#" from reading as a
// Markdown heading, which would make it a section and never an answer:
// "# of staff: 12" is written "No. of staff: 12".
func noHeading(line string) string {
	if !strings.HasPrefix(line, "#") {
		return line
	}
	rest := strings.TrimLeft(line, "# \t")
	if strings.TrimSpace(rest) == "" {
		return "" // a "#" alone says nothing
	}
	return "No. " + rest
}
