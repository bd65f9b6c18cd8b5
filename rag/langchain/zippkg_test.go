package langchain_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
)

// withPart returns the archive data with the part name's content replaced
// by body (or added), the other entries as they were.
func withPart(data []byte, name string, body []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	done := false
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		if err != nil {
			panic(err)
		}
		if f.Name == name {
			w.Write(body)
			done = true
			continue
		}
		rc, err := f.Open()
		if err != nil {
			panic(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	if !done {
		w, _ := zw.Create(name)
		w.Write(body)
	}
	zw.Close()
	return buf.Bytes()
}

// partOf returns the content of the part name of the archive data.
func partOf(data []byte, name string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		panic(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return b
}

// deflated is n bytes of filler, deflated: a few hundred KiB per 100 MiB.
func deflated(head string, n int64, filler byte, tail string) ([]byte, uint32) {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	crc := crc32.NewIEEE()
	w := io.MultiWriter(fw, crc)
	io.WriteString(w, head)
	chunk := bytes.Repeat([]byte{filler}, 1<<20)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		w.Write(chunk[:k])
		n -= k
	}
	io.WriteString(w, tail)
	fw.Close()
	return buf.Bytes(), crc.Sum32()
}

// withRawPart returns the archive data with the part name replaced by a
// deflated body whose header claims size bytes uncompressed.
func withRawPart(data []byte, name string, body []byte, crc uint32, size uint64) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		zw.Copy(f)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(body)), UncompressedSize64: size})
	if err != nil {
		panic(err)
	}
	w.Write(body)
	zw.Close()
	return buf.Bytes()
}

