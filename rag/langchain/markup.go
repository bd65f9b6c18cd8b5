package langchain

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// reStructuredText (Sphinx, Docutils) and AsciiDoc (Asciidoctor, Antora)
// are the plain-text formats handbooks and software documentation are
// written in besides Markdown. They are read as the text they are, line
// by line and indentation kept, with their section titles as Markdown
// heading lines (so that passages carry the path of sections they fall
// under, as in every other format), their scaffolding left out
// (adornment lines, block delimiters, directives, attribute lines,
// comments), their tables as Markdown tables and their inline markup
// unwrapped: a literal in double backquotes reads as its text, a link
// written "`the guide <https://…>`_" reads "the guide".
func init() {
	formats[".rst"] = format{load: loadRST}
	formats[".adoc"] = format{load: loadAsciiDoc}
	formats[".asciidoc"] = format{load: loadAsciiDoc}
}

// errShortLines reports a large file whose lines are so short on average
// (under 8 bytes) that it is no document: the readers hold a line's header
// (16 bytes) beside its text, and a file of millions of empty lines would
// take many times its size.
var errShortLines = errors.New("lines too short for a document")

// poll returns ctx's error every 4096th step n of a loop over a file's
// lines, so that a long file's reading stops soon after its context ends.
func poll(ctx context.Context, n int) error {
	if n%4096 != 0 {
		return nil
	}
	return ctx.Err()
}

