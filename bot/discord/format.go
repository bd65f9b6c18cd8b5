package discord

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/rag"
)

// Discord's embed limits, in UTF-16 code units like message content.
const (
	embedTitleLimit      = 256
	embedFieldNameLimit  = 256
	embedFieldValueLimit = 1024
	embedFooterLimit     = 2048
	embedFieldsLimit     = 25   // fields in one embed
	embedTotalLimit      = 6000 // all embeds of a message together
	embedsLimit          = 10   // embeds on one message
	quoteLimit           = 300  // a citation's quote, before the total forces less
	minQuote             = 40
	minName              = 40
)

// notAnswered is said when the documents do not answer a question.
const notAnswered = "The documents don't answer this question. " +
	"Try asking it another way, or use /sources to see what they cover."

// reply is a rendered answer: message contents in order, with the embeds
// and buttons going on the last message.
type reply struct {
	pieces     []string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
}

// renderAnswer turns an answer into Discord messages: the answer text with
// its [n] markers, the citations as an embed, and feedback buttons carrying
// the question's id.
func renderAnswer(a rag.Answer, qid string) reply {
	r := reply{components: feedbackButtons(qid)}
	if !a.Grounded || len(a.Citations) == 0 {
		r.pieces = []string{notAnswered}
		return r
	}
	r.pieces = Split(a.Answer, MessageLimit)
	if len(r.pieces) == 0 {
		r.pieces = []string{notAnswered}
		return r
	}
	if a.LowConfidence() {
		r.pieces = appendLine(r.pieces, lowConfidenceNote(a.Confidence))
	}
	r.embeds = citationEmbeds(a.Citations, a.Answer)
	return r
}

// lowConfidenceNote is the small-print line under an answer that is less
// likely right than not: "-# Low confidence (38%) — check the sources". The
// percentage is rounded down, so that it never reads 50%.
func lowConfidenceNote(c float64) string {
	return fmt.Sprintf("-# Low confidence (%d%%) — check the sources", int(math.Floor(100*max(0, min(1, c))+1e-9)))
}

// appendLine adds line under the last message, or as a message of its own
// when the last has no room for it.
func appendLine(pieces []string, line string) []string {
	last := len(pieces) - 1
	if last >= 0 && utf16Len(pieces[last])+1+utf16Len(line) <= MessageLimit {
		pieces[last] += "\n" + line
		return pieces
	}
	return append(pieces, line)
}

// citationEmbeds shows citations as numbered embed fields — title and date,
// then an excerpt of the passage around what the answer took from it, that
// in bold — within
// Discord's limits: 25 fields an embed, 256 units a name, 1024 a value and
// 6000 for all embeds of a message, shortening quotes, then titles, as
// needed.
func citationEmbeds(cs []rag.Citation, answer string) []*discordgo.MessageEmbed {
	const title = "Sources"
	if len(cs) > embedFieldsLimit*embedsLimit {
		cs = cs[:embedFieldsLimit*embedsLimit]
	}
	texts, focus := make([]string, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		texts[i], focus[i] = oneLine(c.Text), citedText(answer, c.N)
	}
	perQuote, perName := quoteLimit, embedFieldNameLimit
	var fields []*discordgo.MessageEmbedField
	for {
		fields = fields[:0]
		total := utf16Len(title) * ((len(cs) + embedFieldsLimit - 1) / embedFieldsLimit)
		for i, c := range cs {
			f := &discordgo.MessageEmbedField{Name: fieldName(c, perName), Value: fieldValue(c.Source, texts[i], c.Quote, focus[i], perQuote)}
			fields = append(fields, f)
			total += utf16Len(f.Name) + utf16Len(f.Value)
		}
		switch {
		case total <= embedTotalLimit:
		case perQuote > minQuote:
			perQuote = max(minQuote, perQuote*3/4)
			continue
		case perName > minName:
			perName = max(minName, perName*3/4)
			continue
		}
		break
	}
	// Even short fields may not all fit (hundreds of citations): drop the
	// last rather than send what Discord refuses.
	total := 0
	for i, f := range fields {
		total += utf16Len(f.Name) + utf16Len(f.Value)
		if total+utf16Len(title)*(i/embedFieldsLimit+1) > embedTotalLimit {
			fields = fields[:i]
			break
		}
	}
	var embeds []*discordgo.MessageEmbed
	for len(fields) > 0 {
		n := min(len(fields), embedFieldsLimit)
		embeds = append(embeds, &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: title, Fields: fields[:n]})
		fields = fields[n:]
	}
	return embeds
}

