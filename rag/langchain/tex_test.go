package langchain_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

// A report as it is written in LaTeX (testdata/report.tex): its title
// from the preamble's \title (its line break and \thanks left out), the
// abstract and its sections as Markdown headings, a paragraph's lines as
// one line with its comment, \ref and \citet left out and its footnote in
// parentheses, inline math as its source, a list, a table's caption and
// rows, display math and a figure's picture left out but its caption
// kept, an address, a verbatim block indented as code, accents. The
// preamble's definitions are no text.
func TestLoaderTeX(t *testing.T) {
	data, err := os.ReadFile("testdata/report.tex")
	if err != nil {
		t.Fatal(err)
	}
	got, err := langchain.Loader{}.Load(context.Background(), "report.tex", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"# Harbour Water Quality Report 2024",
		"## Abstract",
		"This report summarises the water samples taken in the harbour between January and December 2024.",
		"## Introduction",
		"Samples were taken every second Tuesday at the three jetties listed in Table. (Sampling followed ISO 5667-6.) " +
			"The North jetty was closed for repairs from May to July.",
		"### Method",
		"Each sample was tested for pH, dissolved oxygen and E. coli within four hours of collection, as recommended by. " +
			"The oxygen saturation is reported as S = 100 \\cdot c / c_s per cent.",
		"- Samples were stored at 4 °C until they were tested.",
		"- Each bottle was labelled with the jetty's code.",
		"## Results",
		"Table: Mean values by site",
		"Site | pH | Oxygen (mg/l)",
		"Site: North jetty; pH: 7.9; Oxygen (mg/l): 8.4.",
		"Site: Ferry pier; pH: 7.6; Oxygen (mg/l): 6.1.",
		"Site: Fish market quay; pH: 7.4; Oxygen (mg/l): 5.2.",
		"The lowest oxygen level was measured at the Ferry pier in August – after a week of heat. " +
			"The mean is taken over all “valid” samples; see Figure.",
		"Figure: Dissolved oxygen over the year",
		"### Data format",
		"The raw data are exported as CSV by the script in https://example.org/harbour/export_2024.py:",
		"    # site,date,ph",
		"    north,2024-01-09,7.8",
		"## Acknowledgements",
		"We thank the harbour master, René Dupré, and the crew of the Möwe for their help.",
	}
	lines := strings.Split(got, "\n")
	at := 0
	for _, w := range want {
		i := slices.Index(lines[at:], w)
		if i < 0 {
			t.Errorf("no line %q (in order) in\n%s", w, got)
			continue
		}
		at += i + 1
	}
	for _, absent := range []string{"TODO", "Kestrel", "Summary", "Dana", "March 2025", "Port Authority", "tab:sites",
		"smith2020", "frac", "trend.pdf", "linewidth", "@{}", "maketitle", "\\["} {
		if strings.Contains(got, absent) {
			t.Errorf("Load(report.tex) holds %q:\n%s", absent, got)
		}
	}
}

