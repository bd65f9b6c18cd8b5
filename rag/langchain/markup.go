package langchain

import (
	"context"
	"regexp"
	"strings"
)

// reStructuredText (Sphinx, Docutils) and AsciiDoc (Asciidoctor, Antora)
// are the plain-text formats handbooks and software documentation are
// written in besides Markdown. They are read as the text they are, line
// by line and indentation kept, with their section titles as Markdown
// heading lines (so that passages carry the path of sections they fall
// under, as in every other format), their scaffolding left out
// (adornment lines, block delimiters, directives, attribute lines,
// comments), their tables as Markdown tables and their inline markup
// unwrapped: "“--config PATH“" reads "--config PATH", "`the guide
// <https://…>`_" reads "the guide".
func init() {
	formats[".rst"] = format{load: loadRST}
	formats[".adoc"] = format{load: loadAsciiDoc}
	formats[".asciidoc"] = format{load: loadAsciiDoc}
}

// markupLines splits a text file into lines, without their line ends and
// trailing blanks.
func markupLines(data []byte) []string {
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return lines
}

// inline is one kind of inline markup and what it reads as.
type inline struct {
	expr *regexp.Regexp
	with string
}

// unwrap replaces each kind of inline markup in s, in turn.
func unwrap(s string, kinds []inline) string {
	for _, k := range kinds {
		s = k.expr.ReplaceAllString(s, k.with)
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
	{regexp.MustCompile("``([^`]+)``"), "$1"},                                          // literal
	{regexp.MustCompile(":[\\w:+-]+:`([^`<]*?)\\s*<[^`>]*>`"), "$1"},                   // a role with its target
	{regexp.MustCompile(":[\\w:+-]+:`([^`]+)`"), "$1"},                                 // a role
	{regexp.MustCompile("`([^`<]*?)\\s*<[^`>]*>`__?"), "$1"},                           // a hyperlink with its address
	{regexp.MustCompile("`([^`]+)`__?"), "$1"},                                         // a hyperlink reference
	{regexp.MustCompile(`\*\*([^*]+)\*\*`), "$1"},                                      // strong
	{regexp.MustCompile(`(^|[\s("'])\*([^*\s][^*\n]*?)\*($|[\s)"'.,;:!?])`), "$1$2$3"}, // emphasis
	{regexp.MustCompile("`([^`]+)`"), "$1"},                                            // interpreted text
}

// loadRST reads a reStructuredText file. Section titles take their levels
// in the order their adornment styles first appear, as Docutils assigns
// them.
func loadRST(ctx context.Context, _ string, data []byte) (string, error) {
	lines := markupLines(data)
	levels := map[string]int{} // adornment style (its character, "o" when overlined) → level
	var out []string
	skip := false    // in the indented body of a block not read (a comment, an image, a table of contents)
	options := false // after a directive's line: its option lines (":maxdepth: 2") are left out
	label := ""      // the label a read directive's first line of text is given
	for i := 0; i < len(lines); i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
		}
		line := lines[i]
		indented := line != "" && (line[0] == ' ' || line[0] == '\t')
		if line != "" && !indented {
			skip, options = false, false
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
		if m := rstExplicit.FindStringSubmatch(line); m != nil {
			name, arg := strings.ToLower(m[1]), strings.TrimSpace(m[2])
			l, read := rstRead[name]
			if !read {
				skip = true
				continue
			}
			options = true
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
		if strings.HasSuffix(line, "::") && strings.TrimSpace(line) != "::" {
			line = strings.TrimSuffix(line, ":")
		}
		out = append(out, line)
	}
	if label != "" {
		out = append(out, label+":")
	}
	return unwrap(tidyMarkup(out), rstInline), nil
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
	{regexp.MustCompile(`\b(?:link|xref|kbd|btn|footnote|image|menu|icon|pass):[^\s\[]*\[([^\]]*)\]`), "$1"}, // a macro's text
	{regexp.MustCompile(`((?:https?|ftp)://[^\s\[]+)\[\]`), "$1"},                                            // an address without text
	{regexp.MustCompile(`(?:https?|ftp|mailto):[^\s\[]+\[([^\]]+)\]`), "$1"},                                 // an address's text
	{regexp.MustCompile(`<<[^,>]+,\s*([^>]+)>>`), "$1"},                                                      // a cross reference's text
	{regexp.MustCompile(`<<([^>]+)>>`), "$1"},                                                                // a cross reference
	{regexp.MustCompile("`\\+?([^`]+?)\\+?`"), "$1"},                                                         // monospace
	{regexp.MustCompile(`\*\*([^*]+)\*\*`), "$1"},                                                            // strong, anywhere
	{regexp.MustCompile(`(^|[\s("'])\*([^*\s][^*\n]*?)\*($|[\s)"'.,;:!?])`), "$1$2$3"},                       // strong
	{regexp.MustCompile(`__([^_]+)__`), "$1"},                                                                // emphasis, anywhere
	{regexp.MustCompile(`(^|[\s("'])_([^_\s][^_\n]*?)_($|[\s)"'.,;:!?])`), "$1$2$3"},                         // emphasis, not snake_case
}

// loadAsciiDoc reads an AsciiDoc file: "= Title" is the document's title,
// "== Part" a section under it, as Markdown's "#" and "##". The lines of
// a listing or a literal block are kept as they are.
func loadAsciiDoc(ctx context.Context, _ string, data []byte) (string, error) {
	lines := markupLines(data)
	var out []string
	comment := false
	literal := ""      // the delimiter of the listing or literal block the lines are in
	var cells []string // the cells of the table the lines are in
	cols := 0          // its columns: as many as the cells of its first line
	table := false
	for i, line := range lines {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
		}
		switch {
		case literal != "":
			if line == literal {
				literal = ""
			} else {
				out = append(out, line)
			}
			continue
		case strings.HasPrefix(line, "////") && strings.Trim(line, "/") == "":
			comment = !comment
			continue
		case comment, strings.HasPrefix(line, "//"), adocAttribute.MatchString(line), adocBlockAttr.MatchString(line):
			continue
		case adocTable.MatchString(line):
			if table {
				out = append(out, markdownTable(cells, cols)...)
				cells, cols = nil, 0
			}
			table = !table
			continue
		case table:
			if strings.HasPrefix(line, "|") {
				cs := strings.Split(line, "|")[1:]
				if cols == 0 {
					cols = len(cs)
				}
				cells = append(cells, cs...)
			} else if line != "" && len(cells) > 0 {
				cells[len(cells)-1] += " " + line // a cell's text runs on
			}
			continue
		case adocDelimiter.MatchString(line):
			if strings.HasPrefix(line, "----") || strings.HasPrefix(line, "....") {
				literal = line
			}
			continue
		}
		if m := adocTitle.FindStringSubmatch(line); m != nil {
			out = append(out, strings.Repeat("#", len(m[1]))+" "+m[2])
			continue
		}
		if len(line) > 1 && line[0] == '.' && (line[1] >= 'A' && line[1] <= 'Z' || line[1] >= 'a' && line[1] <= 'z') {
			line = line[1:] // a block's title (".Installing on Linux")
		}
		if strings.ContainsAny(line, adocInlineMarks) {
			line = unwrap(line, adocInline)
		}
		out = append(out, line)
	}
	if table {
		out = append(out, markdownTable(cells, cols)...)
	}
	return tidyMarkup(out), nil
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
		return "| " + strings.Join(out, " | ") + " |"
	}
	out := []string{"", row(cells[:min(cols, len(cells))]), "|" + strings.Repeat(" --- |", cols)}
	for i := cols; i < len(cells); i += cols {
		out = append(out, row(cells[i:min(i+cols, len(cells))]))
	}
	return append(out, "")
}

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
