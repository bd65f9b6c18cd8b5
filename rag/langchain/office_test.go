package langchain_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/langchain"
)

// loadCases runs Load over named files and checks the text exactly.
func loadCases(t *testing.T, cases []struct {
	name string
	data []byte
	want string
}) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := langchain.Loader{}.Load(context.Background(), c.name, c.data)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Load(%s) =\n%q\nwant\n%q", c.name, got, c.want)
			}
		})
	}
}

func TestLoaderDOCX(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"headings.docx", makeDOCX(
			wPara("Title", "Staff Handbook")+
				wPara("TOC1", "Benefits 2")+
				wPara("Heading1", "Benefits")+
				wPara("", "Every employee ", "gets 25 days of paid leave.")+
				wPara("Heading2", "Carry-over")+
				wPara("", "Up to five days carry over.")+
				wPara("berschrift3", "Exceptions")+
				wPara("PolicyHeading", "Policy")+
				`<w:p><w:pPr><w:outlineLvl w:val="3"/></w:pPr><w:r><w:t>Direct outline</w:t></w:r></w:p>`+
				wPara("", ""),
			true),
			"# Staff Handbook\n\n# Benefits\n\nEvery employee gets 25 days of paid leave.\n\n## Carry-over\n\n" +
				"Up to five days carry over.\n\n### Exceptions\n\n## Policy\n\n#### Direct outline"},
		// Without a styles part the style ids name the headings.
		{"nostyles.DOCX", makeDOCX(wPara("Heading2", "Sick leave")+wPara("Normal", "Tell your manager."), false),
			"## Sick leave\n\nTell your manager."},
		{"table.docx", makeDOCX(
			wPara("", "Before the table.")+
				wTable([]string{"Plan", "Cost"}, []string{"Basic", "  free "}, []string{"", ""}, []string{"Premium", ""})+
				wPara("", "After."), true),
			"Before the table.\n\nPlan | Cost\n\nPlan: Basic; Cost: free.\n\nPlan: Premium.\n\nAfter."},
		{"runs.docx", makeDOCX(
			`<w:p><w:r><w:t>Tab</w:t><w:tab/><w:t>and</w:t><w:br/><w:t>break, non</w:t><w:noBreakHyphen/><w:t>breaking.</w:t></w:r></w:p>`+
				// Tracked changes: the deletion is left out, the insertion read.
				`<w:p><w:r><w:t xml:space="preserve">Kept </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>gone </w:delText></w:r></w:del>`+
				`<w:ins w:id="2" w:author="A"><w:r><w:t>inserted</w:t></w:r></w:ins></w:p>`+
				// A field: its code is left out, its result read.
				`<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>`+
				`<w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>`+
				// A hyperlink's text is the paragraph's.
				`<w:p><w:hyperlink r:id="rId9"><w:r><w:t>See the intranet</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p>`+
				// Tab stops in the paragraph's properties are no text.
				`<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Stops</w:t></w:r></w:p>`, true),
			"Tab and break, non-breaking.\n\nKept inserted\n\n7\n\nSee the intranet.\n\nStops"},
	})
}

func TestLoaderPPTX(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"deck.pptx", makePPTX(
			pShape("ctrTitle", "Security Basics")+pShape("subTitle", "For new staff"),
			pShape("body", "Lock your screen.", "Report phishing to security@example.com.")+pShape("title", "Every day")+
				pShape("ftr", "Confidential")+pShape("sldNum", "2")+pShape("dt", "7 December 2026"),
			pShape("", "A slide without a title.")+pTable([]string{"Risk", "Owner"}, []string{"Phishing", "IT"}),
		),
			"# Security Basics\n\nFor new staff\n\n# Every day\n\nLock your screen.\n\nReport phishing to security@example.com.\n\n" +
				"# Slide 3\n\nA slide without a title.\n\nRisk | Owner\n\nRisk: Phishing; Owner: IT."},
	})
}

