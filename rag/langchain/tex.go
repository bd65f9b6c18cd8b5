package langchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LaTeX sources (.tex, .latex), in which reports, theses and papers are
// written, are read in process by a reader of their own. The text is the
// body between \begin{document} and \end{document} (the preamble's
// definitions are no text), under the document's title (\title) as its
// "# " line: \part to \subparagraph and the abstract as Markdown heading
// lines, the highest level used written "##"; each paragraph one line;
// list items as "- " or "1. " lines, a description's as "label: text";
// a tabular's rows as the other structured formats' tables (tableRows),
// a title row above its header as a line of its own and a longtable's
// header once (its repeats and footers left out); a float's caption, a
// \captionof's or a \subfloat's, as "Table: …" or "Figure: …"; verbatim
// blocks and listings indented as code; inline math as its source without
// its dollars; inline markup unwrapped and escaped characters, accents,
// dashes and quotes as the characters they print. A footnote is kept in
// parentheses where it stands, so that the fact it holds can be found
// and quoted beside the sentence it annotates. Comments, text hidden by
// \iffalse or \if0, display math, citations and cross-references,
// labels, index entries, spacing and page commands, pictures, the options
// of environments and the definitions of commands are left out; \input
// and \include are not followed (one file never reads another).
//
// The reader reads each byte once, with stacks of its own rather than
// recursion. Braces or environments nested deeper than maxTeXDepth, a
// table row of more than maxTeXCells cells and more than maxTeXText bytes
// of text are errTeX; an argument or environment left open ends with the
// file, an argument of most commands at the end of its paragraph (as TeX
// reports a runaway argument there).
func init() {
	formats[".tex"] = format{load: loadTeX}
	formats[".latex"] = format{load: loadTeX}
}

// errTeX reports a LaTeX file over one of the limits below.
var errTeX = errors.New("LaTeX file over a limit")

const (
	// maxTeXDepth bounds the nesting of braces, and of environments: a
	// thesis's stays in the tens.
	maxTeXDepth = 1000
	// maxTeXCells bounds the cells of a table's row.
	maxTeXCells = 1000
	// maxTeXText bounds the text one file yields: a table's header names
	// are repeated in each of its rows.
	maxTeXText = 64 << 20
)

// texKind is what a command does with its arguments.
type texKind int

const (
	texInline   texKind = iota // its text argument is read where it stands, the others left out
	texRef                     // a citation or a cross-reference: left out, with the space before it
	texHeading                 // a section's title: a heading line
	texCaption                 // a float's caption: a line of its own
	texFootnote                // a footnote: its text in parentheses where it stands
	texItem                    // a list's item, its optional argument the item's label
	texBreak                   // \\: a table's row ends; elsewhere a space
	texPar                     // a paragraph ends
	texSpan                    // \multicolumn: its text fills as many cells as its first argument says
)

// texCommand is a command that takes arguments, or acts on the text.
type texCommand struct {
	// args are its arguments in order: 's' a star, 'o' an optional one
	// in brackets, 'p' an optional one in parentheses, 'm' a mandatory
	// one (braced, or else one token), 'v' a braced one read as it is
	// (an address, in which % is no comment).
	args  string
	text  int // the argument that is text, 1 for the first; 0 for none
	kind  texKind
	level int  // a heading's: 0 for \part to 6 for \subparagraph
	long  bool // its arguments may hold paragraphs; a blank line ends the others'
	// A caption's: short is the argument that is its text where the text
	// one is missing or empty (\subfloat[caption]{…}); float the one that
	// names the float, its label (\captionof{table}{…} reads "Table: …");
	// body one read where the command stands (\subfloat's contents).
	short, float, body int
}

