package rag_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
)

// keptText returns the kept spans of text joined by "\n".
func keptText(text string, spans []rag.Span) string {
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = text[sp.Start:sp.End]
	}
	return strings.Join(parts, "\n")
}

// body is real text that every case wraps, so that documents have a
// dominant script and sentences to tell chrome from.
const body = "The regional council met on Tuesday to discuss the new budget for schools and hospitals.\n\n" +
	"Members agreed that the spending plan should be published before the end of the month."

func TestClean(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		removed []string // lines that must not survive
		kept    []string // text that must survive verbatim
	}{
		{
			name:    "share and print buttons",
			text:    body + "\n\nShare this\n\nGo back Go back Twitter Facebook Print\n\nPrint\n\nTweet\n\nFollow us on Instagram\n\n12 comments",
			removed: []string{"Share this", "Go back", "Print", "Tweet", "Instagram", "12 comments"},
			kept:    []string{body},
		},
		{
			name: "comment form",
			text: body + "\n\nLeave a comment\n\nYour email address will not be published.\n\nRequired fields are marked *\n\n" +
				"Save my name, email, and website in this browser for the next time I comment.",
			removed: []string{"Leave a comment", "email address", "Required fields", "Save my name"},
			kept:    []string{body},
		},
		{
			name: "newsletter call",
			text: body + "\n\nGet The Daily Courier stories sent directly to you! Sign up via the website or subscribe to our " +
				"Twitter, Facebook, Instagram, Telegram, YouTube and Tiktok!",
			removed: []string{"Daily Courier"},
			kept:    []string{body},
		},
		{
			name:    "navigation and related links",
			text:    "Skip to main content\nHome News Contacts\n" + body + "\nRead more\nRelated articles\nRead more: Council debates parking fees\nTags: budget, schools",
			removed: []string{"Skip to", "Home News", "Read more", "Related", "parking", "Tags"},
			kept:    []string{body},
		},
		{
			name: "cookie notice and copyright",
			text: "This website uses cookies to improve your experience. By continuing to browse you agree to our cookie policy.\n" +
				body + "\n© 2024 Daily Courier\nCopyright 2023 Example Media Group\nAll rights reserved.",
			removed: []string{"cookies", "©", "Copyright", "rights reserved"},
			kept:    []string{body},
		},
		{
			name:    "stray foreign-script menu lines",
			text:    "Цвет сайта\nРасстояние между буквами\n" + body + "\nОбычная версия сайта",
			removed: []string{"Цвет", "Расстояние", "Обычная"},
			kept:    []string{body},
		},
		{
			name: "a Cyrillic document keeps its Cyrillic",
			text: "Совет утвердил бюджет\n\nЗаседание прошло во вторник. Депутаты обсудили расходы на школы и больницы.\n\n" +
				"Решение будет опубликовано до конца месяца, сообщили в совете.\n\nFont size",
			removed: []string{"Font size"},
			kept: []string{"Совет утвердил бюджет\n\nЗаседание прошло во вторник. Депутаты обсудили расходы на школы и больницы.\n\n" +
				"Решение будет опубликовано до конца месяца, сообщили в совете."},
		},
		{
			name: "site header above the headline and the footer repeating it",
			text: "Coat of Arms of Ruritania\n\nOfficial portal of the\n\nCity Council of Strelsau\n\nOfficial portal of the\n\n" +
				"City Council of Strelsau\n\nCouncil Approves New Budget for Schools\n\nMarch 3, 2020\n\n" + body +
				"\n\nGo back Print\n\nThe City Council of Strelsau",
			removed: []string{"Coat of Arms", "Official portal", "City Council of Strelsau", "Go back"},
			kept:    []string{"Council Approves New Budget for Schools\n\nMarch 3, 2020\n\n" + body},
		},
		{
			name:    "a title and subtitle with no chrome between them stay",
			text:    "Share\n\nBudget Day\n\nCouncil approves spending on schools\n\n" + body,
			removed: []string{"Share"},
			kept:    []string{"Budget Day\n\nCouncil approves spending on schools\n\n" + body},
		},
		{
			// A reStructuredText guide's title, then its fields: "Version:
			// 2.4.1" reads as a version link and is removed, and the title
			// above it was taken for a site's header with it.
			name:    "a Markdown heading above removed chrome is the document's, not a site header",
			text:    "# Tarnsync 2.4 User Guide\n\nVersion: 2.4.1\nDate: 9 January 2025\nMaintainer: Quillfeather Software Ltd\n\n## Overview\n\n" + body,
			removed: []string{"Version: 2.4.1"},
			kept:    []string{"# Tarnsync 2.4 User Guide", "Maintainer: Quillfeather Software Ltd", body},
		},
		{
			name:    "hex id glued to the text",
			text:    "The council approved the plan to ensure the city’s security.030e63c6e3574e91e8ee74c457f32d72-slider\n\n" + body,
			removed: []string{"030e63c6", "slider"},
			kept:    []string{"The council approved the plan to ensure the city’s security.", body},
		},
		{
			name: "real sentences survive",
			text: body + "\nFortunately, we overcame that test!\nDear colleagues!\nto restructure the activities of the CDB;\n" +
				"Read more books, the minister said.\nPrint media reported the news.\nShareholders share the profit.\n" +
				"The minister urged citizens to follow official accounts on Facebook, Telegram and Instagram.\n" +
				"Copyright law was changed in 2019.\nThe regulator said the website uses cookies to track users.\n" +
				"Commit 0123456789abcdef0123456789abcdef01234567 fixed the bug.\nThe end.\nThe end.",
			kept: []string{body, "Fortunately, we overcame that test!", "Dear colleagues!", "to restructure the activities of the CDB;",
				"Read more books", "Print media", "Shareholders", "follow official accounts", "Copyright law",
				"uses cookies to track", "0123456789abcdef0123456789abcdef01234567", "The end.\nThe end."},
		},
		{
			name: "code and Markdown structure stay",
			text: "# Go\n\nGo\n\n" + body + "\n\n```go\nreturn err\n```\n\nAnd again:\n\n    return err\n\n" +
				"- no change\n- no change\n\nThe list above repeats an item on purpose.",
			kept: []string{"# Go\n\nGo\n\n" + body + "\n\n```go\nreturn err\n```\n\nAnd again:\n\n    return err\n\n" +
				"- no change\n- no change\n\nThe list above repeats an item on purpose."},
		},
		{
			name: "repeated headings in Markdown stay",
			text: "## Usage notes\n\n" + body + "\n\n## Usage notes\n\nThe second section repeats the heading on purpose here.",
			kept: []string{"## Usage notes\n\n" + body + "\n\n## Usage notes"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := rag.Clean(tt.text)
			got := keptText(tt.text, spans)
			for _, r := range tt.removed {
				if strings.Contains(got, r) {
					t.Errorf("kept %q; kept text:\n%s", r, got)
				}
			}
			for _, k := range tt.kept {
				if !strings.Contains(got, k) {
					t.Errorf("lost %q; kept text:\n%s", k, got)
				}
			}
			checkSpans(t, tt.text, spans)
		})
	}
}

