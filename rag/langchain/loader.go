// Package langchain adapts github.com/tmc/langchaingo to citebot's domain:
// a rag.Loader built on langchaingo's document loaders (plain text,
// Markdown and PDF; reStructuredText, AsciiDoc, MediaWiki, Org, RTF, LaTeX and email (.eml) in process; HTML is read with goquery; Word, PowerPoint,
// OpenDocument and EPUB files and spreadsheets (CSV, TSV, XLSX, XLS, ODS) with
// encoding/csv, archive/zip and encoding/xml, within bounds for hostile
// archives), a rag.Splitter built on its
// recursive character splitter, rag.Generators and rag.Embedders on its OpenAI-compatible and
// Ollama clients, and a RetryTransport that retries 429 and 5xx replies
// with bounded backoff.
//
// It is the only package that imports langchaingo; rag depends on the
// interfaces, never on this package. It returns errors and never logs.
package langchain

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	nethtml "golang.org/x/net/html"

	"github.com/citebot/citebot/rag"
)

// Loader reads .txt, .md and .markdown files as they are, .rst, .adoc,
// .asciidoc, .wiki, .mediawiki and .org files as their text with their
// section titles as Markdown headings and their markup left out
// (markup.go), .rtf files as their
// paragraphs, headings and tables (rtf.go), .tex and .latex files as the
// body of the document under its title, their sections and abstract as
// Markdown headings, their lists, tables and captions read, and their
// preamble, comments, display math, citations and definitions left out
// (tex.go), .eml files as their subject as
// a title, their From, To, Cc and Date lines and their plain-text body
// (else its HTML), a forwarded message under its own subject and
// attachments named but not read (eml.go), .mbox files as their messages
// one after another, each under its subject (mbox.go), .msg files
// (Outlook messages) as .eml files are: their subject as a title, their
// From, To, Cc and Sent lines, their plain-text body (else its HTML, else
// its compressed RTF) and their attachments named but not read (msg.go),
// .html and .htm
// files as the text of their body (one line per block element, scripts and
// styles left out, a table as the structured formats' tables below), and
// .pdf files as the text of their pages laid out in paragraphs and
// headings, a table as a Markdown table (pdf.go, pdftable.go). .docx, .odt, .pptx, .odp and .epub files are read as
// paragraph lines with Markdown heading lines, a table's header row as
// cells joined by " | " and each other row as a sentence naming its cells
// by the header's (blocks.go), and each slide under a "# title" line (office.go,
// opendocument.go, epub.go). .ppt, .pps and .pot files (PowerPoint
// 97–2003) are read as .pptx files are: their slides in order, each under
// a "# title" line, their shapes' paragraphs and their tables' rows,
// speaker notes left out (ppt.go). .csv and .tsv files and the sheets of .xlsx,
// .xls (Excel 97–2003, xls.go) and .ods workbooks are read a row a line, each row as its header's names
// and its values ("date: 2024-12-26; holiday: Boxing Day."), each sheet
// under a "## name" line (sheets.go). Macro-enabled files, templates and
// slide shows of these (.docm, .dotx, .pptm, .ppsx, .xlsm, .xltx, .ott,
// .ots, …) are read as their documents are. The extension is matched
// case-insensitively; any other extension yields an error wrapping
// rag.ErrUnsupported.
//
// The PDF reader is not safe against crafted files: some overflow its
// stack (fatal, no recover catches it), loop forever or exhaust memory.
// The readers of Word, Excel and PowerPoint 97–2003 files and of Outlook
// messages follow a compound file's own chains of sectors
// (richardlehane/mscfb). A program that reads untrusted PDFs, .doc, .xls,
// .ppt or .msg files runs them through rag/isolate, which parses them
// with this Loader in a child process within a budget, as cmd/citebot
// does.
type Loader struct{}

var _ rag.Loader = Loader{}

// loaderVersion is bumped whenever a change to Load alters the text it
// extracts from any file, so that indexes built before extract it again.
// v2: HTML headings as Markdown headings, page chrome and hidden elements
// dropped, the <title> when there is no <h1>; v3: Word, PowerPoint,
// OpenDocument, EPUB and spreadsheet files read; v4: their tables' rows
// name their cells by the header's; v5: PDF pages laid out in lines,
// paragraphs and headings (pdf.go), HTML tables' rows as the structured
// formats' are; v6: RTF's hidden text left out, reStructuredText's and
// AsciiDoc's other tables read; LaTeX, email, mailboxes, Outlook
// messages, Excel and PowerPoint 97–2003 files, and Office's and
// OpenDocument's macro-enabled files and templates read; v7: PDF tables
// as Markdown tables.
const loaderVersion = "v7"

