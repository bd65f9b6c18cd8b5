package langchain

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTableCols bounds the columns of a table found on a PDF page, and so
// the runs a line keeps apart (see lineBuilder).
const maxTableCols = 24

// pdfTable is a table found on a page: its rows of cells' text, the
// first its header, and where its columns lie across the page.
type pdfTable struct {
	rows [][]string
	cols []pdfColumn
}

// pdfColumn is where a table's column lies across the page, and how its
// body's cells line up: which edges of its first body cell every one
// shares (see lineUp), 0 before the first.
type pdfColumn struct {
	pdfSpan
	first pdfSpan
	align uint8
}

// pdfCell is a block of text as a table's cell sets it: a run of a line,
// then the lines under it of one run each that line up with the line
// above (see lineUp), in type of its size, going down at most two lines
// of their type at a time (a cell's wrapped lines). It holds the run'th
// run of lines[line], then each line up to lines[end-1].
type pdfCell struct {
	line, run, end int
	pdfSpan
	last        pdfSpan // its last line's
	top, bottom float64 // the baselines of its first and last lines
	size        float64
}

// pdfRow is cells side by side: each to the right of the one before, and
// level with the row (each reaching from its first baseline to its last
// within half a line of the row's): cells[first:end].
type pdfRow struct {
	first, end  int
	top, bottom float64
}

// pdfSpan is where something lies across a page, from x0 to x1.
type pdfSpan struct{ x0, x1 float64 }

// across reports spans that overlap.
func (a pdfSpan) across(b pdfSpan) bool { return a.x0 <= b.x1 && a.x1 >= b.x0 }

// lineUp returns the edges two spans share, within tol: a bit each for
// the left edge, the right edge and the middle.
func lineUp(a, b pdfSpan, tol float64) uint8 {
	var edges uint8
	for i, d := range [3]float64{a.x0 - b.x0, a.x1 - b.x1, (a.x0 + a.x1 - b.x0 - b.x1) / 2} {
		if math.Abs(d) <= tol {
			edges |= 1 << i
		}
	}
	return edges
}

// findTables returns a page's lines with each table found in them in
// place of its lines. A table is read from the order the cells are drawn
// in, as word processors and browsers draw them: cell after cell, each
// from the top of its row, so that a row is a span of cells that keep
// going right, and a wrapped cell's lines follow one another (pageCells,
// pageRows). A table is three rows or more of two cells or more, the
// first its header, each row starting a line and standing below the one
// before, each cell in a column of its own, and the cells of each column
// below the header lined up on the left, the right or the middle
// (tableAt). Two columns of prose read as one row (a column is drawn to
// its foot before the next one starts), or, where a line of each is drawn
// at a time, as a table of prose, read column after column (proseLines);
// a list reads as no table (its items' bullets and numbers make them no
// table's rows), and a form of labels ("Name:") as none either.
func findTables(lines []pdfLine) []pdfLine {
	cells := pageCells(lines)
	rows := pageRows(cells)
	var out []pdfLine
	next := 0 // the first line not yet in out
	for r := 0; r < len(rows); {
		t, n := tableAt(lines, cells, rows[r:])
		if t == nil {
			r++
			continue
		}
		first, end := cells[rows[r].first].line, cells[rows[r+n-1].end-1].end
		out = append(out, lines[next:first]...)
		if prose := proseLines(lines, cells, rows[r:r+n], t.cols); prose != nil {
			out = append(out, prose...)
		} else {
			out = append(out, pdfLine{y: rows[r+n-1].bottom, table: t})
		}
		next, r = end, r+n
	}
	if out == nil {
		return lines
	}
	return append(out, lines[next:]...)
}

// pageCells returns the cells of a page's lines, in the order drawn.
func pageCells(lines []pdfLine) []pdfCell {
	runs := 0
	for _, l := range lines {
		runs += len(l.runs)
	}
	cells := make([]pdfCell, 0, runs)
	for i, l := range lines {
		for j, r := range l.runs {
			if len(l.runs) == 1 && len(cells) > 0 {
				c := &cells[len(cells)-1]
				drop := c.bottom - l.y
				if drop > 0 && drop <= 2*l.size && math.Abs(l.size-c.size) <= 0.05*c.size && lineUp(c.last, r.pdfSpan, 0.05*l.size) != 0 {
					c.end, c.bottom, c.last = i+1, l.y, r.pdfSpan
					c.x0, c.x1 = math.Min(c.x0, r.x0), math.Max(c.x1, r.x1)
					continue
				}
			}
			cells = append(cells, pdfCell{line: i, run: j, end: i + 1, pdfSpan: r.pdfSpan, last: r.pdfSpan, top: l.y, bottom: l.y, size: l.size})
		}
	}
	return cells
}

