package langchain

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Outlook messages saved as .msg files ([MS-OXMSG]) are compound files
// (cfb.go) whose properties are streams named "__substg1.0_PPPPTTTT", by
// property id and type, and fixed-size values in a
// "__properties_version1.0" stream. A message is read as an .eml file is
// (eml.go): its subject (PidTagSubject) as a "# " title line, then a line
// each for From (the sender's name and SMTP address), To and Cc (the
// display lists Outlook keeps, "Sam Lee; Dana Park") and Sent (when it was
// submitted, else delivered, as RFC 1123 in UTC), then its body: the plain
// text (PidTagBody), else the HTML (PidTagHtml) read as an .eml file's HTML
// part is, else the compressed RTF (PidTagRtfCompressed, [MS-OXRTFCP])
// read as .rtf files are (HTML wrapped in RTF, "\fromhtml", is read as its
// RTF text). Unicode strings are UTF-16LE; 8-bit ones are read in the
// message's code page (PidTagMessageCodepage, else PidTagInternetCodepage,
// else Windows-1252), an HTML body in the charset its <meta> tag names,
// else in the code page. Attachments are not read: their file names (else
// their display names, an attached message's subject) are listed in one
// line at the end ("Attachments: a.pdf, b.docx."), but for the hidden
// ones (an HTML body's images). Recipients' own storages, named
// properties and an attached message's text are not read. A compound
// file with neither a subject nor a body (a Word document renamed), more
// than 1,000 attachments, a stream longer than the file or more than 64
// MiB of text is an error.
func init() {
	formats[".msg"] = format{binary: true, load: loadMSG}
}

// errMSG reports a file that is not an Outlook message, or one beyond the
// bounds Outlook writes.
var errMSG = errors.New("not a readable Outlook message")

// The properties the reader uses ([MS-OXPROPS]).
const (
	pidSubject               = 0x0037
	pidClientSubmitTime      = 0x0039
	pidSentRepresentingName  = 0x0042
	pidSentRepresentingEmail = 0x0065
	pidSenderName            = 0x0C1A
	pidSenderEmail           = 0x0C1F
	pidDisplayCc             = 0x0E03
	pidDisplayTo             = 0x0E04
	pidDeliveryTime          = 0x0E06
	pidBody                  = 0x1000
	pidRTFCompressed         = 0x1009
	pidHTML                  = 0x1013
	pidDisplayName           = 0x3001
	pidAttachDataObject      = 0x3701 // an attached message's storage
	pidAttachFilename        = 0x3704
	pidAttachLongFilename    = 0x3707
	pidInternetCodepage      = 0x3FDE
	pidMessageCodepage       = 0x3FFD
	pidSenderSMTP            = 0x5D01
	pidSentRepresentingSMTP  = 0x5D02
	pidAttachmentHidden      = 0x7FFE
	pidAttachFlags           = 0x3714
)

// The property types the reader reads ([MS-OXCDATA] 2.11.1).
const (
	ptLong    = 0x0003
	ptBoolean = 0x000B
	ptObject  = 0x000D
	ptString8 = 0x001E // 8-bit, in the message's code page
	ptString  = 0x001F // UTF-16LE
	ptTime    = 0x0040 // a FILETIME
	ptBinary  = 0x0102
)

const (
	msgProperties = "__PROPERTIES_VERSION1.0"
	msgAttachment = "__ATTACH_VERSION1.0_#"
	// maxMSGAttachments bounds a message's attachments: [MS-OXMSG] 2.2.2
	// allows 2,048.
	maxMSGAttachments = 2048
)

