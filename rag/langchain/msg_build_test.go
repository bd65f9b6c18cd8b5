package langchain_test

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// Outlook messages for the tests, written as Outlook saves them ([MS-OXMSG]):
// compound files ([MS-CFB]) of property streams, attachments in storages.
// No Go library writes compound files, so buildCFB does, as simply as the
// format allows.

// cfbEntry is a stream or a storage of a compound file the tests build.
type cfbEntry struct {
	name    string
	data    []byte     // a stream's bytes
	kids    []cfbEntry // a storage's entries
	storage bool
}

func cfbStream(name string, data []byte) cfbEntry { return cfbEntry{name: name, data: data} }

func cfbStorage(name string, kids ...cfbEntry) cfbEntry {
	return cfbEntry{name: name, kids: kids, storage: true}
}

// Special sector numbers and stream ids of [MS-CFB].
const (
	cfbFATSect    = 0xFFFFFFFD
	cfbEndOfChain = 0xFFFFFFFE
	cfbFree       = 0xFFFFFFFF
	cfbNoStream   = 0xFFFFFFFF
)

// cfbDirEntry is a directory entry being laid out.
type cfbDirEntry struct {
	name               string
	kind               byte // 1 storage, 2 stream, 5 root
	left, right, child uint32
	start              uint32
	size               uint64
	data               []byte
}