// pageRows returns the rows of a page's cells.
func pageRows(cells []pdfCell) []pdfRow {
	var rows []pdfRow
	for k, c := range cells {
		if n := len(rows); n > 0 {
			row := &rows[n-1]
			if tol := 0.5 * c.size; c.x0 > cells[k-1].x1 && c.bottom <= row.top+tol && c.top >= row.bottom-tol {
				row.end++
				row.top, row.bottom = math.Max(row.top, c.top), math.Min(row.bottom, c.bottom)
				continue
			}
		}
		rows = append(rows, pdfRow{first: k, end: k + 1, top: c.top, bottom: c.bottom})
	}
	return rows
}

// tableAt returns the table that the first of rows opens and how many
// rows it holds; nil where they open none. Its body's cells make its
// columns, and its header's cells fall in them or between them (a
// header's cell may be centred over a column whose cells are not). A row
// of one cell within the table's width (a heading over the rows below
// it, the rest of a row that a page broke) may stand in its body, not at
// its foot, and in no column but the one it lies across; a wider one
// (a paragraph) ends the table.
func tableAt(lines []pdfLine, cells []pdfCell, rows []pdfRow) (*pdfTable, int) {
	first := func(k int) string { c := cells[rows[k].first]; return lines[c.line].runText(c.run) }
	whole := func(k int) bool { // row k starts a line and ends one
		return cells[rows[k].first].run == 0 && (k+1 == len(rows) || cells[rows[k+1].first].run == 0)
	}
	item := func(k int) bool { return startsItem(first(k) + " x") } // row k's first cell is a list item's bullet or number
	head := cells[rows[0].first:rows[0].end]
	if len(head) < 2 || len(head) > maxTableCols || !whole(0) || item(0) || strings.HasSuffix(first(0), ":") {
		return nil, 0
	}
	var body []pdfColumn // the columns of the body so far
	n, full := 1, 1      // rows in the table, and those of two cells or more
	none := pdfSpan{math.Inf(1), math.Inf(-1)}
	singles := none // where the rows of one cell since the last of more lie
	for k := 1; k < len(rows); k++ {
		row := cells[rows[k].first:rows[k].end]
		if len(row) > maxTableCols || !whole(k) || rows[k].top >= rows[k-1].bottom || item(k) {
			break
		}
		if len(row) == 1 {
			singles = pdfSpan{math.Min(singles.x0, row[0].x0), math.Max(singles.x1, row[0].x1)}
			continue
		}
		cols, ok := fitRow(body, row, true)
		if !ok {
			break
		}
		if _, ok := fitRow(cols, head, false); !ok {
			break
		}
		width := pdfSpan{math.Min(cols[0].x0, head[0].x0), math.Max(cols[len(cols)-1].x1, head[len(head)-1].x1)}
		if singles.x0 < width.x0 || singles.x1 > width.x1 {
			break // a row of one cell wider than the table
		}
		body, n, full, singles = cols, k+1, full+1, none
	}
	if full < 3 {
		return nil, 0
	}
	cols, _ := fitRow(body, head, false)
	t := &pdfTable{cols: cols}
	for _, r := range rows[:n] {
		row := make([]string, len(cols))
		for _, c := range cells[r.first:r.end] {
			row[columnOf(cols, c)] = cellText(lines, c)
		}
		t.rows = append(t.rows, row)
	}
	return t, n
}

// proseLines returns the lines of a table that is prose in columns side
// by side, drawn a line of each column at a time, column after column;
// nil for a table. Such a table's cells are one line each, and in each
// column they run on from one to the next: five words or more to a line,
// on average, and half the lines after the first or more starting in
// lower case.
func proseLines(lines []pdfLine, cells []pdfCell, rows []pdfRow, cols []pdfColumn) []pdfLine {
	type count struct{ lines, words, lower int }
	counts := make([]count, len(cols))
	for _, r := range rows {
		for _, c := range cells[r.first:r.end] {
			if c.end > c.line+1 {
				return nil
			}
			text, n := lines[c.line].runText(c.run), &counts[columnOf(cols, c)]
			if first, _ := utf8.DecodeRuneInString(text); n.lines > 0 && unicode.IsLower(first) {
				n.lower++
			}
			n.lines, n.words = n.lines+1, n.words+len(strings.Fields(text))
		}
	}
	for _, n := range counts {
		if n.words < 5*n.lines || 2*n.lower < n.lines-1 {
			return nil
		}
	}
	var out []pdfLine
	for j := range cols {
		for _, r := range rows {
			for _, c := range cells[r.first:r.end] {
				if columnOf(cols, c) == j {
					out = append(out, pdfLine{text: cellText(lines, c), y: c.top, size: c.size})
				}
			}
		}
	}
	return out
}