// msgWantedStreams are the streams read, by upper-case path below the
// message's storage or an attachment's: "" for the message's,
// "ATTACH/" for an attachment's, "ATTACH/OBJECT/" for an attached
// message's.
var msgWantedStreams = func() map[string]bool {
	want := map[string]bool{msgProperties: true, "ATTACH/" + msgProperties: true}
	for _, id := range []uint16{pidSubject, pidSenderName, pidSenderEmail, pidSenderSMTP,
		pidSentRepresentingName, pidSentRepresentingEmail, pidSentRepresentingSMTP,
		pidDisplayTo, pidDisplayCc, pidBody, pidHTML} {
		want[msgStream(id, ptString)] = true
		want[msgStream(id, ptString8)] = true
	}
	want[msgStream(pidHTML, ptBinary)] = true
	want[msgStream(pidRTFCompressed, ptBinary)] = true
	for _, id := range []uint16{pidAttachLongFilename, pidAttachFilename, pidDisplayName} {
		want["ATTACH/"+msgStream(id, ptString)] = true
		want["ATTACH/"+msgStream(id, ptString8)] = true
	}
	object := "ATTACH/" + msgStream(pidAttachDataObject, ptObject) + "/"
	want[object+msgStream(pidSubject, ptString)] = true
	want[object+msgStream(pidSubject, ptString8)] = true
	return want
}()

// msgStream is the upper-case name of the stream of a property.
func msgStream(id, typ uint16) string {
	return fmt.Sprintf("__SUBSTG1.0_%04X%04X", id, typ)
}

// msgWanted reports whether the stream at path is one the reader reads.
func msgWanted(path string) bool {
	path = strings.ToUpper(path)
	if top, rest, ok := strings.Cut(path, "/"); ok {
		if !strings.HasPrefix(top, msgAttachment) {
			return false
		}
		path = "ATTACH/" + rest
	}
	return msgWantedStreams[path]
}

// msgObject is a message's or an attachment's properties.
type msgObject struct {
	streams map[string][]byte // the file's streams read, by upper-case path
	prefix  string            // the path of the object's storage and "/"; "" for the message
	fixed   map[uint32][]byte // the fixed-size values, by tag (id<<16 | type)
	charset string            // the charset of its 8-bit strings
}

// loadMSG reads an Outlook message.
func loadMSG(ctx context.Context, _ string, data []byte) (text string, err error) {
	defer recoverCompound(errMSG, &text, &err)
	read, storages, err := compoundTree(data, errMSG, msgWanted)
	if err != nil {
		return "", err
	}
	streams := make(map[string][]byte, len(read))
	for p, b := range read {
		streams[strings.ToUpper(p)] = b
	}
	m := msgObject{streams: streams, fixed: msgFixed(streams[msgProperties], 32), charset: "windows-1252"}
	if cs := cmp.Or(m.codePage(pidMessageCodepage), m.codePage(pidInternetCodepage)); cs != "" {
		m.charset = cs
	}
	if !m.has(pidSubject, ptString, ptString8) && !m.has(pidBody, ptString, ptString8) &&
		!m.has(pidHTML, ptBinary, ptString, ptString8) && !m.has(pidRTFCompressed, ptBinary) {
		return "", fmt.Errorf("%w: neither a subject nor a body", errMSG)
	}

	var w emlWriter
	var lines []string
	// An email's From is whom a message is sent for (a manager), not who
	// sent it for them (an assistant) ([MS-OXCMAIL] 2.1.3.1.3); a name and
	// an address are taken together.
	var from string
	for _, g := range [][3]uint16{
		{pidSentRepresentingName, pidSentRepresentingSMTP, pidSentRepresentingEmail},
		{pidSenderName, pidSenderSMTP, pidSenderEmail},
	} {
		if name, addr := m.str(g[0]), cmp.Or(m.str(g[1]), smtpAddress(m.str(g[2]))); name != "" || addr != "" {
			from = msgAddress(name, addr)
			break
		}
	}
	for _, l := range [][2]string{{"From", from}, {"To", m.str(pidDisplayTo)}, {"Cc", m.str(pidDisplayCc)}} {
		if l[1] != "" {
			lines = append(lines, l[0]+": "+l[1])
		}
	}
	if t, ok := m.time(pidClientSubmitTime); ok {
		lines = append(lines, "Sent: "+t.Format(msgTimeLayout))
	} else if t, ok := m.time(pidDeliveryTime); ok {
		lines = append(lines, "Sent: "+t.Format(msgTimeLayout))
	}
	w.heading(m.str(pidSubject), 1, lines)

	body, err := m.body(ctx)
	if err != nil {
		return "", err
	}
	w.block(body)
	if err := m.attachments(&w, storages); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err // a body's lines were cut short
	}
	if text = w.text(); len(text) > maxEMLText {
		return "", fmt.Errorf("%w: more than %d MiB of text", errMSG, maxEMLText>>20)
	}
	return text, nil
}