// markupLines splits a text file into lines, without their line ends and
// trailing blanks; a file of more than a MiB whose lines average under 8
// bytes is errShortLines.
func markupLines(data []byte) ([]string, error) {
	if n := bytes.Count(data, []byte("\n")); len(data) > 1<<20 && n > len(data)/8 {
		return nil, fmt.Errorf("%w: %d lines in %d bytes", errShortLines, n, len(data))
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return lines, nil
}

// headingLines is a Markdown heading at level (1 for the top; deeper
// than 6 written as 6) with a blank line either side.
func headingLines(level int, text string) []string {
	return []string{"", strings.Repeat("#", min(max(level, 1), 6)) + " " + strings.TrimSpace(text), ""}
}

// codeLine is a line of a listing or a source block, indented as code so
// that a comment in it ("# install first") is not read as a heading.
func codeLine(line string) string { return "    " + line }

// inline is one kind of inline markup and what it reads as; marks, when
// set, are characters every instance of it has, so that text without any
// of them is not searched.
type inline struct {
	expr  *regexp.Regexp
	with  string
	marks string
}

// unwrap replaces each kind of inline markup in s, in turn.
func unwrap(s string, kinds []inline) string {
	for _, k := range kinds {
		if k.marks == "" || strings.ContainsAny(s, k.marks) {
			s = k.expr.ReplaceAllString(s, k.with)
		}
	}
	return s
}

// rstAdornment reports a line of one punctuation character repeated at
// least three times, which underlines (and may overline) a section title
// or stands alone as a transition.
func rstAdornment(line string) bool {
	if len(line) < 3 || !strings.ContainsRune("=-~^\"'`#*+<>:._", rune(line[0])) {
		return false
	}
	return strings.Count(line, line[:1]) == len(line)
}

// rstBorder is the border of a simple or a grid table: "=====  =====",
// "+-----+-----+".
var rstBorder = regexp.MustCompile(`^\s*(=+( +=+)+|\+([-=]+\+)+)\s*$`)

// rstExplicit opens an explicit markup block: a directive (".. note::",
// its name in group 1 and its argument in group 2), a comment, a
// hyperlink target (".. _label:") or a substitution definition.
var rstExplicit = regexp.MustCompile(`^\.\.(?:$|\s+(?:\|[^|]+\|\s+)?(?:([A-Za-z][\w-]*)::(.*))?)`)

// rstField is a field list's line (":Author: Dana Whitfield").
var rstField = regexp.MustCompile(`^(\s*):([A-Za-z][\w .-]*): +(.*)$`)

// rstRead are the directives whose text is read, with the label their
// first line is given ("" for none).
var rstRead = map[string]string{
	"note": "Note", "warning": "Warning", "important": "Important", "tip": "Tip", "hint": "Hint",
	"caution": "Caution", "danger": "Danger", "attention": "Attention", "error": "Error",
	"admonition": "", "code-block": "", "code": "", "sourcecode": "", "topic": "", "sidebar": "",
	"rubric": "", "deprecated": "Deprecated in version", "versionadded": "New in version",
	"versionchanged": "Changed in version", "seealso": "See also",
}

// rstInline is reStructuredText's inline markup. A hyperlink may run on
// to the next line; emphasis does not.
var rstInline = []inline{
	{regexp.MustCompile("``([^`]+)``"), "$1", ""},                                          // literal
	{regexp.MustCompile(":[\\w:+-]+:`([^`<]*?)\\s*<[^`>]*>`"), "$1", ""},                   // a role with its target
	{regexp.MustCompile(":[\\w:+-]+:`([^`]+)`"), "$1", ""},                                 // a role
	{regexp.MustCompile("`([^`<]*?)\\s*<[^`>]*>`__?"), "$1", ""},                           // a hyperlink with its address
	{regexp.MustCompile("`([^`]+)`__?"), "$1", ""},                                         // a hyperlink reference
	{regexp.MustCompile(`\*\*([^*]+)\*\*`), "$1", ""},                                      // strong
	{regexp.MustCompile(`(^|[\s("'])\*([^*\s][^*\n]*?)\*($|[\s)"'.,;:!?])`), "$1$2$3", ""}, // emphasis
	{regexp.MustCompile("`([^`]+)`"), "$1", ""},                                            // interpreted text
}

// loadRST reads a reStructuredText file. Section titles take their levels
// in the order their adornment styles first appear, as Docutils assigns
// them.
func loadRST(ctx context.Context, _ string, data []byte) (string, error) {
	lines, err := markupLines(data)
	if err != nil {
		return "", err
	}
	levels := map[string]int{} // adornment style (its character, "o" when overlined) → level
	var out []string
	skip := false    // in the indented body of a block not read (a comment, an image, a table of contents)
	options := false // after a directive's line: its option lines (":maxdepth: 2") are left out
	label := ""      // the label a read directive's first line of text is given
	literal := false // in a literal block ("…::") or a code block's body
	for i := 0; i < len(lines); i++ {
		if err := poll(ctx, i); err != nil {
			return "", err
		}
		line := lines[i]
		indented := line != "" && (line[0] == ' ' || line[0] == '\t')
		if line != "" && !indented {
			skip, options, literal = false, false, false
			if label != "" {
				out, label = append(out, label+":"), ""
			}
		}
		switch {
		case line == "":
			out = append(out, "")
			continue
		case skip:
			continue
		case options && rstField.MatchString(line):
			continue
		}
		options = false
		if literal && indented {
			out = append(out, codeLine(line)) // a comment in it ("# install first") is no heading
			continue
		}
		if m := rstExplicit.FindStringSubmatch(line); m != nil {
			name, arg := strings.ToLower(m[1]), strings.TrimSpace(m[2])
			if name == "list-table" || name == "csv-table" {
				// A table written as a list or as CSV becomes a Markdown
				// table, its caption (the argument) a line over it.
				table, next := rstTable(name, lines, i+1)
				if arg != "" {
					out = append(out, arg, "")
				}
				out = append(out, table...)
				i = next - 1
				continue
			}
			l, read := rstRead[name]
			if !read {
				skip = true
				continue
			}
			options = true
			if name == "code-block" || name == "code" || name == "sourcecode" {
				literal = true // its argument is the language, not text
				continue
			}
			switch {
			case arg != "" && l != "":
				out = append(out, l+": "+arg)
			case arg != "":
				out = append(out, arg)
			default:
				label = l
			}
			continue
		}
		if label != "" {
			line = strings.TrimSpace(line)
			line, label = label+": "+line, ""
		}
		// A section title: text underlined (and perhaps overlined) by an
		// adornment at least as long as it.
		if !indented && !rstAdornment(line) && i+1 < len(lines) && rstAdornment(lines[i+1]) && len(lines[i+1]) >= len([]rune(line)) {
			style := lines[i+1][:1]
			if i > 0 && rstAdornment(lines[i-1]) && lines[i-1][:1] == style {
				style += "o"
			}
			if _, ok := levels[style]; !ok {
				levels[style] = len(levels) + 1
			}
			out = append(out, strings.Repeat("#", min(levels[style], 6))+" "+strings.TrimSpace(line))
			i++
			continue
		}
		if rstAdornment(line) || rstBorder.MatchString(line) {
			continue // an overline, a transition, a table's border
		}
		if m := rstField.FindStringSubmatch(line); m != nil {
			line = m[1] + m[2] + ": " + m[3] // ":Author: Dana" reads "Author: Dana"
		}
		// "as follows::" introduces a literal block: it reads "as follows:".
		if strings.HasSuffix(line, "::") {
			literal = true
			if strings.TrimSpace(line) == "::" {
				continue
			}
			line = strings.TrimSuffix(line, ":")
		}
		out = append(out, line)
	}
	if label != "" {
		out = append(out, label+":")
	}
	return unwrap(tidyMarkup(out), rstInline), nil
}

// rstTable reads the body of a list-table or csv-table directive, from
// lines[i] to the first line after it that is neither blank nor indented,
// and returns the table's lines with that line's index. The first row is
// the header (":header-rows:" more than one are read as rows; a csv-table's
// ":header:" is its first row). A csv-table's ":file:" or ":url:" is not
// read: a document never reads another file.
func rstTable(name string, lines []string, i int) ([]string, int) {
	end := i
	for end < len(lines) && (lines[end] == "" || lines[end][0] == ' ' || lines[end][0] == '\t') {
		end++
	}
	body := dedent(lines[i:end])
	options := map[string]string{}
	for len(body) > 0 {
		m := rstField.FindStringSubmatch(body[0])
		if m == nil || m[1] != "" {
			break
		}
		options[strings.ToLower(m[2])] = m[3]
		body = body[1:]
	}
	var rows [][]string
	if name == "csv-table" {
		if h, ok := options["header"]; ok {
			rows = append(rows, csvRows(h, options["delim"])...)
		}
		rows = append(rows, csvRows(strings.Join(body, "\n"), options["delim"])...)
	} else {
		rows = listRows(body)
	}
	return rowsTable(rows), end
}

// dedent removes from lines the indentation they all share.
func dedent(lines []string) []string {
	cut := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, " \t")); cut < 0 || n < cut {
			cut = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if cut > 0 && len(l) >= cut {
			l = l[cut:]
		}
		out[i] = strings.TrimRight(l, " \t")
	}
	return out
}

