package ragtest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// PDF returns a minimal valid PDF with one page per string, each page
// showing its string in Helvetica.
func PDF(pages ...string) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", helvetica}
	kids := make([]string, len(pages))
	for i, p := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", len(objs)+1)
		objs = append(objs, pageObj(len(objs)+2), contentObj("BT /F1 12 Tf 72 720 Td ("+p+") Tj ET"))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages))
	return AssemblePDF(objs)
}

// Hostile is a crafted file that breaks an unguarded parser.
type Hostile struct {
	Name string // a file name
	What string // what it does to ledongthuc/pdf in process
	Data []byte
}

// HostilePDFs returns crafted PDFs, each of which stops or exhausts the
// process that parses it with ledongthuc/pdf (langchaingo's PDF loader):
// nesting that overflows the stack (fatal, no recover catches it), a page
// tree that contains itself and a page count of two billion (both spin
// forever) and a flate bomb (gigabytes of memory).
func HostilePDFs() []Hostile {
	const depth = 2_000_000 // 4 MB of brackets
	return []Hostile{
		{"nested.pdf", "fatal error: stack overflow", AssemblePDF([]string{
			"<< /Type /Catalog /Pages 2 0 R /Deep " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + " >>",
			"<< /Type /Pages /Kids [] /Count 0 >>",
		})},
		{"loop.pdf", "spins forever: the page tree contains itself", AssemblePDF([]string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
		})},
		{"count.pdf", "spins for hours: two billion pages", AssemblePDF([]string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [4 0 R] /Count 2000000000 >>", helvetica,
			pageObj(5), contentObj("BT /F1 12 Tf 72 720 Td (One page) Tj ET"),
		})},
		{"bomb.pdf", "grows by gigabytes: a content stream of 64 MiB inflated from 64 KB", AssemblePDF([]string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", helvetica,
			pageObj(5), flateObj(bytes.Repeat([]byte("0 "), 32<<20)),
		})},
	}
}

// helvetica is the font every page uses as /F1: object 3.
const helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

// pageObj is a page of the tree at object 2 whose content is object
// contents.
func pageObj(contents int) string {
	return fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "+
		"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", contents)
}

func contentObj(stream string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream)
}

func flateObj(content []byte) string {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	w.Write(content)
	w.Close()
	return fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes())
}

// AssemblePDF numbers objs from 1 (the first is the catalog) and writes
// them with their cross-reference table and trailer.
func AssemblePDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
