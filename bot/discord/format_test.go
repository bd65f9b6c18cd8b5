package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/rag"
)

func TestRenderAnswer(t *testing.T) {
	cite := rag.Citation{N: 1, Source: "lighthouse.txt", Title: "The Port Elin Lighthouse", Date: "1998-03-04",
		Text: "The Port Elin lighthouse was designed by Mara Quist.\nIts lamp could be seen from far away."}
	for _, tc := range []struct {
		name       string
		answer     rag.Answer
		wantPieces []string
		wantFields []string // name | value
	}{
		{
			name:       "grounded",
			answer:     rag.Answer{Answer: "Its lamp could be seen from far away. [1]", Grounded: true, Confidence: 0.83, Citations: []rag.Citation{cite}},
			wantPieces: []string{"Its lamp could be seen from far away. [1]"},
			wantFields: []string{"[1] The Port Elin Lighthouse (1998-03-04) | The Port Elin lighthouse was designed by Mara Quist. Its lamp could be seen from far away.\n— lighthouse.txt"},
		},
		{
			name: "quote marked",
			answer: rag.Answer{Answer: "Its lamp could be seen from far away. [1]", Grounded: true, Confidence: 0.83, Citations: []rag.Citation{
				{N: 1, Source: "light_house.txt", Title: "The Port Elin Lighthouse", Date: "1998-03-04", Text: cite.Text, Quote: "Its lamp could be seen from far away."}}},
			wantPieces: []string{"Its lamp could be seen from far away. [1]"},
			wantFields: []string{"[1] The Port Elin Lighthouse (1998-03-04) | The Port Elin lighthouse was designed by Mara Quist. **Its lamp could be seen from far away.**\n— light\\_house.txt"},
		},
		{
			name:       "low confidence",
			answer:     rag.Answer{Answer: "Its lamp could be seen from far away. [1]", Grounded: true, Confidence: 0.38, Citations: []rag.Citation{cite}},
			wantPieces: []string{"Its lamp could be seen from far away. [1]\n-# Low confidence (38%) — check the sources"},
			wantFields: []string{"[1] The Port Elin Lighthouse (1998-03-04) | The Port Elin lighthouse was designed by Mara Quist. Its lamp could be seen from far away.\n— lighthouse.txt"},
		},
		{
			name:       "just under even",
			answer:     rag.Answer{Answer: "x [1]", Grounded: true, Confidence: 0.4999, Citations: []rag.Citation{{N: 1, Source: "notes.md", Text: "x"}}},
			wantPieces: []string{"x [1]\n-# Low confidence (49%) — check the sources"},
			wantFields: []string{"[1] notes.md | x\n— notes.md"},
		},
		{
			name:       "even",
			answer:     rag.Answer{Answer: "x [1]", Grounded: true, Confidence: 0.5, Citations: []rag.Citation{{N: 1, Source: "notes.md", Text: "x"}}},
			wantPieces: []string{"x [1]"},
			wantFields: []string{"[1] notes.md | x\n— notes.md"},
		},
		{
			name:       "low confidence, long answer",
			answer:     rag.Answer{Answer: strings.Repeat("a", MessageLimit-5) + " [1]", Grounded: true, Confidence: 0.2, Citations: []rag.Citation{{N: 1, Source: "notes.md", Text: "x"}}},
			wantPieces: []string{strings.Repeat("a", MessageLimit-5) + " [1]", "-# Low confidence (20%) — check the sources"},
			wantFields: []string{"[1] notes.md | x\n— notes.md"},
		},
		{
			name:       "abstained",
			answer:     rag.Answer{Answer: rag.NotFound, Confidence: 0.1, Citations: []rag.Citation{}},
			wantPieces: []string{notAnswered},
		},
		{
			name:       "untitled source",
			answer:     rag.Answer{Answer: "x [1]", Grounded: true, Confidence: 0.9, Citations: []rag.Citation{{N: 1, Source: "notes.md", Text: "x"}}},
			wantPieces: []string{"x [1]"},
			wantFields: []string{"[1] notes.md | x\n— notes.md"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := renderAnswer(tc.answer, "42")
			if fmt.Sprintf("%q", r.pieces) != fmt.Sprintf("%q", tc.wantPieces) {
				t.Errorf("pieces = %q, want %q", r.pieces, tc.wantPieces)
			}
			var fields []string
			for _, e := range r.embeds {
				for _, f := range e.Fields {
					fields = append(fields, f.Name+" | "+f.Value)
				}
			}
			if fmt.Sprintf("%q", fields) != fmt.Sprintf("%q", tc.wantFields) {
				t.Errorf("fields = %q, want %q", fields, tc.wantFields)
			}
			var votes []string
			for _, c := range r.components[0].(discordgo.ActionsRow).Components {
				vote, qid, ok := parseFeedback(c.(discordgo.Button).CustomID)
				votes = append(votes, fmt.Sprint(vote, qid, ok))
			}
			if got := strings.Join(votes, " "); got != "up42true down42true" {
				t.Errorf("buttons carry %s", got)
			}
		})
	}
}