// The rest of what the reader reads and leaves out, each on its own.
func TestLoaderTeXMarkup(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"characters.tex", []byte(`Stra\ss e, na\"\i ve, \c{c}a, \v{S}koda, \AA{}ngstr\"om, \'{E}cole, \~n, \^{}caret.
Pages 10--12, yes---no, ` + "``quoted'' and `single'" + `, 50\% \& \$5 \#1 \_x \{y\}, A~B, 10\,000.
\LaTeX\ and \LaTeX{} and \TeX is, wait\ldots{} done. e.g.\ this.
\textsc{Small caps}, \mbox{box}, \texttt{code}, \underline{u}, 4\textsuperscript{th}.`),
			"Straße, naïve, ça, Škoda, Ångström, École, ñ, ^caret. Pages 10–12, yes—no, “quoted” and 'single', " +
				"50% & $5 #1 _x {y}, A B, 10 000. LaTeX and LaTeX and TeX is, wait… done. e.g. this. Small caps, box, code, u, 4th."},
		{"links.latex", []byte(`See \href{https://example.org/a%20b}{the site} or \url{https://example.org/~x/100\%}.
Run \verb|\section{x}|, \lstinline[language=Go]{fmt.Println} or \mintinline{go}{x := 1}.
Unknown \foo{bar} and \baz and \qux*{star}. \input{chapter1}\include chapter2
\newcommand{\x}[1]{Defined \section{Not a heading}} \def\y#1{Hidden}
A line\\ break\\[2pt] and\newline more. As shown~\cite[p.~4]{knuth}, see Section~\ref{sec:x}.`),
			"See the site or https://example.org/~x/100%. Run \\section{x}, fmt.Println or x := 1. " +
				"Unknown bar and and star. A line break and more. As shown, see Section."},
		// Headings take their levels from the highest used: \part is
		// "##" here, \chapter "###"; a heading's optional short title is
		// left out, and one left open ends with its paragraph.
		{"levels.tex", []byte(`\chapter{One}
\section{Two}
\subsection*{Three}
\paragraph{Four.} Text after a run-in heading.
\section[Short]{Long title}
\part{Part}
\section{Runaway
title.

Text.`), "### One\n\n#### Two\n\n##### Three\n\n###### Four.\n\nText after a run-in heading.\n\n#### Long title\n\n## Part\n\n" +
			"#### Runaway title.\n\nText."},
		{"lists.tex", []byte(`\begin{enumerate}
\item First step.

Its second paragraph.
\item[(b)] Labelled step.
\item \begin{itemize}\item nested\end{itemize}
\end{enumerate}
\begin{description}
\item[Speed:] fast
\item[Cost] low
\item unlabelled
\end{description}
\begin{itemize}
\item[--] dash
\item # not a heading
\end{itemize}
\# of staff`), "1. First step.\n  Its second paragraph.\n(b) Labelled step.\n  - nested\n\nSpeed: fast\nCost: low\nunlabelled\n\n" +
			"– dash\n- # not a heading\n\nNo. of staff"},
		// A table's rules and row spacing are left out, a \multicolumn's
		// text fills the cells it spans, a longtable's caption is kept.
		{"tables.tex", []byte(`\begin{table}
\caption{Budget}
\begin{tabularx}{\textwidth}{|l|X|r|}
\hline
\textbf{Item} & Notes & Cost \\ \hline\hline
Hotel & Two nights \& breakfast & 150 \\ \cline{2-3}
\multicolumn{2}{|l|}{Taxi} & 40 \\[2pt]
\cmidrule(lr){1-2}
Total & & $190$
\end{tabularx}
\end{table}
\begin{longtable}{ll}
\caption{Long} \\
A & B \\
\endhead
1 & 2 \\
\end{longtable}`), "Table: Budget\n\nItem | Notes | Cost\n\nItem: Hotel; Notes: Two nights & breakfast; Cost: 150.\n\n" +
			"Item: Taxi; Cost: 40.\n\nItem: Total; Cost: 190.\n\nTable: Long\n\nA | B\n\nA: 1; B: 2."},
		// Display math in every form is left out, inline math kept, one
		// left open ends with its paragraph; a listing's options, a
		// comment environment and an empty footnote are left out, a
		// footnote's paragraphs joined; a bibliography's entries read.
		{"blocks.tex", []byte(`Before $$x^2$$ middle \[ y \] and \(z_1\) then
\begin{align*} a &= b \\ c &= d \end{align*} end.
\begin{lstlisting}[language=Python, caption={A, B}]
# a comment
print("%d" % 1)

x = 2
\end{lstlisting}
\begin{minted}[linenos]{go}
fmt.Println("hi")
\end{minted}
\begin{comment}
Hidden text.
\end{comment}
Math over a $blank line

stays bounded. Footnote\footnote{First.

Second.} done. Empty\footnote{} note.
\begin{thebibliography}{9}
\bibitem{a} A. Author. \newblock A book. 2020.
\bibitem[B20]{b} B. Author.
\end{thebibliography}`), "Before middle and z_1 then end.\n\n    # a comment\n    print(\"%d\" % 1)\n\n    x = 2\n\n    fmt.Println(\"hi\")\n\n" +
			"Math over a blank line\n\nstays bounded. Footnote (First. Second.) done. Empty note.\n\n## References\n\nA. Author. A book. 2020.\n\nB. Author."},
		// Without \begin{document} the whole file is read: its preamble's
		// commands are left out all the same. A \title in a comment is no
		// title.
		// A line that starts with "#" never reads as a heading.
		{"hash.tex", []byte(`\#1 priority is safety.

\#\# of staff`), "No. 1 priority is safety.\n\nNo. of staff"},
		{"fragment.tex", []byte("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n% \\title{Not this}\nJust text.\n"), "Just text."},
		// A draft hidden by \iffalse or \if0 is left out, to its matching
		// \fi: nested conditionals counted, \fileref and \finish no \fi, a
		// \fi in a comment none either; an \else ends what is left out. A
		// definition's \iffalse hides nothing.
		{"drafts.tex", []byte("\\iffalse\nDraft text that is not printed.\n\\fi\nKept text."), "Kept text."},
		{"conditionals.tex", []byte(`Before.
\if0
\ifx\a\b nested \fi \fileref{x} \finish \ifnum1=1 \iftrue x\fi\fi
% \fi in a comment
Hidden.
\fi
After \iffalse gone\else shown\fi{} end.
\def\hide{\iffalse} \newcommand{\show}{\fi}Still read.`), "Before. After shown end. Still read."},
		// An environment's arguments are no text: a box's options, a
		// column's width, a wrapped figure's placement; so is an options
		// list right after an environment not known, but a theorem's
		// name is kept.
		{"environments.tex", []byte(`\begin{adjustbox}{max width=\textwidth}
\begin{tabular}{ll}
A & B \\
1 & 2 \\
\end{tabular}
\end{adjustbox}
\begin{tcolorbox}[colback=red!5,title=Warning]
Do not drink.
\end{tcolorbox}
\begin{columns}[T]
\begin{column}{0.5\textwidth}
Left text.
\end{column}
\begin{column}[t]{0.5\textwidth}
Right text.
\end{column}
\end{columns}
\begin{wrapfigure}{r}{0.4\textwidth}
\caption{Wrapped}
\end{wrapfigure}
\begin{wraptable}[10]{l}{5cm}
\caption{Side}
\end{wraptable}
\begin{multicols}{2}
Two columns.
\end{multicols}
\begin{minipage}[t]{0.5\textwidth}
Mini.
\end{minipage}
\begin{mdframed}[linecolor=blue]
Framed.
\end{mdframed}
\begin{threeparttable}[b]
Notes.
\end{threeparttable}
\begin{unknownbox}[opt=1]
Unknown.
\end{unknownbox}
\begin{theorem}[Pythagoras]
The square of the hypotenuse.
\end{theorem}`), "A | B\n\nA: 1; B: 2.\n\nDo not drink.\n\nLeft text.\n\nRight text.\n\nFigure: Wrapped\n\nTable: Side\n\n" +
			"Two columns.\n\nMini.\n\nFramed.\n\nNotes.\n\nUnknown.\n\n[Pythagoras] The square of the hypotenuse."},
		// A longtable's header is read once: the rows repeated on each
		// page after \endfirsthead, with their caption, and its footers
		// are left out; without \endfirsthead, \endhead's rows are the
		// header. \kill's row is never printed.
		{"longtable.tex", []byte(`\begin{longtable}{ll}\caption{Staff}\\ Name & Role \\ \endfirsthead Name & Role \\ \endhead Ann & Lead \\ \end{longtable}
\begin{longtable}{lr}
\caption{Budget} \\
\toprule
Item & Cost \\
\midrule
\endfirsthead
\caption[]{Budget (continued)} \\
Item & Cost \\
\endhead
\multicolumn{2}{r}{Continued on next page} \\
\endfoot
\bottomrule
\endlastfoot
Wide item name & 99999 \kill
Hotel & 150 \\
Taxi & 40 \\
\end{longtable}
\begin{longtable}{ll}
Key & Value \\
\endhead
Footer & row \\
\endfoot
k & v \\
\end{longtable}`), "Table: Staff\n\nName | Role\n\nName: Ann; Role: Lead.\n\nTable: Budget\n\nItem | Cost\n\nItem: Hotel; Cost: 150.\n\n" +
			"Item: Taxi; Cost: 40.\n\nKey | Value\n\nKey: k; Value: v."},
		// A longtable's body past the rows it holds is written in order.
		{"longtable-body.tex", []byte(`\begin{longtable}{ll}\caption{Many}\\ A & B \\ \endhead ` +
			strings.Repeat("a & b \\\\\n", 70) + `\end{longtable}`),
			"Table: Many\n\nA | B" + strings.Repeat("\n\nA: a; B: b.", 70)},
		// A title row that spans all the columns is a line of its own,
		// the row under it the header.
		{"title-row.tex", []byte(`\begin{tabular}{lll}
\multicolumn{3}{c}{Results 2021} \\
Group & Dose & Sleep \\
A & 1 mg & 7 h \\
\multicolumn{3}{l}{Later} \\
\end{tabular}`), "Results 2021\n\nGroup | Dose | Sleep\n\nGroup: A; Dose: 1 mg; Sleep: 7 h.\n\nGroup: Later."},
		// \captionof names its float; a subfigure's caption is its
		// optional argument (the second where there are two).
		{"subfloats.tex", []byte(`\captionof{table}{Counts per site}
\begin{figure}
\subfloat[Left panel]{\includegraphics{a.png}}
\subfloat[List entry][Right panel]{\includegraphics{b.png}}
\subcaptionbox{Third panel}{\includegraphics{c.png}}
\subfloat{\includegraphics{d.png}}
\end{figure}
\captionof*{figure}[short]{Map}`), "Table: Counts per site\n\nFigure: Left panel\n\nFigure: Right panel\n\nFigure: Third panel\n\nFigure: Map"},
	})
}