// texCommands are the commands that take arguments or act; any other is
// left out, and a braced argument after it is read as a group (\emph{x},
// \textbf{x}, \mbox{x} read "x"). texLeftOut and texRefs add to them.
var texCommands = map[string]texCommand{
	"part":          {args: "som", text: 3, kind: texHeading, level: 0},
	"addpart":       {args: "som", text: 3, kind: texHeading, level: 0},
	"chapter":       {args: "som", text: 3, kind: texHeading, level: 1},
	"addchap":       {args: "som", text: 3, kind: texHeading, level: 1},
	"section":       {args: "som", text: 3, kind: texHeading, level: 2},
	"addsec":        {args: "som", text: 3, kind: texHeading, level: 2},
	"subsection":    {args: "som", text: 3, kind: texHeading, level: 3},
	"subsubsection": {args: "som", text: 3, kind: texHeading, level: 4},
	"paragraph":     {args: "som", text: 3, kind: texHeading, level: 5},
	"subparagraph":  {args: "som", text: 3, kind: texHeading, level: 6},

	"caption":       {args: "som", text: 3, kind: texCaption},
	"subcaption":    {args: "som", text: 3, kind: texCaption},
	"captionof":     {args: "smom", text: 4, kind: texCaption, float: 2},
	"subfloat":      {args: "oom", text: 2, kind: texCaption, short: 1, body: 3},
	"subcaptionbox": {args: "somoom", text: 3, kind: texCaption, short: 2, body: 6},
	"footnote":      {args: "om", text: 2, kind: texFootnote, long: true},
	"footnotetext":  {args: "om", text: 2, kind: texFootnote, long: true},
	"item":          {args: "o", text: 1, kind: texItem},
	"bibitem":       {args: "om", kind: texPar},

	`\`:              {args: "so", kind: texBreak},
	"newline":        {kind: texBreak},
	"tabularnewline": {kind: texBreak},
	"linebreak":      {args: "o", kind: texBreak},
	"par":            {kind: texPar},
	"newpage":        {kind: texPar},
	"clearpage":      {kind: texPar},
	"pagebreak":      {args: "o", kind: texPar},
	"bigskip":        {kind: texPar},
	"medskip":        {kind: texPar},
	"smallskip":      {kind: texPar},

	"url":             {args: "v", text: 1},
	"nolinkurl":       {args: "v", text: 1},
	"href":            {args: "vm", text: 2},
	"hyperref":        {args: "om", text: 2},
	"hyperlink":       {args: "mm", text: 2},
	"hypertarget":     {args: "mm", text: 2},
	"texorpdfstring":  {args: "mm", text: 1},
	"textcolor":       {args: "omm", text: 3},
	"colorbox":        {args: "omm", text: 3},
	"fcolorbox":       {args: "ommm", text: 4},
	"foreignlanguage": {args: "omm", text: 3},
	"makebox":         {args: "oom", text: 3},
	"framebox":        {args: "oom", text: 3},
	"parbox":          {args: "ooomm", text: 5},
	"raisebox":        {args: "moom", text: 4},
	"scalebox":        {args: "mom", text: 3},
	"resizebox":       {args: "smmm", text: 4},
	"rotatebox":       {args: "omm", text: 3},
	"multicolumn":     {args: "mmm", text: 3, kind: texSpan},
	"multirow":        {args: "omomom", text: 6},
}

// texLeftOut are commands left out with their arguments, by the
// arguments they take: the preamble's, metadata, labels, spacing,
// pictures, a table's rules.
var texLeftOut = map[string]string{
	"m": "label index glossary includeonly bibliography bibliographystyle graphicspath hypersetup " +
		"geometry pagestyle thispagestyle pagenumbering date thanks email stepcounter refstepcounter " +
		"newlength phantom hphantom vphantom cline verbatiminput selectlanguage lstset usetikzlibrary " +
		"tikzset pgfplotsset",
	"o":    "footnotemark printbibliography addlinespace toprule midrule bottomrule",
	"om":   "usepackage documentclass RequirePackage addbibresource title author color rowcolor cellcolor arrayrulecolor lstinputlisting marginpar todo captionsetup setminted includepdf",
	"mm":   "setlength addtolength setcounter addtocounter settowidth let",
	"sm":   "vspace hspace",
	"som":  "includegraphics",
	"mo":   "newcounter",
	"omm":  "rule inputminted",
	"ommm": "definecolor",
	"opm":  "cmidrule",
	"mmm":  "specialrule",
	"smm":  "DeclareMathOperator",
}

// texDefinitions define commands, environments and theorems: left out,
// their bodies may hold paragraphs.
var texDefinitions = map[string]string{
	"smoom":  "newcommand renewcommand providecommand",
	"smoomm": "newenvironment renewenvironment",
	"smomo":  "newtheorem",
}

// texRefs are citations and cross-references: their keys are no text, and
// the space before them goes with them ("as shown~\cite{x}." reads "as
// shown.").
var texRefs = map[string]string{
	"soom": "cite citep citet citealp citealt citeauthor citeyear parencite textcite autocite footcite supercite nocite",
	"sm":   "ref eqref pageref autoref cref Cref nameref vref",
}

func init() {
	for args, names := range texLeftOut {
		for _, n := range strings.Fields(names) {
			texCommands[n] = texCommand{args: args}
		}
	}
	for args, names := range texDefinitions {
		for _, n := range strings.Fields(names) {
			texCommands[n] = texCommand{args: args, long: true}
		}
	}
	for args, names := range texRefs {
		for _, n := range strings.Fields(names) {
			texCommands[n] = texCommand{args: args, kind: texRef}
		}
	}
}

// texSymbols are the commands that print a character or a word.
var texSymbols = map[string]string{
	"ldots": "…", "dots": "…", "textellipsis": "…", "textendash": "–", "textemdash": "—",
	"textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
	"guillemotleft": "«", "guillemotright": "»", "textbullet": "•", "textperiodcentered": "·",
	"LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "TeX": "TeX", "BibTeX": "BibTeX",
	"ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å",
	"l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "S": "§", "P": "¶", "dag": "†", "ddag": "‡",
	"copyright": "©", "textcopyright": "©", "textregistered": "®", "texttrademark": "™",
	"pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€", "textdollar": "$", "textyen": "¥",
	"textdegree": "°", "degree": "°", "textmu": "µ", "texttimes": "×", "textdiv": "÷", "textpm": "±",
	"textperthousand": "‰", "checkmark": "✓", "textbackslash": `\`, "textasciitilde": "~",
	"textasciicircum": "^", "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
	"slash": "/", "quad": " ", "qquad": " ", "enspace": " ", "thinspace": " ",
}

// texAccents are the letters an accent command and a letter make ("\'e"
// is é), by the accent's character and the letter; texMarks are the
// combining marks that accent any other letter.
var (
	texAccents = map[[2]rune]rune{}
	texMarks   = map[byte]rune{
		'\'': '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304',
		'.': '\u0307', 'c': '\u0327', 'v': '\u030C', 'u': '\u0306', 'H': '\u030B', 'k': '\u0328',
		'r': '\u030A', 'd': '\u0323', 'b': '\u0331', 't': '\u0361',
	}
)

func init() {
	for _, a := range []struct {
		accent   byte
		from, to string
	}{
		{'\'', "aeiouyAEIOUYcCnNsSzZlLrR", "áéíóúýÁÉÍÓÚÝćĆńŃśŚźŹĺĹŕŔ"},
		{'`', "aeiouAEIOU", "àèìòùÀÈÌÒÙ"},
		{'^', "aeiouAEIOUcCgGhHjJsSwWyY", "âêîôûÂÊÎÔÛĉĈĝĜĥĤĵĴŝŜŵŴŷŶ"},
		{'"', "aeiouyAEIOUY", "äëïöüÿÄËÏÖÜŸ"},
		{'~', "anoANOiuIU", "ãñõÃÑÕĩũĨŨ"},
		{'=', "aeiouAEIOU", "āēīōūĀĒĪŌŪ"},
		{'.', "zZcCeEgGI", "żŻċĊėĖġĠİ"},
		{'c', "cCsStT", "çÇşŞţŢ"},
		{'v', "cCsSzZeErRnNdDtT", "čČšŠžŽěĚřŘňŇďĎťŤ"},
		{'u', "aAgGuUeEoOiI", "ăĂğĞŭŬĕĔŏŎĭĬ"},
		{'H', "oOuU", "őŐűŰ"},
		{'k', "aAeEiIuU", "ąĄęĘįĮųŲ"},
		{'r', "aAuU", "åÅůŮ"},
	} {
		to := []rune(a.to)
		if len(to) != len(a.from) {
			panic("texAccents: " + a.from + " and " + a.to + " differ in length")
		}
		for i, c := range a.from {
			texAccents[[2]rune{rune(a.accent), c}] = to[i]
		}
	}
}

// texEnvKind is how an environment is read.
type texEnvKind int

const (
	texBlock        texEnvKind = iota // as the text around it, a paragraph of its own
	texItemList                       // itemize, enumerate, description
	texTabular                        // a table's rows (tableRows)
	texCode                           // verbatim: its lines indented as code
	texSkip                           // left out whole: display math, pictures, comments
	texAbstract                       // under the heading "Abstract"
	texBibliography                   // under the heading "References", an entry a paragraph
)

// texEnvironment is how an environment is read.
type texEnvironment struct {
	kind    texEnvKind
	args    string // its arguments after \begin{name}, left out (as texCommand's)
	caption string // a caption's label in it: "Table", "Figure"
	marker  byte   // a list's items': '-', '1' (numbered), ':' (labelled)
	long    bool   // a longtable: rows marked as its header and footers
}

// texEnvironments are the environments known; any other is read as a
// block (center, quote, a theorem), an options list in brackets right
// after its \begin left out (texTheorems' excepted).
var texEnvironments = map[string]texEnvironment{
	"itemize":         {kind: texItemList, args: "o", marker: '-'},
	"enumerate":       {kind: texItemList, args: "o", marker: '1'},
	"description":     {kind: texItemList, args: "o", marker: ':'},
	"tabular":         {kind: texTabular, args: "om"},
	"tabular*":        {kind: texTabular, args: "mom"},
	"tabularx":        {kind: texTabular, args: "mom"},
	"tabulary":        {kind: texTabular, args: "mom"},
	"longtable":       {kind: texTabular, args: "om", caption: "Table", long: true},
	"xltabular":       {kind: texTabular, args: "omm", caption: "Table", long: true},
	"table":           {args: "o", caption: "Table"},
	"table*":          {args: "o", caption: "Table"},
	"sidewaystable":   {args: "o", caption: "Table"},
	"wraptable":       {args: "omom", caption: "Table"},
	"subtable":        {args: "om", caption: "Table"},
	"figure":          {args: "o", caption: "Figure"},
	"figure*":         {args: "o", caption: "Figure"},
	"sidewaysfigure":  {args: "o", caption: "Figure"},
	"wrapfigure":      {args: "omom", caption: "Figure"},
	"subfigure":       {args: "om", caption: "Figure"},
	"minipage":        {args: "ooom"},
	"multicols":       {args: "mo"},
	"multicols*":      {args: "mo"},
	"adjustbox":       {args: "m"},
	"tcolorbox":       {args: "o"},
	"mdframed":        {args: "o"},
	"threeparttable":  {args: "o"},
	"columns":         {args: "o"},
	"column":          {args: "om"},
	"abstract":        {kind: texAbstract},
	"thebibliography": {kind: texBibliography, args: "m"},
	"verbatim":        {kind: texCode},
	"verbatim*":       {kind: texCode},
	"Verbatim":        {kind: texCode, args: "o"},
	"BVerbatim":       {kind: texCode, args: "o"},
	"LVerbatim":       {kind: texCode, args: "o"},
	"lstlisting":      {kind: texCode, args: "o"},
	"minted":          {kind: texCode, args: "om"},
}

