package glove

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// scanWords calls fn with each raw word of text, lowercased and with Latin
// diacritics folded (é → e, ß → ss). A word is a run of letters, digits and
// combining marks; an apostrophe or hyphen between two such runes joins them
// ("don't", "kul-mukhammed"), as does a '.' or ',' between two digits
// ("3.5", "1,000"). buf is scratch space; the slice fn gets is valid only
// until fn returns. It returns buf for reuse.
func scanWords(text string, buf []byte, fn func(word []byte)) []byte {
	cur := buf[:0]
	var joiner byte    // pending joiner, or 0
	var lastDigit bool // whether the last rune in cur is a digit
	flush := func() {
		if len(cur) > 0 {
			fn(cur)
		}
		cur, joiner = cur[:0], 0
	}
	for _, r := range text {
		if r < utf8.RuneSelf && !isASCIIWord(r) && joinerByte(r) == 0 {
			flush() // fast path for spaces and punctuation
			continue
		}
		switch {
		case r >= 0x300 && r <= 0x36f:
			// A combining diacritic (decomposed Latin): fold it away.
			continue
		case isASCIIWord(r) || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			digit := '0' <= r && r <= '9' || r >= utf8.RuneSelf && unicode.IsDigit(r)
			if joiner != 0 {
				if (joiner == '.' || joiner == ',') && !(lastDigit && digit) {
					flush()
				} else {
					cur = append(cur, joiner)
					joiner = 0
				}
			}
			if unicode.IsMark(r) && len(cur) == 0 {
				continue // a mark with nothing to attach to
			}
			cur = appendFolded(cur, r)
			lastDigit = digit
		case len(cur) > 0 && joiner == 0 && joinerByte(r) != 0:
			joiner = joinerByte(r)
		default:
			flush()
		}
	}
	flush()
	return cur
}

func isASCIIWord(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// joinerByte maps the apostrophes and hyphens that may join a word to their
// ASCII form, and '.' and ',' to themselves.
func joinerByte(r rune) byte {
	switch r {
	case '\'', '’', 'ʼ', '‘':
		return '\''
	case '-', '‐', '‑':
		return '-'
	case '.', ',':
		return byte(r)
	}
	return 0
}

// appendFolded appends the lowercase, diacritic-free form of r.
func appendFolded(b []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(b, byte(r))
	}
	r = unicode.ToLower(r)
	if r < utf8.RuneSelf { // e.g. the Kelvin sign
		return append(b, byte(r))
	}
	if f, ok := latinFold[r]; ok {
		return append(b, f...)
	}
	return utf8.AppendRune(b, r)
}

// latinFold maps lowercase Latin letters with diacritics to ASCII, so that
// "Müller", "Muller" and "muller" are one word; GloVe's vocabulary as packed
// here is ASCII.
var latinFold = func() map[rune]string {
	groups := map[string]string{
		"a": "àáâãäåāăąǎ", "c": "çćĉċč", "d": "ďđð", "e": "èéêëēĕėęě",
		"g": "ĝğġģ", "h": "ĥħ", "i": "ìíîïĩīĭįıǐ", "j": "ĵ", "k": "ķ",
		"l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏőǒ", "r": "ŕŗř",
		"s": "śŝşšș", "t": "ţťŧț", "u": "ùúûüũūŭůűųǔ", "w": "ŵ", "y": "ýÿŷ",
		"z": "źżž", "ss": "ß", "ae": "æ", "oe": "œ", "th": "þ",
	}
	m := make(map[rune]string)
	for to, from := range groups {
		for _, r := range from {
			m[r] = to
		}
	}
	return m
}()

var (
	wordNot   = []byte("not")
	wordCan   = []byte("can")
	wordWill  = []byte("will")
	wordShall = []byte("shall")
)

// contractions maps a clitic to the word it stands for; 's (possessive or
// "is") maps to nothing.
var contractions = []struct {
	suffix, word []byte
}{
	{[]byte("'s"), nil},
	{[]byte("'re"), []byte("are")},
	{[]byte("'ll"), []byte("will")},
	{[]byte("'ve"), []byte("have")},
	{[]byte("'d"), []byte("would")},
	{[]byte("'m"), []byte("am")},
}

// splitWord calls emit with the tokens of one raw word from scanWords,
// using the vocabulary to decide how to split it:
//
//   - clitics are expanded: "don't" → "do not", "can't" → "can not",
//     "we're" → "we are"; a possessive "'s" is dropped;
//   - a word with other apostrophes is kept joined if the vocabulary has it
//     without them ("o'brien" → "obrien"), else split at them;
//   - a hyphenated word is kept whole if the vocabulary has it
//     ("well-known"), else split into its parts ("kul-mukhammed" → "kul",
//     "mukhammed").
//
// The slices emit gets are valid only until it returns; splitWord may
// modify word.
func (m *model) splitWord(word []byte, emit func([]byte)) {
	if bytes.IndexByte(word, '\'') >= 0 {
		var tail []byte
		switch {
		case len(word) > 3 && bytes.HasSuffix(word, []byte("n't")):
			word = word[:len(word)-3]
			switch string(word) {
			case "ca":
				word = wordCan
			case "wo":
				word = wordWill
			case "sha":
				word = wordShall
			}
			tail = wordNot
		default:
			for _, c := range contractions {
				if len(word) > len(c.suffix) && bytes.HasSuffix(word, c.suffix) {
					word, tail = word[:len(word)-len(c.suffix)], c.word
					break
				}
			}
		}
		m.splitApostrophes(word, emit)
		if tail != nil {
			emit(tail)
		}
		return
	}
	m.splitHyphens(word, emit)
}

func (m *model) splitApostrophes(word []byte, emit func([]byte)) {
	if bytes.IndexByte(word, '\'') < 0 {
		m.splitHyphens(word, emit)
		return
	}
	joined := make([]byte, 0, len(word))
	for _, c := range word {
		if c != '\'' {
			joined = append(joined, c)
		}
	}
	if _, ok := m.lookup(joined); ok {
		emit(joined)
		return
	}
	for part := range bytes.SplitSeq(word, []byte("'")) {
		if len(part) > 0 {
			m.splitHyphens(part, emit)
		}
	}
}

func (m *model) splitHyphens(word []byte, emit func([]byte)) {
	if bytes.IndexByte(word, '-') < 0 {
		emit(word)
		return
	}
	if _, ok := m.lookup(word); ok {
		emit(word)
		return
	}
	for part := range bytes.SplitSeq(word, []byte("-")) {
		if len(part) > 0 {
			emit(part)
		}
	}
}
