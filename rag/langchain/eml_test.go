package langchain_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

// Messages as mail programs save them (testdata/*.eml): the subject as the
// title, RFC 2047 words decoded, the header lines, the plain text preferred
// to the HTML, an HTML-only body read as a page, a body in base64 and
// Windows-1252, a format=flowed reply with its quotes' markers dropped,
// attachments listed by name and never read, a forwarded message under a
// heading of its own.
func TestLoaderEML(t *testing.T) {
	for _, c := range []struct {
		file   string
		want   string
		absent []string // what must not be read
	}{
		{"plain.eml", "# Re: Café menu\n\n" +
			"From: Renée Dupont <renee@example.com>\n" +
			"To: Facilities <facilities@example.org>, \"Lee, Sam\" <sam.lee@example.org>\n" +
			"Cc: hr@example.org\n" +
			"Sent: Tue, 3 Sep 2024 09:14:00 +0200\n\n" +
			"Hi Sam,\n\n" +
			"The canteen will serve a vegetarian lunch every Wednesday from September onwards, starting on 11 September.\n\n" +
			"On Mon, 2 Sep 2024 at 17:02, Sam Lee <sam.lee@example.org> wrote:\n\n" +
			"Could the canteen add a vegetarian option? Several people asked for one at the last staff meeting.\n\n" +
			"An earlier quoted line.\n\n" +
			"--\nRenee Dupont\nFacilities manager",
			[]string{"=?", "\n>", "Received", "Message-ID"}},
		{"alternative.eml", "# Office closure on Friday\n\n" +
			"From: Priya Natarajan <priya@example.com>\n" +
			"To: all-staff@example.com\n" +
			"Sent: Wed, 11 Dec 2024 16:45:12 +0000\n\n" +
			"The office will be closed on Friday 13 December for the electrical inspection.\n" +
			"The parking fee stays at €5 per day; the code for the side gate is 4=7.",
			[]string{"only the HTML part", "<p>", "color", "multi-part", "=E2", "\r"}},
		{"html.eml", "# Library news\n\n" +
			"From: Library <news@example.net>\n" +
			"To: dana@example.com\n" +
			"Sent: Mon, 6 Jan 2025 08:00:00 -0500\n\n" +
			"## Opening hours\n\n" +
			"The library now opens at 8:30 on weekdays and closes at 20:00; the café stays open until 18:00.\n\n" +
			"Day | Hours\n\n" +
			"Day: Saturday; Hours: 10:00 to 16:00.",
			[]string{"<p", "<h1", "<t", "tracking", "Preheader", "display", "pixel"}},
		{"windows1252.eml", "# Coffee machine\n\n" +
			"From: Marta Kowalski <marta@example.com>\n" +
			"To: team@example.com\n" +
			"Sent: Thu, 14 Nov 2024 11:02:33 +0100\n\n" +
			"Dear team,\n\n" +
			"The new coffee machine cost € 1,250 and was installed on the “third floor” near the café corner.\n" +
			"Please clean the milk frother after each use.\n\n" +
			"Regards,\nMarta",
			[]string{"RGVh", "\uFFFD"}},
		{"attachment.eml", "# Q1 travel report\n\n" +
			"From: Jonas Berg <jonas.berg@example.com>\n" +
			"To: finance@example.com\n" +
			"Sent: Fri, 7 Mar 2025 10:21:09 +0100\n\n" +
			"Attached is the travel report for the first quarter: we spent 18,400 euros, 12% under budget.\n\n" +
			"Attachments: Q1-travel-report.pdf, résumé notes.docx, Budget – 2025.xls.",
			[]string{"JVBER", "UEsDB", "iVBOR", "logo.png", "signature", "PGP", "<div"}},
		{"forwarded.eml", "# Fwd: Parking permits\n\n" +
			"From: Sam Lee <sam.lee@example.org>\n" +
			"To: Dana Park <dana@example.com>\n" +
			"Sent: Mon, 20 Jan 2025 14:05:00 +0000\n\n" +
			"Dana, see the message below about the new permits.\n\n" +
			"## Parking permits\n\n" +
			"From: Security Desk <security@example.org>\n" +
			"To: Sam Lee <sam.lee@example.org>\n" +
			"Sent: Fri, 17 Jan 2025 09:30:00 +0000\n\n" +
			"New parking permits must be collected from the security desk by 31 January.\n" +
			"Old permits stop working on 1 February.",
			[]string{"Attachments", "MIME-Version", "Content-Type"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := langchain.Loader{}.Load(context.Background(), c.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Load(%s) =\n%q\nwant\n%q", c.file, got, c.want)
			}
			for _, s := range c.absent {
				if strings.Contains(got, s) {
					t.Errorf("Load(%s) holds %q", c.file, s)
				}
			}
		})
	}
}

