package langchain_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

// The .ppt fixture is LibreOffice 7.4's ("MS PowerPoint 97") of the deck
// testdata/deck.py writes (testdata/deck.fodp), beside its .pptx of the
// same ("Impress MS PowerPoint 2007 XML"): 30 slides, among them a title
// slide (title, subtitle: é, €, 日本), a slide of bullets on two levels
// with speaker notes, a slide with a text box that is no placeholder (a
// line break in a paragraph), a slide with a table, and a slide without a
// title. LibreOffice writes each placeholder's text in its shape, not in
// the list of slides as PowerPoint does; ppt_internal_test.go builds
// those.

// A deck gives the same text as .ppt as it gives as .pptx: its slides in
// order, each under its title, bullets a line each whatever their level,
// a text box's paragraphs, a table's rows; speaker notes left out. Its
// slide show (.pps) and template (.pot) read as it does.
func TestLoaderPPT(t *testing.T) {
	ppt := loadFile(t, "testdata/deck.ppt")
	if pptx := loadFile(t, "testdata/deck.pptx"); ppt != pptx {
		t.Errorf("deck.ppt and deck.pptx differ:\n%s", firstDiff(ppt, pptx))
	}
	for _, want := range []string{
		"# Quarterly Review\n\nCafé € 日本 — Finance team\n\n# Travel Policy\n\n",
		"\n\nBook trains for trips under four hours.\n\nEconomy class on day trips.\n\nFirst class after 20:00.\n\nHotels are booked through the travel desk.\n\n",
		"\n\n# Office Moves\n\nThe Zürich office moves to Europaallee on 1 March.\n\nDesks are packed by the movers.\n\n",
		"\n\n# Travel Limits\n\nItem | Limit\n\nItem: Hotel; Limit: 150 euros a night.\n\nItem: Taxi; Limit: 40 euros a ride.\n\n",
		"\n\n# Slide 5\n\nA slide without a title, in a text box.\n\n# Topic 6\n\n",
		"\n\n# Topic 30\n\nFact 30: the team met 30 times this quarter.\n\nBudget line 30 closes in week 30.",
	} {
		if !strings.Contains(ppt, want) {
			t.Errorf("Load(deck.ppt) has no %q", want)
		}
	}
	if n := strings.Count(ppt, "\n# ") + 1; n != 30 {
		t.Errorf("Load(deck.ppt) has %d slides, want 30", n)
	}
	if strings.Contains(ppt, "Speaker secret") || strings.Contains(ppt, "Click to edit") {
		t.Errorf("Load(deck.ppt) reads speaker notes or the master's text")
	}
	data, err := os.ReadFile("testdata/deck.ppt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"deck.pps", "deck.pot", "DECK.PPT"} {
		if got := loadString(t, name, data); got != ppt {
			t.Errorf("Load(%s) differs from Load(deck.ppt):\n%s", name, firstDiff(got, ppt))
		}
	}
	if !(langchain.Loader{}).ReadsBinary("deck.ppt") {
		t.Error("ReadsBinary(deck.ppt) = false")
	}
}

