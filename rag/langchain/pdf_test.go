package langchain_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/langchain"
)

// A PDF's tables read as Markdown tables, as the other formats' tables
// do: the fixture (testdata/pdf.sh makes it with LibreOffice from
// pdf-tables.html) draws each cell after the one before it, a wrapped
// cell's lines one under another and a one-line cell level with their
// middle, between paragraphs, lists and headings that read as before.
func TestLoaderPDFTables(t *testing.T) {
	got := loadFixture(t, "pdf-tables.pdf")
	want := "# Larchfield Library visitor guide\n\n" +
		"The library lends books, films and tools to anyone who lives or works in Larchfield. Membership is free, and a card is issued at the front desk on the same day.\n\n" +
		"## Rooms and opening hours\n\n" +
		"| Room | Opening hours | Notes |\n" +
		"| --- | --- | --- |\n" +
		"| Reading room | 9:00 am – 8:00 pm | Silent study only; laptops are welcome, phone calls are not |\n" +
		"| Children's library and story corner | 10:00 am – 5:00 pm | Story time for the under-fives every Tuesday and Thursday at 10:30 am, with songs and a craft table afterwards |\n" +
		"| Tool library | Saturdays 10:00 am – 1:00 pm | Drills, ladders and sewing machines can be borrowed for up to a week |\n" +
		"| Local history archive | By appointment | Book a visit two days ahead by email |\n\n" +
		"The library is closed on bank holidays. Returns can be left in the book drop by the main door at any time.\n\n" +
		"## Fines\n\n" +
		"Fines are charged for each day an item is late:\n\n" +
		"• Books and magazines are charged 20p a day.\n\n" +
		"• Films are charged 50p a day.\n\n" +
		"• Tools are charged £2 a day.\n\n" +
		"| Item | Loan period | Fine per day | Most charged |\n" +
		"| --- | --- | --- | --- |\n" +
		"| Book | 3 weeks | £0.20 | £6.00 |\n" +
		"| Film | 1 week | £0.50 | £5.00 |\n" +
		"| Tool | 1 week | £2.00 | £20.00 |\n\n" +
		"To renew a loan:\n\n" +
		"1. Sign in to your account on the library website.\n\n" +
		"2. Choose the items to renew.\n\n" +
		"3. Press Renew; items on hold for another member cannot be renewed."
	if got != want {
		t.Errorf("Load(pdf-tables.pdf) =\n%s\nwant\n%s", got, want)
	}
}

// Two columns of prose side by side (testdata/pdf-columns.fodt, a section
// of two columns) share their baselines but are no table: each column
// reads on its own, the first to its foot before the second.
func TestLoaderPDFColumns(t *testing.T) {
	got := loadFixture(t, "pdf-columns.pdf")
	want := "# Riverside allotments newsletter\n\n" +
		"The spring seed swap takes place in the community hall on the first Saturday of March. Bring any spare seeds in labelled envelopes, and take home whatever you can use.\n\n" +
		"Water butts will be delivered to every plot holder who ordered one before the end of January. Please leave your plot gate unlocked on the delivery day.\n\n" +
		"The committee has agreed to replace the broken gate at the north entrance. The new gate will have a combination lock, and the code will be sent to plot holders in April.\n\n" +
		"Plot rents for the coming year are due by the end of May. Members over sixty-five receive a discount of one third on the standard rent.\n\n" +
		"Questions about the newsletter go to the secretary at the hut on Sunday mornings."
	if got != want {
		t.Errorf("Load(pdf-columns.pdf) =\n%s\nwant\n%s", got, want)
	}
}

