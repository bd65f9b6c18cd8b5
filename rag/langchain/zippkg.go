package langchain

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
)

// The bounds on a zip package (.docx, .pptx, .odt, .odp, .epub, .xlsx,
// .ods): a hostile file costs at most these, whatever its headers claim.
// (The spreadsheets' own bounds, on rows, columns and text, are in
// sheets.go.)
const (
	// zipMaxBytes is the most uncompressed bytes read from one package, all
	// its parts together, counted as they are inflated.
	zipMaxBytes = 64 << 20
	// zipMaxEntries is the most entries a package may have.
	zipMaxEntries = 10_000
	// xmlMaxDepth is the deepest element nesting read in a part.
	xmlMaxDepth = 256
)

// errZipLimit is wrapped by the error for a package beyond a bound.
var errZipLimit = errors.New("beyond the limits for a document archive")

// zipPackage is a zip archive of XML parts opened with bounds: the entry
// count is checked before the directory is read, and every byte inflated
// counts against one budget for the whole package.
type zipPackage struct {
	files  map[string]*zip.File // by name, the first of each name
	folded map[string]*zip.File // by lower-case name
	names  []string             // entry names in archive order
	budget int64                // uncompressed bytes left to read
}

// dirSignature starts every entry of a zip's central directory.
var dirSignature = []byte("PK\x01\x02")

// openZipPackage opens data as a zip archive.
func openZipPackage(data []byte) (*zipPackage, error) {
	// Every directory entry starts with its signature, so counting them
	// bounds the entries archive/zip would allocate before it reads one.
	if bytes.Count(data, dirSignature) > zipMaxEntries {
		return nil, fmt.Errorf("%w: more than %d entries", errZipLimit, zipMaxEntries)
	}
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("open archive: %w", err)
	}
	if len(r.File) > zipMaxEntries {
		return nil, fmt.Errorf("%w: more than %d entries", errZipLimit, zipMaxEntries)
	}
	p := &zipPackage{
		files:  make(map[string]*zip.File, len(r.File)),
		folded: make(map[string]*zip.File, len(r.File)),
		budget: zipMaxBytes,
	}
	for _, f := range r.File {
		if _, dup := p.files[f.Name]; dup {
			continue
		}
		p.files[f.Name] = f
		p.names = append(p.names, f.Name)
		if low := strings.ToLower(f.Name); p.folded[low] == nil {
			p.folded[low] = f
		}
	}
	return p, nil
}

// has reports whether the package has the part name (matched as open
// matches it).
func (p *zipPackage) has(name string) bool { return p.lookup(name) != nil }

// lookup finds the part name, exactly or else ignoring case (part names in
// Office packages are case-insensitive).
func (p *zipPackage) lookup(name string) *zip.File {
	if f := p.files[name]; f != nil {
		return f
	}
	return p.folded[strings.ToLower(name)]
}