// msgTimeLayout is RFC 1123's with a day of one digit, as an email's Date
// header writes it ("Mon, 6 Jan 2025 08:00:00 +0000").
const msgTimeLayout = "Mon, 2 Jan 2006 15:04:05 -0700"

// body is the text of the message's body: its plain text, else its HTML,
// else its RTF; "" for none.
func (m msgObject) body(ctx context.Context) (string, error) {
	for _, typ := range []uint16{ptString, ptString8} {
		if b, ok := m.streams[msgStream(pidBody, typ)]; ok {
			if len(b) > maxEMLText {
				return "", fmt.Errorf("%w: more than %d MiB of text", errMSG, maxEMLText>>20)
			}
			if text := plainBody(ctx, &emlPart{media: "text/plain", text: []byte(m.decode(b, typ))}); strings.TrimSpace(text) != "" {
				return text, nil
			}
			break // a blank plain text: the HTML or the RTF is the body
		}
	}
	for _, typ := range []uint16{ptBinary, ptString, ptString8} {
		b, ok := m.streams[msgStream(pidHTML, typ)]
		if !ok {
			continue
		}
		if len(b) > maxEMLText {
			return "", fmt.Errorf("%w: more than %d MiB of text", errMSG, maxEMLText>>20)
		}
		var page []byte
		if typ == ptBinary {
			// The page says its charset ("<meta charset=…>"), else Outlook
			// wrote it in the code page it sends it in.
			cs := cmp.Or(metaCharset(b), m.codePage(pidInternetCodepage), m.codePage(pidMessageCodepage))
			page = decodeCharset(bytes.TrimRight(b, "\x00"), cs)
		} else {
			page = []byte(m.decode(b, typ))
		}
		return htmlBody(page, 1), nil
	}
	if b, ok := m.streams[msgStream(pidRTFCompressed, ptBinary)]; ok {
		rtf, err := decompressRTF(b, maxEMLText)
		if err != nil {
			return "", nil // a body that does not decompress: nothing read
		}
		text, err := loadRTF(ctx, "", rtf)
		if err != nil {
			if ctx.Err() != nil {
				return "", err
			}
			return "", nil // a body that is not RTF: nothing read
		}
		return text, nil
	}
	return "", nil
}

// attachments adds the names of the message's attachments, whose
// storages are among storages, in their order, but for hidden ones.
func (m msgObject) attachments(w *emlWriter, storages []string) error {
	var list []string
	for _, s := range storages {
		if s = strings.ToUpper(s); !strings.Contains(s, "/") && strings.HasPrefix(s, msgAttachment) {
			list = append(list, s)
		}
	}
	if len(list) > maxMSGAttachments {
		return fmt.Errorf("%w: more than %d attachments", errMSG, maxMSGAttachments)
	}
	slices.Sort(list)
	list = slices.Compact(list)
	for _, s := range list {
		a := msgObject{streams: m.streams, prefix: s + "/", charset: m.charset}
		a.fixed = msgFixed(m.streams[a.prefix+msgProperties], 8)
		if v, ok := a.fixed[pidAttachmentHidden<<16|ptBoolean]; ok && v[0] != 0 {
			continue // an HTML body's image
		}
		if v, ok := a.fixed[pidAttachFlags<<16|ptLong]; ok && v[0]&4 != 0 {
			continue // rendered in the body (attRenderedInBody): an image in it
		}
		// A file's name loses its folders; a display name or an attached
		// message's subject is no path ("Q1/Q2 budget review").
		name := baseName(cmp.Or(a.str(pidAttachLongFilename), a.str(pidAttachFilename)))
		if name == "" {
			name = a.str(pidDisplayName)
		}
		if name == "" {
			object := a
			object.prefix += msgStream(pidAttachDataObject, ptObject) + "/"
			name = object.str(pidSubject)
		}
		w.attachment(name)
	}
	return nil
}

