package langchain_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/citebot/citebot/rag/langchain"
)

// Files written by LibreOffice (where it is installed): an HTML page
// converted to .docx, .odt, .rtf and .doc, and the test builders' .docx
// and .odt converted to each other (and the .docx to .rtf and .doc), which
// also shows LibreOffice opens them.
func TestLoaderLibreOffice(t *testing.T) {
	lo := newLibreOffice(t)
	dir := lo.dir
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("page.html", []byte(`<html><body><h1>Vacation</h1><p>Every employee gets 25 days.</p>`+
		`<h2>Carry-over</h2><p>Five days carry over.</p><table><tr><td>Plan</td><td>Cost</td></tr></table></body></html>`))
	write("built.docx", makeDOCX(wPara("Title", "Staff Handbook")+wPara("Heading1", "Vacation")+
		wPara("", "Every employee gets 25 days.")+wTable([]string{"Plan", "Cost"}, []string{"Basic", "free"}), true))
	write("built.odt", makeODT(`<text:p text:style-name="P1">Staff Handbook</text:p><text:h text:outline-level="1">Vacation</text:h>`+
		`<text:p>Every employee gets 25 days.</text:p><text:h text:outline-level="2">Carry-over</text:h><text:p>Five days.</text:p>`))
	convert := func(to, outdir string, names ...string) {
		for i, name := range names {
			names[i] = filepath.Join(dir, name)
		}
		lo.convert(to, outdir, names...)
	}
	convert("odt", "odt", "page.html", "built.docx")
	convert("docx:MS Word 2007 XML", "docx", "page.html", "built.odt")
	convert("rtf:Rich Text Format", "rtf", "page.html", "built.docx")
	write("empty.html", []byte(`<html><body><p>Rates</p><table><tr><td>City</td><td>Note</td><td>Limit</td></tr>`+
		`<tr><td>Paris</td><td></td><td>180 euros</td></tr><tr><td>Oslo</td><td>peak</td><td>210 euros</td></tr></table><p>End.</p></body></html>`))
	convert("doc:MS Word 97", "doc", "page.html", "built.docx", "empty.html")
	// Word's macro-enabled files and templates, and OpenDocument's
	// templates, read as the documents they are saved from.
	convert("docm:MS Word 2007 XML VBA", "docm", "page.html")
	convert("dotx:MS Word 2007 XML Template", "dotx", "page.html")
	convert("ott:writer8_template", "ott", "page.html")
	const page = "# Vacation\n\nEvery employee gets 25 days.\n\n## Carry-over\n\nFive days carry over.\n\nPlan | Cost"
	for _, c := range []struct{ file, want string }{
		{"rtf/page.rtf", page},
		{"doc/page.doc", page},
		// An empty cell is a cell, not its row's end: the row's end is
		// told by its paragraph's properties.
		{"doc/empty.doc", "Rates\n\nCity | Note | Limit\n\nCity: Paris; Limit: 180 euros.\n\nCity: Oslo; Note: peak; Limit: 210 euros.\n\nEnd."},
		{"doc/built.doc", "# Staff Handbook\n\n# Vacation\n\nEvery employee gets 25 days.\n\nPlan | Cost\n\nPlan: Basic; Cost: free."},
		{"rtf/built.rtf", "# Staff Handbook\n\n# Vacation\n\nEvery employee gets 25 days.\n\nPlan | Cost\n\nPlan: Basic; Cost: free."},
		{"odt/page.odt", page},
		{"docx/page.docx", page},
		{"docm/page.docm", page},
		{"dotx/page.dotx", page},
		{"ott/page.ott", page},
		{"odt/built.odt", "# Staff Handbook\n\n# Vacation\n\nEvery employee gets 25 days.\n\nPlan | Cost\n\nPlan: Basic; Cost: free."},
		{"docx/built.docx", "# Staff Handbook\n\n# Vacation\n\nEvery employee gets 25 days.\n\n## Carry-over\n\nFive days."},
	} {
		data, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := langchain.Loader{}.Load(context.Background(), c.file, data)
		if err != nil || got != c.want {
			t.Errorf("Load(%s) =\n%q, %v\nwant\n%q", c.file, got, err, c.want)
		}
	}
}

// libreOffice converts files with LibreOffice (soffice) for a test, with
// a profile of the test's own; newLibreOffice skips the test where
// LibreOffice is not installed, and under -short.
type libreOffice struct {
	t       *testing.T
	soffice string
	dir     string // the test's folder: the profile's, and the converted files' folders'
}

func newLibreOffice(t *testing.T) libreOffice {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed")
	}
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	return libreOffice{t: t, soffice: soffice, dir: t.TempDir()}
}

// convert converts the files (paths) to the format to ("xls:MS Excel 97")
// in the folder outdir of lo.dir, and returns what soffice said; a
// failure to run fails the test.
func (lo libreOffice) convert(to, outdir string, files ...string) []byte {
	lo.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(lo.dir, "profile"), "--headless",
		"--convert-to", to, "--outdir", filepath.Join(lo.dir, outdir)}, files...)
	out, err := exec.CommandContext(ctx, lo.soffice, args...).CombinedOutput()
	if err != nil {
		lo.t.Fatalf("soffice: %v\n%s", err, out)
	}
	return out
}
