package langchain

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// Email messages saved as .eml files (RFC 5322 and MIME, as Outlook,
// Thunderbird, Apple Mail and Gmail's "Download message" save them) are
// read with net/mail and mime/multipart: the Subject as a "# " title line
// (left out when there is none), then a line each for From, To, Cc and
// the Date, written "Sent:" as Outlook prints a message (so that "When
// was it sent?" finds it), as the header writes them, RFC 2047 words
// decoded, then the body.
// The body is its text/plain part, or its text/html part read as .html
// pages are when it has no plain text, each part decoded from base64 or
// quoted-printable and from its charset (unknown ones as UTF-8, invalid
// bytes replaced); every text part of a multipart/mixed is read in order,
// one alternative of a multipart/alternative. A forwarded message
// (message/rfc822) is read in its turn under its own heading ("##
// SUBJECT"), with its own header lines. format=flowed lines are joined as
// their writer wrote them. Quoted lines of a reply are kept but their "> "
// markers are dropped, so that a quoted sentence reads, and is found, as
// the sentence it was; a blank line sets them apart from the reply.
// Attachments (parts sent as attachments, and parts that are neither plain
// text nor HTML: documents, images, calendar invitations) are not read:
// their file names are listed in one line at the end ("Attachments: a.pdf,
// b.docx."), but for the images and styles of an HTML body
// (multipart/related), signatures and encrypted parts. Multiparts nested more
// than 20 deep, more than 1,000 parts or more than 64 MiB of decoded text
// are an error, as is a file without a message's headers.
func init() {
	formats[".eml"] = format{binary: true, load: loadEML}
}

// errEML reports a file that is not an email message, or one beyond the
// bounds any mail program writes.
var errEML = errors.New("not a readable email message")

const (
	// maxEMLDepth bounds the nesting of multiparts and forwarded messages:
	// mail programs stay under ten.
	maxEMLDepth = 20
	// maxEMLParts bounds the parts of a message, nested ones included.
	maxEMLParts = 1000
	// maxEMLText bounds the decoded text of a message's text parts;
	// attachments are never decoded.
	maxEMLText = 64 << 20
)

// emlHeaders are headers of which a message has at least one: a text file
// that happens to start with "Note: …" is no message.
var emlHeaders = []string{"From", "Sender", "To", "Cc", "Subject", "Date", "Message-Id",
	"Mime-Version", "Received", "Return-Path", "Delivered-To", "Content-Type"}

// emlUnlisted are the parts not sent as attachments, whatever their
// disposition: signatures and encrypted bodies.
var emlUnlisted = map[string]bool{
	"application/pgp-signature": true, "application/pkcs7-signature": true,
	"application/x-pkcs7-signature": true, "application/pgp-encrypted": true,
	"application/pkcs7-mime": true, "application/x-pkcs7-mime": true,
	"application/ms-tnef": true, "message/delivery-status": true,
}

// emlPart is one part of a message, read.
type emlPart struct {
	media    string // the lower-case media type, "text/plain"
	flowed   bool   // text/plain; format=flowed
	delSp    bool   // and delsp=yes
	name     string // the file name, "" for none
	attached bool   // Content-Disposition: attachment
	text     []byte // a text part's body, decoded to UTF-8
	parts    []*emlPart
	message  *emlMessage // a message/rfc822's message
}

// emlMessage is a message, read: its header and its body.
type emlMessage struct {
	header mail.Header
	body   *emlPart
}

// emlReader reads a message's parts within the bounds.
type emlReader struct {
	ctx   context.Context
	dec   *mime.WordDecoder
	parts int // parts read so far
	text  int // bytes of text decoded so far
}

// loadEML reads an email message.
func loadEML(ctx context.Context, _ string, data []byte) (string, error) {
	// A message cut from an mbox file starts with its "From " line.
	if bytes.HasPrefix(data, []byte("From ")) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("%w: %w", errEML, err)
	}
	if !isMessageHeader(msg.Header) {
		return "", fmt.Errorf("%w: no message headers", errEML)
	}
	text, _, err := emlText(ctx, msg, 1)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err // a body's lines were cut short
	}
	return text, nil
}

