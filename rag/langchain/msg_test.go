package langchain_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/charmap"

	"github.com/citebot/citebot/rag/langchain"
)

// updateMSG rewrites the committed messages, testdata/notice.msg and
// testdata/newsletter.msg, from the ones the tests build:
// go test -run '^TestLoaderMSG$' -update-msg ./rag/langchain/
var updateMSG = flag.Bool("update-msg", false, "rewrite testdata/*.msg from the messages the tests build")

// The property ids of the messages built ([MS-OXPROPS]).
const (
	tagSubject          = 0x0037
	tagClientSubmitTime = 0x0039
	tagSenderName       = 0x0C1A
	tagSenderEmail      = 0x0C1F
	tagDisplayCc        = 0x0E03
	tagDisplayTo        = 0x0E04
	tagDeliveryTime     = 0x0E06
	tagBody             = 0x1000
	tagRTFCompressed    = 0x1009
	tagHTML             = 0x1013
	tagInternetCodepage = 0x3FDE
	tagMessageCodepage  = 0x3FFD
	tagSenderSMTP       = 0x5D01
)

// msgCase is a message the tests build, and the text it gives.
type msgCase struct {
	file   string
	msg    testMessage
	want   string
	absent []string // what must not be read
}

// msgCases are the messages the tests build; the first two are committed
// to testdata.
func msgCases(t testing.TB) []msgCase {
	t.Helper()
	sent := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
	pdf := bytes.Repeat([]byte("%PDF-1.7 evacuation plan, never read "), 300) // 11 KB: in sectors of its own
	win1250 := func(s string) []byte {
		b, err := charmap.Windows1250.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	win1252 := func(s string) []byte {
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fromHTML := `{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}` +
		`{\*\htmltag19 <html>}{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0 {\*\htmltag64 <p>}` +
		`Visitors must sign in at the reception desk.\htmlrtf\par\htmlrtf0{\*\htmltag72 </p>}}\htmlrtf }\htmlrtf0 {\*\htmltag58 </body>}}`
	return []msgCase{
		{"notice.msg", testMessage{
			streams: []cfbEntry{
				propString(tagSubject, "Fire drill on Monday"),
				propString(tagSenderName, "Renée Dupont"),
				propString(tagSenderEmail, "/O=EXAMPLE/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=RDUPONT"),
				propString(tagSenderSMTP, "renee.dupont@example.com"),
				propString(tagDisplayTo, "Sam Lee; Dana Park"),
				propString(tagDisplayCc, "Facilities Team"),
				propString(tagBody, "Hi all,\r\n\r\n"+
					"The fire drill will take place on Monday 13 January at 10:30; please leave the building by the north stairs.\r\n\r\n"+
					"The assembly point for the fire drill is the car park behind the canteen.\r\n\r\n"+
					"> Is the drill this month?\r\n> Sam\r\n\r\nRenée\r\n"),
				propStream(tagHTML, ptBinary, []byte(`<html><body><p>Only the HTML says this.</p></body></html>`)),
				propStream(tagRTFCompressed, ptBinary, compressRTF(`{\rtf1\ansi Only the RTF says this.\par}`)),
			},
			fixed: []fixedProp{propTime(tagClientSubmitTime, sent), propTime(tagDeliveryTime, sent.Add(5*time.Second)),
				propLong(tagMessageCodepage, 1252)},
			attachments: [][]cfbEntry{
				attachment("evacuation-plan.pdf", "EVACUA~1.PDF", pdf, false),
				attachment("Übersicht – Sammelplätze 2025.xlsx", "BERSIC~1.XLS", []byte("PK\x03\x04 never read"), false),
				attachment("image001.png", "", []byte("\x89PNG never read"), true),
			},
		}, "# Fire drill on Monday\n\n" +
			"From: Renée Dupont <renee.dupont@example.com>\n" +
			"To: Sam Lee; Dana Park\n" +
			"Cc: Facilities Team\n" +
			"Sent: Mon, 6 Jan 2025 08:00:00 +0000\n\n" +
			"Hi all,\n\n" +
			"The fire drill will take place on Monday 13 January at 10:30; please leave the building by the north stairs.\n\n" +
			"The assembly point for the fire drill is the car park behind the canteen.\n\n" +
			"Is the drill this month?\nSam\n\nRenée\n\n" +
			"Attachments: evacuation-plan.pdf, Übersicht – Sammelplätze 2025.xlsx.",
			[]string{"Only the", "PDF", "PK", "PNG", "image001", "EXCHANGE", "EVACUA~1", "\r", "\x00"}},
		{"newsletter.msg", testMessage{
			streams: []cfbEntry{
				propString(tagSubject, "Library news"),
				propString(tagSenderName, "Library"),
				propString(tagSenderEmail, "news@example.net"),
				propString(tagDisplayTo, "Dana Park"),
				// The page says its charset; the code page says another.
				propStream(tagHTML, ptBinary, win1252(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">`+
					`<style>p {color: red}</style></head><body><h1>Opening hours</h1>`+
					`<p>The library now opens at 8:30 on weekdays; the café sells coffee for €2.</p>`+
					`<table><tr><th>Day</th><th>Hours</th></tr><tr><td>Saturday</td><td>10:00 to 16:00</td></tr></table>`+
					`<p>&nbsp;</p></body></html>`+"\x00")),
			},
			fixed: []fixedProp{propTime(tagDeliveryTime, time.Date(2025, 3, 14, 16, 45, 12, 0, time.UTC)),
				propLong(tagInternetCodepage, 1251)},
			attachments: [][]cfbEntry{{
				propertiesStream(8, 0, propLong(0x3705, 5)),
				cfbStorage("__substg1.0_3701000D", propString(tagSubject, "Minutes of the March meeting"),
					propertiesStream(24, 0)),
			}},
		}, "# Library news\n\n" +
			"From: Library <news@example.net>\n" +
			"To: Dana Park\n" +
			"Sent: Fri, 14 Mar 2025 16:45:12 +0000\n\n" +
			"## Opening hours\n\n" +
			"The library now opens at 8:30 on weekdays; the café sells coffee for €2.\n\n" +
			"Day | Hours\n\n" +
			"Day: Saturday; Hours: 10:00 to 16:00.\n\n" +
			"Attachments: Minutes of the March meeting.",
			[]string{"<p", "color", "\uFFFD"}},
		{"ansi.msg", testMessage{
			streams: []cfbEntry{
				propStream(tagSubject, ptString8, win1250("Nový kávovar")),
				propStream(tagSenderName, ptString8, win1250("Wróbel, Łukasz")),
				propStream(tagSenderEmail, ptString8, []byte("lukasz@example.pl")),
				propStream(tagDisplayTo, ptString8, win1250("Zespół")),
				propStream(tagBody, ptString8, win1250("The new coffee machine cost 1250 zł and was installed by Łukasz.\r\n\x00")),
			},
			fixed: []fixedProp{propLong(tagMessageCodepage, 1250), propTime(tagClientSubmitTime, time.Date(2024, 11, 14, 10, 2, 33, 0, time.UTC))},
		}, "# Nový kávovar\n\n" +
			"From: \"Wróbel, Łukasz\" <lukasz@example.pl>\n" +
			"To: Zespół\n" +
			"Sent: Thu, 14 Nov 2024 10:02:33 +0000\n\n" +
			"The new coffee machine cost 1250 zł and was installed by Łukasz.",
			nil},
		{"rtf.msg", testMessage{
			streams: []cfbEntry{
				propString(tagSubject, "Parking permits"),
				propStream(tagRTFCompressed, ptBinary, compressRTF(`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}`+
					`\pard\plain\f0 Parking permits must be renewed by 31 March at the security desk.\par`+
					`\pard Permits cost 40 euros a year; the caf\'e9 sells them too.\par}`)),
			},
		}, "# Parking permits\n\n" +
			"Parking permits must be renewed by 31 March at the security desk.\n\n" +
			"Permits cost 40 euros a year; the café sells them too.",
			[]string{"Calibri", `\par`}},
		{"fromhtml.msg", testMessage{
			streams: []cfbEntry{
				propString(tagSubject, "Visitors"),
				propStream(tagRTFCompressed, ptBinary, compressRTF(fromHTML)),
			},
		}, "# Visitors\n\nVisitors must sign in at the reception desk.",
			[]string{"<p>", "htmltag"}},
		// [MS-OXRTFCP]'s own way of compressing, which compressRTF
		// might not share: "{\rtf1" and "WXYZ…" as references.
		{"vector.msg", testMessage{
			streams: []cfbEntry{
				propString(tagSubject, "Vector"),
				propStream(tagRTFCompressed, ptBinary, []byte("\x1a\x00\x00\x00\x1c\x00\x00\x00LZFu\xe2\xd4KQA\x00\x04 WXYZ\rn}\x01\x0e\xb0")),
			},
		}, "# Vector\n\nWXYZWXYZWXYZWXYZWXYZ", nil},
		{"nosubject.msg", testMessage{
			streams: []cfbEntry{propString(tagBody, "Only a body.")},
		}, "Only a body.", nil},
		// Found by a review: a blank plain text gives way to the HTML; a
		// message sent for someone else is from them, name and address
		// together; an attached message's subject is no path; an image
		// rendered in the body is no attachment to list; a <meta> that
		// says UTF-16 is read as UTF-8.
		{"review.msg", testMessage{
			streams: []cfbEntry{
				propString(tagSubject, "Budget"),
				propString(tagSenderName, "Alex Assistant"),
				propString(tagSenderEmail, "/O=EXAMPLE/OU=EXCHANGE/CN=RECIPIENTS/CN=ALEX"),
				propString(0x0042, "Bea Boss"),        // PidTagSentRepresentingName
				propString(0x5D02, "bea@example.com"), // PidTagSentRepresentingSmtpAddress
				propString(tagBody, "\r\n"),
				propStream(tagHTML, ptBinary, []byte(`<html><head><meta charset="unicode"></head><body><p>The budget review is on Friday.</p></body></html>`)),
			},
			attachments: [][]cfbEntry{
				{
					propertiesStream(8, 0, propLong(0x3705, 5)),
					cfbStorage("__substg1.0_3701000D", propString(tagSubject, "Q1/Q2 budget review"), propertiesStream(24, 0)),
				},
				{
					propString(0x3707, "image001.png"),
					propStream(0x3701, ptBinary, []byte("\x89PNG never read")),
					propertiesStream(8, 0, propLong(0x3705, 1), propLong(0x3714, 4)),
				},
			},
		}, "# Budget\n\nFrom: Bea Boss <bea@example.com>\n\nThe budget review is on Friday.\n\nAttachments: Q1/Q2 budget review.",
			[]string{"Alex", "image001"}},
	}
}

// Messages as Outlook saves them: the subject as the title, the sender's
// name and SMTP address (not the Exchange one), the display lists of To
// and Cc, the time sent (submitted, else delivered) in UTC, the plain
// text preferred to the HTML and the RTF, an HTML-only body in its
// <meta> charset, 8-bit strings in the message's code page, an RTF-only
// body decompressed (HTML wrapped in RTF read as its RTF text), the
// attachments listed by name (a long one with non-ASCII characters, an
// attached message by its subject), a hidden one and every attachment's
// data left out.
func TestLoaderMSG(t *testing.T) {
	for i, c := range msgCases(t) {
		t.Run(c.file, func(t *testing.T) {
			data := c.msg.bytes(t)
			if i < 2 {
				wantCommitted(t, filepath.Join("testdata", c.file), data)
			}
			got, err := langchain.Loader{}.Load(context.Background(), c.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Load(%s) =\n%q\nwant\n%q", c.file, got, c.want)
			}
			for _, a := range c.absent {
				if strings.Contains(got, a) {
					t.Errorf("Load(%s) holds %q", c.file, a)
				}
			}
		})
	}
}

// wantCommitted fails unless the file at name holds data, or writes it
// with -update-msg.
func wantCommitted(t *testing.T, name string, data []byte) {
	t.Helper()
	if *updateMSG {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	committed, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, data) {
		t.Errorf("%s differs from the message built; rewrite it with -update-msg", name)
	}
}

// The compound files buildCFB writes read back with mscfb as written:
// storages nested, streams in the mini stream and in sectors of their
// own, an empty one, names in UTF-16.
func TestBuildCFB(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 700) // 11,200 bytes
	want := map[string][]byte{
		"a":             []byte("first"),
		"big":           big,
		"empty":         {},
		"dir/inner":     bytes.Repeat([]byte{7}, 100),
		"dir/sub/deep":  []byte("deepest"),
		"dir/sub/big 2": big[:4096],
		"Ünïcode name":  []byte("é"),
	}
	data := buildCFB(t, cfbStream("a", want["a"]), cfbStream("big", big), cfbStream("empty", nil),
		cfbStorage("dir", cfbStream("inner", want["dir/inner"]),
			cfbStorage("sub", cfbStream("deep", want["dir/sub/deep"]), cfbStream("big 2", want["dir/sub/big 2"]))),
		cfbStream("Ünïcode name", want["Ünïcode name"]))
	if len(data)%512 != 0 {
		t.Errorf("%d bytes: not whole sectors", len(data))
	}
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	var storages []string
	for f, err := r.Next(); err == nil; f, err = r.Next() {
		p := strings.Join(append(slices.Clone(f.Path), f.Name), "/")
		if f.FileInfo().IsDir() {
			storages = append(storages, p)
			continue
		}
		b, err := io.ReadAll(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		got[p] = b
	}
	if len(got) != len(want) {
		t.Errorf("streams %q, want %d", slices.Sorted(maps.Keys(got)), len(want))
	}
	for p, w := range want {
		if !bytes.Equal(got[p], w) {
			t.Errorf("%s: %d bytes %.20q, want %d bytes %.20q", p, len(got[p]), got[p], len(w), w)
		}
	}
	slices.Sort(storages)
	if !slices.Equal(storages, []string{"dir", "dir/sub"}) {
		t.Errorf("storages %q, want dir, dir/sub", storages)
	}
}

// A file that is not an Outlook message, a compound file of another kind
// (a Word document renamed) or without a subject or a body, a stream
// longer than the file and storages nested too deep are errors naming
// the file, never a panic.
func TestLoaderMSGBroken(t *testing.T) {
	doc, err := os.ReadFile("testdata/handbook.doc")
	if err != nil {
		t.Fatal(err)
	}
	notice := msgCases(t)[0].msg.bytes(t)
	deep := cfbStream("__substg1.0_0037001F", []byte("d\x00"))
	for range 70 {
		deep = cfbStorage("s", deep)
	}
	wantBroken(t, "testdata/notice.msg", ".msg",
		brokenFile{"handbook.msg", doc, "neither a subject nor a body"},
		brokenFile{"properties.msg", buildCFB(t, propertiesStream(32, 0, propLong(tagMessageCodepage, 1252))), "neither a subject nor a body"},
		brokenFile{"long.msg", patchStreamSize(t, notice, "__substg1.0_1000001F", 1<<30), "in a file of"},
		brokenFile{"longer.msg", patchStreamSize(t, notice, "__substg1.0_1000001F", uint32(len(notice)+1)), "in a file of"},
		brokenFile{"deep.msg", buildCFB(t, propString(tagSubject, "Deep"), deep), ""},
	)
}

// A message's streams read together are no longer than the file, however
// many directory entries name the same sectors.
func TestLoaderMSGSharedSectors(t *testing.T) {
	body := strings.Repeat("The same sectors, read again. ", 200) // 6,000 UTF-16 units: in sectors of their own
	data := testMessage{streams: []cfbEntry{
		propString(tagSubject, "Shared"), propString(tagBody, body),
		propString(tagDisplayTo, strings.Repeat("x", 3000)),
	}}.bytes(t)
	// The To line's entry is made to name the body's sectors, and as long.
	var raw []byte
	for _, u := range []rune("__substg1.0_1000001F") {
		raw = binary.LittleEndian.AppendUint16(raw, uint16(u))
	}
	i := bytes.Index(data, raw)
	var to []byte
	for _, u := range []rune("__substg1.0_0E04001F") {
		to = binary.LittleEndian.AppendUint16(to, uint16(u))
	}
	j := bytes.Index(data, to)
	if i < 0 || j < 0 || i%128 != 0 || j%128 != 0 {
		t.Fatal("directory entries not found")
	}
	copy(data[j+116:j+128], data[i+116:i+128])
	got, err := langchain.Loader{}.Load(context.Background(), "shared.msg", data)
	if err == nil && strings.Count(got, "The same sectors") > 200 {
		t.Errorf("Load(shared.msg) read the body twice")
	}
	t.Logf("shared.msg: %v", err)
}

// Whatever the bytes, the Outlook message reader returns: no panic, text
// in UTF-8 for a message, an error naming the file otherwise.
func FuzzLoadMSG(f *testing.F) {
	for _, c := range msgCases(f) {
		data := c.msg.bytes(f)
		f.Add(data)
		f.Add(data[:len(data)*3/4])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := langchain.Loader{}.Load(context.Background(), "f.msg", data)
		switch {
		case err != nil && errors.Is(err, context.Canceled):
			t.Fatal(err)
		case err != nil && !strings.Contains(err.Error(), "f.msg"):
			t.Errorf("error %v does not name the file", err)
		case err == nil && !utf8.ValidString(got):
			t.Errorf("Load = %q: not UTF-8", got)
		}
	})
}

// A folder with saved Outlook messages beside a note answers from a
// message's body (an HTML-only one's under its heading) and from its Sent
// line, each citation naming the message. "When was the fire drill email
// sent?" is not asked: the answerer prefers the body's sentence that
// dates the drill ("on Monday 13 January at 10:30") to the Sent line.
func TestAskMSG(t *testing.T) {
	x := indexFiles(t, withFixtures(t, map[string][]byte{
		"handbook.md": []byte("# Handbook\n\n## Leave\n\nEvery employee gets 25 days of paid vacation per calendar year.\n"),
	}, "notice.msg", "newsletter.msg"))
	wantFormatAnswers(t, x, []formatCase{
		{"Where is the assembly point for the fire drill?", "notice.msg",
			"The assembly point for the fire drill is the car park behind the canteen.", ""},
		{"When was the library news email sent?", "newsletter.msg", "Sent: Fri, 14 Mar 2025 16:45:12 +0000", ""},
		{"When does the library open on weekdays?", "newsletter.msg",
			"The library now opens at 8:30 on weekdays; the café sells coffee for €2.", "Opening hours"},
		{"How many days of paid vacation does an employee get?", "handbook.md",
			"Every employee gets 25 days of paid vacation per calendar year.", "Leave"},
	})
}

func BenchmarkLoadMSG(b *testing.B) {
	data, err := os.ReadFile("testdata/notice.msg")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := (langchain.Loader{}).Load(context.Background(), "notice.msg", data); err != nil {
			b.Fatal(err)
		}
	}
}