// csvRows reads text as CSV rows, the delimiter as a csv-table's
// ":delim:" names it (a character, "tab" or "space"; a comma without).
func csvRows(text, delim string) [][]string {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord, r.LazyQuotes, r.TrimLeadingSpace = -1, true, true
	switch d := strings.TrimSpace(delim); {
	case d == "tab":
		r.Comma = '\t'
	case d == "space":
		r.Comma = ' '
	case utf8.RuneCountInString(d) == 1:
		if c, _ := utf8.DecodeRuneInString(d); c != '"' && c != '\r' && c != '\n' && c != utf8.RuneError {
			r.Comma = c
		}
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			continue // a malformed line is left out; the reader goes on at the next
		}
		rows = append(rows, rec)
	}
}

// listRows reads a list-table's body: each "* " item a row, each "- "
// item under it a cell, the lines indented under a cell its text.
func listRows(body []string) [][]string {
	var rows [][]string
	cellIndent := -1 // where the row's cell markers stand
	for _, l := range body {
		t := strings.TrimLeft(l, " ")
		indent := len(l) - len(t)
		switch {
		case t == "":
			continue
		case indent == 0 && (t == "*" || strings.HasPrefix(t, "* ")):
			rows = append(rows, nil)
			rest := strings.TrimLeft(t[1:], " ")
			if rest == "-" || strings.HasPrefix(rest, "- ") {
				cellIndent = len(l) - len(rest)
				rows[len(rows)-1] = append(rows[len(rows)-1], strings.TrimSpace(rest[1:]))
			} else {
				cellIndent = -1
			}
			continue
		case len(rows) == 0:
			continue
		}
		row := &rows[len(rows)-1]
		if (t == "-" || strings.HasPrefix(t, "- ")) && (cellIndent < 0 || indent <= cellIndent) {
			cellIndent = indent
			*row = append(*row, strings.TrimSpace(t[1:]))
			continue
		}
		if n := len(*row); n > 0 {
			(*row)[n-1] = strings.TrimSpace((*row)[n-1] + " " + t)
		}
	}
	return rows
}