// emlText is a message's text under its subject as a heading of level:
// its header lines, its body and its attachments' names; and how many
// bytes of text its parts decoded.
func emlText(ctx context.Context, msg *mail.Message, level int) (string, int, error) {
	r := &emlReader{ctx: ctx, dec: &mime.WordDecoder{CharsetReader: charsetReader}}
	m, err := r.message(msg, 0)
	if err != nil {
		return "", 0, err
	}
	w := emlWriter{top: level}
	w.message(r, m, level)
	return w.text(), r.text, nil
}

// isMessageHeader reports whether h has one of the headers of a message.
func isMessageHeader(h mail.Header) bool {
	for _, k := range emlHeaders {
		if _, ok := h[k]; ok {
			return true
		}
	}
	return false
}

// message reads the body of msg, depth parts or messages deep.
func (r *emlReader) message(msg *mail.Message, depth int) (*emlMessage, error) {
	body, err := r.part(textproto.MIMEHeader(msg.Header), msg.Body, depth, "")
	if err != nil {
		return nil, err
	}
	return &emlMessage{header: msg.Header, body: body}, nil
}

// part reads a part with its header h and its body as sent; parent is
// the media type of the multipart it is in, "" for a message's body.
func (r *emlReader) part(h textproto.MIMEHeader, body io.Reader, depth int, parent string) (*emlPart, error) {
	if r.parts++; r.parts > maxEMLParts {
		return nil, fmt.Errorf("%w: more than %d parts", errEML, maxEMLParts)
	}
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	p := &emlPart{media: "text/plain"}
	if parent == "multipart/digest" {
		p.media = "message/rfc822"
	}
	var params map[string]string
	if ct := h.Get("Content-Type"); ct != "" {
		media, ps, err := mime.ParseMediaType(ct)
		if media != "" && (err == nil || errors.Is(err, mime.ErrInvalidMediaParameter)) {
			p.media, params = media, ps
		}
	}
	p.flowed = strings.EqualFold(params["format"], "flowed")
	p.delSp = strings.EqualFold(params["delsp"], "yes")
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	p.attached = disposition == "attachment"
	p.name = r.fileName(cmp.Or(dparams["filename"], params["name"], extendedName(h.Get("Content-Disposition"), "filename"), extendedName(h.Get("Content-Type"), "name")))

	switch {
	case strings.HasPrefix(p.media, "multipart/"):
		if depth >= maxEMLDepth {
			return nil, fmt.Errorf("%w: parts nested more than %d deep", errEML, maxEMLDepth)
		}
		boundary := params["boundary"]
		if boundary == "" || len(boundary) > 200 {
			return p, nil // no parts to find: nothing read
		}
		mr := multipart.NewReader(transferDecoded(h, body), boundary)
		for {
			raw, err := mr.NextRawPart()
			if err != nil {
				break // the end, or a message cut short: the parts so far are read
			}
			c, err := r.part(raw.Header, raw, depth+1, p.media)
			if err != nil {
				return nil, err
			}
			p.parts = append(p.parts, c)
		}
	case p.media == "message/rfc822" || p.media == "message/global":
		if depth >= maxEMLDepth {
			return nil, fmt.Errorf("%w: messages nested more than %d deep", errEML, maxEMLDepth)
		}
		msg, err := mail.ReadMessage(transferDecoded(h, body))
		if err != nil {
			return p, nil // no message in it: an attachment like any other
		}
		if p.message, err = r.message(msg, depth+1); err != nil {
			return nil, err
		}
	case (p.media == "text/plain" || p.media == "text/html") && !p.attached:
		data, err := io.ReadAll(io.LimitReader(transferDecoded(h, body), int64(maxEMLText-r.text)+1))
		if r.text += len(data); r.text > maxEMLText {
			return nil, fmt.Errorf("%w: more than %d MiB of text", errEML, maxEMLText>>20)
		}
		if err != nil && len(data) == 0 {
			return p, nil // a body that does not decode: nothing read
		}
		cs := params["charset"]
		if cs == "" && p.media == "text/html" {
			cs = metaCharset(data) // the page says it ("<meta charset=shift_jis>")
		}
		p.text = decodeCharset(data, cs)
	}
	return p, nil
}

