package langchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/mail"
	"regexp"
	"strings"
)

// A mailbox file (.mbox, as Google Takeout and most mail programs export a
// folder) is its messages one after another, each opened by a "From "
// line that names its sender and the day it arrived ("From
// dana@example.com Mon Jan  6 08:00:00 2025"). It is read as one document
// under the file's name: each message under its subject as a "## "
// heading, then its From, To, Cc and Sent lines, its body and its
// attachments' names, as an .eml file's message is (eml.go). A line of a
// body that starts "From " but is no such line stays in its message, and
// lines a mailbox escaped (">From ") are unescaped. A message that does
// not read as one, or is nested or split beyond an .eml message's bounds,
// is left out; a file with no message that reads, or with more than
// maxMBOXText of text, is an error wrapping errEML.
func init() {
	formats[".mbox"] = format{binary: true, load: loadMBOX}
}

// maxMBOXText bounds the text of a whole mailbox; each of its messages is
// bounded as an .eml file's is.
const maxMBOXText = 256 << 20

// loadMBOX reads a mailbox file.
func loadMBOX(ctx context.Context, name string, data []byte) (string, error) {
	var b strings.Builder
	b.WriteString("# " + sheetFileName(name))
	text, read, n := 0, 0, 0
	for raw := range mboxMessages(data) {
		if err := poll(ctx, n); err != nil {
			return "", err
		}
		n++
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil || !isMessageHeader(msg.Header) {
			continue // no message: left out
		}
		one, size, err := emlText(ctx, msg, 2)
		switch {
		case errors.Is(err, errEML):
			continue // beyond a message's bounds: left out
		case err != nil:
			return "", err
		}
		if text += size; text > maxMBOXText {
			return "", fmt.Errorf("%w: more than %d MiB of text in the mailbox", errEML, maxMBOXText>>20)
		}
		b.WriteString("\n\n")
		b.WriteString(one)
		read++
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if read == 0 {
		return "", fmt.Errorf("%w: no messages in the mailbox", errEML)
	}
	return b.String(), nil
}

// mboxFromLine is the line that opens a message in a mailbox: "From ",
// the sender (or "-"), and the day of the week its date starts with.
var mboxFromLine = regexp.MustCompile(`^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b`)

// mboxMessages yields the messages of a mailbox, each without its "From "
// line and with the lines it escaped unescaped (">From " and, in mboxrd,
// ">>From " lose one ">"). The first line opens a message whatever it
// says.
func mboxMessages(data []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		if bytes.HasPrefix(data, []byte("From ")) {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				return
			}
			data = data[i+1:]
		}
		for at := 0; ; {
			i := bytes.Index(data[at:], []byte("\nFrom "))
			if i < 0 {
				if len(data) > 0 {
					yield(unescapeFrom(data))
				}
				return
			}
			start := at + i + 1
			line := data[start:]
			if n := bytes.IndexByte(line, '\n'); n >= 0 {
				line = line[:n+1]
			}
			if !mboxFromLine.Match(line) {
				at = start // a line of the body ("From now on …")
				continue
			}
			if !yield(unescapeFrom(data[:start])) {
				return
			}
			data, at = data[start+len(line):], 0
		}
	}
}

// unescapeFrom removes one ">" from each line of msg that is ">From ",
// ">>From " and so on, as a mailbox escaped them.
func unescapeFrom(msg []byte) []byte {
	if !bytes.Contains(msg, []byte(">From ")) {
		return msg
	}
	lines := bytes.SplitAfter(msg, []byte("\n"))
	for i, l := range lines {
		if t := bytes.TrimLeft(l, ">"); len(t) < len(l) && bytes.HasPrefix(t, []byte("From ")) {
			lines[i] = l[1:]
		}
	}
	return bytes.Join(lines, nil)
}