// AsciiDoc's scaffolding: attribute entries (":toc: left"), block
// attributes and anchors ("[source,go]", "[[install]]", "[NOTE]"),
// delimiters of blocks ("----", "====", "|===") and titles ("== Part").
var (
	adocAttribute = regexp.MustCompile(`^:!?[A-Za-z0-9_][\w-]*!?:(\s.*)?$`)
	adocBlockAttr = regexp.MustCompile(`^\[\[?[^\]]*\]\]?$`)
	adocDelimiter = regexp.MustCompile(`^(-{4,}|\.{4,}|={4,}|\*{4,}|_{4,}|\+{4,}|--)$`)
	adocTable     = regexp.MustCompile(`^[|,:!]={3,}$`)
	adocTitle     = regexp.MustCompile(`^(={1,6})\s+(\S.*?)(\s+=+)?$`)
)

// adocInlineMarks are the characters every kind of adocInline has.
const adocInlineMarks = "`*_<["

// adocInline is AsciiDoc's inline markup.
var adocInline = []inline{
	{regexp.MustCompile(`\b(?:link|xref|kbd|btn|footnote|image|menu|icon|pass):[^\s\[]*\[([^\]]*)\]`), "$1", ""}, // a macro's text
	{regexp.MustCompile(`((?:https?|ftp)://[^\s\[]+)\[\]`), "$1", ""},                                            // an address without text
	{regexp.MustCompile(`(?:https?|ftp|mailto):[^\s\[]+\[([^\]]+)\]`), "$1", ""},                                 // an address's text
	{regexp.MustCompile(`<<[^,>]+,\s*([^>]+)>>`), "$1", ""},                                                      // a cross reference's text
	{regexp.MustCompile(`<<([^>]+)>>`), "$1", ""},                                                                // a cross reference
	{regexp.MustCompile("`\\+?([^`]+?)\\+?`"), "$1", ""},                                                         // monospace
	{regexp.MustCompile(`\*\*([^*]+)\*\*`), "$1", ""},                                                            // strong, anywhere
	{regexp.MustCompile(`(^|[\s("'])\*([^*\s][^*\n]*?)\*($|[\s)"'.,;:!?])`), "$1$2$3", ""},                       // strong
	{regexp.MustCompile(`__([^_]+)__`), "$1", ""},                                                                // emphasis, anywhere
	{regexp.MustCompile(`(^|[\s("'])_([^_\s][^_\n]*?)_($|[\s)"'.,;:!?])`), "$1$2$3", ""},                         // emphasis, not snake_case
}

// loadAsciiDoc reads an AsciiDoc file: "= Title" is the document's title,
// "== Part" a section under it, as Markdown's "#" and "##". The lines of
// a listing or a literal block are kept as they are.
func loadAsciiDoc(ctx context.Context, _ string, data []byte) (string, error) {
	lines, err := markupLines(data)
	if err != nil {
		return "", err
	}
	var out []string
	comment := false
	literal := ""              // the delimiter of the listing or literal block the lines are in
	var cells []string         // the cells of the table the lines are in
	more := map[int][]string{} // the lines a cell's text runs on to, by cell
	cols := 0                  // its columns: as its cols attribute says, else as many as the cells of its first line
	table := false
	sep := ""         // the table's separator: "|", or "," and ":" for data (CSV, DSV) written as such
	var rows []string // the lines of a CSV or DSV table
	colsAttr := 0     // the columns the block attribute over the table names, 0 for none
	spanned := 0      // the cells specifiers have added (see maxAdocSpanned)
	cellSep := ""     // the separator of cells the block attribute names, "" for "|"
	for i, line := range lines {
		if err := poll(ctx, i); err != nil {
			return "", err
		}
		switch {
		case literal != "":
			if line == literal {
				literal = ""
			} else {
				out = append(out, codeLine(line))
			}
			continue
		case strings.HasPrefix(line, "////") && strings.Trim(line, "/") == "":
			comment = !comment
			continue
		case comment, strings.HasPrefix(line, "//"), adocAttribute.MatchString(line):
			continue
		case adocBlockAttr.MatchString(line):
			colsAttr = adocCols(line)
			if m := adocFormat.FindStringSubmatch(line); m != nil {
				sep = map[string]string{"csv": ",", "tsv": "tab", "dsv": ":"}[m[1]]
			}
			if m := adocSeparator.FindStringSubmatch(line); m != nil {
				cellSep = m[1]
			}
			continue
		case adocTable.MatchString(line):
			switch {
			case table && sep != "|":
				out = append(out, rowsTable(csvRows(strings.Join(rows, "\n"), sep))...)
				rows = nil
			case table:
				out = append(out, markdownTable(joinMore(cells, more), cols)...)
				cells = nil
				clear(more)
			case sep == "":
				sep = map[byte]string{'|': "|", ',': ",", ':': ":", '!': "|"}[line[0]]
			}
			if !table && cellSep != "" && sep != "|" {
				sep, cellSep = cellSep, "" // data separated as the attribute says
			}
			if table {
				sep, colsAttr, cellSep = "", 0, ""
			}
			cols = colsAttr
			table = !table
			continue
		case table && sep != "|":
			rows = append(rows, line)
			continue
		case table:
			if cellSep != "" && cellSep != "|" {
				// "[separator=¦]": its cells are separated so, and a "|"
				// is their text's.
				line = strings.ReplaceAll(strings.ReplaceAll(line, "|", `\|`), cellSep, "|")
			}
			if cs, ok := adocCells(line, &spanned); ok {
				if cols == 0 {
					cols = len(cs)
				}
				cells = append(cells, cs...)
			} else if line != "" && len(cells) > 0 {
				more[len(cells)-1] = append(more[len(cells)-1], line) // a cell's text runs on
			}
			continue
		case adocDelimiter.MatchString(line):
			if strings.HasPrefix(line, "----") || strings.HasPrefix(line, "....") {
				literal = line
			}
			sep, colsAttr, cellSep = "", 0, ""
			continue
		}
		blockTitle := len(line) > 1 && line[0] == '.' && (line[1] >= 'A' && line[1] <= 'Z' || line[1] >= 'a' && line[1] <= 'z')
		if !blockTitle {
			// Block attributes are the next block's: a blank line, a
			// paragraph or a heading between ends them.
			sep, colsAttr, cellSep = "", 0, ""
		}
		if m := adocTitle.FindStringSubmatch(line); m != nil {
			out = append(out, headingLines(len(m[1]), m[2])...)
			continue
		}
		if blockTitle {
			line = line[1:] // a block's title (".Installing on Linux")
		}
		if strings.ContainsAny(line, adocInlineMarks) {
			line = unwrap(line, adocInline)
		}
		out = append(out, line)
	}
	switch {
	case table && sep != "|":
		out = append(out, rowsTable(csvRows(strings.Join(rows, "\n"), sep))...)
	case table:
		out = append(out, markdownTable(joinMore(cells, more), cols)...)
	}
	return tidyMarkup(out), nil
}

