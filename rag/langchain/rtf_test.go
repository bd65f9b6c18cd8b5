package langchain_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

// An RTF file as Word writes one: heading styles named in the stylesheet,
// an outline level, a header, a footer, a footnote, a hyperlink's field
// instruction, a picture and binary data left out; its text, its table,
// its escaped characters in the code page and in Unicode read.
func TestLoaderRTF(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"policy.rtf", []byte(`{\rtf1\ansi\ansicpg1252\deff0\uc1
{\fonttbl{\f0\froman Times New Roman;}{\f1\fswiss Arial;}}
{\colortbl;\red0\green0\blue0;}
{\stylesheet{\ql \snext0 Normal;}{\s1\ql\outlinelevel0 \b\fs32\sbasedon0\snext0 heading 1;}{\s2\sbasedon0 heading 2;}{\*\cs10 \additive Default Paragraph Font;}}
{\info{\title Travel policy}{\author Dana}}
{\header \pard\plain Confidential header\par}
{\footer \pard\plain Page footer\par}
\pard\plain\s1 Travel policy\par
\pard\plain Caf\'e9 bookings need approval{\footnote \pard\plain A footnote.}.\par
\pard\plain\s2 Hotels\par
\pard\plain The limit is \u8364\'80150 a night \endash{} see {\field{\*\fldinst HYPERLINK "https://example.org/"}{\fldrslt the rates page}}.\par
{\pict\pngblip 89504e470d0a}
\pard\plain\outlinelevel2 Taxis\par
\pard\plain A tab\tab and a line\line break; a \{brace\} and a backslash \\.{\*\unknowndest hidden}\par
{\bin2 {}}\pard\plain after binary\par
\trowd\cellx1000\cellx2000
\pard\intbl City\cell\pard\intbl Limit\cell\row
\trowd\cellx1000\cellx2000
\pard\intbl Paris\cell\pard\intbl 180 euros\cell\row
\pard\plain The end.\par
}`), "# Travel policy\n\nCafé bookings need approval.\n\n## Hotels\n\nThe limit is €150 a night – see the rates page.\n\n### Taxis\n\n" +
			"A tab and a line break; a {brace} and a backslash \\.\n\nafter binary\n\nCity | Limit\n\nCity: Paris; Limit: 180 euros.\n\nThe end."},
		// Hidden text and a tracked deletion are not what a reader sees;
		// a character outside the Basic Multilingual Plane is written as
		// its two surrogates.
		{"hidden.rtf", []byte(`{\rtf1\ansi\uc1
\pard\plain The fee is {\v secret }{\deleted\revauth1 40 }\deleted0 50 pounds.\par
\pard\plain Visible{\v\tab hidden}\v0  again{\v  gone\plain  back}.\par
\pard\plain Smile \u-10179?\u-8704? and a lone \u-10179?x.\par
}`), "The fee is 50 pounds.\n\nVisible again back.\n\nSmile \U0001F600 and a lone x."},
	})
}

// A file that is not RTF is an error naming it.
func TestLoaderRTFNotRTF(t *testing.T) {
	_, err := langchain.Loader{}.Load(context.Background(), "fake.rtf", []byte("just text"))
	if err == nil {
		t.Fatal("Load(fake.rtf) of plain text succeeded")
	}
}

// Whatever the bytes, the RTF reader returns: no panic, text for text.
func FuzzLoadRTF(f *testing.F) {
	f.Add([]byte(`{\rtf1\ansi{\stylesheet{\s1 heading 1;}}\pard\s1 T\par \u8364\'80 x\'e9{\*\x y}\trowd\intbl a\cell b\cell\row\bin2 ab}`))
	f.Add([]byte(`{\rtf1 {{{{\'`))
	f.Add([]byte(`{\rtf1\uc2\u-3913 ab\u`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := langchain.Loader{}.Load(context.Background(), "f.rtf", data)
		if err == nil && !utf8.ValidString(got) {
			t.Errorf("Load = %q: not UTF-8", got)
		}
	})
}