// msgFixed reads a property stream's fixed-size values, past its header
// of size bytes: 16-byte entries of a tag, flags and a value of 8 bytes.
// Only the values the reader uses are kept.
func msgFixed(stream []byte, header int) map[uint32][]byte {
	fixed := map[uint32][]byte{}
	for i := header; i+16 <= len(stream); i += 16 {
		tag := binary.LittleEndian.Uint32(stream[i:])
		switch tag {
		case pidClientSubmitTime<<16 | ptTime, pidDeliveryTime<<16 | ptTime,
			pidMessageCodepage<<16 | ptLong, pidInternetCodepage<<16 | ptLong,
			pidAttachmentHidden<<16 | ptBoolean, pidAttachFlags<<16 | ptLong:
			if _, ok := fixed[tag]; !ok {
				fixed[tag] = stream[i+8 : i+16]
			}
		}
	}
	return fixed
}

// has reports whether the object has a stream for the property id of one
// of the types.
func (m msgObject) has(id uint16, types ...uint16) bool {
	for _, t := range types {
		if _, ok := m.streams[m.prefix+msgStream(id, t)]; ok {
			return true
		}
	}
	return false
}

// str is the string property id as one line, from its Unicode stream or
// else its 8-bit one; "" for none.
func (m msgObject) str(id uint16) string {
	for _, t := range []uint16{ptString, ptString8} {
		if b, ok := m.streams[m.prefix+msgStream(id, t)]; ok {
			return oneLine(m.decode(b, t))
		}
	}
	return ""
}

// decode is a string's stream as UTF-8: UTF-16LE for ptString, the
// object's charset for ptString8, a terminating NUL dropped.
func (m msgObject) decode(b []byte, typ uint16) string {
	if typ == ptString {
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		for len(units) > 0 && units[len(units)-1] == 0 {
			units = units[:len(units)-1]
		}
		return string(utf16.Decode(units)) // a lone surrogate as U+FFFD
	}
	return string(decodeCharset(bytes.TrimRight(b, "\x00"), m.charset))
}

// codePage is the charset named by the code page property id, "" for
// none or one not known.
func (m msgObject) codePage(id uint16) string {
	v, ok := m.fixed[uint32(id)<<16|ptLong]
	if !ok {
		return ""
	}
	return codePageCharset(binary.LittleEndian.Uint32(v))
}

// time is the time property id in UTC, if the object has it and it
// falls in the years 1601 to 9999.
func (m msgObject) time(id uint16) (time.Time, bool) {
	v, ok := m.fixed[uint32(id)<<16|ptTime]
	if !ok {
		return time.Time{}, false
	}
	// A FILETIME: 100-nanosecond intervals since 1 January 1601.
	ft := binary.LittleEndian.Uint64(v)
	if ft == 0 {
		return time.Time{}, false
	}
	const fromUnix = 11644473600 // seconds from 1601 to 1970
	t := time.Unix(int64(ft/1e7)-fromUnix, int64(ft%1e7)*100).UTC()
	return t, t.Year() <= 9999
}

// smtpAddress is addr if it is an Internet address, "" if it is another
// kind (an Exchange one, "/O=EXCHANGELABS/OU=…").
func smtpAddress(addr string) string {
	if strings.HasPrefix(addr, "/") || !strings.Contains(addr, "@") {
		return ""
	}
	return addr
}