// texTheorems are the usual theorem-like environments, whose optional
// argument is text: the theorem's name, "[Pythagoras]".
var texTheorems = map[string]bool{}

func init() {
	for _, name := range strings.Fields("theorem lemma proposition corollary definition remark example proof " +
		"conjecture claim exercise problem note observation fact assumption hypothesis") {
		texTheorems[name], texTheorems[name+"*"] = true, true
	}
	for _, name := range strings.Fields("comment equation equation* align align* alignat alignat* flalign flalign* " +
		"gather gather* multline multline* eqnarray eqnarray* displaymath math dmath dmath* tikzpicture picture " +
		"pgfpicture filecontents filecontents*") {
		texEnvironments[name] = texEnvironment{kind: texSkip}
	}
}

// loadTeX reads a LaTeX source.
func loadTeX(ctx context.Context, _ string, data []byte) (string, error) {
	src := strings.TrimPrefix(string(data), "\ufeff")
	title, err := texTitle(ctx, src)
	if err != nil {
		return "", err
	}
	r := newTeXReader(texBody(src))
	r.out.b.Grow(len(r.src))
	if title != "" {
		if err := r.out.line("# "+title, 2, 2); err != nil {
			return "", err
		}
	}
	if err := r.read(ctx); err != nil {
		return "", err
	}
	return r.out.String(), nil
}

// texBody is the document's body: src between \begin{document} and
// \end{document}, or from or to the one of them it has, or else all of it.
func texBody(src string) string {
	start := 0
	if at := texFind(src, `\begin{document}`, 0); at >= 0 {
		start = at + len(`\begin{document}`)
	}
	if at := texFind(src, `\end{document}`, start); at >= 0 {
		return src[start:at]
	}
	return src[start:]
}

// texTitle is the text of the document's \title, "" for none.
func texTitle(ctx context.Context, src string) (string, error) {
	at := texFind(src, `\title`, 0)
	if at < 0 {
		return "", nil
	}
	r := newTeXReader(src)
	r.i = at + len(`\title`)
	if j := r.skipBlanks(); j < len(src) && src[j] == '[' {
		r.i = texBracketEnd(src, j) // the short title
	}
	j := r.skipBlanks()
	if j >= len(src) || src[j] != '{' {
		return "", nil
	}
	arg, _ := texBraced(src, j, true)
	t := newTeXReader(arg)
	if err := t.read(ctx); err != nil {
		return "", err
	}
	return collapseSpace(t.out.b.String()), nil
}

// texFind is where pat is in s from from on, outside comments; a pat that
// names a command is not found in a longer name (\title in \titlepage).
// -1 when it is not there.
func texFind(s, pat string, from int) int {
	for from <= len(s) {
		k := strings.Index(s[from:], pat)
		if k < 0 {
			return -1
		}
		at, end := from+k, from+k+len(pat)
		if end < len(s) && isLetter(s[end]) && isLetter(pat[len(pat)-1]) {
			from = end
			continue
		}
		if texCommented(s, at) {
			nl := strings.IndexByte(s[at:], '\n')
			if nl < 0 {
				return -1
			}
			from = at + nl + 1 // the rest of the line is comment too
			continue
		}
		return at
	}
	return -1
}

// texCommented reports whether s[at] is in a comment: after a % on its
// line that no backslash escapes.
func texCommented(s string, at int) bool {
	for i := strings.LastIndexByte(s[:at], '\n') + 1; i < at; i++ {
		switch s[i] {
		case '\\':
			i++
		case '%':
			return true
		}
	}
	return false
}

// texBraced is the text of the group that opens at s[i] ('{') and where
// it ends; one left open runs to the end of s. With comments set, a brace
// in a comment is no brace.
func texBraced(s string, i int, comments bool) (string, int) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '%':
			if comments {
				if nl := strings.IndexByte(s[j:], '\n'); nl >= 0 {
					j += nl
				} else {
					j = len(s)
				}
			}
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return s[i+1 : j], j + 1
			}
		}
	}
	return s[min(i+1, len(s)):], len(s)
}

// texBracketEnd is where the optional argument that opens at s[i] ('[')
// ends: past its "]" outside braces, or at the end of s.
func texBracketEnd(s string, i int) int {
	depth := 0
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			depth--
		case ']':
			if depth <= 0 {
				return j + 1
			}
		}
	}
	return len(s)
}

// texReader reads LaTeX source into text, byte by byte.
type texReader struct {
	src string
	i   int
	bol bool // nothing but blanks read since the line began: a line break here ends the paragraph

	par    []byte         // the paragraph being read
	frames []texFrame     // the groups and arguments open, innermost last
	calls  []*texCall     // the commands whose arguments are being read, innermost last
	short  []int          // the indexes in frames of the open arguments that a blank line ends
	envs   []texEnv       // the environments open, innermost last
	open   map[string]int // how many of each are open
	lists  []*texList     // the lists open, innermost last
	floats []string       // the caption labels of the floats open, innermost last
	table  *texTable      // the outermost table open
	tables int            // the tables open, nested ones too
	notes  int            // the footnotes open

	out texWriter
}

func newTeXReader(src string) *texReader {
	return &texReader{src: src, bol: true, open: map[string]int{}}
}

// texFrame is a group or an argument being read.
type texFrame struct {
	close byte     // the character that closes it: '}' or ']'
	sink  *[]byte  // where its text goes; nil where it is left out
	call  *texCall // the command it is an argument of; nil for a group
	note  bool     // it is a footnote's text: a blank line in it is a space
}

// texCall is a command whose arguments are being read.
type texCall struct {
	texCommand
	arg   int     // the arguments read so far
	depth int     // the frames open where it stands
	sink  *[]byte // where the text was going there; nil where it is left out
	own   []byte  // the text of its argument that is not read in place: a heading's, a caption's
	alt   []byte  // a caption's short text, or the name of its float
	paren bool    // a footnote's "(" is written before its text
}

// texEnv is an environment open.
type texEnv struct {
	name  string
	kind  texEnvKind
	float bool // it gave captions a label
}

// texList is a list open.
type texList struct {
	marker  byte
	n       int    // its items so far
	label   string // the item's label (\item[label])
	pending bool   // the item's first paragraph is not written yet
}

// texTable is a table being read.
type texTable struct {
	depth int      // the frames open where it began: its & and \\ count there
	cell  []byte   // the cell being read
	cells []string // the row's cells before it
	span  int      // empty cells to add after it: a \multicolumn's
	real  int      // the row's cells ended, without the empty ones a \multicolumn added
	row   int      // where the row began in the source
	rows  tableRows

	// A longtable's rows are held until a marker says what they are
	// (\endfirsthead, \endhead, \endfoot, \endlastfoot) or the table
	// ends: the header, the header repeated on each page, a footer.
	long  bool
	first bool     // \endfirsthead was read: \endhead's rows are the header repeated
	held  []texRow // the rows and captions since the last marker
}