// Hostile files are errors that name the file, returned quickly and
// within bounded memory: a zip bomb (honest headers, or lying about its
// size), a book reading one part again and again, too many entries, deep
// nesting, entity declarations (billion laughs), and files that are not
// the format at all.
func TestLoaderHostileArchives(t *testing.T) {
	docx := makeDOCX(wPara("", "Hello."), true)
	const doc = "word/document.xml"
	bombHead := xmlDecl + `<w:document ` + nsW + `><w:body><w:p><w:r><w:t>`
	bombTail := `</w:t></w:r></w:p></w:body></w:document>`
	bomb, crc := deflated(bombHead, 200<<20, ' ', bombTail)

	// A chapter of 1 MiB, read 100 times over by the spine.
	chapter := "<p>" + strings.Repeat("word ", 200_000) + "</p>"
	epub := makeEPUB("Loop", chapter)
	opf := string(partOf(epub, "OEBPS/content.opf"))
	opf = strings.Replace(opf, `<itemref idref="ch1"/>`, strings.Repeat(`<itemref idref="ch1"/>`, 100), 1)
	epubLoop := withPart(epub, "OEBPS/content.opf", []byte(opf))

	var many bytes.Buffer
	zw := zip.NewWriter(&many)
	for i := range 10_001 {
		zw.Create(fmt.Sprintf("f%d", i))
	}
	zw.Close()

	deep := xmlDecl + `<w:document ` + nsW + `><w:body>` + strings.Repeat("<w:p>", 100_000) + strings.Repeat("</w:p>", 100_000) + `</w:body></w:document>`
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>`
	docLaughs := laughs + `<w:document ` + nsW + `><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>`
	xhtmlLaughs := laughs + `<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol2;</p></body></html>`

	for _, c := range []struct {
		name string
		data []byte
		want string // in the error
	}{
		{"bomb.docx", withPart(docx, doc, nil), ""}, // replaced below
		{"lying-bomb.docx", withRawPart(docx, doc, bomb, crc, 100), ""},
		{"loop.epub", epubLoop, "beyond the limits"},
		{"many.docx", many.Bytes(), "more than 10000 entries"},
		{"deep.docx", withPart(docx, doc, []byte(deep)), "nested deeper than 256"},
		{"laughs.docx", withPart(docx, doc, []byte(docLaughs)), "document type declaration"},
		{"laughs.epub", withPart(makeEPUB("Laughs", "<p>x</p>"), "OEBPS/text/ch 1.xhtml", []byte(xhtmlLaughs)), "document type declaration"},
		{"text.docx", []byte("not a zip at all"), "zip"},
		{"truncated.pptx", makePPTX(pShape("title", "T"))[:200], "zip"},
		{"empty.odt", docArchive(docPart{name: "mimetype", body: "application/vnd.oasis.opendocument.text", stored: true}), "content.xml"},
		{"empty.pptx", docArchive(docPart{name: "[Content_Types].xml", body: "<Types/>"}), "no slides"},
		{"empty.epub", docArchive(docPart{name: "mimetype", body: "application/epub+zip"}), "no package document"},
		{"broken.odp", withPart(makeODP(odpFrame("title", "T")), "content.xml", []byte("<office:document-content><office:body>")), "content.xml"},
	} {
		if c.name == "bomb.docx" {
			c.data = withRawPart(docx, doc, bomb, crc, uint64(len(bombHead)+200<<20+len(bombTail)))
			c.want = "more than 67108864 bytes uncompressed"
		}
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			got, err := langchain.Loader{}.Load(context.Background(), c.name, c.data)
			took := time.Since(start)
			t.Logf("%d bytes: %v after %v", len(c.data), err, took.Round(time.Millisecond))
			if err == nil {
				t.Fatalf("Load(%s) = %d bytes of text, want an error", c.name, len(got))
			}
			if !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want one naming %s and saying %q", err, c.name, c.want)
			}
			if took > 5*time.Second && !raceDetector {
				t.Errorf("Load(%s) took %v", c.name, took)
			}
		})
	}
}

// A canceled context stops a load.
func TestLoaderArchiveCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (langchain.Loader{}).Load(ctx, "a.docx", makeDOCX(wPara("", "x"), true)); err == nil {
		t.Error("Load with a canceled context succeeded")
	}
}

// checkFuzzed checks what a loader made of a fuzzed file: no panic (the
// call returned), an error names the file, and text is tidy and bounded.
func checkFuzzed(t *testing.T, name string, data []byte) {
	start := time.Now()
	got, err := langchain.Loader{}.Load(context.Background(), name, data)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Load(%s) took %v", name, took)
	}
	if err != nil {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name the file", err)
		}
		return
	}
	if len(got) > 80<<20 {
		t.Errorf("Load(%s) = %d bytes of text", name, len(got))
	}
	if strings.TrimSpace(got) != got || strings.Contains(got, "\n\n\n") {
		t.Errorf("Load(%s) = %q: untidy lines", name, got)
	}
	if utf8.Valid(data) && !utf8.ValidString(got) {
		t.Errorf("Load(%s) = %q: not UTF-8", name, got)
	}
}

// fuzzPart fuzzes the loader of ext through one part of seed files: each
// input is that part, read in a valid package, and also the whole file.
func fuzzPart(f *testing.F, ext, part string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(partOf(s, part))
		f.Add(s)
	}
	base := seeds[0]
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFuzzed(t, "fuzz"+ext, withPart(base, part, data))
		checkFuzzed(t, "raw"+ext, data)
	})
}

func FuzzDOCX(f *testing.F) {
	fuzzPart(f, ".docx", "word/document.xml",
		makeDOCX(wPara("Heading1", "Title")+wPara("", "Body ", "text.")+wTable([]string{"a", "b"}), true),
		makeDOCX(`<w:p><w:r><w:t>Tab</w:t><w:tab/></w:r><w:del><w:r><w:delText>x</w:delText></w:r></w:del></w:p>`, false))
}

func FuzzPPTX(f *testing.F) {
	fuzzPart(f, ".pptx", "ppt/slides/slide1.xml",
		makePPTX(pShape("title", "Title")+pShape("body", "One.", "Two.")+pTable([]string{"a", "b"})))
}

func FuzzODT(f *testing.F) {
	fuzzPart(f, ".odt", "content.xml",
		makeODT(`<text:h text:outline-level="2">H</text:h><text:p>Body<text:s/>text.</text:p><table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell></table:table-row></table:table>`))
}

func FuzzODP(f *testing.F) {
	fuzzPart(f, ".odp", "content.xml",
		makeODP(odpFrame("title", "Title")+odpFrame("outline", "One.", "Two."), odpFrame("", "Untitled.")))
}

func FuzzEPUB(f *testing.F) {
	fuzzPart(f, ".epub", "OEBPS/text/ch 1.xhtml",
		makeEPUB("Book", `<h1>One</h1><p>Text &amp; more&nbsp;text.<br/>Line.</p><table><tr><td>a</td><td>b</td></tr></table>`))
}
