package rag

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// appendWords finds the words words finds (before their diacritics are
// folded), and countWords counts them.
func TestAppendWords(t *testing.T) {
	var buf []string
	for _, s := range []string{
		"", "   ", "Share this", "Go back: Twitter, Facebook & Print!", "ÉCOLE Normale — Supérieure 2024",
		"Президент РК", "a\xffb c\xc3", "x_y-z 3.14 ΣΑΣ", "İstanbul ǅemal",
	} {
		want := words(s)
		got := appendWords(&buf, s)
		for i, w := range got {
			got[i] = foldLatin(w) // words folds diacritics; cleaning needs no more than the words
		}
		if !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Errorf("appendWords(%q) = %q, want %q", s, got, want)
		}
		if n := countWords(s); n != len(want) {
			t.Errorf("countWords(%q) = %d, want %d", s, n, len(want))
		}
	}
}

// sourceName leaves ordinary names alone and escapes the rest reversibly:
// reading each %XX back as a byte gives the name.
func TestSourceName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"notes/café.md", "notes/café.md"},
		{"100%.txt", "100%.txt"},
		{"50% off.txt", "50% off.txt"},
		{"%zz.txt", "%zz.txt"},
		{"a%4", "a%4"},
		{"My%20File.txt", "My%2520File.txt"},
		{"caf\xe9.txt", "caf%E9.txt"},
		{"%\xe9", "%%E9"},
		{"%E\xe9", "%E%E9"},
		{"\x1b[31mred.txt", "%1B[31mred.txt"},
		{"tab\there\n.txt", "tab%09here%0A.txt"},
		{"del\x7f", "del%7F"},
		{"c1\u009b2J", "c1%C2%9B2J"},
		{"\ufffd.txt", "\ufffd.txt"},
		{"\xff\xfe", "%FF%FE"},
	} {
		got := SourceName(tt.name)
		if got != tt.want {
			t.Errorf("SourceName(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if back := unescapeSource(got); back != tt.name {
			t.Errorf("SourceName(%q) = %q reads back as %q", tt.name, got, back)
		}
	}
}

// unescapeSource reads each %XX of a source as the byte XX.
func unescapeSource(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && hexAt(s, i+1) && hexAt(s, i+2) {
			var c byte
			for _, h := range s[i+1 : i+3] {
				c <<= 4
				switch {
				case h <= '9':
					c |= byte(h - '0')
				case h <= 'F':
					c |= byte(h - 'A' + 10)
				default:
					c |= byte(h - 'a' + 10)
				}
			}
			b.WriteByte(c)
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Distinct names stay distinct sources.
func FuzzSourceName(f *testing.F) {
	for _, s := range []string{"a", "caf\xe9", "%E9", "%%E9", "x%4", "\x1b", "%\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SourceName(name)
		if back := unescapeSource(got); back != name {
			t.Errorf("SourceName(%q) = %q reads back as %q", name, got, back)
		}
		if !utf8.ValidString(got) || strings.ContainsFunc(got, isControlRune) || strings.ContainsRune(got, 0xfffd) && !strings.ContainsRune(name, 0xfffd) {
			t.Errorf("SourceName(%q) = %q has a control or replacement character", name, got)
		}
	})
}