var (
	// adocFormat is a table's data format in its block attribute
	// ("[format=csv]", `[%header,format="csv"]`).
	adocFormat = regexp.MustCompile(`\bformat="?(csv|tsv|dsv)\b`)
	// adocColsAttr is a table's cols attribute (`[cols="1,2,3"]`,
	// `[cols="3*"]`).
	adocColsAttr = regexp.MustCompile(`\bcols=(?:"([^"]*)"|([^,\]]*))`)
	// adocSeparator is a table's separator attribute (`[separator=;]`,
	// `[separator="¦"]`).
	adocSeparator = regexp.MustCompile(`\bseparator="?([^",\]])`)
	// adocCellSpec is a cell's specifier, all that may stand before its
	// "|": "3*" repeats the cell three times (group 1), "2+" spans two
	// columns (group 2), ".2+" two rows, and alignment and style ("^.^",
	// "a", "h").
	adocCellSpec = regexp.MustCompile(`^(?:(\d+)\*)?(?:(\d+)?(?:\.\d+)?\+)?[<^>]?(?:\.[<^>])?[adehlmsv]?$`)
	// adocNextSpec is the next cell's specifier at the end of a cell's
	// text, after a space ("a 2+|b").
	adocNextSpec = regexp.MustCompile(`\s((?:\d+\*)?(?:\d+(?:\.\d+)?\+|\.\d+\+)?[<^>]?(?:\.[<^>])?[adehlmsv]?)$`)
)

func adocCols(attr string) int {
	m := adocColsAttr.FindStringSubmatch(attr)
	if m == nil {
		return 0
	}
	spec := m[1] + m[2]
	if n, err := strconv.Atoi(strings.TrimSpace(spec)); err == nil {
		return min(max(n, 0), maxAdocCols) // "cols=3": three columns
	}
	n := 0
	for _, c := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ';' }) {
		if k, _, ok := strings.Cut(strings.TrimSpace(c), "*"); ok {
			if v, err := strconv.Atoi(k); err == nil && v > 0 && v <= maxAdocCols {
				n += v
				continue
			}
		}
		n++
	}
	return min(n, maxAdocCols)
}

// maxAdocCols bounds the columns of a table read.
const maxAdocCols = 1000