// fileName is the name of an attached file as a list shows it: without
// its folders, RFC 2047 words decoded, white space and control
// characters as single spaces.
func (r *emlReader) fileName(name string) string {
	return baseName(r.header(name))
}

// baseName is an attached file's name without its folders, white space
// and control characters as single spaces; "" for none.
func baseName(name string) string {
	name = oneLine(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "." || name == "/" {
		return ""
	}
	return name
}

// oneLine is s with its control characters as spaces and each run of
// white space one space: a name or a subject on one line.
func oneLine(s string) string {
	return collapseSpace(strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return ' '
		}
		return c
	}, s))
}

// transferDecoded is body decoded from its Content-Transfer-Encoding:
// base64 (characters outside its alphabet skipped), quoted-printable, or
// as it is.
func transferDecoded(h textproto.MIMEHeader, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Alphabet{r: body})
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	}
	return body
}

// base64Alphabet reads the characters of base64's alphabet and its padding
// from r, leaving out line breaks and any other byte a mail program put
// between them, and pads what a mail program left unpadded at its end.
type base64Alphabet struct {
	r      io.Reader
	n      int  // characters of the alphabet read
	padded bool // a "=" was read, or padding added
}

func (b *base64Alphabet) Read(p []byte) (int, error) {
	for {
		n, err := b.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=' {
				p[k] = c
				k++
				b.n++
				b.padded = b.padded || c == '='
			}
		}
		if k == 0 && err == io.EOF && !b.padded && b.n%4 >= 2 && len(p) >= 4-b.n%4 {
			// "SGVsbG8": the last quantum, unpadded, is padded.
			k = copy(p, "=="[:4-b.n%4])
			b.padded = true
			return k, nil
		}
		if k > 0 || err != nil || n == 0 {
			return k, err
		}
	}
}

// metaCharset is the charset an HTML page declares in a <meta> tag in its
// first KiB, "" when none.
func metaCharset(page []byte) string {
	m := metaCharsetExpr.FindSubmatch(page[:min(len(page), 1024)])
	if m == nil {
		return ""
	}
	// A page whose <meta> says UTF-16 ("unicode") is bytes that could be
	// read: UTF-8, as the HTML standard's prescan takes it.
	if enc, err := htmlindex.Get(string(m[1])); err == nil {
		if name, _ := htmlindex.Name(enc); strings.HasPrefix(name, "utf-16") {
			return "utf-8"
		}
	}
	return string(m[1])
}

var metaCharsetExpr = regexp.MustCompile(`(?i)<meta[^>]*?charset\s*=\s*["']?([\w.:-]+)`)

// extendedName is the value of a parameter key written in RFC 2231's
// extended form in header ("filename*=iso-8859-1'fr'N%E9gociation.xls"),
// decoded from its charset; "" when there is none. mime.ParseMediaType
// reads only UTF-8 and US-ASCII ones.
func extendedName(header, key string) string {
	_, rest, ok := strings.Cut(strings.ToLower(header), key+"*=")
	if !ok {
		return ""
	}
	value := header[len(header)-len(rest):]
	value, _, _ = strings.Cut(value, ";")
	charset, encoded, ok := strings.Cut(strings.Trim(strings.TrimSpace(value), `"`), "'")
	if !ok {
		return ""
	}
	_, encoded, _ = strings.Cut(encoded, "'") // the language
	raw, err := url.PathUnescape(encoded)
	if err != nil {
		return ""
	}
	return string(decodeCharset([]byte(raw), charset))
}