// texRow is a table's row, or a caption, held.
type texRow struct {
	cells   []string
	title   bool   // one cell with text, spanning all the others
	caption string // a caption's line, in place of cells
}

// maxTeXHeld bounds the rows a longtable holds: its header and footers
// are a few rows, and once it holds more they are its body, written.
const maxTeXHeld = 64

// texListDepth is the deepest a list is indented: LaTeX nests lists four
// deep at most.
const texListDepth = 4

// texTop is the level of the headings that stand at the top whatever the
// document's sections are: the abstract, the references.
const texTop = -1

// texWriter writes the lines read: paragraphs, headings and table rows
// with a blank line around them, a list's items and a listing's lines one
// under another. The headings' "#" marks are written last, when the
// highest level used is known.
type texWriter struct {
	b     strings.Builder
	gap   int // the line breaks owed after the last line: 1, or 2 for a blank line
	heads []texHead
}

// texHead is a heading written without its marks.
type texHead struct {
	at    int // where its text starts
	level int // texTop, or a sectioning command's
}

// breakLine starts a line, after gap line breaks or more if the last line
// asked for them.
func (w *texWriter) breakLine(gap int) {
	if w.b.Len() == 0 {
		return
	}
	w.b.WriteByte('\n')
	if max(gap, w.gap) > 1 {
		w.b.WriteByte('\n')
	}
}

// line writes a line of text, before line breaks (or more) from the one
// before it and after from the next.
func (w *texWriter) line(text string, before, after int) error {
	w.breakLine(before)
	return w.write(text, after)
}

// heading writes a heading line.
func (w *texWriter) heading(level int, text string) error {
	w.breakLine(2)
	w.heads = append(w.heads, texHead{at: w.b.Len(), level: level})
	return w.write(text, 2)
}

// write writes text on the line begun, gap line breaks (or more) from
// the next.
func (w *texWriter) write(text string, gap int) error {
	w.b.WriteString(text)
	w.gap = gap
	if w.b.Len() > maxTeXText {
		return fmt.Errorf("%w: more than %d bytes of text", errTeX, maxTeXText)
	}
	return nil
}

// String is the text written, its headings marked: the highest
// sectioning level used and texTop as "##", each level below one "#" more
// (at most six).
func (w *texWriter) String() string {
	s := w.b.String()
	if len(w.heads) == 0 {
		return s
	}
	top := -1
	for _, h := range w.heads {
		if h.level != texTop && (top < 0 || h.level < top) {
			top = h.level
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 8*len(w.heads))
	prev := 0
	for _, h := range w.heads {
		rank := 2
		if h.level != texTop {
			rank = min(h.level-top+2, 6)
		}
		b.WriteString(s[prev:h.at])
		b.WriteString(strings.Repeat("#", rank))
		b.WriteByte(' ')
		prev = h.at
	}
	b.WriteString(s[prev:])
	return b.String()
}

// texSpecial are the bytes that end a run of plain text.
var texSpecial = func() (special [256]bool) {
	for _, c := range []byte("\\{}]%\n \t\r~$&-`'") {
		special[c] = true
	}
	return special
}()

// read reads the source to its end.
func (r *texReader) read(ctx context.Context) error {
	for n := 0; ; n++ {
		if err := poll(ctx, n); err != nil {
			return err
		}
		if k := len(r.calls); k > 0 && r.calls[k-1].depth == len(r.frames) {
			if err := r.nextArg(); err != nil {
				return err
			}
			continue
		}
		if r.i >= len(r.src) {
			break
		}
		if err := r.step(); err != nil {
			return err
		}
	}
	if err := r.unwind(0); err != nil {
		return err
	}
	for len(r.envs) > 0 {
		if err := r.endEnv(); err != nil {
			return err
		}
	}
	return r.endParagraph()
}

// step reads the next token of text.
func (r *texReader) step() error {
	c := r.src[r.i]
	if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
		r.bol = false
	}
	switch c {
	case '\\':
		return r.control()
	case '{':
		r.i++
		return r.push(texFrame{close: '}', sink: r.sink()})
	case '}', ']':
		r.i++
		if n := len(r.frames); n > 0 && r.frames[n-1].close == c {
			r.pop()
		} else if c == ']' {
			r.write("]") // a bracket in the text; a stray brace is dropped
		}
	case '%':
		r.skipComment()
	case '\n':
		r.i++
		if r.bol {
			return r.parBreak()
		}
		r.bol = true
		r.write(" ")
	case ' ', '\t', '\r':
		for r.i < len(r.src) && (r.src[r.i] == ' ' || r.src[r.i] == '\t' || r.src[r.i] == '\r') {
			r.i++
		}
		r.write(" ")
	case '~':
		r.i++
		r.write(" ")
	case '$':
		if strings.HasPrefix(r.src[r.i:], "$$") {
			r.skipTo(r.i+2, "$$") // display math
			r.write(" ")
		} else {
			r.i++
			r.inlineMath("$")
		}
	case '&':
		r.i++
		if t := r.table; t != nil && r.tables == 1 && len(r.frames) <= t.depth {
			return t.endCell()
		}
		r.write(" ")
	case '-':
		// TeX's ligatures: "---" an em dash, "--" an en dash.
		j := r.i
		for j < len(r.src) && r.src[j] == '-' {
			j++
		}
		n := j - r.i
		r.i = j
		r.write(strings.Repeat("—", n/3) + [...]string{"", "-", "–"}[n%3])
	case '`', '\'':
		r.i++
		switch {
		case r.i >= len(r.src) || r.src[r.i] != c:
			r.write("'") // a single quote, either way, as typed
		case c == '`':
			r.i++
			r.write("“")
		default:
			r.i++
			r.write("”")
		}
	default:
		j := r.i + 1
		for j < len(r.src) && !texSpecial[r.src[j]] {
			j++
		}
		r.write(r.src[r.i:j])
		r.i = j
	}
	return nil
}

// sink is where text read now goes: the cell of the table being read, the
// innermost group's or argument's text, or the paragraph; nil where it is
// left out.
func (r *texReader) sink() *[]byte {
	if t := r.table; t != nil && len(r.frames) <= t.depth {
		return &t.cell
	}
	if n := len(r.frames); n > 0 {
		return r.frames[n-1].sink
	}
	return &r.par
}

// write adds text where text goes now.
func (r *texReader) write(s string) {
	if p := r.sink(); p != nil {
		*p = append(*p, s...)
	}
}

// push opens a group or an argument.
func (r *texReader) push(f texFrame) error {
	if len(r.frames) >= maxTeXDepth {
		return fmt.Errorf("%w: braces nested more than %d deep", errTeX, maxTeXDepth)
	}
	if f.call != nil && !f.call.long {
		r.short = append(r.short, len(r.frames))
	}
	r.frames = append(r.frames, f)
	return nil
}

// pop closes the innermost group or argument.
func (r *texReader) pop() texFrame {
	n := len(r.frames) - 1
	f := r.frames[n]
	r.frames = r.frames[:n]
	if k := len(r.short) - 1; k >= 0 && r.short[k] == n {
		r.short = r.short[:k]
	}
	if f.note {
		r.notes--
	}
	return f
}

