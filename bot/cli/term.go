package cli

import (
	"io"
	"strings"
	"unicode/utf8"
)

// termSafe returns s fit to print on a terminal, so that a document's text
// cannot colour, move, clear or retitle the user's terminal or ring its
// bell: escape sequences (ESC or C1 CSI with their parameters, OSC, DCS,
// SOS, PM and APC strings up to their terminator or the end of the line,
// and the two- and three-byte ESC sequences) are removed; form feeds and
// vertical tabs become spaces; every other control character (C0 except
// '\n' and '\t', DEL and C1) is removed; and bytes that are not UTF-8
// become U+FFFD.
func termSafe(s string) string {
	if isTermSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b:
			i = skipEscape(s, i)
		case r == 0x9b: // CSI
			i = skipCSI(s, i)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // DCS, SOS, OSC, PM, APC
			i = skipString(s, i)
		case r == '\f' || r == '\v':
			b.WriteByte(' ')
		case r == '\n' || r == '\t' || !isControl(r):
			b.WriteString(s[i-size : i])
		}
	}
	return b.String()
}

// isTermSafe reports whether termSafe would return s as it is.
func isTermSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			return false
		case c == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0: // U+0080–U+009F
			return false
		}
	}
	return utf8.ValidString(s)
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool { return r < 0x20 || 0x7f <= r && r < 0xa0 }

// skipEscape returns the offset after the escape sequence whose ESC ends
// just before s[i].
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1)
	case 0x20 <= c && c <= 0x2f: // intermediate bytes, then a final byte
		for i < len(s) && 0x20 <= s[i] && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && 0x30 <= s[i] && s[i] <= 0x7e {
			i++
		}
		return i
	case 0x30 <= c && c <= 0x7e:
		return i + 1
	}
	return i
}

// skipCSI returns the offset after a control sequence's parameter,
// intermediate and final bytes starting at s[i]. A byte that cannot be part
// of one ends it and is kept.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case 0x20 <= c && c <= 0x3f:
			i++
		case 0x40 <= c && c <= 0x7e:
			return i + 1
		default:
			return i
		}
	}
	return i
}

// skipString returns the offset after a control string starting at s[i]:
// through its terminator (BEL, ESC \ or ST), or up to the end of the line
// when it has none, so that one stray introducer costs at most a line.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // ST
			return i + 2
		case s[i] == '\n':
			return i
		}
		i++
	}
	return i
}

// termWriter writes what it is given through termSafe. Each Write is
// cleaned on its own: an escape sequence cut across two writes loses its
// ESC in the first and is harmless text in the second.
type termWriter struct{ w io.Writer }

func (t termWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, termSafe(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