// Crafted sources end quickly, with an error naming the file (nesting
// past the bounds, a row of too many cells) or bounded text, never a
// panic: braces nested 2,000 deep and 5 MB of "{", environments,
// arguments and conditionals left open, a longtable's markers and spans,
// and shapes that would cost more than linear time
// in a reader that looked ahead or copied nested text.
func TestLoaderTeXHostile(t *testing.T) {
	const size = 5 << 20
	fill := func(s string) string { return strings.Repeat(s, size/len(s)) }
	for _, c := range []struct {
		name    string
		data    string
		wantErr bool
	}{
		{"deep.tex", strings.Repeat("{", 2000) + "x" + strings.Repeat("}", 2000), true},
		{"braces.tex", fill("{"), true},
		{"environments.tex", fill(`\begin{quote}`), true},
		{"cells.tex", `\begin{tabular}{l}` + fill("&"), true},
		{"closing.tex", fill("}"), false},
		{"unclosed.tex", `\begin{itemize}\item one \begin{tabular}{ll} a & b \\ c \section{Open` + fill(" text"), false},
		{"footnotes.tex", strings.Repeat(`\footnote{`, 999) + fill("x "), false},
		{"verbatim.tex", `\begin{verbatim}` + fill("x\n"), false},
		{"spans.tex", `\begin{tabular}{l}` + fill(`\multicolumn{999}{c}{x}\\`), false},
		{"ends.tex", strings.Repeat(`\begin{quote}`, 999) + fill(`\end{itemize}`), false},
		{"verbs.tex", fill(`\verb|`), false},
		{"dollars.tex", fill("$x"), false},
		{"runaway.tex", strings.Repeat("{", 998) + fill("\\section{a\n\n"), false},
		{"lists.tex", strings.Repeat(`\begin{itemize}`, 999) + fill(`\item x`), false},
		{"longtable.tex", `\begin{longtable}{l}` + fill(`\multicolumn{999}{c}{x}\\`), false},
		{"markers.tex", `\begin{longtable}{ll}` + fill(`\caption{c}x&y\\\endhead `), false},
		{"conditionals.tex", fill(`\iffalse\ifx`), false},
		{"drafts.tex", fill(`\if0 x\fi y`), false},
		{"options.tex", fill(`\begin{box}[`), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			got, err := langchain.Loader{}.Load(context.Background(), c.name, []byte(c.data))
			t.Logf("%d bytes in %v: %d bytes of text, %v", len(c.data), time.Since(start).Round(time.Millisecond), len(got), err)
			switch {
			case c.wantErr && (err == nil || !strings.Contains(err.Error(), c.name)):
				t.Errorf("Load(%s) = %d bytes, %v; want an error naming it", c.name, len(got), err)
			case !c.wantErr && err != nil:
				t.Errorf("Load(%s): %v", c.name, err)
			case len(got) > 4*len(c.data): // a listing's one-letter lines, indented as code
				t.Errorf("Load(%s) of %d bytes: %d bytes of text", c.name, len(c.data), len(got))
			}
		})
	}
}