// unwind closes the groups and arguments open past the first depth ones,
// and ends the commands whose arguments they are, their further arguments
// unread.
func (r *texReader) unwind(depth int) error {
	for len(r.frames) > depth {
		if f := r.pop(); f.call != nil {
			r.calls = r.calls[:len(r.calls)-1]
			if err := r.finish(f.call); err != nil {
				return err
			}
		}
	}
	return nil
}

// parBreak acts on a blank line: it ends the arguments open that cannot
// hold paragraphs (TeX's runaway argument), then the paragraph; in a
// footnote, a cell or a heading it is a space.
func (r *texReader) parBreak() error {
	if len(r.short) > 0 {
		if err := r.unwind(r.short[0]); err != nil {
			return err
		}
	}
	switch p := r.sink(); {
	case p == &r.par && r.notes == 0:
		return r.endParagraph()
	case p != nil:
		*p = append(*p, ' ')
	}
	return nil
}

// skipComment skips a comment, its line end and the next line's leading
// blanks: the lines around it join as if it were not there.
func (r *texReader) skipComment() {
	if nl := strings.IndexByte(r.src[r.i:], '\n'); nl >= 0 {
		r.i += nl + 1
	} else {
		r.i = len(r.src)
	}
	for r.i < len(r.src) && (r.src[r.i] == ' ' || r.src[r.i] == '\t') {
		r.i++
	}
	r.bol = true
}

// skipTo skips past the next end from from on, or to the end of the source.
func (r *texReader) skipTo(from int, end string) {
	if k := strings.Index(r.src[from:], end); k >= 0 {
		r.i = from + k + len(end)
	} else {
		r.i = len(r.src)
	}
}

// skipBlanks is where the next argument of a command would start: past
// blanks, comments and one line end, but not into a blank line.
func (r *texReader) skipBlanks() int {
	j, lineEnd := r.i, false
	for j < len(r.src) {
		switch r.src[j] {
		case ' ', '\t', '\r':
			j++
		case '\n':
			if lineEnd {
				return j
			}
			lineEnd = true
			j++
		case '%':
			nl := strings.IndexByte(r.src[j:], '\n')
			if nl < 0 {
				return len(r.src)
			}
			j += nl + 1
			lineEnd = true
		default:
			return j
		}
	}
	return j
}

// skipSpace skips the blanks after a control word, and one line end
// (TeX's rule), and reports whether there were any.
func (r *texReader) skipSpace() bool {
	start := r.i
	for r.i < len(r.src) && (r.src[r.i] == ' ' || r.src[r.i] == '\t' || r.src[r.i] == '\r') {
		r.i++
	}
	if r.i < len(r.src) && r.src[r.i] == '\n' {
		r.i++
		r.bol = true
	}
	return r.i > start
}

// control reads a command: a control word ("\section") or a control
// symbol ("\%").
func (r *texReader) control() error {
	r.i++ // the backslash
	if r.i >= len(r.src) {
		return nil
	}
	if c := r.src[r.i]; !isLetter(c) {
		return r.symbol(c)
	}
	j := r.i
	for j < len(r.src) && isLetter(r.src[j]) {
		j++
	}
	name := r.src[r.i:j]
	r.i = j
	if r.falseConditional(name) {
		r.skipFalse()
		return nil
	}
	switch name {
	case "endfirsthead", "endhead", "endfoot", "endlastfoot", "kill":
		if t := r.table; t != nil && r.tables == 1 && len(r.frames) <= t.depth {
			return r.tableMarker(name)
		}
	case "begin":
		return r.begin()
	case "end":
		return r.end()
	case "verb", "lstinline", "mintinline":
		r.verb(name)
		return nil
	case "input", "include":
		r.skipInput()
		return nil
	case "def", "gdef", "edef", "xdef":
		return r.def()
	case "c", "v", "u", "H", "k", "r", "d", "b", "t":
		r.accent(name[0])
		return nil
	}
	if cmd, ok := texCommands[name]; ok {
		return r.call(cmd)
	}
	if r.i < len(r.src) && r.src[r.i] == '*' {
		r.i++ // an unknown command's star
	}
	spaced := r.skipSpace()
	if s, ok := texSymbols[name]; ok {
		r.write(s)
		if spaced && isLetter(s[len(s)-1]) {
			r.write(" ") // "\LaTeX is" reads "LaTeX is"; "stra\ss e" reads "straße", as TeX has them
		}
	}
	return nil // an unknown command is left out
}

// falseConditional reports whether the control word name, just read, begins a
// conditional that is false, in text that is read: \iffalse, or \if0
// (which compares "0" with the next token), as drafts are hidden.
func (r *texReader) falseConditional(name string) bool {
	if name != "iffalse" && name != "if" || r.sink() == nil {
		return false // in a definition, \iffalse may be closed by another's \fi
	}
	if name == "if" {
		j := r.i
		for j < len(r.src) && (r.src[j] == ' ' || r.src[j] == '\t') {
			j++
		}
		return j < len(r.src) && r.src[j] == '0'
	}
	return true
}

// skipFalse leaves out a false conditional's text, as TeX skips it: to
// its \else or its matching \fi, the conditionals within it counted (any
// control word that starts "if"), comments left out. One left open runs
// to the end of the source.
func (r *texReader) skipFalse() {
	depth := 1
	for i := r.i; i < len(r.src); {
		k := strings.IndexAny(r.src[i:], `\%`)
		if k < 0 {
			break
		}
		i += k
		if r.src[i] == '%' {
			nl := strings.IndexByte(r.src[i:], '\n')
			if nl < 0 {
				break
			}
			i += nl + 1
			continue
		}
		j := i + 1
		for j < len(r.src) && isLetter(r.src[j]) {
			j++
		}
		word := r.src[i+1 : j]
		if j == i+1 {
			j = min(j+1, len(r.src)) // a control symbol: \\, \%
		}
		i = j
		switch {
		case word == "fi":
			depth--
		case word == "else" && depth == 1:
			depth = 0
		case strings.HasPrefix(word, "if"):
			depth++
		}
		if depth == 0 {
			r.i = i
			r.skipSpace()
			return
		}
	}
	r.i = len(r.src)
}

// symbol reads a control symbol: a backslash and one character that is
// not a letter.
func (r *texReader) symbol(c byte) error {
	r.i++
	switch c {
	case '\\':
		return r.call(texCommands[`\`])
	case '%', '&', '$', '#', '_', '{', '}':
		r.write(string(c))
	case ' ', '\t', '\r', ',', ';', ':', '>':
		r.write(" ") // a space, thin or not
	case '\n':
		r.write(" ")
		r.bol = true
	case '(':
		r.inlineMath(`\)`)
	case '[':
		r.skipTo(r.i, `\]`) // display math
		r.write(" ")
	case '\'', '`', '^', '"', '~', '=', '.':
		r.accent(c)
	default:
		if c >= utf8.RuneSelf {
			_, size := utf8.DecodeRuneInString(r.src[r.i-1:])
			r.write(r.src[r.i-1 : r.i-1+size])
			r.i += size - 1
		}
		// \- \/ \@ \! and stray math delimiters print nothing
	}
	return nil
}