func TestParseFeedback(t *testing.T) {
	for id, want := range map[string]string{
		"fb:up:123":   "up 123 true",
		"fb:down:9":   "down 9 true",
		"fb:maybe:9":  "  false",
		"fb:up:":      "  false",
		"other:up:1":  "  false",
		"fb:up":       "  false",
		"fb:down:1:2": "down 1:2 true",
	} {
		vote, qid, ok := parseFeedback(id)
		if got := fmt.Sprint(vote, " ", qid, " ", ok); got != want {
			t.Errorf("parseFeedback(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestCitationEmbedsStayWithinLimits(t *testing.T) {
	for _, n := range []int{1, 5, 25, 26, 50, 300} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var cs []rag.Citation
			var answer strings.Builder
			for i := 1; i <= n; i++ {
				cs = append(cs, rag.Citation{N: i, Source: fmt.Sprintf("doc-%d.txt", i), Title: strings.Repeat("Title words ", 30),
					Date: "2024-01-02", Text: strings.Repeat(fmt.Sprintf("Sentence %d of the passage. ", i), 80)})
				fmt.Fprintf(&answer, "Sentence %d of the passage. [%d] ", i, i)
			}
			embeds := citationEmbeds(cs, answer.String())
			if len(embeds) > embedsLimit {
				t.Fatalf("%d embeds", len(embeds))
			}
			total, fields := 0, 0
			for _, e := range embeds {
				total += utf16Len(e.Title)
				if len(e.Fields) > embedFieldsLimit {
					t.Errorf("an embed has %d fields", len(e.Fields))
				}
				for _, f := range e.Fields {
					fields++
					total += utf16Len(f.Name) + utf16Len(f.Value)
					if utf16Len(f.Name) > embedFieldNameLimit || utf16Len(f.Value) > embedFieldValueLimit || f.Name == "" || f.Value == "" {
						t.Errorf("field %q / %q breaks a limit", f.Name, f.Value)
					}
				}
			}
			if total > embedTotalLimit {
				t.Errorf("embeds total %d units", total)
			}
			if n <= 50 && fields != n {
				t.Errorf("%d fields for %d citations: any k up to 50 must fit", fields, n)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	text := "One two three. The cited sentence is here. Four five six seven eight nine."
	for _, tc := range []struct {
		focus string
		limit int
		want  string
	}{
		{"", 200, text},
		{"The cited sentence is here.", 200, text},
		{"The cited sentence is here.", 40, "…The cited sentence is here. Four five…"},
		{"Four five six seven eight nine.", 45, "…is here. Four five six seven eight nine."},
		{"", 20, "One two three. The…"},
		{"not in the text", 20, "One two three. The…"},
	} {
		got := quote(text, tc.focus, tc.limit)
		if got != tc.want {
			t.Errorf("quote(%q, %d) = %q, want %q", tc.focus, tc.limit, got, tc.want)
		}
		if utf16Len(got) > tc.limit {
			t.Errorf("quote(%q, %d) is %d units long", tc.focus, tc.limit, utf16Len(got))
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s     string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"two words here", 10, "two words…"},
		{"averyveryverylongword", 10, "averyvery…"},
		{"😀😀😀😀😀😀", 7, "😀😀😀…"},
		{"anything", 0, ""},
	} {
		if got := truncate(tc.s, tc.limit); got != tc.want || utf16Len(got) > tc.limit {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.limit, got, tc.want)
		}
	}
}

func TestCitedText(t *testing.T) {
	answer := "First claim. [1] Second claim, also sourced. [2] Third. [1]"
	for n, want := range map[int]string{1: "First claim.", 2: "Second claim, also sourced.", 3: ""} {
		if got := citedText(answer, n); got != want {
			t.Errorf("citedText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRenderSources(t *testing.T) {
	got := renderSources([]rag.DocumentInfo{
		{Source: "a.txt", Title: "Alpha", Date: "2024-01-01", Chunks: 3},
		{Source: "b.txt", Chunks: 1},
	})
	want := "I answer from 2 documents:\n1. Alpha (2024-01-01) — a.txt\n2. b.txt"
	if len(got) != 1 || got[0] != want {
		t.Errorf("renderSources = %q, want %q", got, want)
	}
	if got := renderSources(nil); len(got) != 1 || got[0] != "0 documents indexed." {
		t.Errorf("renderSources(nil) = %q", got)
	}
	var many []rag.DocumentInfo
	for i := range 500 {
		many = append(many, rag.DocumentInfo{Source: fmt.Sprintf("doc-%03d.txt", i), Title: "A document about something or other"})
	}
	for _, p := range renderSources(many) {
		if utf16Len(p) > MessageLimit {
			t.Errorf("a /sources message is %d units", utf16Len(p))
		}
	}
}

func TestCleanQuestion(t *testing.T) {
	for in, want := range map[string]string{
		"<@123> who built it?":            "who built it?",
		"<@!123>   who\n built <@&9> it?": "who built it?",
		"ask <#55> about it":              "ask about it",
		"<@123>":                          "",
		strings.Repeat("é", 1200):         strings.Repeat("é", maxQuestionRune),
	} {
		if got := cleanQuestion(in); got != want {
			t.Errorf("cleanQuestion(%.40q) = %.40q, want %.40q", in, got, want)
		}
	}
}

// A citation's field names its section after the title.
func TestFieldNameSection(t *testing.T) {
	c := rag.Citation{N: 2, Source: "handbook.md", Title: "Handbook", Section: "Vacation › Carry-over", Date: "2024-01-02"}
	if got, want := fieldName(c, embedFieldNameLimit), "[2] Handbook › Vacation › Carry-over (2024-01-02)"; got != want {
		t.Errorf("fieldName = %q, want %q", got, want)
	}
}
