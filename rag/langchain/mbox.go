package langchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"mime"
	"net/mail"
	"strings"
)

// A mailbox file (.mbox, as Thunderbird keeps a folder and Google Takeout
// and most mail programs export one) is its messages one after another,
// each opened by a "From " line. It is read as one document under the
// file's name: each message under its subject as a "## " heading, then its
// From, To, Cc and Sent lines, its body and its attachments' names, as
// an .eml file's message is (eml.go). A message that does not read as
// one is left out; a file with none that does is an error wrapping
// errEML. Lines a mailbox escaped (">From ") are unescaped.
func init() {
	formats[".mbox"] = format{binary: true, load: loadMBOX}
}

// maxMBOXMessages bounds the messages of a mailbox: a folder of a few
// years' mail holds thousands.
const maxMBOXMessages = 100_000

// loadMBOX reads a mailbox file.
func loadMBOX(ctx context.Context, name string, data []byte) (string, error) {
	var b strings.Builder
	b.WriteString("# " + sheetFileName(name))
	text, read, n := 0, 0, 0
	for raw := range mboxMessages(data) {
		if n++; n > maxMBOXMessages {
			return "", fmt.Errorf("%w: more than %d messages", errEML, maxMBOXMessages)
		}
		if err := poll(ctx, n); err != nil {
			return "", err
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil || !isMessageHeader(msg.Header) {
			continue // no message: left out
		}
		r := &emlReader{ctx: ctx, dec: &mime.WordDecoder{CharsetReader: charsetReader}, text: text}
		m, err := r.message(msg, 0)
		switch {
		case errors.Is(err, errEML) && r.text <= maxEMLText:
			continue // a message nested or split beyond the bounds: left out
		case err != nil:
			return "", err
		}
		text = r.text
		w := emlWriter{top: 2}
		w.message(r, m, 2)
		if len(w.names) > 0 {
			w.block("Attachments: " + strings.Join(w.names, ", ") + ".")
		}
		b.WriteString("\n\n")
		b.WriteString(w.b.String())
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

// mboxMessages yields the messages of a mailbox, each without its "From "
// line and with the lines it escaped unescaped (">From " and, in mboxrd,
// ">>From " lose one ">").
func mboxMessages(data []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		for len(data) > 0 {
			// The message's own "From " line, and where the next one starts.
			if bytes.HasPrefix(data, []byte("From ")) {
				if i := bytes.IndexByte(data, '\n'); i >= 0 {
					data = data[i+1:]
				} else {
					return
				}
			}
			end := bytes.Index(data, []byte("\nFrom "))
			msg := data
			if end >= 0 {
				msg, data = data[:end+1], data[end+1:]
			} else {
				data = nil
			}
			if !yield(unescapeFrom(msg)) {
				return
			}
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