// buildCFB returns a compound file of version 3 (512-byte sectors)
// holding the entries at its top level. Each storage's entries are linked
// as a tree that leans right (each entry's right sibling the next in the
// order of [MS-CFB] 2.6.4: shorter names first, then by upper case),
// every node black. Streams under 4,096 bytes are in the mini stream
// (64-byte sectors, with its own FAT), larger ones in sectors of their
// own. The file is laid out as: the large streams, the mini stream, the
// mini FAT, the directory, the FAT (at most 109 sectors: no DIFAT).
func buildCFB(t testing.TB, entries ...cfbEntry) []byte {
	t.Helper()
	dir := []*cfbDirEntry{{name: "Root Entry", kind: 5, left: cfbNoStream, right: cfbNoStream, child: cfbNoStream}}
	var add func(parent int, kids []cfbEntry)
	add = func(parent int, kids []cfbEntry) {
		kids = slices.Clone(kids)
		slices.SortStableFunc(kids, func(a, b cfbEntry) int {
			return cmp.Or(cmp.Compare(len(utf16.Encode([]rune(a.name))), len(utf16.Encode([]rune(b.name)))),
				strings.Compare(strings.ToUpper(a.name), strings.ToUpper(b.name)))
		})
		prev := -1
		for _, k := range kids {
			if n := len(utf16.Encode([]rune(k.name))); n == 0 || n > 31 {
				t.Fatalf("compound file entry name %q: %d UTF-16 units, want 1 to 31", k.name, n)
			}
			i := len(dir)
			e := &cfbDirEntry{name: k.name, kind: 2, left: cfbNoStream, right: cfbNoStream, child: cfbNoStream, data: k.data}
			if k.storage {
				e.kind = 1
			}
			dir = append(dir, e)
			if prev < 0 {
				dir[parent].child = uint32(i)
			} else {
				dir[prev].right = uint32(i)
			}
			prev = i
			if k.storage {
				add(i, k.kids)
			}
		}
	}
	add(0, entries)

	var sectors [][]byte // the file's sectors after the header
	var fat []uint32     // their next sectors
	// place adds data in whole sectors chained in the FAT, and returns the
	// first.
	place := func(data []byte, next uint32) uint32 {
		first := uint32(len(sectors))
		for off := 0; off < len(data); off += 512 {
			s := make([]byte, 512)
			copy(s, data[off:])
			sectors = append(sectors, s)
			fat = append(fat, uint32(len(sectors)))
		}
		fat[len(fat)-1] = next
		return first
	}
	var ministream []byte
	var minifat []uint32
	for _, e := range dir[1:] {
		switch {
		case e.kind != 2 || len(e.data) == 0:
			e.start = cfbEndOfChain
		case len(e.data) >= 4096:
			e.start, e.size = place(e.data, cfbEndOfChain), uint64(len(e.data))
		default:
			e.start, e.size = uint32(len(minifat)), uint64(len(e.data))
			for off := 0; off < len(e.data); off += 64 {
				s := make([]byte, 64)
				copy(s, e.data[off:])
				ministream = append(ministream, s...)
				minifat = append(minifat, uint32(len(minifat)+1))
			}
			minifat[len(minifat)-1] = cfbEndOfChain
		}
	}
	root := dir[0]
	root.start = cfbEndOfChain
	miniFATStart, miniFATSectors := uint32(cfbEndOfChain), 0
	if len(ministream) > 0 {
		root.start, root.size = place(ministream, cfbEndOfChain), uint64(len(ministream))
		table := make([]byte, 0, len(minifat)*4)
		for _, n := range minifat {
			table = binary.LittleEndian.AppendUint32(table, n)
		}
		for len(table)%512 != 0 {
			table = binary.LittleEndian.AppendUint32(table, cfbFree)
		}
		miniFATStart, miniFATSectors = place(table, cfbEndOfChain), len(table)/512
	}
	var entriesData []byte
	for _, e := range dir {
		entriesData = append(entriesData, cfbDirBytes(e)...)
	}
	for len(entriesData)%512 != 0 {
		entriesData = append(entriesData, cfbDirBytes(&cfbDirEntry{left: cfbNoStream, right: cfbNoStream, child: cfbNoStream})...)
	}
	dirStart := place(entriesData, cfbEndOfChain)

	nFAT := 1
	for (len(sectors)+nFAT)*4 > nFAT*512 {
		nFAT++
	}
	if nFAT > 109 {
		t.Fatalf("compound file of %d sectors: more than the header's 109 FAT sectors hold", len(sectors))
	}
	firstFAT := uint32(len(sectors))
	for range nFAT {
		fat = append(fat, cfbFATSect)
	}
	table := make([]byte, 0, nFAT*512)
	for _, n := range fat {
		table = binary.LittleEndian.AppendUint32(table, n)
	}
	for len(table) < nFAT*512 {
		table = binary.LittleEndian.AppendUint32(table, cfbFree)
	}
	for off := 0; off < len(table); off += 512 {
		sectors = append(sectors, table[off:off+512])
	}

	le := binary.LittleEndian
	header := make([]byte, 512)
	copy(header, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(header[24:], 0x003E) // minor version
	le.PutUint16(header[26:], 3)      // major version
	le.PutUint16(header[28:], 0xFFFE) // byte order
	le.PutUint16(header[30:], 9)      // sector shift
	le.PutUint16(header[32:], 6)      // mini sector shift
	le.PutUint32(header[44:], uint32(nFAT))
	le.PutUint32(header[48:], dirStart)
	le.PutUint32(header[56:], 4096) // mini stream cutoff
	le.PutUint32(header[60:], miniFATStart)
	le.PutUint32(header[64:], uint32(miniFATSectors))
	le.PutUint32(header[68:], cfbEndOfChain) // no DIFAT sectors
	for i := range 109 {
		n := uint32(cfbFree)
		if i < nFAT {
			n = firstFAT + uint32(i)
		}
		le.PutUint32(header[76+4*i:], n)
	}
	return slices.Concat(append([][]byte{header}, sectors...)...)
}

// cfbDirBytes is a directory entry's 128 bytes.
func cfbDirBytes(e *cfbDirEntry) []byte {
	b := make([]byte, 128)
	le := binary.LittleEndian
	if e.name != "" {
		units := utf16.Encode([]rune(e.name))
		for i, u := range units {
			le.PutUint16(b[2*i:], u)
		}
		le.PutUint16(b[64:], uint16(2*len(units)+2)) // with its NUL
		b[67] = 1                                    // black
	}
	b[66] = e.kind
	le.PutUint32(b[68:], e.left)
	le.PutUint32(b[72:], e.right)
	le.PutUint32(b[76:], e.child)
	if e.name != "" {
		le.PutUint32(b[116:], e.start)
		le.PutUint64(b[120:], e.size)
	}
	return b
}

// The property types of the messages built ([MS-OXCDATA] 2.11.1).
const (
	ptLong    = 0x0003
	ptBoolean = 0x000B
	ptObject  = 0x000D
	ptString8 = 0x001E
	ptString  = 0x001F
	ptTime    = 0x0040
	ptBinary  = 0x0102
)

// propStream is the stream of a variable-length property.
func propStream(id, typ uint16, data []byte) cfbEntry {
	return cfbStream(fmt.Sprintf("__substg1.0_%04X%04X", id, typ), data)
}

// propString is a Unicode string property's stream: UTF-16LE, without a
// terminating NUL.
func propString(id uint16, s string) cfbEntry {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return propStream(id, ptString, b)
}

// fixedProp is a fixed-size property of a property stream.
type fixedProp struct {
	tag   uint32
	value uint64
}

func propLong(id uint16, v uint32) fixedProp { return fixedProp{uint32(id)<<16 | ptLong, uint64(v)} }

func propBool(id uint16, v bool) fixedProp {
	if v {
		return fixedProp{uint32(id)<<16 | ptBoolean, 1}
	}
	return fixedProp{uint32(id)<<16 | ptBoolean, 0}
}

// propTime is a PtypTime: a FILETIME, 100-nanosecond intervals since 1601.
func propTime(id uint16, t time.Time) fixedProp {
	const fromUnix = 11644473600
	return fixedProp{uint32(id)<<16 | ptTime, uint64(t.Unix()+fromUnix)*1e7 + uint64(t.Nanosecond()/100)}
}

// propertiesStream is a "__properties_version1.0" stream: a header of
// headerSize bytes (32 for a message, 8 for an attachment; a message's
// counts its attachments), then 16 bytes a property: tag, flags (readable,
// writable), value.
func propertiesStream(headerSize, attachments int, props ...fixedProp) cfbEntry {
	b := make([]byte, headerSize)
	if headerSize == 32 {
		le := binary.LittleEndian
		le.PutUint32(b[12:], uint32(attachments)) // the next attachment's id
		le.PutUint32(b[20:], uint32(attachments)) // the attachments
	}
	for _, p := range props {
		b = binary.LittleEndian.AppendUint32(b, p.tag)
		b = binary.LittleEndian.AppendUint32(b, 6)
		b = binary.LittleEndian.AppendUint64(b, p.value)
	}
	return cfbStream("__properties_version1.0", b)
}

// testMessage is an Outlook message the tests build.
type testMessage struct {
	streams     []cfbEntry  // its variable-length properties
	fixed       []fixedProp // its fixed-size ones
	attachments [][]cfbEntry
}

// bytes is the message as a .msg file: its properties, a named
// properties' storage as Outlook writes one, and its attachments, each in
// a storage with its own properties stream.
func (m testMessage) bytes(t testing.TB) []byte {
	t.Helper()
	top := slices.Clone(m.streams)
	top = append(top, propertiesStream(32, len(m.attachments), m.fixed...),
		cfbStorage("__nameid_version1.0", propStream(0x0002, ptBinary, nil),
			propStream(0x0003, ptBinary, nil), propStream(0x0004, ptBinary, nil)))
	for i, a := range m.attachments {
		top = append(top, cfbStorage(fmt.Sprintf("__attach_version1.0_#%08X", i), a...))
	}
	return buildCFB(t, top...)
}

// attachment is an attached file's properties: its names, its data (never
// read) and whether it is hidden (an HTML body's image).
func attachment(long, short string, data []byte, hidden bool) []cfbEntry {
	var a []cfbEntry
	if long != "" {
		a = append(a, propString(0x3707, long))
	}
	if short != "" {
		a = append(a, propString(0x3704, short))
	}
	return append(a, propStream(0x3701, ptBinary, data),
		propertiesStream(8, 0, propLong(0x3705, 1), propBool(0x7FFE, hidden)))
}

// compressRTF compresses rtf as [MS-OXRTFCP] does ("LZFu"), each run of
// bytes found in the dictionary a reference to it, the longest first; its
// CRC is left 0 (citebot does not check it).
func compressRTF(rtf string) []byte {
	const prefill = `{\rtf1\ansi\mac\deff0\deftab720{\fonttbl;}{\f0\fnil \froman \fswiss \fmodern \fscript \fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\colortbl\red0\green0\blue0` +
		"\r\n" + `\par \pard\plain\f0\fs20\b\i\u\tab\tx`
	var dict [4096]byte
	at := copy(dict[:], prefill)
	filled := at
	var out []byte
	control, bit := 0, 8
	token := func() {
		if bit == 8 {
			out = append(out, 0)
			control, bit = len(out)-1, 0
		}
	}
	for i := 0; i < len(rtf); {
		token()
		best, bestLen := 0, 0
		for off := range filled {
			if off == at {
				continue // a reference to the write position ends the data
			}
			n := 0
			for n < 17 && i+n < len(rtf) {
				src := (off + n) % len(dict)
				c := dict[src]
				if d := (src - at + len(dict)) % len(dict); d < n {
					c = rtf[i+d] // written by this reference
				}
				if c != rtf[i+n] {
					break
				}
				n++
			}
			if n > bestLen {
				best, bestLen = off, n
			}
		}
		n := 1
		if bestLen >= 2 {
			out[control] |= 1 << bit
			out = binary.BigEndian.AppendUint16(out, uint16(best<<4|(bestLen-2)))
			n = bestLen
		} else {
			out = append(out, rtf[i])
		}
		bit++
		for k := range n {
			dict[at] = rtf[i+k]
			at = (at + 1) % len(dict)
			filled = min(filled+1, len(dict))
		}
		i += n
	}
	token()
	out[control] |= 1 << bit
	out = binary.BigEndian.AppendUint16(out, uint16(at<<4))
	header := make([]byte, 16)
	binary.LittleEndian.PutUint32(header, uint32(len(out)+12))
	binary.LittleEndian.PutUint32(header[4:], uint32(len(rtf)))
	copy(header[8:], "LZFu")
	return append(header, out...)
}

// patchStreamSize sets the size a compound file's directory gives the
// entry name, wherever the name is found, as a crafted file would.
func patchStreamSize(t testing.TB, data []byte, name string, size uint32) []byte {
	t.Helper()
	var raw []byte
	for _, u := range utf16.Encode([]rune(name)) {
		raw = binary.LittleEndian.AppendUint16(raw, u)
	}
	out := slices.Clone(data)
	found := false
	for i := 0; ; i += 2 {
		j := bytes.Index(out[i:], raw)
		if j < 0 {
			break
		}
		if i += j; i%128 == 0 {
			binary.LittleEndian.PutUint32(out[i+120:], size)
			found = true
		}
	}
	if !found {
		t.Fatalf("no directory entry %s", name)
	}
	return out
}