// decodeCharset decodes text from its charset to UTF-8. Without one, or
// with US-ASCII, it is UTF-8 if it reads as UTF-8 and else Windows-1252,
// as text files are read; a charset not known is read as UTF-8. Invalid
// bytes become U+FFFD.
func decodeCharset(data []byte, charset string) []byte {
	charset = strings.ToLower(strings.TrimSpace(charset))
	switch charset {
	case "", "us-ascii", "ascii":
		if utf8.Valid(data) {
			return data
		}
		charset = "windows-1252"
	case "utf-8", "utf8":
		return bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	if enc, err := htmlindex.Get(charset); err == nil {
		if out, err := enc.NewDecoder().Bytes(data); err == nil {
			data = out
		}
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}

// charsetReader decodes an RFC 2047 word's text from its charset, for
// mime.WordDecoder, as a body's is (decodeCharset). A word is short: it
// is decoded at once, not through a reader's buffers.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	data, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(decodeCharset(data, charset)), nil
}

// header is a header's value as a reader sees it: RFC 2047 words decoded,
// folded lines unfolded, runs of white space one space. 8-bit text that
// is not UTF-8 is read as Windows-1252.
func (r *emlReader) header(v string) string {
	v = string(decodeCharset([]byte(v), ""))
	if s, err := r.dec.DecodeHeader(v); err == nil {
		v = s
	}
	return collapseSpace(strings.ToValidUTF8(v, "\uFFFD"))
}

// addresses is an address header's value as "Name <address>" for each
// address, joined by ", "; the value as it is (header) when it is not a
// list of addresses.
func (r *emlReader) addresses(v string) string {
	list, err := (&mail.AddressParser{WordDecoder: r.dec}).ParseList(v)
	if err != nil || len(list) == 0 {
		return r.header(v)
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
		if name := r.header(a.Name); name != "" {
			if strings.ContainsAny(name, `,;"`) {
				name = strconv.Quote(name) // "Lee, Sam" is one name in a list
			}
			out[i] = name + " <" + a.Address + ">"
		}
	}
	return strings.Join(out, ", ")
}

// emlWriter writes a message's text: blocks of lines with a blank line
// between any two, and the names of its attachments.
type emlWriter struct {
	b     strings.Builder
	names []string
	seen  map[string]bool
	top   int // the heading level of the message written; 0 for 1
}

// block adds lines of text, trimmed; empty ones are left out.
func (w *emlWriter) block(s string) {
	if s = strings.TrimSpace(s); s == "" {
		return
	}
	if w.b.Len() > 0 {
		w.b.WriteString("\n\n")
	}
	w.b.WriteString(s)
}

// attachment adds an attachment's name, once.
func (w *emlWriter) attachment(name string) {
	if name == "" || w.seen[name] {
		return
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	w.seen[name] = true
	w.names = append(w.names, name)
}

// text is the text written, the attachments' names in one line at its
// end ("Attachments: a.pdf, b.docx.").
func (w *emlWriter) text() string {
	if len(w.names) > 0 {
		w.block("Attachments: " + strings.Join(w.names, ", ") + ".")
		w.names, w.seen = nil, nil
	}
	return w.b.String()
}

// message writes a message under a heading at level: its subject, then
// its header lines and its body.
func (w *emlWriter) message(r *emlReader, m *emlMessage, level int) {
	var lines []string
	for _, k := range []string{"From", "To", "Cc", "Date"} {
		v := m.header.Get(k)
		if k != "Date" {
			v = r.addresses(v)
		} else {
			v = r.header(v)
		}
		if v != "" {
			if k == "Date" {
				k = "Sent" // when it was sent, as Outlook prints it
			}
			lines = append(lines, k+": "+v)
		}
	}
	w.heading(r.header(m.header.Get("Subject")), level, lines)
	w.part(r, m.body, level, false)
}

// heading writes a message's subject as a heading at level, then its
// header lines ("From: …"). A forwarded message without a subject is
// headed "Forwarded message"; the message itself without one has no title.
func (w *emlWriter) heading(subject string, level int, lines []string) {
	switch {
	case subject != "":
	case level > max(w.top, 1):
		subject = "Forwarded message"
	case level > 1:
		subject = "(no subject)" // a mailbox's message, under the mailbox's title
	}
	if subject != "" {
		w.block(strings.Repeat("#", min(level, 6)) + " " + subject)
	}
	w.block(strings.Join(lines, "\n"))
}

// part writes a part of a message whose heading is at level; resource is
// set for a part of a multipart/related, which holds an HTML body's
// images and styles.
func (w *emlWriter) part(r *emlReader, p *emlPart, level int, resource bool) {
	switch {
	case p.media == "multipart/alternative":
		w.alternative(r, p, level)
	case strings.HasPrefix(p.media, "multipart/"):
		for _, c := range p.parts {
			w.part(r, c, level, p.media == "multipart/related")
		}
	case p.message != nil:
		w.message(r, p.message, level+1)
	case p.text != nil && p.media == "text/html":
		w.block(htmlBody(p.text, level))
	case p.text != nil:
		w.block(plainBody(r.ctx, p))
	case p.attached || !resource && !emlUnlisted[p.media]:
		w.attachment(p.name)
	}
}

// alternative writes the first of a multipart/alternative's parts that
// has text, in the order text/plain, multipart, HTML; the others' only
// for their attachments' names.
func (w *emlWriter) alternative(r *emlReader, p *emlPart, level int) {
	rank := func(c *emlPart) int {
		switch {
		case c.media == "text/plain":
			return 0
		case c.media == "text/html":
			return 2
		}
		return 1
	}
	done := false
	for want := range 3 {
		for _, c := range p.parts {
			if rank(c) != want {
				continue
			}
			if done {
				w.attachmentsOf(c, false)
				continue
			}
			var sub emlWriter
			sub.part(r, c, level, false)
			w.block(sub.b.String())
			for _, n := range sub.names {
				w.attachment(n)
			}
			done = sub.b.Len() > 0
		}
	}
}

// attachmentsOf adds the names of the attachments in a part not read.
func (w *emlWriter) attachmentsOf(p *emlPart, resource bool) {
	switch {
	case strings.HasPrefix(p.media, "multipart/"):
		for _, c := range p.parts {
			w.attachmentsOf(c, p.media == "multipart/related")
		}
	case p.message != nil, p.text != nil:
	case p.attached || !resource && !emlUnlisted[p.media]:
		w.attachment(p.name)
	}
}

// htmlBody is the text of an HTML part as .html pages are read (each
// block a line, headings as Markdown heading lines), its headings put
// under the message's heading at level.
func htmlBody(data []byte, level int) string {
	page, err := blockLines(data)
	if err != nil {
		return ""
	}
	lines := strings.Split(tidyLines(page.Find("body").Text()), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = "" // Outlook's empty paragraphs: a no-break space each
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, "#")); n > 0 && n <= 6 && strings.HasPrefix(l[n:], " ") {
			lines[i] = strings.Repeat("#", min(n+level, 6)) + l[n:]
		}
	}
	return blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
}