// maxAdocSpanned bounds the cells a document's specifiers add (the empty
// cells after a spanning one, a repeated cell's repeats), so that a few
// bytes ("1000*|") cannot stand for millions of cells.
const maxAdocSpanned = 100_000

// adocCells splits a table line into its cells when it opens with one (a
// "|", or a cell's specifier and its "|"): the specifiers are left out, a
// cell spanning columns is followed by empty ones, a repeated cell is
// repeated, and "\|" is a "|" of the text.
func adocCells(line string, spanned *int) ([]string, bool) {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			b.WriteByte('|')
			i++
		case line[i] == '|':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(line[i])
		}
	}
	parts = append(parts, b.String())
	if len(parts) < 2 || !adocCellSpec.MatchString(parts[0]) {
		return nil, false // no cell opens the line: a cell's text runs on
	}
	var cells []string
	spec := parts[0]
	for k, text := range parts[1:] {
		next := ""
		// A specifier stands only before a "|": the line's last cell
		// keeps its last word ("|Ages 2+", "|Plan a").
		if k < len(parts)-2 {
			if m := adocNextSpec.FindStringSubmatchIndex(text); m != nil && m[3] > m[2] {
				next, text = text[m[2]:m[3]], text[:m[0]]
			}
		}
		repeat, span := 1, 1
		if m := adocCellSpec.FindStringSubmatch(spec); m != nil {
			if m[1] != "" {
				repeat, _ = strconv.Atoi(m[1])
			}
			if m[2] != "" {
				span, _ = strconv.Atoi(m[2])
			}
		}
		repeat, span = min(max(repeat, 1), maxAdocCols), min(max(span, 1), maxAdocCols)
		cells = append(cells, strings.TrimSpace(text))
		for n := 1; n < repeat*span && *spanned < maxAdocSpanned; n++ {
			*spanned++
			if n%span == 0 {
				cells = append(cells, strings.TrimSpace(text))
			} else {
				cells = append(cells, "")
			}
		}
		spec = next
	}
	return cells, true
}

// joinMore returns the cells with the lines their text runs on to, joined
// once each (adding them one at a time copied a long cell at every line).
func joinMore(cells []string, more map[int][]string) []string {
	for i, ls := range more {
		if i < len(cells) {
			cells[i] += " " + strings.Join(ls, " ")
		}
	}
	return cells
}

// markdownTable writes a table's cells, cols to a row, as a Markdown
// table whose first row is the header, each cell's inline markup
// unwrapped; a last row short of cells is filled with empty ones.
func markdownTable(cells []string, cols int) []string {
	if len(cells) == 0 || cols == 0 {
		return nil
	}
	row := func(cs []string) string {
		out := make([]string, cols)
		for i := range out {
			if i < len(cs) {
				out[i] = collapseSpace(cs[i])
				if strings.ContainsAny(out[i], adocInlineMarks) {
					out[i] = unwrap(out[i], adocInline)
				}
			}
		}
		return markdownRow(out)
	}
	out := []string{"", row(cells[:min(cols, len(cells))]), markdownRule(cols)}
	for i := cols; i < len(cells); i += cols {
		out = append(out, row(cells[i:min(i+cols, len(cells))]))
	}
	return append(out, "")
}

// markdownRow is a table's row as a line of a Markdown table, a "|" of a
// cell's own escaped as Markdown escapes it.
func markdownRow(cells []string) string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return "| " + strings.Join(out, " | ") + " |"
}

// markdownRule is the line under the header of a Markdown table of cols
// columns.
func markdownRule(cols int) string { return "|" + strings.Repeat(" --- |", cols) }

// tidyMarkup joins lines, their indentation kept, with at most one blank
// line between paragraphs and none at the ends.
func tidyMarkup(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		if l = strings.TrimRight(l, " \t\r"); l == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
			if blank {
				b.WriteString("\n")
			}
		}
		blank = false
		b.WriteString(l)
	}
	return b.String()
}

// MediaWiki's markup (Wikipedia's, and a wiki's pages exported one to a
// file) and Org mode's (Emacs) are read alike: headings as Markdown
// heading lines, tables as Markdown tables, templates, comments,
// categories, files, references and keywords left out, inline markup
// unwrapped; a numbered list item ("# step") is written "1. step", so that
// it is not read as a heading.
func init() {
	formats[".mediawiki"] = format{load: loadMediaWiki}
	formats[".wiki"] = format{load: loadMediaWiki}
	formats[".org"] = format{load: loadOrg}
}