// ID names the loader's version (rag.Versioned).
func (Loader) ID() string { return "langchain-loader/" + loaderVersion }

// format is how Load reads the files of one extension.
type format struct {
	// binary is set for a format whose files are not text (an archive, a
	// PDF): they are read as bytes, never decoded as text first.
	binary bool
	load   func(ctx context.Context, name string, data []byte) (string, error)
}

// formats holds the formats other than those Load reads itself, by
// lower-case extension; each is added by the file that reads it. Load
// names the file in their errors.
var formats = map[string]format{}

// ext is name's lower-case extension, "\\" read as a separator too.
func ext(name string) string {
	return strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
}

// ReadsBinary reports whether the file name is of a format read as bytes
// (rag.BinaryFormats): not text that could be decoded or judged binary.
func (Loader) ReadsBinary(name string) bool {
	e := ext(name)
	return e == ".pdf" || formats[e].binary
}

// Load extracts the text of the file name whose content is data.
func (Loader) Load(ctx context.Context, name string, data []byte) (string, error) {
	if f, ok := formats[ext(name)]; ok {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("load %s: %w", name, err)
		}
		text, err := f.load(ctx, name, data)
		if err != nil {
			return "", fmt.Errorf("load %s: %w", name, err)
		}
		return text, nil
	}
	switch ext(name) {
	case ".txt", ".md", ".markdown":
		// The text is the file, as langchaingo's text loader returns it,
		// converted once: that loader copies it into a growing buffer first,
		// which held up to three times a large file at once.
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("load %s: %w", name, err)
		}
		return string(data), nil
	case ".html", ".htm":
		// The text is taken from the parsed page as it is: langchaingo's
		// HTML loader would re-parse the text as HTML (bluemonday), which
		// drops "&lt;script&gt;" and decodes "&amp;amp;" twice.
		page, err := blockLines(data)
		if err != nil {
			return "", fmt.Errorf("load %s: %w", name, err)
		}
		text := tidyLines(page.Find("body").Text())
		// The page's title is its first <h1>, which the text opens with as a
		// heading; without one, the <title> stands at the top.
		if title := strings.TrimSpace(spaceRun.ReplaceAllString(page.Find("title").First().Text(), " ")); title != "" && !strings.HasPrefix(text, "# ") {
			text = "# " + title + "\n\n" + text
		}
		return text, nil
	case ".pdf":
		text, err := readPDF(ctx, data)
		if err != nil {
			return "", fmt.Errorf("load %s: %w", name, err)
		}
		return text, nil
	default:
		return "", fmt.Errorf("%s: %w", name, rag.ErrUnsupported)
	}
}

// invisible are the elements whose content is not text a reader sees, and
// hidden ones.
const invisible = "script, style, noscript, template, svg, canvas, iframe, object, [hidden], [aria-hidden=true]"

// chrome are the parts of a page around its content: navigation, asides,
// and the page's own header and footer (not an article's, which hold its
// heading and byline).
const chrome = "nav, aside, body > header, body > footer, body > div > header, body > div > footer"

// hiddenStyle matches an inline style that hides the element.
var hiddenStyle = regexp.MustCompile(`(?i)display\s*:\s*none|visibility\s*:\s*hidden`)

// blockElements end a line of text.
var blockElements = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "dd": true, "div": true,
	"dl": true, "dt": true, "figcaption": true, "figure": true, "footer": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hr": true, "li": true, "main": true, "nav": true, "ol": true, "p": true, "pre": true,
	"section": true, "table": true, "td": true, "th": true, "tr": true, "ul": true, "caption": true,
}

// spaceRun matches the whitespace HTML renders as one space.
var spaceRun = regexp.MustCompile(`[ \t\r\n\f]+`)

