package rag

import (
	"path/filepath"
	"regexp"
	"strings"
)

// A Markdown file's passages stay verbatim in citations; what an answer
// quotes from one is shown without its inline markup: "**25 days**" reads
// "25 days", "[the portal](https://…)" reads "the portal".

// isMarkdown reports a Markdown source by its extension.
func isMarkdown(source string) bool {
	switch strings.ToLower(filepath.Ext(source)) {
	case ".md", ".markdown":
		return true
	}
	return false
}

var (
	mdImage  = regexp.MustCompile(`!\[([^\]]*)\]\([^)\s]*(?:\s+"[^"]*")?\)`)
	mdLink   = regexp.MustCompile(`\[([^\]]+)\]\([^)\s]*(?:\s+"[^"]*")?\)`)
	mdStrong = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	mdEm     = regexp.MustCompile(`(^|[\s(])\*([^\s*](?:[^*]*?[^\s*])?)\*($|[\s).,;:!?])`)
	mdEmU    = regexp.MustCompile(`(^|[\s(])_([^\s_](?:[^_]*?[^\s_])?)_($|[\s).,;:!?])`)
	mdCode   = regexp.MustCompile("`([^`]+)`")
)

// plainMarkdown is s without Markdown's inline markup: images become their
// text, links their text, strong and emphasised text and code spans their
// content. Asterisks and underscores inside words ("snake_case", "2*3")
// are kept.
func plainMarkdown(s string) string {
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdCode.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdStrong.FindStringSubmatch(m)
		if sub[1] != sub[3] {
			return m
		}
		return sub[2]
	})
	s = mdEm.ReplaceAllString(s, "$1$2$3")
	return mdEmU.ReplaceAllString(s, "$1$2$3")
}
