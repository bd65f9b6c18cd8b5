package langchain

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// PowerPoint document streams built record by record, for what
// LibreOffice's files do not hold: placeholders' text in the list of
// slides (as PowerPoint writes it), 8-bit text, slides stored out of
// their order, an incremental save, a table's cells out of order, and
// hostile records.

// prec is an atom: its type, instance and body.
func prec(typ, inst uint16, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	h := binary.LittleEndian.AppendUint16(nil, inst<<4)
	h = binary.LittleEndian.AppendUint16(h, typ)
	return append(binary.LittleEndian.AppendUint32(h, uint32(len(b))), b...)
}

// pcont is a container of records.
func pcont(typ, inst uint16, children ...[]byte) []byte {
	r := prec(typ, inst, children...)
	r[0] |= 0x0F
	return r
}

func pu16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func pu32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// ptext is a text's records: its header of type typ, then its characters
// in UTF-16.
func ptext(typ uint32, s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return append(prec(pptTextHeader, 0, pu32(typ)), prec(pptTextChars, 0, b)...)
}

// pbytes is a text's records, its characters in 8 bits (Latin-1).
func pbytes(typ uint32, s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return append(prec(pptTextHeader, 0, pu32(typ)), prec(pptTextBytes, 0, b)...)
}

// pshape is a shape whose client text box holds records.
func pshape(records ...[]byte) []byte {
	return pcont(artSpContainer, 0, pcont(artClientTextbox, 0, records...))
}

// pref is a shape whose text is the slide's listed text i.
func pref(i uint32) []byte {
	return pshape(prec(pptTextHeader, 0, pu32(pptTitleText)), prec(pptOutlineTextRef, 0, pu32(i)))
}

// pcell is a table's cell (or, of shape type 20, a border line) at left,
// top, holding records.
func pcell(shapeType uint16, left, top int32, records ...[]byte) []byte {
	anchor := prec(artChildAnchor, 0, pu32(uint32(left)), pu32(uint32(top)), pu32(uint32(left+100)), pu32(uint32(top+50)))
	return pcont(artSpContainer, 0, prec(artFSP, shapeType, make([]byte, 8)), anchor, pcont(artClientTextbox, 0, records...))
}

// pgroup is a group of shapes; a table's when table is set.
func pgroup(table bool, shapes ...[]byte) []byte {
	var props []byte
	if table {
		props = prec(artTertiaryFOPT, 1, pu16(0x039F), pu32(1))
	}
	own := pcont(artSpContainer, 0, prec(artFSP, 0, make([]byte, 8)), props)
	return pcont(artSpgrContainer, 0, append([][]byte{own}, shapes...)...)
}

// pinner is a table's group inside another group: its own shape, as
// PowerPoint and LibreOffice write one, has the group flag and an anchor
// in the outer group.
func pinner(shapes ...[]byte) []byte {
	flags := append(make([]byte, 4), pu32(0x1|0x200)...) // fGroup, fHaveAnchor
	own := pcont(artSpContainer, 0, prec(artFSP, 0, flags), prec(artTertiaryFOPT, 1, pu16(0x039F), pu32(1)),
		prec(artChildAnchor, 0, pu32(0), pu32(0), pu32(200), pu32(150)))
	return pcont(artSpgrContainer, 0, append([][]byte{own}, shapes...)...)
}

// pslide is a slide record whose drawing holds shapes.
func pslide(shapes ...[]byte) []byte {
	return pcont(pptSlide, 0, prec(0x03EF, 0, make([]byte, 24)),
		pcont(pptDrawing, 0, pcont(artDgContainer, 0, pcont(artSpgrContainer, 0, shapes...))))
}

// pdeck is a built presentation: for each slide, the records the list of
// slides holds for it and its record; the slides are stored in the
// stream in the order store gives (by default, theirs).
type pdeck struct {
	listed [][]byte
	slides [][]byte
	store  []int
}