func TestCleanJunkEndsSpan(t *testing.T) {
	text := "First part of the line.0123456789abcdef0123456789abcdef-widget and the rest of it."
	got := rag.Clean(text)
	want := []rag.Span{{Start: 0, End: 23}, {Start: 63, End: len(text)}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Clean = %v (%q), want %v", got, keptText(text, got), want)
	}
}

func TestCleanSpansAreRuns(t *testing.T) {
	text := "  First paragraph of the story.\r\n\r\nSecond paragraph of the story.  \n\nShare this\n\nThird paragraph, after the button.\n"
	got := rag.Clean(text)
	want := []string{"First paragraph of the story.\r\n\r\nSecond paragraph of the story.", "Third paragraph, after the button."}
	if len(got) != len(want) {
		t.Fatalf("Clean = %v, want %d spans", got, len(want))
	}
	for i, sp := range got {
		if s := text[sp.Start:sp.End]; s != want[i] {
			t.Errorf("span %d = %q, want %q", i, s, want[i])
		}
	}
}

func TestCleanEmpty(t *testing.T) {
	for _, text := range []string{"", "\n\n", "   \t", "Share this\nPrint"} {
		if got := rag.Clean(text); len(got) != 0 {
			t.Errorf("Clean(%q) = %v, want no spans", text, got)
		}
	}
}