// Messages beside the fixtures: an mbox "From " line, no subject, an
// unknown charset, a forwarded message without a subject, an attachment
// sent as text, an empty multipart/alternative part passed over, and
// a digest whose parts are messages.
func TestLoaderEMLCases(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"mbox.eml", []byte("From dana@example.com Mon Jan  6 08:00:00 2025\nFrom: dana@example.com\nSubject: Hi\n\nBody.\n"),
			"# Hi\n\nFrom: dana@example.com\n\nBody."},
		{"untitled.eml", []byte("From: a@example.com\nDate: 1 Jan 2025\n\nNo subject here.\n"),
			"From: a@example.com\nSent: 1 Jan 2025\n\nNo subject here."},
		{"charset.eml", []byte("Subject: =?x-unknown?Q?Caf=C3=A9?=\nContent-Type: text/plain; charset=x-unknown\n\nna\xefve \xff text\n"),
			"# Café\n\nna\uFFFDve \uFFFD text"},
		{"latin1.eml", []byte("Subject: Caf\xe9\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\nCaf\xe9 cr\xe8me.\n"),
			"# Café\n\nCafé crème."},
		{"fwd.eml", []byte("Subject: Fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: x@example.com\n\nInner text.\n--b--\n"),
			"# Fwd\n\n## Forwarded message\n\nFrom: x@example.com\n\nInner text."},
		{"textattachment.eml", []byte("Subject: Notes\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nSee the notes.\n--b\n" +
			"Content-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\dana\\\\notes.txt\"\n\nSecret notes.\n--b--\n"),
			"# Notes\n\nSee the notes.\n\nAttachments: notes.txt."},
		{"emptyplain.eml", []byte("Subject: News\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n \n--b\n" +
			"Content-Type: text/html\n\n<p>Only <i>here</i>.</p>\n--b--\n"),
			"# News\n\nOnly here."},
		{"digest.eml", []byte("Subject: Digest\nContent-Type: multipart/digest; boundary=b\n\n--b\n\nSubject: One\n\nFirst.\n--b\n\nSubject: Two\n\nSecond.\n--b--\n"),
			"# Digest\n\n## One\n\nFirst.\n\n## Two\n\nSecond."},
		{"outlook.eml", []byte("Subject: Lunch\nContent-Type: text/html; charset=windows-1252\n\n<html><body><div class=WordSection1>" +
			"<p class=MsoNormal>Lunch is at 12:30 in room 4.<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>" +
			"<p class=MsoNormal>Bring your badge \x96 guests too.<o:p></o:p></p></div></body></html>\n"),
			"# Lunch\n\nLunch is at 12:30 in room 4.\n\nBring your badge – guests too."},
		{"quotes.eml", []byte("Subject: Re\n\nYes.\n> > Deeply quoted.\n>Quoted\n> on two lines.\nAfter.\n"),
			"# Re\n\nYes.\n\nDeeply quoted.\n\nQuoted\non two lines.\n\nAfter."},
		// Found by a review: an HTML body whose charset only its <meta>
		// says; a line of plain text starting with "#", which would read
		// as a heading; base64 left unpadded; a file name in RFC 2231's
		// extended form in a charset other than UTF-8.
		{"meta.eml", []byte("Subject: Meeting\nContent-Type: text/html\n\n<html><head><meta http-equiv=\"Content-Type\" " +
			"content=\"text/html; charset=shift_jis\"></head><body><p>\x89\xef\x8b\x63\x82\xcd\x96\xbe\x93\xfa\x82\xc5\x82\xb7\x81\x42</p></body></html>\n"),
			"# Meeting\n\n会議は明日です。"},
		{"hash.eml", []byte("Subject: Numbers\n\n# of attendees: 42\n#1 priority is parking.\n"),
			"# Numbers\n\nNo. of attendees: 42\nNo. 1 priority is parking."},
		{"unpadded.eml", []byte("Subject: B\nContent-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQsIHRoaXMgaXMgYSB0ZXN0Lg\n"),
			"# B\n\nHello world, this is a test."},
		{"latin1name.eml", []byte("Subject: Deal\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nSee attached.\n--b\n" +
			"Content-Type: application/vnd.ms-excel\nContent-Disposition: attachment; filename*=iso-8859-1'fr'N%E9gociation.xls\n\nxx\n--b--\n"),
			"# Deal\n\nSee attached.\n\nAttachments: Négociation.xls."},
	})
}

