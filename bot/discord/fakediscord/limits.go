package fakediscord

import (
	"fmt"
	"unicode/utf16"
)

// Discord's limits on a message, counted in UTF-16 code units.
const (
	ContentLimit       = 2000
	EmbedsLimit        = 10
	EmbedTitleLimit    = 256
	EmbedDescLimit     = 4096
	EmbedFieldsLimit   = 25
	FieldNameLimit     = 256
	FieldValueLimit    = 1024
	FooterLimit        = 2048
	AuthorLimit        = 256
	EmbedTotalLimit    = 6000 // all embeds of a message together
	ActionRowsLimit    = 5
	RowButtonsLimit    = 5
	CustomIDLimit      = 100
	ButtonLabelLimit   = 80
	ButtonStyleLink    = 5
	ButtonStylePremium = 6

	ModalTitleLimit      = 45
	ModalComponentsLimit = 5
	TextInputLabelLimit  = 45
	PlaceholderLimit     = 100
	TextInputValueLimit  = 4000
)

// utf16Len is a string's length as Discord counts it.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// checkMessage returns why Discord would refuse a message, if it would.
func checkMessage(m Message, needBody bool) []string {
	var p []string
	if n := utf16Len(m.Content); n > ContentLimit {
		p = append(p, fmt.Sprintf("content is %d UTF-16 units, over %d", n, ContentLimit))
	}
	if needBody && m.Content == "" && len(m.Embeds) == 0 && len(m.Components) == 0 {
		p = append(p, "cannot send an empty message")
	}
	if len(m.Embeds) > EmbedsLimit {
		p = append(p, fmt.Sprintf("%d embeds, over %d", len(m.Embeds), EmbedsLimit))
	}
	total := 0
	for k, e := range m.Embeds {
		limit := func(what, s string, max int) {
			n := utf16Len(s)
			total += n
			if n > max {
				p = append(p, fmt.Sprintf("embed %d %s is %d units, over %d", k, what, n, max))
			}
		}
		limit("title", e.Title, EmbedTitleLimit)
		limit("description", e.Description, EmbedDescLimit)
		if e.Footer != nil {
			limit("footer", e.Footer.Text, FooterLimit)
		}
		if e.Author != nil {
			limit("author", e.Author.Name, AuthorLimit)
		}
		if len(e.Fields) > EmbedFieldsLimit {
			p = append(p, fmt.Sprintf("embed %d has %d fields, over %d", k, len(e.Fields), EmbedFieldsLimit))
		}
		for j, f := range e.Fields {
			if f.Name == "" || f.Value == "" {
				p = append(p, fmt.Sprintf("embed %d field %d has an empty name or value", k, j))
			}
			limit(fmt.Sprintf("field %d name", j), f.Name, FieldNameLimit)
			limit(fmt.Sprintf("field %d value", j), f.Value, FieldValueLimit)
		}
	}
	if total > EmbedTotalLimit {
		p = append(p, fmt.Sprintf("embeds total %d units, over %d", total, EmbedTotalLimit))
	}
	if len(m.Components) > ActionRowsLimit {
		p = append(p, fmt.Sprintf("%d action rows, over %d", len(m.Components), ActionRowsLimit))
	}
	ids := map[string]bool{}
	for k, row := range m.Components {
		if row.Type != ComponentActionRow {
			p = append(p, fmt.Sprintf("top-level component %d is type %d, not an action row", k, row.Type))
			continue
		}
		if len(row.Components) == 0 || len(row.Components) > RowButtonsLimit {
			p = append(p, fmt.Sprintf("action row %d has %d buttons, not 1-%d", k, len(row.Components), RowButtonsLimit))
		}
		for _, b := range row.Components {
			if b.Type != ComponentButton {
				continue
			}
			switch {
			case b.Style == ButtonStyleLink:
				if b.URL == "" || b.CustomID != "" {
					p = append(p, "a link button needs a url and no custom_id")
				}
			case b.Style == ButtonStylePremium:
			case b.CustomID == "" || utf16Len(b.CustomID) > CustomIDLimit:
				p = append(p, fmt.Sprintf("button custom_id %q is not 1-%d characters", b.CustomID, CustomIDLimit))
			case ids[b.CustomID]:
				p = append(p, fmt.Sprintf("button custom_id %q used twice", b.CustomID))
			}
			ids[b.CustomID] = true
			if b.Label == "" && b.Emoji == nil {
				p = append(p, "a button needs a label or an emoji")
			}
			if utf16Len(b.Label) > ButtonLabelLimit {
				p = append(p, fmt.Sprintf("button label is over %d characters", ButtonLabelLimit))
			}
		}
	}
	return p
}

// checkModal returns why Discord would refuse a form, if it would.
func checkModal(m Modal) []string {
	var p []string
	if n := utf16Len(m.CustomID); n == 0 || n > CustomIDLimit {
		p = append(p, fmt.Sprintf("modal custom_id %q is not 1-%d characters", m.CustomID, CustomIDLimit))
	}
	if n := utf16Len(m.Title); n == 0 || n > ModalTitleLimit {
		p = append(p, fmt.Sprintf("modal title %q is not 1-%d characters", m.Title, ModalTitleLimit))
	}
	if n := len(m.Components); n == 0 || n > ModalComponentsLimit {
		p = append(p, fmt.Sprintf("modal has %d components, not 1-%d", n, ModalComponentsLimit))
	}
	ids := map[string]bool{}
	for k, row := range m.Components {
		if row.Type != ComponentActionRow || len(row.Components) != 1 || row.Components[0].Type != ComponentTextInput {
			p = append(p, fmt.Sprintf("modal component %d is not an action row holding one text input", k))
			continue
		}
		in := row.Components[0]
		switch {
		case in.CustomID == "" || utf16Len(in.CustomID) > CustomIDLimit:
			p = append(p, fmt.Sprintf("text input custom_id %q is not 1-%d characters", in.CustomID, CustomIDLimit))
		case ids[in.CustomID]:
			p = append(p, fmt.Sprintf("text input custom_id %q used twice", in.CustomID))
		}
		ids[in.CustomID] = true
		if n := utf16Len(in.Label); n == 0 || n > TextInputLabelLimit {
			p = append(p, fmt.Sprintf("text input label %q is not 1-%d characters", in.Label, TextInputLabelLimit))
		}
		if in.Style != 1 && in.Style != 2 {
			p = append(p, fmt.Sprintf("text input style %d is not 1 (short) or 2 (paragraph)", in.Style))
		}
		if utf16Len(in.Placeholder) > PlaceholderLimit {
			p = append(p, fmt.Sprintf("text input placeholder is over %d characters", PlaceholderLimit))
		}
		if in.MinLength != nil && (*in.MinLength < 0 || *in.MinLength > TextInputValueLimit) {
			p = append(p, fmt.Sprintf("text input min_length %d is not 0-%d", *in.MinLength, TextInputValueLimit))
		}
		if in.MaxLength != nil && (*in.MaxLength < 1 || *in.MaxLength > TextInputValueLimit) {
			p = append(p, fmt.Sprintf("text input max_length %d is not 1-%d", *in.MaxLength, TextInputValueLimit))
		}
		if utf16Len(in.Value) > TextInputValueLimit {
			p = append(p, fmt.Sprintf("text input value is over %d characters", TextInputValueLimit))
		}
	}
	return p
}