// plainBody is the text of a text/plain part: its lines, flowed ones
// (format=flowed) joined, quoted ones without their "> " markers and set
// apart by a blank line from lines quoted more or less deeply.
func plainBody(ctx context.Context, p *emlPart) string {
	var b strings.Builder
	depth, soft := 0, false // the quote depth of the line before, and whether it goes on
	n := 0
	for line := range strings.Lines(string(p.text)) {
		if poll(ctx, n) != nil {
			break
		}
		n++
		line = strings.TrimRight(line, "\r\n")
		d, text := quoteDepth(line, p.flowed)
		if p.flowed && strings.HasPrefix(text, " ") {
			text = text[1:] // space-stuffed (RFC 3676 4.4)
		}
		switch {
		case soft && d == depth:
			// a flowed line goes on with the line before
		case b.Len() == 0:
		case d != depth && strings.TrimSpace(text) != "":
			b.WriteString("\n\n")
		default:
			b.WriteByte('\n')
		}
		if strings.TrimSpace(text) != "" {
			depth = d
		}
		soft = p.flowed && strings.HasSuffix(text, " ") && text != "-- "
		if soft && p.delSp {
			text = text[:len(text)-1]
		}
		if !soft {
			text = strings.TrimRight(text, " \t")
		}
		b.WriteString(text)
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = noHeading(strings.TrimRight(l, " \t")) // "# of attendees: 42" is no heading
	}
	return blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
}

// quoteDepth is how many ">" quote line, and line without them and the
// space after them. Flowed text (RFC 3676) has no space between its
// markers; other text may.
func quoteDepth(line string, flowed bool) (int, string) {
	d, i := 0, 0
	for i < len(line) {
		switch {
		case line[i] == '>':
			d++
		case line[i] == ' ' && !flowed && d > 0 && i+1 < len(line) && line[i+1] == '>':
		default:
			if d > 0 && !flowed && line[i] == ' ' {
				i++
			}
			return d, line[i:]
		}
		i++
	}
	return d, ""
}