// fieldName is "[n] Title (date)", at most limit units, the title falling
// back to the file name.
func fieldName(c rag.Citation, limit int) string {
	title := oneLine(c.Title)
	if title == "" {
		title = c.Source
	}
	if c.Section != "" {
		title += " › " + oneLine(c.Section)
	}
	date := ""
	if c.Date != "" {
		date = " (" + oneLine(c.Date) + ")"
	}
	prefix := fmt.Sprintf("[%d] ", c.N)
	room := min(limit, embedFieldNameLimit) - utf16Len(prefix) - utf16Len(date)
	return truncate(prefix+truncate(title, room)+date, embedFieldNameLimit)
}

// fieldValue is an excerpt of a passage's text (made one line) around
// mark, the part the answer quotes, or else focus, the part of the answer
// that cites it (see excerpt), and the file it comes from.
func fieldValue(source, text, mark, focus string, perQuote int) string {
	source = "— " + escapeMarkdown(oneLine(source))
	room := min(perQuote, embedFieldValueLimit-utf16Len(source)-1)
	q := excerpt(text, mark, focus, room)
	if q == "" {
		return truncate(source, embedFieldValueLimit)
	}
	return q + "\n" + truncate(source, embedFieldValueLimit-utf16Len(q)-1)
}

// citedText returns the first stretch of answer that is cited as [n]: the
// text between the previous marker and the first "[n]".
func citedText(answer string, n int) string {
	tag := fmt.Sprintf("[%d]", n)
	i := strings.Index(answer, tag)
	if i < 0 {
		return ""
	}
	before := answer[:i]
	if locs := marker.FindAllStringIndex(before, -1); len(locs) > 0 {
		before = before[locs[len(locs)-1][1]:]
	}
	return oneLine(before)
}

// quote returns at most limit units of text (whose whitespace oneLine has
// made single spaces), starting where focus begins if text contains it and
// reaching back a few words when that leaves room, cut between words and
// marked with "…" where text goes on.
func quote(text, focus string, limit int) string {
	if utf16Len(text) <= limit {
		return text
	}
	start := 0
	if i := strings.Index(text, focus); focus != "" && i > 0 {
		start = i
	}
	n := 1 + utf16Len(text[start:]) // with the leading "…"
	for start > 0 {
		prev := strings.LastIndexByte(strings.TrimRight(text[:start], " "), ' ') + 1
		if n+utf16Len(text[prev:start]) > limit {
			break
		}
		n += utf16Len(text[prev:start])
		start = prev
	}
	lead := ""
	if start > 0 {
		lead = "…"
	}
	return lead + truncate(text[start:], limit-utf16Len(lead))
}

// truncate shortens s to at most limit units, cutting between words where
// it can and ending with "…".
func truncate(s string, limit int) string {
	if limit < 1 {
		return ""
	}
	// Find the longest prefix that leaves a unit for the "…", noting the
	// last space in it.
	n, end, lastSpace := 1, 0, -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > limit {
			if utf16Len(s) <= limit {
				return s
			}
			break
		}
		if unicode.IsSpace(r) {
			lastSpace = i
		}
		n += w
		i += size
		end = i
	}
	if end == len(s) {
		return s
	}
	cut := end
	if lastSpace > end/2 {
		cut = lastSpace
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…"
}

// oneLine collapses runs of whitespace, newlines included, to one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// renderSources lists the indexed documents, one a line.
func renderSources(docs []rag.DocumentInfo) []string {
	if len(docs) == 0 {
		return []string{"0 documents indexed."}
	}
	var b strings.Builder
	noun := "documents"
	if len(docs) == 1 {
		noun = "document"
	}
	fmt.Fprintf(&b, "I answer from %d %s:\n", len(docs), noun)
	for i, d := range docs {
		title := oneLine(d.Title)
		if title == "" {
			title = d.Source
		}
		fmt.Fprintf(&b, "%d. %s", i+1, truncate(title, 200))
		if d.Date != "" {
			fmt.Fprintf(&b, " (%s)", oneLine(d.Date))
		}
		if title != d.Source {
			fmt.Fprintf(&b, " — %s", oneLine(d.Source))
		}
		b.WriteByte('\n')
	}
	return Split(b.String(), MessageLimit)
}

// helpText explains how to ask.
func helpText(mentionAsking bool) string {
	var b strings.Builder
	b.WriteString("I answer questions from a set of documents and cite the passages I quote.\n\n")
	b.WriteString("• `/ask question:<your question>` — answers with [n] markers; the Sources list shows each cited passage. Add `private:True` to see the answer alone.\n")
	b.WriteString("• `/sources` — the documents I answer from.\n")
	if mentionAsking {
		b.WriteString("• Mention me with a question, or send me a direct message. Reply to one of my answers to ask a follow-up.\n")
	}
	b.WriteString("\nWhen the documents don't answer a question I say so rather than guess. Use 👍/👎 under an answer to tell us how it did.")
	return b.String()
}