// The fixture's source, which LibreOffice (where it is installed with
// Impress) saves as .ppt, .pps, .pot and .pptx at test time: each reads
// as the committed .ppt does.
func TestLoaderPPTLibreOffice(t *testing.T) {
	lo := newLibreOffice(t)
	dir := lo.dir
	want := loadFile(t, "testdata/deck.ppt")
	for _, to := range []string{"ppt:MS PowerPoint 97", "pps:MS PowerPoint 97 AutoPlay", "pot:MS PowerPoint 97 Vorlage", "pptx:Impress MS PowerPoint 2007 XML"} {
		ext, _, _ := strings.Cut(to, ":")
		out := lo.convert(to, ext, "testdata/deck.fodp")
		data, err := os.ReadFile(filepath.Join(dir, ext, "deck."+ext))
		if errors.Is(err, os.ErrNotExist) && ext == "ppt" {
			t.Skipf("LibreOffice has no Impress to open the deck: %s", out)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := loadString(t, "deck."+ext, data); got != want {
			t.Errorf("Load(deck.%s) differs from Load(testdata/deck.ppt):\n%s", ext, firstDiff(got, want))
		}
	}
}

// A file that is not a PowerPoint 97–2003 presentation this reader can
// read is an error naming it, never a panic: cut short, random bytes, a
// Word document, an encrypted presentation, a PowerPoint 95 one, records
// whose length runs past the stream, containers nested too deep.
func TestLoaderPPTBroken(t *testing.T) {
	data, err := os.ReadFile("testdata/deck.ppt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("testdata/handbook.doc")
	if err != nil {
		t.Fatal(err)
	}
	wantBroken(t, "testdata/deck.ppt", ".ppt",
		brokenFile{"word.ppt", doc, "no PowerPoint Document stream"},
		brokenFile{"encrypted.ppt", pptPatch(t, data, []byte{0x5F, 0xC0, 0x91, 0xE3}, []byte{0xDF, 0xC4, 0xD1, 0xF3}), "encrypted"},
		brokenFile{"powerpoint95.ppt", pptRenamedStream(t, data, "PowerPoint Document", "PP40"), "PowerPoint 95"},
		brokenFile{"long.ppt", pptLongDocument(t, data), "past the stream's end"},
		brokenFile{"deep.ppt", pptDeep(t, data), "nested deeper than 64"},
	)
}

// pptPatch returns a copy of data with its one occurrence of old replaced
// by new, of the same length.
func pptPatch(t testing.TB, data, old, new []byte) []byte {
	t.Helper()
	if bytes.Count(data, old) != 1 || len(old) != len(new) {
		t.Fatalf("%x is not in the file once", old)
	}
	return bytes.Replace(data, old, new, 1)
}

// pptRenamedStream returns a copy of a compound file whose stream from is
// named to (no longer) in its directory.
func pptRenamedStream(t testing.TB, data []byte, from, to string) []byte {
	t.Helper()
	utf16 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return append(b, 0, 0)
	}
	at := bytes.Index(data, utf16(from))
	if at < 0 || len(to) > len(from) {
		t.Fatalf("no directory entry %s", from)
	}
	out := bytes.Clone(data)
	copy(out[at:at+64], make([]byte, 64))
	copy(out[at:], utf16(to))
	out[at+64], out[at+65] = byte(2*len(to)+2), 0
	return out
}

// pptLongDocument returns a copy of the deck whose document container
// says it is 1 GiB long.
func pptLongDocument(t testing.TB, data []byte) []byte {
	t.Helper()
	at := bytes.Index(data, []byte{0x0F, 0x00, 0xE8, 0x03})
	if at < 0 {
		t.Fatal("no DocumentContainer")
	}
	out := bytes.Clone(data)
	copy(out[at+4:], []byte{0, 0, 0, 0x40})
	return out
}

// pptDeep returns a copy of the deck whose first slide's record holds a
// drawing of groups nested 70 deep, written over its own records.
func pptDeep(t testing.TB, data []byte) []byte {
	t.Helper()
	at := bytes.Index(data, []byte{0x0F, 0x00, 0xEE, 0x03}) // the first SlideContainer
	if at < 0 {
		t.Fatal("no SlideContainer")
	}
	n := int(data[at+4]) | int(data[at+5])<<8
	out := bytes.Clone(data)
	body := out[at+8 : at+8+n]
	types := []uint16{0x040C, 0xF002}
	for range 70 {
		types = append(types, 0xF003)
	}
	for i, typ := range types {
		h := body[8*i:]
		h[0], h[1], h[2], h[3] = 0x0F, 0x00, byte(typ), byte(typ>>8)
		left := uint32(len(body) - 8*(i+1))
		h[4], h[5], h[6], h[7] = byte(left), byte(left>>8), byte(left>>16), byte(left>>24)
	}
	return out
}

// Whatever the bytes, the PowerPoint reader returns: no panic, valid text
// for a presentation, an error naming the file otherwise.
func FuzzLoadPPT(f *testing.F) {
	data, err := os.ReadFile("testdata/deck.ppt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := langchain.Loader{}.Load(context.Background(), "f.ppt", data)
		switch {
		case err != nil && errors.Is(err, context.Canceled):
			t.Fatal(err)
		case err != nil && !strings.Contains(err.Error(), "f.ppt"):
			t.Errorf("Load: %v, not naming the file", err)
		case err == nil && !utf8.ValidString(got):
			t.Errorf("Load = %q: not UTF-8", got)
		}
	})
}

// The same deck of 30 slides read as .ppt and as .pptx.
func BenchmarkLoadPPT(b *testing.B) {
	for _, file := range []string{"testdata/deck.ppt", "testdata/deck.pptx"} {
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		name := filepath.Base(file)
		b.Run(filepath.Ext(file)[1:], func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := (langchain.Loader{}).Load(context.Background(), name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
