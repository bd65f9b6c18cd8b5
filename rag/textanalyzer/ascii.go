package textanalyzer

// Word boundaries in ASCII text as bleve's unicode tokenizer finds them.
// That tokenizer is github.com/blevesearch/segment, a ragel scanner of
// UAX #29's word rules that takes the longest match at each point, ties to
// the rule listed first. In ASCII those rules come down to:
//
//   - a word is a run of letters, digits and underscores (WB5, WB8, WB9,
//     WB10, WB13a, WB13b), in which a single ':' may stand between two
//     letters (WB6, WB7), a single ',' or ';' between two digits (WB11,
//     WB12), and a single '.' or '\'' between two letters or two digits:
//     "don't", "e.g", "3.14", "1,000", "a_1", "_";
//   - a word with no letter and at least one digit is numeric (the scanner's
//     numeric rule matches it as long as its word rule does, and comes
//     first); any other word, "_" included, is alphanumeric;
//   - every other byte, '"' among them (it joins only Hebrew letters), is
//     a segment of its own that is no token, and so is "\r\n".
//
// A word grows greedily: a joining character is taken when the bytes on
// both sides of it allow it, and else the word ends before it. The tests
// hold this to the tokenizer on every short string of the characters
// above and on fuzzed text.

// wordClass is the part an ASCII byte plays in a word.
type wordClass uint8

const (
	breaks     wordClass = iota // ends a word, and is no token itself
	letter                      // A–Z, a–z: ALetter
	digit                       // 0–9: Numeric
	underscore                  // _: ExtendNumLet
	midLetter                   // ':' between two letters: MidLetter
	midNum                      // ',' and ';' between two digits: MidNum
	midNumLet                   // '.' and '\'' between two letters or two digits: MidNumLet, Single_Quote
)

// asciiClass is the wordClass of each ASCII byte.
var asciiClass = func() (c [128]wordClass) {
	for b := 'A'; b <= 'Z'; b++ {
		c[b], c[b+'a'-'A'] = letter, letter
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = digit
	}
	c['_'] = underscore
	c[':'] = midLetter
	c[','], c[';'] = midNum, midNum
	c['.'], c['\''] = midNumLet, midNumLet
	return c
}()

// nextWord returns the span [start, end) of the first word of text at or
// after i, and whether it has no letter but a digit; start is len(text)
// when there is none. text must be ASCII.
func nextWord(text string, i int) (start, end int, numeric bool) {
	for i < len(text) {
		if c := asciiClass[text[i]]; c == letter || c == digit || c == underscore {
			break
		}
		i++
	}
	start = i
	letters, digits := false, false
	for i < len(text) {
		switch c := asciiClass[text[i]]; c {
		case letter:
			letters = true
		case digit:
			digits = true
		case underscore:
		case midLetter, midNum, midNumLet:
			// i > start: a word starts with a letter, digit or underscore.
			if i+1 == len(text) {
				return start, i, digits && !letters
			}
			before, after := asciiClass[text[i-1]], asciiClass[text[i+1]]
			if before != after || (before == letter && c == midNum) || (before == digit && c == midLetter) || (before != letter && before != digit) {
				return start, i, digits && !letters
			}
			// The character after is the same class as the one before,
			// already counted.
			i++
		default:
			return start, i, digits && !letters
		}
		i++
	}
	return start, i, digits && !letters
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// Eight bytes at a time: any high bit set is a byte above ASCII.
		v := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if v&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