// Tables as other writers draw them (a row's cells on one baseline, drawn
// a line at a time), tables a page breaks, and what is no table: prose in
// two columns drawn a line of each at a time, a form's labels, two rows,
// cells that do not line up.
func TestLoaderPDFTableLayouts(t *testing.T) {
	for _, c := range []struct {
		name  string
		pages []string
		want  string
	}{
		{"rows on one baseline", []string{
			at(72, 720, "Stock list") +
				at(72, 690, "Item") + at(250, 690, "Price") + at(350, 690, "Stock") +
				at(72, 670, "Tea, loose leaf") + at(250, 670, "$4.20") + at(350, 670, "12") +
				at(72, 650, "Coffee beans") + at(250, 650, "$7.90") + at(350, 650, "none") +
				at(72, 630, "Oat biscuits") + at(250, 630, "$2.10") + at(350, 630, "40") +
				at(72, 600, "Prices include VAT.")},
			"Stock list\n\n| Item | Price | Stock |\n| --- | --- | --- |\n| Tea, loose leaf | $4.20 | 12 |\n| Coffee beans | $7.90 | none |\n| Oat biscuits | $2.10 | 40 |\n\nPrices include VAT."},
		{"a table the page broke", []string{
			at(72, 700, "Item") + at(250, 700, "Price") + at(72, 680, "Tea") + at(250, 680, "$4.20") + at(72, 660, "Coffee") + at(250, 660, "$7.90"),
			at(72, 720, "Item") + at(250, 720, "Price") + at(72, 700, "Cocoa") + at(250, 700, "$3.50") + at(72, 680, "Milk") + at(250, 680, "$1.10")},
			"| Item | Price |\n| --- | --- |\n| Tea | $4.20 |\n| Coffee | $7.90 |\n| Cocoa | $3.50 |\n| Milk | $1.10 |"},
		{"a row naming the header's columns again", []string{
			at(72, 700, "Income") + at(250, 700, "2024") + at(350, 700, "2023") +
				at(72, 680, "Donations") + at(250, 680, "$900") + at(350, 680, "$800") +
				at(72, 660, "Grants") + at(250, 660, "$500") + at(350, 660, "$400") +
				at(72, 640, "Spending") + at(250, 640, "2024") + at(350, 640, "2023") +
				at(72, 620, "Rent") + at(250, 620, "$600") + at(350, 620, "$550")},
			"| Income | 2024 | 2023 |\n| --- | --- | --- |\n| Donations | $900 | $800 |\n| Grants | $500 | $400 |\n\n" +
				"| Spending | 2024 | 2023 |\n| --- | --- | --- |\n| Rent | $600 | $550 |"},
		{"two columns of prose a line at a time", []string{
			at(72, 700, "the seed swap takes place in the hall") + at(320, 700, "the committee will replace the gate") +
				at(72, 686, "on the first Saturday of March, and") + at(320, 686, "at the north entrance with a new one") +
				at(72, 672, "tea is served from ten o'clock.") + at(320, 672, "that has a lock and a code.")},
			"the seed swap takes place in the hall on the first Saturday of March, and tea is served from ten o'clock.\n\n" +
				"the committee will replace the gate at the north entrance with a new one that has a lock and a code."},
		{"a form's labels", []string{
			at(72, 700, "Name:") + at(200, 700, "Ada Lovelace") + at(72, 686, "Born:") + at(200, 686, "10 December 1815") +
				at(72, 672, "Known for:") + at(200, 672, "The first program")},
			"Name: Ada Lovelace Born: 10 December 1815 Known for: The first program"},
		{"two rows", []string{
			at(72, 700, "Item") + at(250, 700, "Price") + at(72, 680, "Tea") + at(250, 680, "$4.20")},
			"Item Price\n\nTea $4.20"},
		{"cells that do not line up", []string{
			at(72, 700, "Item") + at(250, 700, "Price") + at(72, 680, "Tea") + at(262, 680, "$4.20") +
				at(72, 660, "Coffee") + at(238, 660, "$7.90")},
			"Item Price\n\nTea $4.20\n\nCoffee $7.90"},
	} {
		got, err := langchain.Loader{}.Load(context.Background(), "t.pdf", makePDFWith(helvetica, c.pages...))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: Load =\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

// A page of many glyphs set as cells is read in time and memory that
// grow with the glyphs, not faster: a table of 4,000 rows of 24 cells, a
// grid of rows too many cells wide for a table, and a staircase of
// 100,000 cells each to the right of and a little below the last (one
// row, no table's).
func TestLoaderPDFTableBomb(t *testing.T) {
	var table, grid, stairs strings.Builder
	table.WriteString("BT /F1 12 Tf 20 780 Td")
	for range 4000 {
		table.WriteString(strings.Repeat(" (x) Tj 20 0 Td", 24) + " -480 -6 Td")
	}
	grid.WriteString("BT /F1 12 Tf 0 780 Td")
	for range 300 {
		grid.WriteString(strings.Repeat(" (x) Tj 10 0 Td", 300) + " -3000 -6 Td")
	}
	stairs.WriteString("BT /F1 12 Tf 0 780 Td")
	for range 100_000 {
		stairs.WriteString(" (x) Tj 10 -0.01 Td")
	}
	for _, b := range []*strings.Builder{&table, &grid, &stairs} {
		b.WriteString(" ET")
	}
	for _, c := range []struct{ name, stream, want string }{
		{"a table", table.String(), "| --- |"},
		{"a grid", grid.String(), "x x"},
		{"stairs", stairs.String(), "x x"},
	} {
		data := makePDFWith(helvetica, c.stream)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := langchain.Loader{}.Load(context.Background(), "bomb.pdf", data)
		runtime.ReadMemStats(&after)
		if err != nil || !strings.Contains(got, c.want) {
			t.Fatalf("%s: Load = %.60q…, %v; want it to hold %q", c.name, got, err, c.want)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 200<<20 {
			t.Errorf("%s: reading it allocated %d MB", c.name, grew>>20)
		}
	}
}

// helvetica is a standard font without widths: each glyph advances half
// its size.
const helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

// at is the content stream that shows s at x, y in 12-point F1.
func at(x, y float64, s string) string {
	return fmt.Sprintf("BT /F1 12 Tf 1 0 0 1 %g %g Tm (%s) Tj ET\n", x, y, s)
}

// loadFixture loads a file of testdata.
func loadFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	got, err := langchain.Loader{}.Load(context.Background(), name, data)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