// fitRow returns cols with a row's cells added, and whether they fit:
// each cell in columns of its own, one (which it may widen) or a new one
// between them or several (a cell that spans them, written in the first);
// in the body, each sharing an edge with its first column's body cells,
// within a twentieth of its type size.
func fitRow(cols []pdfColumn, row []pdfCell, body bool) ([]pdfColumn, bool) {
	cols = slices.Clone(cols)
	at := -1 // the last column of the cell before
	for _, c := range row {
		across := func(col pdfColumn) bool { return c.across(col.pdfSpan) }
		j := slices.IndexFunc(cols, across)
		if j < 0 {
			j = slices.IndexFunc(cols, func(col pdfColumn) bool { return col.x0 > c.x1 })
			if j < 0 {
				j = len(cols)
			}
			cols = slices.Insert(cols, j, pdfColumn{pdfSpan: c.pdfSpan})
		}
		last := j
		for last+1 < len(cols) && across(cols[last+1]) {
			last++
		}
		if j <= at {
			return nil, false
		}
		col := &cols[j]
		if body {
			if col.align == 0 {
				col.first, col.align = c.pdfSpan, 0b111
			}
			if col.align &= lineUp(col.first, c.pdfSpan, 0.05*c.size); col.align == 0 {
				return nil, false
			}
		}
		if last == j {
			col.x0, col.x1 = math.Min(col.x0, c.x0), math.Max(col.x1, c.x1)
		}
		at = last
	}
	for k := 1; k < len(cols); k++ {
		if cols[k].x0 <= cols[k-1].x1 {
			return nil, false
		}
	}
	return cols, len(cols) <= maxTableCols
}

// columnOf is the first column a cell lies across, else the first.
func columnOf(cols []pdfColumn, c pdfCell) int {
	return max(slices.IndexFunc(cols, func(col pdfColumn) bool { return c.across(col.pdfSpan) }), 0)
}

// cellText is a cell's lines joined as a paragraph's are (see joinLine).
func cellText(lines []pdfLine, c pdfCell) string {
	var b strings.Builder
	b.WriteString(lines[c.line].runText(c.run))
	for i := c.line + 1; i < c.end; i++ {
		joinLine(&b, lines[i].runText(0))
	}
	return collapseSpace(b.String())
}

// joinTables joins a table that ends a page to the table that opens the
// next when their columns lie at the same places: one table the page
// broke. The header again on the next page is left out, and a row there
// whose first cell is empty is the rest of the row the page broke.
func joinTables(pages [][]pdfLine) [][]pdfLine {
	var last *pdfTable // the table the text so far ends in
	for i, lines := range pages {
		if len(lines) == 0 {
			continue
		}
		if t := lines[0].table; t != nil && last != nil && sameColumns(last.cols, t.cols) {
			rows := t.rows
			if slices.Equal(rows[0], last.rows[0]) {
				rows = rows[1:]
			}
			if len(rows) > 0 && rows[0][0] == "" {
				broken := last.rows[len(last.rows)-1]
				for j, c := range rows[0] {
					broken[j] = strings.TrimSpace(broken[j] + " " + c)
				}
				rows = rows[1:]
			}
			last.rows = append(last.rows, rows...)
			lines = lines[1:]
			pages[i] = lines
			if len(lines) == 0 {
				continue
			}
		}
		last = lines[len(lines)-1].table
	}
	return pages
}

// sameColumns reports columns, as many as a's, each across a's.
func sameColumns(a, b []pdfColumn) bool {
	return slices.EqualFunc(a, b, func(x, y pdfColumn) bool { return x.across(y.pdfSpan) })
}

// markdown is the table as a Markdown table: the header, a rule, and a
// line for each row, a "|" in a cell escaped. A row that names the
// header's columns again but the first ("Expenditure | 2024–25 |
// 2023–24" under "Income | 2024–25 | 2023–24") heads a table of its own.
func (t *pdfTable) markdown() string {
	var b strings.Builder
	var header []string
	for i, row := range t.rows {
		repeats := i > 0 && slices.Equal(row[1:], header[1:]) && strings.Join(row[1:], "") != ""
		if i > 0 {
			b.WriteString("\n")
			if repeats {
				b.WriteString("\n")
			}
		}
		b.WriteString(markdownRow(row))
		if i == 0 || repeats {
			b.WriteString("\n" + markdownRule(len(row)))
			header = row
		}
	}
	return b.String()
}