// streams returns the Current User and PowerPoint Document streams of the
// deck: its document container (persist id 1), its slides (2, 3, …), a
// persist directory, and a user edit.
func (d pdeck) streams() (user, doc []byte) {
	var list [][]byte
	for i, l := range d.listed {
		list = append(list, prec(pptSlidePersist, 0, pu32(uint32(2+i)), make([]byte, 16)), l)
	}
	doc = pcont(pptDocument, 0, prec(0x03E9, 0, make([]byte, 40)), pcont(pptSlideList, 0, list...))
	offsets := make([]uint32, 1+len(d.slides))
	store := d.store
	if store == nil {
		for i := range d.slides {
			store = append(store, i)
		}
	}
	for _, i := range store {
		offsets[1+i] = uint32(len(doc))
		doc = append(doc, d.slides[i]...)
	}
	doc = pedit(doc, 1, offsets, 0)
	return pcurrentUser(plastEdit(doc)), doc
}

// pedit appends a persist directory of the objects from persist id first
// at offsets (an offset of 0 left out), and a user edit after the one at
// last (0 for none), to doc.
func pedit(doc []byte, first uint32, offsets []uint32, last uint32) []byte {
	var dir []byte
	for i, off := range offsets {
		if off != 0 || i == 0 && first == 1 {
			dir = append(dir, pu32(first+uint32(i)|1<<20)...)
			dir = append(dir, pu32(off)...)
		}
	}
	dirAt := uint32(len(doc))
	doc = append(doc, prec(pptPersistDirectory, 0, dir)...)
	return append(doc, prec(pptUserEdit, 0, pu32(0), pu16(0), []byte{0, 3}, pu32(last), pu32(dirAt), pu32(1), pu32(100), pu16(1), pu16(0))...)
}

// pcurrentUser is a Current User stream whose newest edit is at offset
// edit.
func pcurrentUser(edit uint32) []byte {
	body := bytes.Join([][]byte{pu32(0x14), pu32(0xE391C05F), pu32(edit), pu16(0), pu16(0x03F4), {3, 0}, pu16(0)}, nil)
	return prec(pptCurrentUser, 0, body)
}

// plastEdit returns the offset of the user edit that ends doc.
func plastEdit(doc []byte) uint32 {
	return uint32(len(doc) - len(prec(pptUserEdit, 0, make([]byte, 28))))
}

func TestPPTRecords(t *testing.T) {
	// PowerPoint's way: the placeholders' text in the list of slides,
	// the shapes referring to it; a text box's own text in 8 bits; a
	// speaker note's type of text left out; a slide number's field left
	// out, a "*" that is no field kept.
	powerpoint := pdeck{
		listed: [][]byte{
			append(ptext(pptTitleText, "Budget\r2025"), ptext(1, "First point\rSecond\vline\nThird point\r")...),
			ptext(pptCenterTitleText, "Closing"),
		},
		slides: [][]byte{
			pslide(pref(0), pref(1), pshape(pbytes(4, "Café costs ½")), pshape(ptext(pptNotesText, "secret")), pref(7),
				pshape(ptext(4, "Page * of 5 * 2"), prec(0x0FD8, 0, pu32(5)))),
			pslide(pref(0), pshape(ptext(pptTitleText, "A second title"))),
		},
	}
	table := pdeck{
		listed: [][]byte{nil},
		slides: [][]byte{pslide(
			pshape(ptext(pptTitleText, "Limits")),
			pgroup(true,
				pcell(1, 100, 50, ptext(4, "150 euros")),
				pcell(1, 0, 50, ptext(4, "Hotel")),
				pcell(20, 0, 50),
				pcell(1, 0, 0, ptext(4, "Item")),
				pcell(1, 100, 0, ptext(4, "Limit\rper night")),
				pcell(1, 0, 100, ptext(4, "Taxi")),
				pcell(1, 100, 100),
			),
			pgroup(false, pshape(ptext(4, "Grouped text"))),
		)},
	}
	// A table grouped with a text box: its group's own shape is no cell
	// (found by a review: the rows shifted by one column).
	grouped := pdeck{
		listed: [][]byte{nil},
		slides: [][]byte{pslide(
			pshape(ptext(pptTitleText, "Roles")),
			pgroup(false,
				pshape(ptext(4, "Beside table")),
				pinner(
					pcell(1, 0, 0, ptext(4, "Name")),
					pcell(1, 100, 0, ptext(4, "Role")),
					pcell(1, 0, 50, ptext(4, "Ann")),
					pcell(1, 100, 50, ptext(4, "Chair")),
				),
			),
		)},
	}
	// An incremental save: the first edit's slide, then the second's,
	// which replaces it.
	_, doc := pdeck{listed: [][]byte{nil}, slides: [][]byte{pslide(pshape(ptext(pptTitleText, "Old")))}}.streams()
	first := plastEdit(doc)
	newAt := uint32(len(doc))
	doc = append(doc, pslide(pshape(ptext(pptTitleText, "New")))...)
	doc = pedit(doc, 2, []uint32{newAt}, first)
	user := pcurrentUser(plastEdit(doc))
	for _, c := range []struct {
		what      string
		user, doc []byte
		want      string
	}{
		{"placeholders in the list", nil, nil, "# Budget 2025\n\nFirst point\n\nSecond line\n\nThird point\n\nCafé costs ½\n\nPage of 5 * 2\n\n# Closing\n\nA second title"},
		{"a table", nil, nil, "# Limits\n\nItem | Limit per night\n\nItem: Hotel; Limit per night: 150 euros.\n\nItem: Taxi.\n\nGrouped text"},
		{"a table in a group", nil, nil, "# Roles\n\nBeside table\n\nName | Role\n\nName: Ann; Role: Chair."},
		{"slides stored out of order", nil, nil, "# Slide 1\n\nfirst\n\n# Slide 2\n\nsecond"},
		{"a slide not in the persist directory", nil, nil, "# Listed\n\nlisted body"},
		{"an incremental save", user, doc, "# New"},
	} {
		t.Run(c.what, func(t *testing.T) {
			user, doc := c.user, c.doc
			switch c.what {
			case "placeholders in the list":
				user, doc = powerpoint.streams()
			case "a table":
				user, doc = table.streams()
			case "a table in a group":
				user, doc = grouped.streams()
			case "slides stored out of order":
				user, doc = pdeck{listed: [][]byte{nil, nil}, slides: [][]byte{pslide(pshape(ptext(4, "first"))), pslide(pshape(ptext(4, "second")))}, store: []int{1, 0}}.streams()
			case "a slide not in the persist directory":
				user, doc = pdeck{listed: [][]byte{append(ptext(pptTitleText, "Listed"), ptext(1, "listed body")...)}}.streams()
			}
			got, err := readPPT(context.Background(), user, doc)
			if err != nil || got != c.want {
				t.Errorf("readPPT = %q, %v, want %q", got, err, c.want)
			}
		})
	}
}

