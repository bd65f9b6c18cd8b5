package discord

import (
	"fmt"
	"strings"
	"testing"
)

func TestExcerpt(t *testing.T) {
	const lamp = "The keeper wrote: “The lamp was lit at dusk and it burned until dawn, every night of the year.” Then the log ends."
	for _, tc := range []struct {
		name, text, mark, focus string
		limit                   int
		want                    string
	}{
		{
			name: "whole passage, quote in bold",
			text: "One two three. The cited sentence is here. Four five.", mark: "The cited sentence is here.", limit: 200,
			want: "One two three. **The cited sentence is here.** Four five.",
		},
		{
			name: "trimmed around the quote, more after than before",
			text: "One two three four five six. The cited sentence is here. Seven eight nine ten eleven twelve.", mark: "The cited sentence is here.", limit: 60,
			want: "…six. **The cited sentence is here.** Seven eight nine ten…",
		},
		{
			name: "a quotation cut at the end is closed",
			text: lamp, mark: "The keeper wrote: “The lamp was lit at dusk and it burned until dawn, every night of the year.”", limit: 40,
			want: "**The keeper wrote: “The lamp was**…”",
		},
		{
			name: "a quotation cut at the start is opened",
			text: lamp, mark: "Then the log ends.", limit: 45,
			want: "“…night of the year.” **Then the log ends.**",
		},
		{
			name: "without a mark, from the focus, balanced",
			text: lamp, focus: "The keeper wrote:", limit: 30,
			want: "The keeper wrote: “The lamp…”",
		},
		{
			name: "an apostrophe is no closing mark",
			text: "The keepers’ log was kept daily by the two of them for forty years.", mark: "The keepers’ log was kept daily by the two of them for forty years.", limit: 30,
			want: "**The keepers’ log was kept**…",
		},
		{
			name: "German quotation marks",
			text: "Er sagte: „Die Lampe brannte die ganze Nacht.“ Dann schlief er.", mark: "Dann schlief er.", limit: 200,
			want: "Er sagte: „Die Lampe brannte die ganze Nacht.“ **Dann schlief er.**",
		},
		{
			name: "straight quotes",
			text: `Built in 1902," he said. It has never been dark since.`, mark: "It has never been dark since.", limit: 200,
			want: `"Built in 1902," he said. **It has never been dark since.**`,
		},
		{
			name: "Markdown in the passage shows as written",
			text: "# Notes: set max_file_bytes to *2* | see <#1> or `cfg` at https://example.com/a_b_c [1].", mark: "set max_file_bytes to *2*", limit: 300,
			want: "\\# Notes: **set max\\_file\\_bytes to \\*2\\*** \\| see \\<#1> or \\`cfg\\` at https://example.com/a_b_c \\[1\\].",
		},
		{
			name: "a numbered list item is no list",
			text: "1. First, oil the lamp.", mark: "First, oil the lamp.", limit: 300,
			want: "1\\. **First, oil the lamp.**",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := excerpt(tc.text, tc.mark, tc.focus, tc.limit)
			if got != tc.want {
				t.Errorf("excerpt = %q, want %q", got, tc.want)
			}
			if utf16Len(got) > tc.limit {
				t.Errorf("excerpt is %d units, limit %d", utf16Len(got), tc.limit)
			}
		})
	}
}

// Whatever the limit, an excerpt fits it, shows its mark (or the start of
// it) in bold and leaves no quotation open.
func TestExcerptLimits(t *testing.T) {
	text := oneLine(strings.Repeat("Some *words* and_underscores “quoted ", 3) + "The quoted sentence, with a “mark” in it. " +
		strings.Repeat("More `code` | pipes ", 10) + "😀 the end.")
	mark := "The quoted sentence, with a “mark” in it."
	for limit := 12; limit <= 400; limit++ {
		got := excerpt(text, mark, "", limit)
		if utf16Len(got) > limit {
			t.Fatalf("limit %d: %d units: %q", limit, utf16Len(got), got)
		}
		if limit >= 40 && !strings.Contains(got, "**The quoted") {
			t.Errorf("limit %d: the mark is not in bold: %q", limit, got)
		}
		unescaped := strings.ReplaceAll(got, `\`, "")
		if o, c := quoteMarks(unescaped); o != "" || c != "" {
			t.Errorf("limit %d: %q leaves quotation marks open (%q, %q)", limit, got, o, c)
		}
	}
}

func TestQuoteMarks(t *testing.T) {
	for s, want := range map[string]string{
		"plain text":                "|",
		"“open":                     "|”",
		"closed”":                   "“|",
		"“a” and «b":                "|»",
		"it’s fine":                 "|",
		"‘single’ and ‘open":        "|’",
		"a” b “c":                   "“|”",
		`"open straight`:            `|"`,
		`closed straight," he said`: `"|`,
		`"both" sides`:              "|",
	} {
		o, c := quoteMarks(s)
		if got := o + "|" + c; got != want {
			t.Errorf("quoteMarks(%q) = %q, want %q", s, got, want)
		}
	}
	_ = fmt.Sprint()
}