// Whatever the bytes, the LaTeX reader returns: no panic, text for text.
func FuzzLoadTeX(f *testing.F) {
	report, err := os.ReadFile("testdata/report.tex")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(report)
	f.Add([]byte(`\title{T\\x}\begin{document}\section*[s]{H}\begin{itemize}\item[a] b\end{itemize}\end{document}`))
	f.Add([]byte(`\begin{tabular}{ll}a&\multicolumn{2}{c}{b}\\c\end{tabular}\footnote{x\footnote{y}}`))
	f.Add([]byte("\\verb|x| $a % b\n$ \\'{e} \\c c \\[ \\] $$ -- ``q'' \\begin{verbatim}\n# x\n\\end{verbatim}"))
	f.Add([]byte(`{\section{[}]\item\begin{description}\item[\item[x]`))
	f.Add([]byte(`\begin{longtable}{ll}\caption{a}\\x&y\\\endfirsthead\caption[]{b}\\x&y\\\endhead z\\\endfoot\multicolumn{2}{c}{t}\\p&q\kill r&s\\`))
	f.Add([]byte("\\iffalse\\ifx a\\fi b\\else c\\fi\\if0 % \\fi\nd\\fi\\begin{box}[o]\\captionof{table}{t}\\subfloat[s]{\\subcaptionbox{u}{v}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := langchain.Loader{}.Load(context.Background(), "f.tex", data)
		if err == nil && utf8.Valid(data) && !utf8.ValidString(got) {
			t.Errorf("Load = %q: not UTF-8", got)
		}
	})
}