// BenchmarkLoadOffice loads a handbook of 200 sections (about 60 KB of
// text) in each format; the bytes per second are of the text extracted.
func BenchmarkLoadOffice(b *testing.B) {
	var docx, odt, epub, rtf, rst, adoc, wiki, org strings.Builder
	rtf.WriteString(`{\rtf1\ansi{\stylesheet{\s2 heading 2;}}`)
	var slides, odpPages []string
	for i := range 200 {
		h := fmt.Sprintf("Section %d", i)
		p := fmt.Sprintf("Paragraph %d says that every employee gets %d days of paid leave, carried over by the end of March at the latest.", i, i%30)
		docx.WriteString(wPara("Heading2", h) + wPara("", p) + wPara("", p))
		odt.WriteString(`<text:h text:outline-level="2">` + h + `</text:h><text:p>` + p + `</text:p><text:p>` + p + `</text:p>`)
		epub.WriteString("<h2>" + h + "</h2><p>" + p + "</p><p>" + p + "</p>")
		rtf.WriteString(`\pard\plain\s2 ` + h + `\par\pard\plain ` + p + `\par\pard\plain ` + p + `\par` + "\n")
		rst.WriteString(h + "\n" + strings.Repeat("-", len(h)) + "\n\n" + p + "\n\n" + p + "\n\n")
		adoc.WriteString("== " + h + "\n\n" + p + "\n\n" + p + "\n\n")
		wiki.WriteString("== " + h + " ==\n" + p + "\n\n" + p + "\n\n")
		org.WriteString("** " + h + "\n" + p + "\n\n" + p + "\n\n")
		slides = append(slides, pShape("title", h)+pShape("body", p, p))
		odpPages = append(odpPages, odpFrame("title", h)+odpFrame("outline", p, p))
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"handbook.docx", makeDOCX(docx.String(), true)},
		{"handbook.pptx", makePPTX(slides...)},
		{"handbook.odt", makeODT(odt.String())},
		{"handbook.odp", makeODP(odpPages...)},
		{"handbook.epub", makeEPUB("Handbook", epub.String())},
		{"handbook.rtf", []byte(rtf.String() + "}")},
		{"handbook.rst", []byte(rst.String())},
		{"handbook.adoc", []byte(adoc.String())},
		{"handbook.wiki", []byte(wiki.String())},
		{"handbook.org", []byte(org.String())},
	} {
		b.Run(c.name, func(b *testing.B) {
			text, err := langchain.Loader{}.Load(context.Background(), c.name, c.data)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, err := (langchain.Loader{}).Load(context.Background(), c.name, c.data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(c.data)), "file-bytes")
		})
	}
}

// Macro-enabled files, templates and slide shows of Word, PowerPoint and
// OpenDocument are the same packages as their documents and read the same.
// (LibreOffice's own such files are read in TestLoaderLibreOffice and
// TestLoaderXLSLibreOffice, where it is installed.)
func TestLoaderOfficeVariants(t *testing.T) {
	docx := makeDOCX(wPara("Heading1", "Vacation")+wPara("", "Every employee gets 25 days."), true)
	pptx := makePPTX(pShape("title", "Phishing") + pShape("body", "Forward suspicious emails."))
	odp := makeODP(`<draw:page draw:name="p1"><draw:frame presentation:class="title"><draw:text-box><text:p>Phishing</text:p></draw:text-box></draw:frame></draw:page>`)
	for _, c := range []struct {
		data  []byte
		of    string
		names []string
	}{
		{docx, "d.docx", []string{"d.docm", "d.dotx", "d.DOTM"}},
		{pptx, "p.pptx", []string{"p.pptm", "p.potx", "p.potm", "p.ppsx", "p.ppsm"}},
		{odp, "p.odp", []string{"p.otp"}},
	} {
		want, err := langchain.Loader{}.Load(context.Background(), c.of, c.data)
		if err != nil || want == "" {
			t.Fatalf("Load(%s) = %q, %v", c.of, want, err)
		}
		for _, name := range c.names {
			if got, err := (langchain.Loader{}).Load(context.Background(), name, c.data); err != nil || got != want {
				t.Errorf("Load(%s) = %q, %v; want %q as from %s", name, got, err, want, c.of)
			}
		}
	}
}