// msgAddress is a sender as an address header's line writes one: "Name
// <address>", or whichever of the two the message has.
func msgAddress(name, addr string) string {
	switch {
	case addr == "":
		return name
	case name == "" || strings.EqualFold(name, addr):
		return addr
	case strings.ContainsAny(name, `,;"`):
		name = strconv.Quote(name) // "Lee, Sam" is one name
	}
	return name + " <" + addr + ">"
}

// codePageCharset is the charset of a Windows code page as the WHATWG
// encodings name it, "" for one not known.
func codePageCharset(cp uint32) string {
	switch {
	case cp == 874 || 1250 <= cp && cp <= 1258:
		return "windows-" + strconv.Itoa(int(cp))
	case 28591 <= cp && cp <= 28606:
		return "iso-8859-" + strconv.Itoa(int(cp-28590))
	}
	switch cp {
	case 65001:
		return "utf-8"
	case 20127:
		return "us-ascii"
	case 866:
		return "ibm866"
	case 932:
		return "shift_jis"
	case 936:
		return "gbk"
	case 949:
		return "euc-kr"
	case 950:
		return "big5"
	case 54936:
		return "gb18030"
	case 20932, 51932:
		return "euc-jp"
	case 50220, 50221, 50222:
		return "iso-2022-jp"
	case 20866:
		return "koi8-r"
	case 21866:
		return "koi8-u"
	case 10000:
		return "macintosh"
	}
	return ""
}

// lzfuDictionary is what the dictionary of compressed RTF holds before
// the first byte is read ([MS-OXRTFCP] 2.1.2.1).
const lzfuDictionary = `{\rtf1\ansi\mac\deff0\deftab720{\fonttbl;}{\f0\fnil \froman \fswiss \fmodern \fscript \fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\colortbl\red0\green0\blue0` +
	"\r\n" + `\par \pard\plain\f0\fs20\b\i\u\tab\tx`

// decompressRTF is the RTF of a PidTagRtfCompressed stream
// ([MS-OXRTFCP]): its header (compressed size, raw size, type, CRC), then
// the data, stored as it is ("MELA") or compressed ("LZFu": control bytes,
// each of whose bits, lowest first, says whether a literal byte or a
// 2-byte reference into a 4 KiB dictionary follows). At most limit bytes
// are written; the CRC is not checked.
func decompressRTF(b []byte, limit int) ([]byte, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: compressed RTF cut short", errMSG)
	}
	le := binary.LittleEndian
	size, raw, kind := le.Uint32(b), le.Uint32(b[4:]), le.Uint32(b[8:])
	data := b[16:]
	if size >= 12 && uint64(size-12) < uint64(len(data)) {
		data = data[:size-12]
	}
	if uint64(raw) > uint64(limit) {
		return nil, fmt.Errorf("%w: RTF of more than %d MiB", errMSG, limit>>20)
	}
	n := int(raw)
	switch kind {
	case 0x414C454D: // "MELA"
		return data[:min(len(data), n)], nil
	case 0x75465A4C: // "LZFu"
	default:
		return nil, fmt.Errorf("%w: compressed RTF of type %#x", errMSG, kind)
	}
	var dict [4096]byte
	at := copy(dict[:], lzfuDictionary)
	out := make([]byte, 0, min(n, 17*len(data)))
	put := func(c byte) {
		out = append(out, c)
		dict[at] = c
		at = (at + 1) % len(dict)
	}
	for i := 0; i < len(data) && len(out) < n; {
		control := data[i]
		i++
		for bit := 0; bit < 8 && i < len(data) && len(out) < n; bit++ {
			if control&(1<<bit) == 0 {
				put(data[i])
				i++
				continue
			}
			if i+1 >= len(data) {
				return out, nil // cut short
			}
			ref := int(data[i])<<8 | int(data[i+1])
			i += 2
			off, length := ref>>4, ref&0xF+2
			if off == at {
				return out, nil // the end
			}
			for k := 0; k < length && len(out) < n; k++ {
				put(dict[(off+k)%len(dict)])
			}
		}
	}
	return out, nil
}