// call starts reading the arguments of a command; nextArg reads them.
func (r *texReader) call(cmd texCommand) error {
	c := &texCall{texCommand: cmd, depth: len(r.frames), sink: r.sink()}
	if c.sink != nil {
		switch cmd.kind {
		case texHeading, texCaption, texItem, texPar:
			if err := r.endParagraph(); err != nil {
				return err
			}
		case texRef:
			*c.sink = bytes.TrimRight(*c.sink, " ")
		}
	}
	r.calls = append(r.calls, c)
	return nil
}

// nextArg reads the next argument of the innermost command, or ends the
// command when it has no more.
func (r *texReader) nextArg() error {
	c := r.calls[len(r.calls)-1]
	for c.arg < len(c.args) {
		spec := c.args[c.arg]
		c.arg++
		j := r.skipBlanks()
		next := byte(0)
		if j < len(r.src) {
			next = r.src[j]
		}
		switch {
		case spec == 's' && next == '*':
			r.i, r.bol = j+1, false
		case spec == 'o' && next == '[':
			r.i, r.bol = j+1, false
			return r.push(texFrame{close: ']', sink: r.argSink(c), call: c})
		case spec == 'p' && next == '(':
			if k := strings.IndexByte(r.src[j:min(len(r.src), j+64)], ')'); k >= 0 {
				r.i, r.bol = j+k+1, false // cmidrule's (lr): short, left out
			}
		case spec == 'm' && next == '{':
			r.i, r.bol = j+1, false
			f := texFrame{close: '}', sink: r.argSink(c), call: c}
			if c.kind == texFootnote && f.sink != nil {
				// A footnote is read in place, in parentheses: its text is
				// never copied, however deep footnotes nest.
				*f.sink = append(*f.sink, " ("...)
				c.paren, f.note = true, true
				r.notes++
			}
			return r.push(f)
		case spec == 'v' && next == '{':
			arg, end := texBraced(r.src, j, false)
			r.i, r.bol = end, false
			if p := r.argSink(c); p != nil {
				*p = append(*p, texUnescape.Replace(arg)...)
			}
		case spec == 'm':
			if !r.tokenArg(c, j) {
				c.arg = len(c.args) // a mandatory argument missing: the command ends
			}
		case spec == 'v':
			c.arg = len(c.args)
		}
	}
	r.calls = r.calls[:len(r.calls)-1]
	return r.finish(c)
}

// texUnescape reads the characters escaped in an address.
var texUnescape = strings.NewReplacer(`\%`, "%", `\#`, "#", `\_`, "_", `\&`, "&", `\~`, "~", `\$`, "$")

// argSink is where the text of the argument c is reading goes: where the
// command stands, into its own text, or nowhere.
func (r *texReader) argSink(c *texCall) *[]byte {
	switch {
	case c.sink == nil:
		return nil
	case c.kind == texSpan && c.arg == 1:
		return &c.own // the number of columns
	case c.arg == c.body:
		return c.sink
	case c.arg == c.short || c.arg == c.float:
		return &c.alt
	case c.arg != c.text:
		return nil
	case c.kind == texInline, c.kind == texSpan, c.kind == texFootnote:
		return c.sink
	}
	return &c.own
}

// tokenArg reads an argument given without braces at j: one token, a
// command (left out) or a character. It reports false where there is none.
func (r *texReader) tokenArg(c *texCall, j int) bool {
	if j >= len(r.src) {
		return false
	}
	switch ch := r.src[j]; ch {
	case '}', ']', '\n', '%':
		return false
	case '\\':
		k := j + 1
		for k < len(r.src) && isLetter(r.src[k]) {
			k++
		}
		if k == j+1 && k < len(r.src) {
			k++ // a control symbol
		}
		r.i = k
	default:
		_, size := utf8.DecodeRuneInString(r.src[j:])
		if p := r.argSink(c); p != nil {
			*p = append(*p, r.src[j:j+size]...)
		}
		r.i = j + size
	}
	r.bol = false
	return true
}

// finish acts on a command whose arguments are read.
func (r *texReader) finish(c *texCall) error {
	if c.sink == nil {
		return nil // in text left out
	}
	own := collapseSpace(string(c.own))
	switch c.kind {
	case texHeading:
		if own != "" {
			return r.out.heading(c.level, own)
		}
	case texCaption:
		return r.caption(c, own)
	case texFootnote:
		if c.paren {
			if *c.sink = bytes.TrimRight(*c.sink, " "); bytes.HasSuffix(*c.sink, []byte(" (")) {
				*c.sink = (*c.sink)[:len(*c.sink)-2] // an empty footnote
			} else {
				*c.sink = append(*c.sink, ')')
			}
		}
	case texItem:
		if len(r.lists) == 0 {
			*c.sink = append(*c.sink, own+" "...) // an item outside a list: its label as text
			return nil
		}
		l := r.lists[len(r.lists)-1]
		l.n++
		l.label, l.pending = own, true
	case texBreak:
		if t := r.table; t != nil && r.tables == 1 && c.depth <= t.depth {
			return r.endRow()
		}
		*c.sink = append(*c.sink, ' ')
	case texSpan:
		if n, err := strconv.Atoi(own); err == nil && n > 1 {
			if t := r.table; t != nil && r.tables == 1 && c.depth <= t.depth {
				// At most one empty cell for each byte of the row: a
				// crafted span costs no more than the text it takes.
				t.span = min(n-1, r.i-t.row)
			}
		}
	}
	return nil
}

// caption writes a caption's line, after the label of its float: "Table:
// …", "Figure: …". In a longtable it is held with the rows around it: a
// caption repeated on each page is left out with them.
func (r *texReader) caption(c *texCall, text string) error {
	label := ""
	if n := len(r.floats); n > 0 {
		label = r.floats[n-1]
	}
	switch alt := collapseSpace(string(c.alt)); {
	case c.float > 0:
		label = alt
		if ch, size := utf8.DecodeRuneInString(label); size > 0 {
			label = string(unicode.ToUpper(ch)) + label[size:]
		}
	case text == "":
		text = alt
	}
	if text == "" {
		return nil
	}
	if label != "" {
		text = label + ": " + text
	}
	if t := r.table; t != nil && t.long && r.tables == 1 && c.depth <= t.depth {
		return r.hold(texRow{caption: text})
	}
	return r.paragraph(text)
}