// Hostile and broken streams are errors wrapping errPPT, found before the
// work they would cost.
func TestPPTHostile(t *testing.T) {
	one := pdeck{listed: [][]byte{nil}, slides: [][]byte{pslide(pshape(ptext(4, "x")))}}
	user, doc := one.streams()
	edit := plastEdit(doc)
	set := func(b []byte, at int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[at:], v)
		return b
	}
	// Groups nested 100 deep.
	deep := pshape(ptext(4, "deep"))
	for range 100 {
		deep = pcont(artSpgrContainer, 0, deep)
	}
	// One slide listed 1,000 times.
	many := pdeck{slides: [][]byte{pslide(pshape(ptext(4, "x")))}}
	for range 1_000 {
		many.listed = append(many.listed, nil)
	}
	manyUser, manyDoc := many.streams()
	for i := range uint32(1_000) {
		manyDoc = bytes.Replace(manyDoc, prec(pptSlidePersist, 0, pu32(3+i), make([]byte, 16)), prec(pptSlidePersist, 0, pu32(2), make([]byte, 16)), 1)
	}
	// A text of 64 KiB that 2,000 shapes name.
	var refs [][]byte
	for range 2_000 {
		refs = append(refs, pshape(prec(pptOutlineTextRef, 0, pu32(0))))
	}
	bigUser, bigDoc := pdeck{listed: [][]byte{pbytes(1, strings.Repeat("x", 64<<10))}, slides: [][]byte{pslide(refs...)}}.streams()
	// A text of 20,000 fields that 20,000 shapes name: each shape's reading
	// went over every field (found by a review: time grew as the square
	// of the file's size).
	fielded := ptext(1, "*")
	var fieldRefs [][]byte
	for range 20_000 {
		fielded = append(fielded, prec(0x0FD8, 0, pu32(0))...)
		fieldRefs = append(fieldRefs, pshape(prec(pptOutlineTextRef, 0, pu32(0))))
	}
	fieldsUser, fieldsDoc := pdeck{listed: [][]byte{fielded}, slides: [][]byte{pslide(fieldRefs...)}}.streams()
	deepUser, deepDoc := pdeck{listed: [][]byte{nil}, slides: [][]byte{pslide(deep)}}.streams()
	noSlidesUser, noSlidesDoc := pdeck{}.streams()
	// A user edit of 32 bytes names an encryption session.
	encrypted := append(bytes.Clone(doc[:edit]), prec(pptUserEdit, 0, doc[edit+8:], pu32(5))...)
	slideAt := uint32(bytes.Index(doc, one.slides[0]))
	// A persist directory of 10,000 entries that 100 edits name.
	shared := bytes.Clone(doc[:edit-uint32(len(prec(pptPersistDirectory, 0, make([]byte, 16))))])
	dirAt := uint32(len(shared))
	dir := [][]byte{pu32(1 | 2<<20), pu32(0), pu32(slideAt)}
	for i := range uint32(10_000) {
		dir = append(dir, pu32(100+i|1<<20), pu32(0))
	}
	shared = append(shared, prec(pptPersistDirectory, 0, dir...)...)
	last := uint32(0)
	for range 100 {
		at := uint32(len(shared))
		shared = append(shared, prec(pptUserEdit, 0, pu32(0), pu16(0), []byte{0, 3}, pu32(last), pu32(dirAt), pu32(1), pu32(100), pu16(1), pu16(0))...)
		last = at
	}
	for _, c := range []struct {
		what      string
		user, doc []byte
	}{
		{"encrypted (Current User)", set(user, 12, 0xF3D1C4DF), doc},
		{"encrypted (user edit)", user, encrypted},
		{"PowerPoint 95", append(pu32(8), make([]byte, 8)...), doc},
		{"a short Current User stream", user[:20], doc},
		{"no CurrentUserAtom", set(user, 0, 0), doc},
		{"an edit past the end", set(user, 16, uint32(len(doc))), doc},
		{"no user edit there", set(user, 16, 0), doc},
		{"user edits in a loop", user, set(doc, int(edit)+8+8, edit)},
		{"a persist directory past the end", user, set(doc, int(edit)+8+12, 1<<30)},
		{"a persist directory entry past its record", user, set(doc, int(edit)-8, 2|100<<20)},
		{"a record longer than the stream", user, set(doc, 4, 1<<31)},
		{"a slide's record past the stream's end", user, set(doc, int(slideAt)+4, 1<<20)},
		{"groups nested 100 deep", deepUser, deepDoc},
		{"one slide listed 1,000 times", manyUser, manyDoc},
		{"a persist directory that 100 edits name", set(user, 16, last), shared},
		{"a text named 2,000 times", bigUser, bigDoc},
		{"a text of 20,000 fields named 20,000 times", fieldsUser, fieldsDoc},
		{"no slides", noSlidesUser, noSlidesDoc},
	} {
		t.Run(c.what, func(t *testing.T) {
			got, err := readPPT(context.Background(), c.user, c.doc)
			t.Logf("%v", err)
			if !errors.Is(err, errPPT) {
				t.Errorf("readPPT = %.80q, %v, want an error wrapping errPPT", got, err)
			}
		})
	}
	// A context that ends stops the reading.
	var shapes [][]byte
	for range 10_000 {
		shapes = append(shapes, pshape(ptext(4, "x")))
	}
	longUser, longDoc := pdeck{listed: [][]byte{nil}, slides: [][]byte{pslide(shapes...)}}.streams()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := readPPT(ctx, longUser, longDoc); !errors.Is(err, context.Canceled) {
		t.Errorf("readPPT with an ended context: %v, want context.Canceled", err)
	}
}

// Whatever the streams, the reader returns: no panic, valid text or an
// error.
func FuzzReadPPT(f *testing.F) {
	user, doc := pdeck{
		listed: [][]byte{append(ptext(pptTitleText, "Title"), ptext(1, "Body")...), nil},
		slides: [][]byte{
			pslide(pref(0), pref(1), pshape(pbytes(4, "Café"))),
			pslide(pgroup(true, pcell(1, 0, 0, ptext(4, "A")), pcell(1, 100, 0, ptext(4, "B")), pcell(1, 0, 50, ptext(4, "1")))),
		},
	}.streams()
	f.Add(user, doc)
	f.Fuzz(func(t *testing.T, user, doc []byte) {
		got, err := readPPT(context.Background(), user, doc)
		if err == nil && !utf8.ValidString(got) {
			t.Errorf("readPPT = %q: not UTF-8", got)
		}
	})
}