var (
	wikiHeading  = regexp.MustCompile(`^(={1,6})\s*(.*?)\s*(={1,6})\s*$`)
	wikiTemplate = regexp.MustCompile(`\{\{[^{}]*\}\}`)
	wikiDrop     = regexp.MustCompile(`(?s)<!--.*?-->|<ref[^>]*/>|<ref[^>]*>.*?</ref>|__[A-Z]+__`)
	wikiInline   = []inline{
		{regexp.MustCompile(`\[\[(?:[Ff]ile|[Ii]mage|[Cc]ategory|[Mm]edia):[^\]]*\]\]`), "", ""}, // files and categories
		{regexp.MustCompile(`\[\[[^|\]]*\|([^\]]*)\]\]`), "$1", ""},                              // a link with its text
		{regexp.MustCompile(`\[\[([^\]]*)\]\]`), "$1", ""},                                       // a link
		{regexp.MustCompile(`\[(?:https?|ftp|mailto):[^\s\]]+\s+([^\]]+)\]`), "$1", ""},          // an address with its text
		{regexp.MustCompile(`\[((?:https?|ftp|mailto):[^\s\]]+)\]`), "$1", ""},                   // an address
		{regexp.MustCompile(`'''''(.+?)'''''|'''(.+?)'''|''(.+?)''`), "$1$2$3", ""},              // bold and italics
		{regexp.MustCompile(`<br\s*/?>`), " ", ""},
		{regexp.MustCompile(`</?(?:nowiki|small|big|span|div|code|tt|u|s|sup|sub|b|i)[^>]*>`), "", ""},
	}
)

// loadMediaWiki reads a page of MediaWiki markup.
func loadMediaWiki(ctx context.Context, _ string, data []byte) (string, error) {
	text := wikiDrop.ReplaceAllString(strings.ReplaceAll(string(data), "\r\n", "\n"), "")
	for range 8 { // templates nest: the innermost go first
		if next := wikiTemplate.ReplaceAllString(text, ""); next != text {
			text = next
			continue
		}
		break
	}
	var out []string
	var rows [][]string
	runOn := map[[2]int][]string{} // the lines a cell's text runs on to, by row and cell
	table := 0                     // tables open around the line
	lines, err := markupLines([]byte(text))
	if err != nil {
		return "", err
	}
	for i, line := range lines {
		if err := poll(ctx, i); err != nil {
			return "", err
		}
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "{|"):
			table++
			continue
		case strings.HasPrefix(t, "|}") && table > 0:
			if table--; table == 0 {
				out = append(out, rowsTable(joinRunOn(rows, runOn))...)
				rows = nil
				clear(runOn)
			}
			continue
		case table > 0:
			switch {
			case strings.HasPrefix(t, "|-"), strings.HasPrefix(t, "|+"):
				rows = append(rows, nil)
			case strings.HasPrefix(t, "|"), strings.HasPrefix(t, "!"):
				sep := "||"
				if t[0] == '!' {
					sep = "!!"
				}
				if len(rows) == 0 {
					rows = append(rows, nil)
				}
				for _, c := range strings.Split(t[1:], sep) {
					if _, after, ok := strings.Cut(c, "|"); ok && !strings.Contains(c, "[[") {
						c = after // the cell's attributes ("style=… | text")
					}
					rows[len(rows)-1] = append(rows[len(rows)-1], unwrap(c, wikiInline))
				}
			case t != "" && len(rows) > 0 && len(rows[len(rows)-1]) > 0:
				at := [2]int{len(rows) - 1, len(rows[len(rows)-1]) - 1}
				runOn[at] = append(runOn[at], unwrap(t, wikiInline)) // a cell's text runs on
			}
			continue
		}
		if m := wikiHeading.FindStringSubmatch(line); m != nil && len(m[1]) == len(m[3]) && m[2] != "" {
			out = append(out, headingLines(len(m[1]), unwrap(m[2], wikiInline))...)
			continue
		}
		if t == "----" {
			continue
		}
		if n := len(line) - len(strings.TrimLeft(line, "#")); n > 0 {
			line = strings.Repeat("  ", n-1) + "1. " + strings.TrimSpace(line[n:]) // a numbered item
		} else if n := len(line) - len(strings.TrimLeft(line, ";:")); n > 0 {
			line = strings.TrimSpace(line[n:]) // a definition or an indented line
		}
		out = append(out, unwrap(line, wikiInline))
	}
	if len(rows) > 0 {
		out = append(out, rowsTable(joinRunOn(rows, runOn))...)
	}
	return tidyMarkup(out), nil
}