// open returns the inflated content of the part name, read against the
// package's budget.
func (p *zipPackage) open(name string) (io.ReadCloser, error) {
	f := p.lookup(name)
	if f == nil {
		return nil, fmt.Errorf("%s: %w", name, errMissingPart)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &zipBudgetReader{rc: rc, p: p}, nil
}

// errMissingPart is wrapped by the error for a part the package lacks.
var errMissingPart = errors.New("no such part in the archive")

// zipBudgetReader reads a part, counting what it inflates against the
// package's budget: the sizes in the zip headers are never trusted.
type zipBudgetReader struct {
	rc io.ReadCloser
	p  *zipPackage
}

func (b *zipBudgetReader) Read(buf []byte) (int, error) {
	if b.p.budget <= 0 {
		return 0, fmt.Errorf("%w: more than %d bytes uncompressed", errZipLimit, zipMaxBytes)
	}
	if int64(len(buf)) > b.p.budget {
		buf = buf[:b.p.budget]
	}
	n, err := b.rc.Read(buf)
	b.p.budget -= int64(n)
	return n, err
}

func (b *zipBudgetReader) Close() error { return b.rc.Close() }

// xmlPart reads the tokens of one XML part within bounds: elements nested
// at most xmlMaxDepth deep, no document type declaration (and so no entity
// of its own; encoding/xml never expands one anyway), and the context
// checked as it goes.
type xmlPart struct {
	ctx   context.Context
	name  string
	rc    io.ReadCloser
	d     *xml.Decoder
	depth int
	n     int
	html  bool
	raw   bool // tokens from xml.Decoder.RawToken
}

// openXML opens the part name for reading as XML. With html set the part
// is XHTML as e-books hold it: HTML's named character references are
// known, elements HTML leaves open are closed, and a DOCTYPE naming a
// public DTD is allowed (one with declarations of its own is not).
func (p *zipPackage) openXML(ctx context.Context, name string, html bool) (*xmlPart, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(rc)
	d.Strict = !html
	if html {
		d.Entity = xml.HTMLEntity
		d.AutoClose = xml.HTMLAutoClose
	}
	return &xmlPart{ctx: ctx, name: name, rc: rc, d: d, html: html}, nil
}

func (x *xmlPart) Close() error { return x.rc.Close() }

// next returns the next element or character data of the part (comments
// and processing instructions are passed over), or io.EOF at its end.
func (x *xmlPart) next() (xml.Token, error) {
	for {
		if x.n++; x.n%1024 == 0 {
			if err := x.ctx.Err(); err != nil {
				return nil, err
			}
		}
		var tok xml.Token
		var err error
		if x.raw {
			tok, err = x.d.RawToken()
		} else {
			tok, err = x.d.Token()
		}
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", x.name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if x.depth++; x.depth > xmlMaxDepth {
				return nil, fmt.Errorf("%s: %w: elements nested deeper than %d", x.name, errZipLimit, xmlMaxDepth)
			}
		case xml.EndElement:
			x.depth--
		case xml.Directive:
			if !x.html || !bytes.HasPrefix(t, []byte("DOCTYPE")) || bytes.ContainsAny(t, "[<") {
				return nil, fmt.Errorf("%s: %w: a document type declaration", x.name, errZipLimit)
			}
			continue
		case xml.ProcInst, xml.Comment:
			continue
		}
		return tok, nil
	}
}

// skip passes over the rest of the element whose start next just returned.
func (x *xmlPart) skip() error {
	for depth := x.depth - 1; x.depth > depth; {
		if _, err := x.next(); err != nil {
			if err == io.EOF {
				return fmt.Errorf("%s: %w", x.name, io.ErrUnexpectedEOF)
			}
			return err
		}
	}
	return nil
}

// attrOf returns the value of the attribute local of t in any namespace.
func attrOf(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// readXML calls fn for each token of the part name and closes it.
func (p *zipPackage) readXML(ctx context.Context, name string, html bool, fn func(x *xmlPart, tok xml.Token) error) error {
	x, err := p.openXML(ctx, name, html)
	if err != nil {
		return err
	}
	defer x.Close()
	return x.each(fn)
}

// readRawXML is readXML (not as XHTML) with the decoder's raw tokens, which
// cost less: names keep their prefixes, with no namespace resolved, and an
// end element is not checked against its start. It suits parts read by
// local names alone, such as a spreadsheet's. An error of fn's is returned
// naming the part.
func (p *zipPackage) readRawXML(ctx context.Context, name string, fn func(x *xmlPart, tok xml.Token) error) error {
	x, err := p.openXML(ctx, name, false)
	if err != nil {
		return err
	}
	defer x.Close()
	x.raw = true
	return x.each(func(x *xmlPart, tok xml.Token) error {
		if err := fn(x, tok); err != nil {
			return fmt.Errorf("%s: %w", x.name, err)
		}
		return nil
	})
}

// each calls fn for each token left in the part.
func (x *xmlPart) each(fn func(x *xmlPart, tok xml.Token) error) error {
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(x, tok); err != nil {
			return err
		}
	}
}

// resolvePart resolves the reference target, written in the part from
// (a URL path, relative to from's folder unless it starts with "/"), to
// the part name it refers to, without any fragment.
func resolvePart(from, target string) string {
	target, _, _ = strings.Cut(target, "#")
	if u, err := url.PathUnescape(target); err == nil {
		target = u
	}
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(path.Dir(from), target), "/")
}

// text appends the character data of the element whose start next just
// returned, up to its end, to b.
func (x *xmlPart) text(b *strings.Builder) error {
	for depth := x.depth - 1; x.depth > depth; {
		tok, err := x.next()
		if err != nil {
			if err == io.EOF {
				return fmt.Errorf("%s: %w", x.name, io.ErrUnexpectedEOF)
			}
			return err
		}
		if c, ok := tok.(xml.CharData); ok {
			b.Write(c)
		}
	}
	return nil
}
