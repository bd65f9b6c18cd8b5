package langchain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFindTables sets arbitrary glyphs, as interpret calls back with
// them, in lines and tables and lays out their pages: no input may panic,
// and every row of a Markdown table has as many cells as its rule.
func FuzzFindTables(f *testing.F) {
	var grid []byte // a header and three rows of three cells, four bytes a glyph as below
	for row := range 4 {
		for col := range 3 {
			grid = append(grid, byte(10+col*20), byte(row*3), 6, byte(min(row, 1)*10), byte(11+col*20), byte(row*3), 6, byte(min(row, 1)*10+1))
		}
	}
	f.Add(grid)
	f.Add(append(append(grid, 0xff, 0, 0, 0), grid...))
	glyphs := []rune("ab |:-•1. xyzAB\\")
	f.Fuzz(func(t *testing.T, data []byte) {
		// Four bytes a glyph: x, y (going down), size, and which glyph; a
		// first byte of 0xff ends a page.
		var pages [][]pdfLine
		var lb lineBuilder
		for i := 0; i+4 <= len(data); i += 4 {
			if data[i] == 0xff {
				pages, lb = append(pages, findTables(lb.finish())), lineBuilder{}
				continue
			}
			size := float64(data[i+2]%16 + 4)
			lb.add(float64(data[i])*4, 800-float64(data[i+1])*5, size/2, size, glyphs[int(data[i+3])%len(glyphs)])
		}
		text := layOut(joinTables(append(pages, findTables(lb.finish()))))
		if !utf8.ValidString(text) {
			t.Fatalf("layOut = %q, not UTF-8", text)
		}
		cells := 0 // of the table's rule, 0 outside a table
		for _, line := range strings.Split(text, "\n") {
			switch {
			case strings.HasPrefix(line, "| --- |"):
				cells = strings.Count(line, "---")
			case line == "" || !strings.HasPrefix(line, "| "):
				cells = 0
			case cells > 0 && strings.Count(line, " |") != cells:
				t.Fatalf("row %q of a table of %d columns in\n%s", line, cells, text)
			}
		}
	})
}