// texCollapse is collapseSpace of b, without the slice of its words:
// every paragraph passes through it, and collapseSpace(string(b)) costs
// BenchmarkLoadTeX's handbook nearly twice the bytes allocated (772 KB an
// op against 413 KB, 2,630 allocations against 2,229) and about a tenth
// of its time.
func texCollapse(b []byte) string {
	out := make([]byte, 0, len(b))
	space := false
	for i := 0; i < len(b); {
		c, size := utf8.DecodeRune(b[i:])
		if unicode.IsSpace(c) {
			space = len(out) > 0
		} else {
			if space {
				out = append(out, ' ')
				space = false
			}
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return string(out)
}

// paragraph writes a line of text with a blank line around it.
func (r *texReader) paragraph(text string) error {
	if text == "" {
		return nil
	}
	return r.out.line(noHeading(text), 2, 2)
}

// endParagraph writes the paragraph read: in a list, the item's first
// paragraph after its marker, the others indented under it.
func (r *texReader) endParagraph() error {
	text := texCollapse(r.par)
	r.par = r.par[:0]
	if len(r.lists) == 0 {
		return r.paragraph(text)
	}
	l := r.lists[len(r.lists)-1]
	indent := strings.Repeat("  ", min(len(r.lists), texListDepth)-1)
	if l.pending {
		l.pending = false
		if text == "" && l.label == "" {
			return nil // an item whose text is a list
		}
		prefix := l.prefix()
		if prefix == "" {
			text = noHeading(text)
		}
		return r.out.line(strings.TrimRight(indent+prefix+text, " "), 1, 1)
	}
	if text == "" {
		return nil
	}
	return r.out.line(indent+"  "+noHeading(text), 1, 1)
}

// prefix is what the list's item is written after: "- ", "2. ", the
// item's label and a space, or a description's label and ": ".
func (l *texList) prefix() string {
	switch {
	case l.marker == ':' && l.label != "":
		return strings.TrimSuffix(l.label, ":") + ": "
	case l.marker == ':':
		return ""
	case l.label != "":
		return l.label + " "
	case l.marker == '1':
		return strconv.Itoa(l.n) + ". "
	}
	return "- "
}

// endCell ends the table's cell, and the empty ones a \multicolumn spans.
func (t *texTable) endCell() error {
	t.cells = append(t.cells, string(t.cell))
	t.real++
	for ; t.span > 0; t.span-- {
		t.cells = append(t.cells, "")
	}
	t.cell = t.cell[:0]
	if len(t.cells) > maxTeXCells {
		return fmt.Errorf("%w: a table row of more than %d cells", errTeX, maxTeXCells)
	}
	return nil
}

// endRow ends the table's row, and writes it (writeRow) or, in a
// longtable, holds it.
func (r *texReader) endRow() error {
	t := r.table
	if err := t.endCell(); err != nil {
		return err
	}
	row := texRow{cells: t.cells, title: t.real == 1 && len(t.cells) > 1}
	t.cells, t.real, t.row = t.cells[:0], 0, r.i // row.cells keeps them until the next row
	switch {
	case !t.long:
		return r.writeRow(row)
	case texBlankRow(row.cells):
		return nil
	}
	row.cells = slices.Clone(row.cells)
	return r.hold(row)
}

// texBlankRow reports whether a row has no text.
func texBlankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// writeRow writes a table's row: its header, or a sentence naming its
// cells by the header's (tableRows). A title row above the header, one
// cell spanning all the columns, is a line of its own, and the header is
// the next row.
func (r *texReader) writeRow(row texRow) error {
	t := r.table
	switch {
	case row.caption != "":
		return r.paragraph(row.caption)
	case row.title && t.rows.header == nil:
		return r.paragraph(collapseSpace(row.cells[0]))
	}
	return r.paragraph(t.rows.line(row.cells))
}

// hold holds a longtable's row or caption until a marker or the table's
// end says what it is; past maxTeXHeld, the rows held and the rest are
// written as they come.
func (r *texReader) hold(row texRow) error {
	t := r.table
	if len(t.held) < maxTeXHeld {
		t.held = append(t.held, row)
		return nil
	}
	t.long = false
	if err := r.writeHeld(); err != nil {
		return err
	}
	return r.writeRow(row)
}

// writeHeld writes the rows and captions held.
func (r *texReader) writeHeld() error {
	t := r.table
	held := t.held
	t.held = nil
	for _, row := range held {
		if err := r.writeRow(row); err != nil {
			return err
		}
	}
	return nil
}

// tableMarker acts on a command that marks a table's rows: \kill leaves
// out the row it ends (one that only sets the columns' widths); in a
// longtable, \endfirsthead ends the header, \endhead the header repeated
// on each page (the header where there is no \endfirsthead), \endfoot
// and \endlastfoot the footers ("Continued on next page"), each the rows
// since the one before.
func (r *texReader) tableMarker(name string) error {
	t := r.table
	if name == "kill" {
		t.cell, t.cells, t.span, t.real, t.row = t.cell[:0], t.cells[:0], 0, 0, r.i
		return nil
	}
	if err := r.endRow(); err != nil || !t.long {
		return err
	}
	keep := name == "endfirsthead" || name == "endhead" && !t.first
	t.first = t.first || name == "endfirsthead"
	if keep {
		return r.writeHeld()
	}
	t.held = nil
	return nil
}

// envName reads an environment's name after \begin or \end: "{name}", of
// letters, digits, "*" and "@".
func (r *texReader) envName() (string, bool) {
	j := r.skipBlanks()
	if j >= len(r.src) || r.src[j] != '{' {
		return "", false
	}
	k := j + 1
	for k < len(r.src) && k-j <= 64 {
		c := r.src[k]
		if !isLetter(c) && (c < '0' || c > '9') && c != '*' && c != '@' {
			break
		}
		k++
	}
	if k >= len(r.src) || r.src[k] != '}' || k == j+1 {
		return "", false
	}
	r.i, r.bol = k+1, false
	return r.src[j+1 : k], true
}

// begin opens an environment.
func (r *texReader) begin() error {
	name, ok := r.envName()
	if !ok {
		return nil
	}
	env, known := texEnvironments[name]
	if !known && !texTheorems[name] && r.i < len(r.src) && r.src[r.i] == '[' {
		env.args = "o" // tcolorbox-like options
	}
	dropped := r.sink() == nil
	switch env.kind {
	case texCode, texSkip:
		body := r.rawEnv(name, env.args)
		if env.kind == texSkip || dropped {
			return nil
		}
		if err := r.endParagraph(); err != nil {
			return err
		}
		return r.code(body)
	}
	if dropped {
		return nil // in text left out (a definition's body): not opened
	}
	if len(r.envs) >= maxTeXDepth {
		return fmt.Errorf("%w: environments nested more than %d deep", errTeX, maxTeXDepth)
	}
	if err := r.endParagraph(); err != nil {
		return err
	}
	e := texEnv{name: name, kind: env.kind, float: env.caption != ""}
	switch env.kind {
	case texItemList:
		r.lists = append(r.lists, &texList{marker: env.marker})
	case texTabular:
		if r.tables++; r.tables == 1 {
			r.table = &texTable{depth: len(r.frames), row: r.i, long: env.long}
		}
	case texAbstract:
		if err := r.out.heading(texTop, "Abstract"); err != nil {
			return err
		}
	case texBibliography:
		if err := r.out.heading(texTop, "References"); err != nil {
			return err
		}
	}
	if e.float {
		r.floats = append(r.floats, env.caption)
	}
	r.envs = append(r.envs, e)
	r.open[name]++
	if env.args != "" {
		r.calls = append(r.calls, &texCall{texCommand: texCommand{args: env.args}, depth: len(r.frames)})
	}
	return nil
}

// end closes the environment named, and any left open inside it.
func (r *texReader) end() error {
	name, ok := r.envName()
	if !ok || r.open[name] == 0 || r.sink() == nil {
		return nil
	}
	for {
		last := r.envs[len(r.envs)-1].name
		if err := r.endEnv(); err != nil {
			return err
		}
		if last == name {
			return nil
		}
	}
}

// endEnv closes the innermost environment.
func (r *texReader) endEnv() error {
	if err := r.endParagraph(); err != nil {
		return err
	}
	e := r.envs[len(r.envs)-1]
	r.envs = r.envs[:len(r.envs)-1]
	if r.open[e.name]--; r.open[e.name] == 0 {
		delete(r.open, e.name)
	}
	if e.float {
		r.floats = r.floats[:len(r.floats)-1]
	}
	switch e.kind {
	case texItemList:
		r.lists = r.lists[:len(r.lists)-1]
		r.out.gap = 2
	case texTabular:
		if r.tables--; r.tables == 0 {
			err := r.endRow()
			if err == nil {
				err = r.writeHeld()
			}
			r.table = nil
			return err
		}
	}
	return nil
}

// rawEnv reads the body of an environment whose text is no LaTeX
// (verbatim, display math) up to its \end, past its arguments on the
// \begin line (lstlisting's [language=Go], minted's {go}).
func (r *texReader) rawEnv(name, args string) string {
	for _, spec := range []byte(args) {
		j := r.i
		for j < len(r.src) && (r.src[j] == ' ' || r.src[j] == '\t') {
			j++
		}
		switch {
		case spec == 'o' && j < len(r.src) && r.src[j] == '[':
			r.i = texBracketEnd(r.src, j)
		case spec == 'm' && j < len(r.src) && r.src[j] == '{':
			_, r.i = texBraced(r.src, j, false)
		}
	}
	end := `\end{` + name + `}`
	k := strings.Index(r.src[r.i:], end)
	if k < 0 {
		body := r.src[r.i:]
		r.i = len(r.src)
		return body
	}
	body := r.src[r.i : r.i+k]
	r.i += k + len(end)
	return body
}

// code writes a verbatim block's lines indented as code, its blank lines
// at either end left out and those within it kept as one.
func (r *texReader) code(body string) error {
	gap := 2
	for line := range strings.Lines(body) {
		line = strings.TrimRight(line, " \t\r\n")
		if line == "" {
			gap = 2 // before the first line, or a blank line within the block
			continue
		}
		if err := r.out.line(codeLine(line), gap, 1); err != nil {
			return err
		}
		gap = 1
	}
	r.out.gap = 2
	return nil
}

// inlineMath reads inline math up to end ("$" or `\)`) as its source,
// its comments left out and its lines joined; a blank line ends one left
// open.
func (r *texReader) inlineMath(end string) {
	p := r.sink()
	add := func(s string) {
		if p != nil {
			*p = append(*p, s...)
		}
	}
	start := r.i
	for r.i < len(r.src) {
		switch c := r.src[r.i]; {
		case strings.HasPrefix(r.src[r.i:], end):
			add(r.src[start:r.i])
			r.i += len(end)
			return
		case c == '\\':
			r.i = min(r.i+2, len(r.src))
		case c == '%':
			add(r.src[start:r.i])
			r.skipComment()
			start = r.i
		case c == '\n' || c == '\t' || c == '\r':
			add(r.src[start:r.i])
			add(" ")
			r.i++
			start = r.i
			if c == '\n' {
				j := r.i
				for j < len(r.src) && (r.src[j] == ' ' || r.src[j] == '\t' || r.src[j] == '\r') {
					j++
				}
				if j == len(r.src) || r.src[j] == '\n' {
					r.bol = true // a blank line: the paragraph ends here
					return
				}
			}
		default:
			r.i++
		}
	}
	add(r.src[start:])
}

// accent reads the letter after an accent command ("\'e", "\'{e}", "\c
// c", "\'{\i}") and writes it accented.
func (r *texReader) accent(a byte) {
	j := r.i
	for j < len(r.src) && (r.src[j] == ' ' || r.src[j] == '\t') {
		j++
	}
	base := ""
	switch {
	case j >= len(r.src):
		r.i = j
		return
	case r.src[j] == '{':
		k := strings.IndexByte(r.src[j+1:min(len(r.src), j+12)], '}')
		if k < 0 {
			return // a longer group is read as text, unaccented
		}
		base, r.i = strings.TrimSpace(r.src[j+1:j+1+k]), j+2+k
	case r.src[j] == '\\':
		k := j + 1
		for k < len(r.src) && isLetter(r.src[k]) {
			k++
		}
		if k == j+1 {
			return
		}
		base, r.i = r.src[j:k], k
		for r.i < len(r.src) && (r.src[r.i] == ' ' || r.src[r.i] == '\t') {
			r.i++ // "\"\i ve" reads "ïve": a control word's space is no text
		}
	default:
		_, size := utf8.DecodeRuneInString(r.src[j:])
		base, r.i = r.src[j:j+size], j+size
	}
	r.write(texAccented(a, base))
}

// texAccented is the letter base with the accent a: a letter of its own
// (é), or base and a combining mark.
func texAccented(a byte, base string) string {
	switch base {
	case `\i`:
		base = "i"
	case `\j`:
		base = "j"
	}
	if base == "" || base[0] == '\\' {
		if a == '~' || a == '^' {
			return string(a) // "\~{}" prints a tilde
		}
		return ""
	}
	c, size := utf8.DecodeRuneInString(base)
	if l, ok := texAccents[[2]rune{rune(a), c}]; ok {
		return string(l) + base[size:]
	}
	if m, ok := texMarks[a]; ok {
		return base[:size] + string(m) + base[size:]
	}
	return base
}

// verb reads \verb|text|, \lstinline|text| or \lstinline{text} and
// \mintinline{lang}{text}: the text as it is. One whose delimiter does not
// close on its line leaves the line out.
func (r *texReader) verb(name string) {
	j := r.i
	if name == "verb" && j < len(r.src) && r.src[j] == '*' {
		j++
	}
	if name != "verb" {
		j = texSkipShort(r.src, j, '[', ']') // lstinline's options
	}
	if name == "mintinline" {
		j = texSkipShort(r.src, j, '{', '}') // the language
	}
	if j >= len(r.src) || r.src[j] <= ' ' || r.src[j] >= utf8.RuneSelf || isLetter(r.src[j]) {
		r.i = j // no delimiter: not verbatim
		return
	}
	closer := r.src[j]
	if closer == '{' {
		closer = '}'
	}
	k := strings.IndexAny(r.src[j+1:], string(closer)+"\n")
	switch {
	case k < 0:
		r.i = len(r.src)
	case r.src[j+1+k] == '\n':
		r.i = j + 1 + k
	default:
		r.write(r.src[j+1 : j+1+k])
		r.i = j + 2 + k
	}
}

// texSkipShort is where a short group from open to close at s[j] on its
// line ends (lstinline's [options], mintinline's {language}); j where
// there is none.
func texSkipShort(s string, j int, open, close byte) int {
	if j >= len(s) || s[j] != open {
		return j
	}
	window := s[j:min(len(s), j+256)]
	if k := strings.IndexAny(window, string(close)+"\n"); k >= 0 && window[k] == close {
		return j + k + 1
	}
	return j
}

// skipInput skips \input's or \include's file name, braced or not: the
// file is not read.
func (r *texReader) skipInput() {
	j := r.i
	for j < len(r.src) && (r.src[j] == ' ' || r.src[j] == '\t') {
		j++
	}
	if j < len(r.src) && r.src[j] == '{' {
		_, r.i = texBraced(r.src, j, false)
		return
	}
	for j < len(r.src) && !strings.ContainsRune(" \t\r\n\\{}%", rune(r.src[j])) {
		j++
	}
	r.i = j
}

// def leaves out a TeX definition, \def\name#1{body}: its name and
// parameters up to the body's brace on their line, then the body.
func (r *texReader) def() error {
	k := strings.IndexAny(r.src[r.i:], "{\n")
	if k < 0 || r.src[r.i+k] == '\n' {
		r.skipComment() // no body on its line: the line is left out
		return nil
	}
	r.i += k
	return r.call(texCommand{args: "m", long: true})
}