// joinRunOn returns the rows with the lines their cells' text runs on to,
// joined once each.
func joinRunOn(rows [][]string, runOn map[[2]int][]string) [][]string {
	for at, ls := range runOn {
		if at[0] < len(rows) && at[1] < len(rows[at[0]]) {
			rows[at[0]][at[1]] += " " + strings.Join(ls, " ")
		}
	}
	return rows
}

// rowsTable writes rows of cells as a Markdown table, the first row with
// cells its header; rows without cells are left out.
func rowsTable(rows [][]string) []string {
	var cells []string
	cols := 0
	for _, r := range rows {
		if len(r) == 0 {
			continue
		}
		if cols == 0 {
			cols = len(r)
		}
		r = append(r, make([]string, max(0, cols-len(r)))...)
		cells = append(cells, r[:cols]...)
	}
	return markdownTable(cells, cols)
}

var (
	orgHeading = regexp.MustCompile(`^(\*+)\s+(?:(?:TODO|DONE)\s+)?(.*?)(?:\s+:[\w@#%:]+:)?$`)
	orgKeyword = regexp.MustCompile(`^#\+(\w+):\s*(.*)$`)
	orgRule    = regexp.MustCompile(`^\|[-+]+\|?$`)
	orgDrawer  = regexp.MustCompile(`^:[A-Z]+:$`)
	orgInline  = func() []inline {
		in := []inline{
			{regexp.MustCompile(`\[\[[^\]]*\]\[([^\]]*)\]\]`), "$1", "["}, // a link with its text
			{regexp.MustCompile(`\[\[([^\]]*)\]\]`), "$1", "["},           // a link
		}
		// Bold, italic, verbatim, code, struck through, underlined: each
		// marker closes what it opens.
		for _, m := range []string{"*", "/", "=", "~", "+", "_"} {
			q := regexp.QuoteMeta(m)
			in = append(in, inline{regexp.MustCompile(`(^|[\s("'])` + q + `([^\s` + q + `][^` + q + `\n]*?)` + q + `($|[\s)"'.,;:!?])`), "$1$2$3", m})
		}
		return in
	}()
)

// loadOrg reads an Org mode file: "* Heading" lines as Markdown headings,
// "#+TITLE:" as the document's title, a source or an example block's
// lines as they are.
func loadOrg(ctx context.Context, _ string, data []byte) (string, error) {
	var out []string
	block := "" // the block the lines are in: "src", "example", "quote" …
	drawer := false
	lines, err := markupLines(data)
	if err != nil {
		return "", err
	}
	for i, line := range lines {
		if err := poll(ctx, i); err != nil {
			return "", err
		}
		t := strings.TrimSpace(line)
		lower := strings.ToLower(t)
		switch {
		case strings.HasPrefix(lower, "#+begin_"):
			block = strings.Fields(lower[len("#+begin_"):] + " x")[0]
			continue
		case strings.HasPrefix(lower, "#+end_"):
			block = ""
			continue
		case block == "src" || block == "example":
			out = append(out, codeLine(line))
			continue
		case drawer && orgHeading.MatchString(line):
			drawer = false // no drawer holds a heading: it closed unmarked
		case drawer:
			drawer = !strings.EqualFold(t, ":END:")
			continue
		case orgDrawer.MatchString(t) && !strings.EqualFold(t, ":END:"):
			drawer = true // until ":END:", or a heading, which no drawer holds
			continue
		case t == "#" || strings.HasPrefix(t, "# "):
			continue // a comment
		}
		if m := orgKeyword.FindStringSubmatch(t); m != nil {
			if strings.EqualFold(m[1], "title") && m[2] != "" {
				out = append(out, headingLines(1, unwrap(m[2], orgInline))...)
			}
			continue
		}
		if m := orgHeading.FindStringSubmatch(line); m != nil {
			out = append(out, headingLines(len(m[1]), unwrap(m[2], orgInline))...)
			continue
		}
		if orgRule.MatchString(t) {
			if cells := strings.Count(t, "+") + 1; len(out) > 0 && strings.HasPrefix(out[len(out)-1], "|") {
				out = append(out, "|"+strings.Repeat(" --- |", cells)) // the header's rule
			}
			continue
		}
		out = append(out, unwrap(line, orgInline))
	}
	return tidyMarkup(out), nil
}