// A generated 200-section report, and the same handbook as
// reStructuredText for comparison.
func BenchmarkLoadTeX(b *testing.B) {
	var tex, rst strings.Builder
	tex.WriteString("\\documentclass{report}\n\\title{Handbook}\n\\begin{document}\n\\maketitle\n")
	for i := range 200 {
		h := fmt.Sprintf("Section %d", i)
		p := fmt.Sprintf("Paragraph %d says that every employee gets %d days of paid leave, carried over by the end of March at the latest.", i, i%30)
		fmt.Fprintf(&tex, "\\section{%s}\\label{sec:%d}\n%s\n%% a comment\n\\emph{%s}\\footnote{See \\S~%d.}\n\n", h, i, p, p, i)
		rst.WriteString(h + "\n" + strings.Repeat("-", len(h)) + "\n\n" + p + "\n\n" + p + "\n\n")
	}
	tex.WriteString("\\end{document}\n")
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"handbook.tex", []byte(tex.String())},
		{"handbook.rst", []byte(rst.String())},
	} {
		b.Run(c.name, func(b *testing.B) {
			text, err := langchain.Loader{}.Load(context.Background(), c.name, c.data)
			if err != nil || !strings.Contains(text, "# Section 199") {
				b.Fatalf("Load(%s) = %.200q…, %v", c.name, text, err)
			}
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, err := (langchain.Loader{}).Load(context.Background(), c.name, c.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
