package langchain_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoaderText(t *testing.T) {
	for _, name := range []string{"plain.txt", "notes.md"} {
		t.Run(name, func(t *testing.T) {
			data := mustRead(t, name)
			got, err := langchain.Loader{}.Load(context.Background(), name, data)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(data) {
				t.Errorf("Load(%s) = %q, want the file itself %q", name, got, data)
			}
		})
	}
}

// Loading a text file costs one copy of it: a loader that copied the file
// into a growing buffer first held up to three times a large file.
func TestLoaderTextOneCopy(t *testing.T) {
	data := bytes.Repeat([]byte("The lighthouse keeper logged forty ships in May.\n"), 80_000) // about 4 MiB
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	text, err := langchain.Loader{}.Load(context.Background(), "big.txt", data)
	runtime.ReadMemStats(&after)
	if err != nil || len(text) != len(data) {
		t.Fatalf("Load = %d bytes, %v", len(text), err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > uint64(len(data))*3/2 {
		t.Errorf("loading %d bytes allocated %d, want about one copy", len(data), got)
	}
}

func TestLoaderExtensionCase(t *testing.T) {
	data := []byte("# Title\n\nBody.\n")
	for _, name := range []string{"a/B.MD", "c.Markdown", "D.TXT"} {
		got, err := langchain.Loader{}.Load(context.Background(), name, data)
		if err != nil || got != string(data) {
			t.Errorf("Load(%s) = %q, %v; want the file itself", name, got, err)
		}
	}
}

func TestLoaderHTML(t *testing.T) {
	got, err := langchain.Loader{}.Load(context.Background(), "page.HTML", mustRead(t, "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Harvest Report for the Northern Region\n\n" +
		"Farmers collected 1.2 million tonnes of grain & oilseeds this year. That is more than in any year since 2011.\n\n" +
		"Officials said the weather\nwas unusually kind.\n\n" +
		"Wheat: 800 thousand tonnes\n\nBarley: 300 thousand tonnes"
	if got != want {
		t.Errorf("Load(page.html) =\n%q\nwant\n%q", got, want)
	}
	for _, bad := range []string{"tracking", "console.log", "font-family", "&amp;", "Site name", "Home News"} {
		if strings.Contains(got, bad) {
			t.Errorf("Load(page.html) contains %q", bad)
		}
	}
}

// A page's structure: headings become Markdown headings (sections, never
// quoted), the page's navigation, header, footer and asides and hidden
// elements are dropped (an article's own header is kept), and a page
// without an <h1> is titled by its <title>.
func TestLoaderHTMLStructure(t *testing.T) {
	for _, c := range []struct {
		name, page, want string
	}{
		{"chrome", `<html><head><title>Acme | Handbook</title></head><body>
<header><a href="/">Acme</a> Menu</header>
<nav>Home · About</nav>
<main><article><header><h1>Travel <em>policy</em></h1><p>By HR</p></header>
<h2>Booking</h2><p>Flights are booked 14 days ahead.</p>
<aside>Related: expenses</aside>
<div hidden>draft text</div><div style="display: none">old text</div><span aria-hidden="true">★</span>
<h3>Long<br>flights</h3><p>Business class over six hours.</p></article></main>
<footer>© Acme</footer></body></html>`,
			"# Travel policy\n\nBy HR\n\n## Booking\n\nFlights are booked 14 days ahead.\n\n### Long flights\n\nBusiness class over six hours."},
		{"title without h1", `<html><head><title>Holiday calendar</title></head><body><p>Offices close on 26 December.</p></body></html>`,
			"# Holiday calendar\n\nOffices close on 26 December."},
		// A table as the structured formats write one: the header row, then
		// each row naming its cells by the header's.
		{"table", `<html><body><h1>Allowances</h1><table><caption>Paid monthly</caption><thead><tr><th>Allowance</th><th>Amount</th></tr></thead>
<tbody><tr><td>Home <b>office</b></td><td>25 euros
a month</td></tr><tr><td>Phone</td><td><p>15 euros.</p><p>Receipts needed.</p></td></tr><tr><td>Desk</td><td>9:00-12:00<br>14:00-17:00</td></tr></tbody></table><p>Ask HR.</p></body></html>`,
			"# Allowances\n\nPaid monthly\n\nAllowance | Amount\n\nAllowance: Home office; Amount: 25 euros a month.\n\n" +
				"Allowance: Phone; Amount: 15 euros. Receipts needed.\n\nAllowance: Desk; Amount: 9:00-12:00 14:00-17:00.\n\nAsk HR."},
		// A table that lays out a page, with headings and lists in it, is
		// read as the page's blocks.
		{"layout table", `<html><body><table><tr><td><h2>Leave</h2><p>Staff get 25 days.</p><ul><li>One</li><li>Two</li></ul></td></tr></table></body></html>`,
			"## Leave\n\nStaff get 25 days.\n\nOne\n\nTwo"},
	} {
		got, err := langchain.Loader{}.Load(context.Background(), c.name+".html", []byte(c.page))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: Load =\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
}

func TestLoaderPDF(t *testing.T) {
	data := makePDF("First page text", "Second page text")
	got, err := langchain.Loader{}.Load(context.Background(), "report.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	if want := "First page text\n\nSecond page text"; got != want {
		t.Errorf("Load(report.pdf) = %q, want %q", got, want)
	}
}

// A PDF's text reads as its page shows it: a paragraph's lines joined (a
// word broken at a line's end too), a blank line between paragraphs, type
// larger than the body's a heading. The font's code 10 is an "n", as in
// the subset fonts LibreOffice writes: the reader's own Content read the
// newline it adds after each TJ as that glyph, and its plain text ran each
// line's last word into the next line's first.
func TestLoaderPDFLayout(t *testing.T) {
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 0 /LastChar 255 /Widths [" +
		strings.Repeat("500 ", 256) + "] /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [10 /n] >> >>"
	page := "BT /F1 18 Tf 72 720 Td [(Safety report)] TJ ET\n" +
		"BT /F1 11 Tf 72 690 Td [(Forklift drivers completed refresher)] TJ 0 -13 Td [(training in March. All trucks got speed lim-)] TJ\n" +
		"0 -13 Td [(iters in June.)] TJ 0 -26 Td [(Fire drills are held)] TJ 0 -13 Td (every quarter.) Tj ET"
	got, err := langchain.Loader{}.Load(context.Background(), "report.pdf", makePDFWith(font, page, "BT /F1 11 Tf 72 720 Td (Second page.) Tj ET"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Safety report\n\n" +
		"Forklift drivers completed refresher training in March. All trucks got speed limiters in June.\n\n" +
		"Fire drills are held every quarter.\n\nSecond page."
	if got != want {
		t.Errorf("Load(report.pdf) =\n%q\nwant\n%q", got, want)
	}
}

// What else a PDF's pages draw: a font without widths (the standard
// fonts) whose runs are placed apart, a state saved and restored around
// another font (whose encoding must not outlive it), list items (each its
// own line), and a page of two content streams.
func TestLoaderPDFPages(t *testing.T) {
	helv := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	for _, c := range []struct {
		name, font, stream, want string
	}{
		{"runs without widths", helv, "BT /F1 12 Tf 72 720 Td (Hel) Tj 18 0 Td (lo world.) Tj ET", "Hello world."},
		{"a state restored", helv, "BT /F1 12 Tf 72 720 Td (Hello ) Tj q /F2 12 Tf Q (World.) Tj ET", "Hello World."},
		{"list items", helv, "BT /F1 12 Tf 72 720 Td (Benefits:) Tj 0 -14 Td (- Free parking) Tj 0 -14 Td (- Gym membership) Tj 0 -14 Td (2. Two extra days) Tj ET",
			"Benefits:\n\n- Free parking\n\n- Gym membership\n\n2. Two extra days"},
	} {
		// F2 reads "W" as omega: what F1 reads after Q must be F1's.
		data := makePDFWithFonts([]string{c.font, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [87 /Omega] >> >>"}, c.stream)
		got, err := langchain.Loader{}.Load(context.Background(), "p.pdf", data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: Load =\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
	stream := func(s string) string { return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(s), s) }
	two := ragtest.AssemblePDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [4 0 R] /Count 1 >>", helv,
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents [5 0 R 6 0 R] >>",
		stream("BT /F1 12 Tf 72 720 Td (First stream.) Tj ET"), stream("BT /F1 12 Tf 72 700 Td (Second stream.) Tj ET")})
	if got, err := (langchain.Loader{}).Load(context.Background(), "two.pdf", two); err != nil || got != "First stream.\n\nSecond stream." {
		t.Errorf("a page of two content streams: %q, %v", got, err)
	}
}

// A page that saves its state a million times does not hold a million
// copies of it, nor one of a million glyphs a record of each.
func TestLoaderPDFStateBomb(t *testing.T) {
	helv := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	long := strings.Repeat("a", 1_000_000)
	for _, c := range []struct{ name, stream, want string }{
		{"saved states", strings.Repeat("q ", 1_000_000) + "BT /F1 12 Tf 72 720 Td (Still read.) Tj ET" + strings.Repeat(" Q", 1_000_000), "Still read."},
		{"a long run", "BT /F1 12 Tf 72 720 Td (" + long + ") Tj ET", long},
	} {
		data := makePDFWithFonts([]string{helv}, c.stream)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := langchain.Loader{}.Load(context.Background(), "q.pdf", data)
		runtime.ReadMemStats(&after)
		if err != nil || got != c.want {
			t.Fatalf("%s: Load = %.40q…, %v", c.name, got, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 100<<20 {
			t.Errorf("%s: reading it allocated %d MB", c.name, grew>>20)
		}
	}
}

func TestLoaderMalformedPDF(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("%PDF-1.4\nnot really"), makePDF("x")[:100]} {
		if _, err := (langchain.Loader{}).Load(context.Background(), "bad.pdf", data); err == nil {
			t.Errorf("Load(bad.pdf %q) succeeded, want an error", data)
		}
	}
}

func TestLoaderUnsupported(t *testing.T) {
	for _, name := range []string{"image.png", "archive.tar.gz", "README", "slides.key"} {
		_, err := langchain.Loader{}.Load(context.Background(), name, []byte("data"))
		if !errors.Is(err, rag.ErrUnsupported) {
			t.Errorf("Load(%s) error = %v, want ErrUnsupported", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Errorf("Load(%s) error %q does not name the file", name, err)
		}
	}
}

func TestLoaderCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (langchain.Loader{}).Load(ctx, "a.txt", []byte("text")); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context: error = %v, want context.Canceled", err)
	}
}

// makePDF returns a minimal valid PDF with one page per string, each page
// showing its string in Helvetica.
func makePDF(pages ...string) []byte {
	streams := make([]string, len(pages))
	for i, p := range pages {
		streams[i] = fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", p)
	}
	return makePDFWith("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>", streams...)
}

// makePDFWith returns a PDF with one page per content stream, whose font
// F1 is the object font.
func makePDFWith(font string, streams ...string) []byte {
	return makePDFWithFonts([]string{font}, streams...)
}

// makePDFWithFonts returns a PDF with one page per content stream, whose
// fonts F1, F2, … are the objects fonts.
func makePDFWithFonts(fonts []string, streams ...string) []byte {
	first := 3 + len(fonts) // the first page's object
	kids := make([]string, len(streams))
	for i := range streams {
		kids[i] = fmt.Sprintf("%d 0 R", first+2*i)
	}
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(streams))}
	var res []string
	for i, f := range fonts {
		objs = append(objs, f)
		res = append(res, fmt.Sprintf("/F%d %d 0 R", i+1, 3+i))
	}
	for i, stream := range streams {
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "+
				"/Resources << /Font << %s >> >> /Contents %d 0 R >>", strings.Join(res, " "), first+1+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	}
	return ragtest.AssemblePDF(objs)
}