func TestLooksBinary(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"empty", nil, false},
		{"ascii", []byte("plain text\nwith lines\r\n"), false},
		{"cyrillic", []byte("Цвет сайта и расстояние между буквами"), false},
		{"latin-1 accents", []byte("Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e and a long English sentence around them."), false},
		{"nul byte", []byte("text\x00more"), true},
		{"invalid utf-8", []byte("\xff\xfe\xfa\xfb\xfc\x80\x81\x82abc"), true},
		{"control bytes", []byte("\x01\x02\x03\x04\x05\x06\x07\x08abcdefgh"), true},
		{"rune cut at 8 KiB", append([]byte(strings.Repeat("a", 8<<10-1)), "ж"...), false},
	}
	for _, tt := range tests {
		if got := rag.LooksBinary(tt.data); got != tt.want {
			t.Errorf("LooksBinary(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// checkSpans fails t unless spans are in order, non-overlapping, non-empty,
// within text, trimmed, and (for valid UTF-8) on rune boundaries.
func checkSpans(t *testing.T, text string, spans []rag.Span) {
	t.Helper()
	prevEnd := -1
	for i, sp := range spans {
		if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
			t.Fatalf("span %d %v out of bounds or empty (len %d)", i, sp, len(text))
		}
		if sp.Start <= prevEnd {
			t.Fatalf("span %d %v overlaps or touches the previous one ending at %d", i, sp, prevEnd)
		}
		prevEnd = sp.End
		s := text[sp.Start:sp.End]
		if strings.TrimSpace(s) != s {
			t.Errorf("span %d %q is not trimmed", i, s)
		}
		if utf8.ValidString(text) && (!utf8.RuneStart(text[sp.Start]) || sp.End < len(text) && !utf8.RuneStart(text[sp.End])) {
			t.Errorf("span %d %v is not on rune boundaries", i, sp)
		}
	}
}

// corpusCases are the seed corpus files and what cleaning must make of them.
var corpusCases = []struct {
	file  string
	title string
	date  string
}{
	{"000_ab91cd10ee7806cc.txt", "The meeting participants reviewed the implementation of Kazakhstan’s National…", ""},
	{"001_eb89b33cf90a7b16.txt", "Today in Akorda the Head of State Nursultan Nazarbayev Holds Meeting on Issues of Fight Against " +
		"Terrorism and Extremism and Receives a Progress Report on Implementation of Extraordinary Assessment of " +
		"Law Enforcement Officers of Kazakhstan", "2012-07-12"},
	{"002_126ef14e62b6afb1.txt", "Kazakh Security Council Considers New Measures in Wake of Aktobe Attacks", ""},
	{"003_d8853f1a6e81fedb.txt", "The status of the Border Policy Concept development was discussed today in the Senate", "2021-04-02"},
	{"004_6f11d09755833efc.txt", "“Lessons of the “tragic January”: the unity of society is a guarantee of…", ""},
}

// corpusBoilerplate is chrome found in the seed corpus.
var corpusBoilerplate = []string{
	"National Emblem", "Official website", "President of the Republic of Kazakhstan\n", "Go back", "Twitter",
	"Share this", "Leave a comment", "email address", "sent directly", "Цвет", "Расстояние", "-slider",
	"030e63c6e3574e91e8ee74c457f32d72",
}

func readCorpus(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "corpus", file))
	if os.IsNotExist(err) {
		t.Skipf("seed corpus file %s is gone", file)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCleanCorpus(t *testing.T) {
	for _, c := range corpusCases {
		t.Run(c.file, func(t *testing.T) {
			text := readCorpus(t, c.file)
			kept := rag.Clean(text)
			checkSpans(t, text, kept)
			got := keptText(text, kept) + "\n"
			for _, b := range corpusBoilerplate {
				if strings.Contains(got, b) {
					t.Errorf("boilerplate %q survived", b)
				}
			}
			if strings.HasSuffix(strings.TrimSpace(got), "The President of the Republic of Kazakhstan") {
				t.Errorf("the footer survived")
			}
			// Every line that ends like a sentence survives.
			for l := range strings.SplitSeq(text, "\n") {
				l = strings.TrimSpace(l)
				if strings.Count(l, " ") >= 5 && strings.ContainsAny(l[len(l)-1:], ".!?;") &&
					!strings.Contains(l, "email address") && !strings.Contains(l, "-slider") && !strings.Contains(l, "sent directly") && !strings.Contains(got, l) {
					t.Errorf("lost a sentence: %q", l)
				}
			}
			if title := rag.Title(text, kept); title != c.title {
				t.Errorf("Title = %q, want %q", title, c.title)
			}
			if date := rag.Date(text, kept); date != c.date {
				t.Errorf("Date = %q, want %q", date, c.date)
			}
		})
	}
}

func FuzzClean(f *testing.F) {
	f.Add(body)
	f.Add("Official website of the\n\nOfficial website of the\n\nHeadline Here\n\n" + body + "\nShare this\nThe website")
	f.Add("Цвет сайта\n" + body + "\nsecurity.030e63c6e3574e91e8ee74c457f32d72-slider tail")
	f.Add("\xff\x00\n\n  \r\n\u00a0x")
	for _, c := range corpusCases {
		if data, err := os.ReadFile(filepath.Join("..", "corpus", c.file)); err == nil {
			f.Add(string(data))
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		spans := rag.Clean(text)
		checkSpans(t, text, spans)
		rag.Title(text, spans)
		rag.Date(text, spans)
	})
}
