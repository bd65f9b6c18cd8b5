package langchain

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// sheetArchive reads the XML parts of a spreadsheet archive (.xlsx, .ods)
// within sheetMaxBytes uncompressed bytes in all, counted as they are
// inflated: the sizes an entry's header claims are never trusted.
type sheetArchive struct {
	files map[string]*zip.File
	left  int64 // uncompressed bytes that may still be read
}

// openSheetArchive opens data as a zip archive of at most sheetMaxEntries
// entries.
func openSheetArchive(data []byte) (*sheetArchive, error) {
	// Every central directory entry starts with this signature, so its
	// count bounds the entries before the zip reader allocates them.
	if n := bytes.Count(data, []byte("PK\x01\x02")); n > sheetMaxEntries {
		return nil, fmt.Errorf("%w: more than %d archive entries", errSheetLimit, sheetMaxEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("open archive: %w", err)
	}
	if len(zr.File) > sheetMaxEntries {
		return nil, fmt.Errorf("%w: more than %d archive entries", errSheetLimit, sheetMaxEntries)
	}
	a := &sheetArchive{files: make(map[string]*zip.File, len(zr.File)), left: sheetMaxBytes}
	for _, f := range zr.File {
		if _, dup := a.files[f.Name]; !dup {
			a.files[f.Name] = f
		}
	}
	return a, nil
}

// has reports whether the archive has an entry named name.
func (a *sheetArchive) has(name string) bool {
	_, ok := a.files[name]
	return ok
}

// parse streams the XML entry name through fn, one token at a time, within
// the archive's byte budget and sheetMaxDepth; fn's error stops it. A
// missing entry is an error.
func (a *sheetArchive) parse(name string, fn func(t xml.Token) error) error {
	f, ok := a.files[name]
	if !ok {
		return fmt.Errorf("no %s in the archive", name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	d := xml.NewDecoder(&budgetReader{r: rc, left: &a.left})
	depth := 0
	for {
		t, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		switch t.(type) {
		case xml.StartElement:
			if depth++; depth > sheetMaxDepth {
				return fmt.Errorf("%s: %w: XML nested more than %d deep", name, errSheetLimit, sheetMaxDepth)
			}
		case xml.EndElement:
			depth--
		}
		if err := fn(t); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
}

// budgetReader reads from r until *left bytes are spent, then fails.
type budgetReader struct {
	r    io.Reader
	left *int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if int64(len(p)) > *b.left+1 {
		p = p[:*b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > *b.left {
		return 0, fmt.Errorf("%w: more than %d bytes uncompressed", errSheetLimit, sheetMaxBytes)
	}
	*b.left -= int64(n)
	return n, err
}

// xmlAttr returns the value of the attribute with local name local (in any
// namespace, or none), or "".
func xmlAttr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
