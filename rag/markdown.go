package rag

import (
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// A Markdown file's passages stay verbatim in citations; what an answer
// quotes from one is shown without its inline markup: "**25 days**" reads
// "25 days", "[the portal](https://…)" reads "the portal".

// isMarkdown reports a Markdown source by its extension.
func isMarkdown(source string) bool {
	switch strings.ToLower(filepath.Ext(source)) {
	case ".md", ".markdown":
		return true
	}
	return false
}

var (
	mdImage  = regexp.MustCompile(`!\[([^\]]*)\]\([^)\s]*(?:\s+"[^"]*")?\)`)
	mdLink   = regexp.MustCompile(`\[([^\]]+)\]\([^)\s]*(?:\s+"[^"]*")?\)`)
	mdStrong = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	mdEm     = regexp.MustCompile(`(^|[\s(])\*([^\s*](?:[^*]*?[^\s*])?)\*($|[\s).,;:!?])`)
	mdEmU    = regexp.MustCompile(`(^|[\s(])_([^\s_](?:[^_]*?[^\s_])?)_($|[\s).,;:!?])`)
	mdCode   = regexp.MustCompile("`([^`]+)`")
)

// plainMarkdown is s without Markdown's inline markup: images become their
// text, links their text, strong and emphasised text and code spans their
// content. Asterisks and underscores inside words ("snake_case", "2*3")
// are kept.
func plainMarkdown(s string) string {
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdCode.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdStrong.FindStringSubmatch(m)
		if sub[1] != sub[3] {
			return m
		}
		return sub[2]
	})
	s = mdEm.ReplaceAllString(s, "$1$2$3")
	return mdEmU.ReplaceAllString(s, "$1$2$3")
}

// tableSeparator is the line under a Markdown table's header row:
// "|---|:---:|", "--- | ---".
var tableSeparator = regexp.MustCompile(`^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?$|^\|\s*:?-{3,}:?\s*\|$`)

// isTableSeparator reports the line under a table's header row.
func isTableSeparator(line string) bool {
	return strings.Contains(line, "---") && tableSeparator.MatchString(line)
}

// isFence reports a line that opens or closes a Markdown code block
// ("```sh", "~~~").
func isFence(line string) bool {
	return strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~")
}

// isTableRow reports a line that can be a row of a Markdown table: it
// has a "|" between cells (with or without "|" at either end).
func isTableRow(line string) bool {
	return strings.Contains(line, "|")
}

// markTables finds the Markdown tables among the sentences of text (each
// a line of its own): the header row of each (head), and for each row
// under it the header's sentence (header).
func markTables(text string, sents []readSentence) {
	header := int32(-1)
	for i := range sents {
		line := text[sents[i].span.Start:sents[i].span.End]
		switch {
		case i > 0 && isTableRow(text[sents[i-1].span.Start:sents[i-1].span.End]) && isTableSeparator(line):
			header = int32(i - 1)
			sents[i-1].head = true
		case header >= 0 && isTableRow(line):
			sents[i].header = header
		default:
			header = -1
		}
	}
}

// tableCells returns the cells of a table row, trimmed; an escaped "\|"
// is a "|" inside a cell.
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	if strings.HasSuffix(row, "|") && !strings.HasSuffix(row, "\\|") {
		row = row[:len(row)-1]
	}
	var cells []string
	var b strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			b.WriteByte('|')
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(row[i])
		}
	}
	return append(cells, strings.TrimSpace(b.String()))
}

// tableRowText is a table row as a sentence that names its cells by the
// header's, as the structured formats' loaders write rows ("City: Paris;
// Nightly limit: 180 euros."); the row's cells joined by "; " when the
// two do not match.
func tableRowText(header, row string) string {
	hs, cs := tableCells(header), tableCells(row)
	var parts []string
	for i, c := range cs {
		switch {
		case c == "":
		case len(hs) == len(cs) && hs[i] != "":
			parts = append(parts, hs[i]+": "+c)
		default:
			parts = append(parts, c)
		}
	}
	if len(parts) == 0 {
		return strings.TrimSpace(row)
	}
	s := strings.Join(parts, "; ")
	if r, _ := utf8.DecodeLastRuneInString(s); !strings.ContainsRune(".!?", r) {
		s += "."
	}
	return s
}

// carriedHeader returns the header row of the Markdown table that a
// passage starting at byte start of the document text doc opens inside
// of: the row above the separator line the rows above start lead up to;
// "" when the lines above are not such a table's (or there are more than
// maxTableRows of them).
func carriedHeader(doc string, start int) string {
	lineStart := strings.LastIndexByte(doc[:start], '\n') + 1
	for range maxTableRows {
		if lineStart == 0 {
			return ""
		}
		end := lineStart - 1 // the previous line's newline
		begin := strings.LastIndexByte(doc[:end], '\n') + 1
		line := strings.TrimSpace(doc[begin:end])
		switch {
		case isTableSeparator(line):
			if begin == 0 {
				return ""
			}
			hb := strings.LastIndexByte(doc[:begin-1], '\n') + 1
			if header := strings.TrimSpace(doc[hb : begin-1]); isTableRow(header) {
				return header
			}
			return ""
		case !isTableRow(line):
			return ""
		}
		lineStart = begin
	}
	return ""
}

// maxTableRows bounds how far back carriedHeader looks for a table's
// header.
const maxTableRows = 1000