// A file that is not an email message, or one nested or split beyond the
// bounds, is an error naming it; none panics.
func TestLoaderEMLNotEmail(t *testing.T) {
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var deep strings.Builder
	for i := range 30 {
		fmt.Fprintf(&deep, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	var many strings.Builder
	many.WriteString("Subject: Many\nContent-Type: multipart/mixed; boundary=b\n\n")
	for i := range 1001 {
		fmt.Fprintf(&many, "--b\n\npart %d\n", i)
	}
	for _, c := range []struct{ name, data string }{
		{"empty", ""},
		{"random", string(random)},
		{"text", "Minutes of the meeting\n\nWe agreed on the budget.\n"},
		{"labelled", "Note: not a message\n\nIt has a line like a header.\n"},
		{"blank first", "\nFrom: a@example.com\n\nBody.\n"},
		{"deep", "Subject: Deep\n" + deep.String()},
		{"many", many.String()},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := langchain.Loader{}.Load(context.Background(), "mail.eml", []byte(c.data))
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), "mail.eml") || !strings.Contains(err.Error(), "not a readable email message") {
				t.Errorf("error %q: no file name or reason", err)
			}
		})
	}
}

// A message's reading stops with its context.
func TestLoaderEMLCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := langchain.Loader{}.Load(ctx, "mail.eml", []byte("Subject: Hi\n\nBody.\n"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Load = %v, want context.Canceled", err)
	}
}

// Whatever the bytes, the email reader returns: no panic, text for text.
func FuzzLoadEML(f *testing.F) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Subject: =?utf-8?B?w6k=?=\nContent-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: base64\n\nLS1iCgpYCi0tYi0t\n"))
	f.Add([]byte("Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nSubject: x\n\n> y \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := langchain.Loader{}.Load(context.Background(), "f.eml", data)
		switch {
		case err != nil && errors.Is(err, context.Canceled):
			t.Fatal(err)
		case err == nil && !utf8.ValidString(got):
			t.Errorf("Load = %q: not UTF-8", got)
		}
	})
}

// BenchmarkLoadEML loads a message of 200 paragraphs (about 25 KB of
// text): as Outlook sends it, plain text in quoted-printable beside its
// HTML and a PDF attached, and as an HTML-only newsletter; the bytes per
// second are of the file.
func BenchmarkLoadEML(b *testing.B) {
	var plain, html strings.Builder
	for i := range 200 {
		p := fmt.Sprintf("Paragraph %d says that every employee gets %d days of paid leave, carried over by the end of March at the latest.", i, i%30)
		plain.WriteString(p + "=\n\n\n")
		html.WriteString("<p>" + p + "</p>\n")
	}
	pdf := strings.Repeat("JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl\n", 400)
	head := "From: HR <hr@example.com>\nTo: all@example.com\nSubject: =?UTF-8?Q?Leave_=E2=80=93_2025?=\nDate: Mon, 6 Jan 2025 08:00:00 +0000\nMIME-Version: 1.0\n"
	for _, c := range []struct{ name, data string }{
		{"alternative", head + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: multipart/alternative; boundary=a\n\n" +
			"--a\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + plain.String() +
			"\n--a\nContent-Type: text/html; charset=utf-8\n\n<html><body>" + html.String() + "</body></html>\n--a--\n" +
			"--m\nContent-Type: application/pdf; name=leave.pdf\nContent-Disposition: attachment; filename=leave.pdf\nContent-Transfer-Encoding: base64\n\n" + pdf + "--m--\n"},
		{"html", head + "Content-Type: text/html; charset=utf-8\n\n<html><body>" + html.String() + "</body></html>\n"},
	} {
		b.Run(c.name, func(b *testing.B) {
			data := []byte(c.data)
			text, err := langchain.Loader{}.Load(context.Background(), "leave.eml", data)
			if n := strings.Count(text, "Paragraph "); err != nil || n != 200 {
				b.Fatalf("Load = %d paragraphs, %v", n, err)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := (langchain.Loader{}).Load(context.Background(), "leave.eml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