// blockLines parses an HTML page and rewrites it so that its text has one
// line per block element: invisible elements are dropped, whitespace in
// text is collapsed as a browser would (except inside <pre>), and block
// elements and <br> become line breaks.
func blockLines(data []byte) (*goquery.Document, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", err)
	}
	doc.Find("head script, head style").Remove()
	doc.Find("body").Find(invisible).Remove()
	doc.Find("body").Find(chrome).Remove()
	doc.Find("body [style]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return hiddenStyle.MatchString(s.AttrOr("style", ""))
	}).Remove()
	for _, n := range doc.Find("body").Nodes {
		reflow(n, false)
	}
	return doc, nil
}

// reflow collapses whitespace in the text under n and puts line breaks
// around block elements.
func reflow(n *nethtml.Node, pre bool) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case nethtml.TextNode:
			if !pre {
				c.Data = spaceRun.ReplaceAllString(c.Data, " ")
			}
		case nethtml.ElementNode:
			switch {
			case c.Data == "table" && !layoutTable(c):
				// A table is written as the structured formats write one:
				// its header row, then each row as a sentence that names its
				// cells by the header's (tableRows).
				n.InsertBefore(&nethtml.Node{Type: nethtml.TextNode, Data: "\n\n" + strings.Join(tableLines(c), "\n\n") + "\n\n"}, c)
				n.RemoveChild(c)
			case c.Data == "br":
				n.InsertBefore(&nethtml.Node{Type: nethtml.TextNode, Data: "\n"}, c)
				n.RemoveChild(c)
			case blockElements[c.Data]:
				n.InsertBefore(&nethtml.Node{Type: nethtml.TextNode, Data: "\n\n"}, c)
				n.InsertBefore(&nethtml.Node{Type: nethtml.TextNode, Data: "\n\n"}, next)
				reflow(c, pre || c.Data == "pre")
				if level := headingLevel(c.Data); level > 0 {
					// A heading is written as Markdown writes it: a line
					// of its own that gives a section and is never quoted.
					flattenText(c)
					c.InsertBefore(&nethtml.Node{Type: nethtml.TextNode, Data: strings.Repeat("#", level) + " "}, c.FirstChild)
				}
			default:
				reflow(c, pre)
			}
		default:
			reflow(c, pre)
		}
		c = next
	}
}

// layoutTable reports a table that lays out a page rather than holding
// data: one with headings, lists or tables in it, read as the page's flow
// of blocks.
func layoutTable(table *nethtml.Node) bool {
	return goquery.NewDocumentFromNode(table).Find("h1, h2, h3, h4, h5, h6, ul, ol, table table").Length() > 0
}

// tableLines returns the lines of a table element: its caption, then its
// rows (tableRows), each cell's text on one line (its paragraphs and line
// breaks as spaces).
func tableLines(table *nethtml.Node) []string {
	var rows tableRows
	var lines []string
	text := func(n *nethtml.Node) string {
		reflow(n, false)
		return collapseSpace(goquery.NewDocumentFromNode(n).Text())
	}
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != nethtml.ElementNode {
				continue
			}
			switch c.Data {
			case "caption":
				if t := text(c); t != "" {
					lines = append(lines, t)
				}
				continue
			case "tr":
			default:
				walk(c) // thead, tbody, tfoot
				continue
			}
			var cells []string
			for td := c.FirstChild; td != nil; td = td.NextSibling {
				if td.Type == nethtml.ElementNode && (td.Data == "td" || td.Data == "th") {
					cells = append(cells, text(td))
				}
			}
			if l := rows.line(cells); l != "" {
				lines = append(lines, l)
			}
		}
	}
	walk(table)
	return lines
}

// headingLevel is 1 to 6 for h1 to h6, else 0.
func headingLevel(tag string) int {
	if len(tag) == 2 && tag[0] == 'h' && '1' <= tag[1] && tag[1] <= '6' {
		return int(tag[1] - '0')
	}
	return 0
}

// flattenText makes the text under n one line: a heading is one line
// whatever blocks or breaks it holds.
func flattenText(n *nethtml.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == nethtml.TextNode {
			c.Data = strings.Map(func(r rune) rune {
				if r == '\n' {
					return ' '
				}
				return r
			}, c.Data)
		}
		flattenText(c)
	}
}

// blankLines matches runs of blank lines.
var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyLines trims spaces around each line and keeps at most one blank line
// between paragraphs.
func tidyLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.Trim(l, " \t\r")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
