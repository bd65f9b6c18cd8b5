package fakediscord

import (
	"strings"
	"testing"
)

func TestCheckMessage(t *testing.T) {
	button := func(id string) Component {
		return Component{Type: ComponentButton, Style: 2, Label: "ok", CustomID: id}
	}
	row := func(cs ...Component) Component { return Component{Type: ComponentActionRow, Components: cs} }
	field := func(n, v int) EmbedField {
		return EmbedField{Name: strings.Repeat("n", n), Value: strings.Repeat("v", v)}
	}
	for _, tc := range []struct {
		name string
		m    Message
		want string // in the problems; "" for none
	}{
		{"fine", Message{Content: "hello", Components: []Component{row(button("a"), button("b"))}}, ""},
		{"2000 units", Message{Content: strings.Repeat("😀", 1000)}, ""},
		{"2001 units", Message{Content: strings.Repeat("😀", 1000) + "x"}, "content is 2001 UTF-16 units"},
		{"empty", Message{}, "empty message"},
		{"field value", Message{Embeds: []Embed{{Fields: []EmbedField{field(10, 1025)}}}}, "field 0 value is 1025 units"},
		{"26 fields", Message{Embeds: []Embed{{Fields: make([]EmbedField, 26)}}}, "26 fields"},
		{"6001 in all", Message{Embeds: []Embed{
			{Description: strings.Repeat("d", 4000)},
			{Fields: []EmbedField{field(1, 1000), field(1, 998)}, Title: "t"},
		}}, "total 6001"},
		{"duplicate custom id", Message{Components: []Component{row(button("a"), button("a"))}}, `"a" used twice`},
		{"bare button", Message{Components: []Component{button("a")}}, "not an action row"},
		{"long custom id", Message{Components: []Component{row(button(strings.Repeat("x", 101)))}}, "custom_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(checkMessage(tc.m, true), "; ")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("problems %q, want %q", got, tc.want)
			}
		})
	}
}
