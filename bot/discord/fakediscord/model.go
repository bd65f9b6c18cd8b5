package fakediscord

import (
	"encoding/json"
	"time"
)

// User is a Discord user.
type User struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Discriminator string `json:"discriminator"`
	GlobalName    string `json:"global_name,omitempty"`
	Bot           bool   `json:"bot,omitempty"`
}

// Message is a message as Discord stores and sends it, plus how it was
// sent (the fields tagged "-" are not part of Discord's message object).
type Message struct {
	ID                string            `json:"id"`
	ChannelID         string            `json:"channel_id"`
	GuildID           string            `json:"guild_id,omitempty"`
	Author            User              `json:"author"`
	Content           string            `json:"content"`
	Timestamp         string            `json:"timestamp"`
	EditedTimestamp   *string           `json:"edited_timestamp"`
	TTS               bool              `json:"tts"`
	MentionEveryone   bool              `json:"mention_everyone"`
	Mentions          []User            `json:"mentions"`
	MentionRoles      []string          `json:"mention_roles"`
	Embeds            []Embed           `json:"embeds"`
	Components        []Component       `json:"components"`
	Flags             int               `json:"flags"`
	Type              int               `json:"type"`
	WebhookID         string            `json:"webhook_id,omitempty"`
	ApplicationID     string            `json:"application_id,omitempty"`
	MessageReference  *MessageReference `json:"message_reference,omitempty"`
	ReferencedMessage *Message          `json:"referenced_message,omitempty"`
	// InteractionMetadata names the interaction a response or follow-up
	// answers.
	InteractionMetadata *InteractionMetadata `json:"interaction_metadata,omitempty"`

	// FromBot marks a message the bot sent (through REST), as opposed to
	// one a test posted as a user.
	FromBot bool `json:"-"`
	// AllowedMentions is what the bot sent with the message, if anything.
	AllowedMentions *AllowedMentions `json:"-"`
	// InteractionID is the interaction a response or follow-up belongs to.
	InteractionID string `json:"-"`
	// SentAt is when the fake received the message or its last edit.
	SentAt time.Time `json:"-"`
}

// Message flags.
const (
	FlagEphemeral = 1 << 6
	FlagLoading   = 1 << 7
)

// Message types.
const (
	TypeDefault = 0
	TypeReply   = 19
)

// Ephemeral reports whether only the interaction's user sees the message.
func (m Message) Ephemeral() bool { return m.Flags&FlagEphemeral != 0 }

// Silent reports whether the message was sent with mentions disabled:
// allowed_mentions with an empty parse list, no users or roles, and not
// pinging a replied-to user.
func (m Message) Silent() bool {
	am := m.AllowedMentions
	return am != nil && am.Parse != nil && len(*am.Parse) == 0 && len(am.Users) == 0 && len(am.Roles) == 0 && !am.RepliedUser
}

// Buttons returns the message's buttons, row by row.
func (m Message) Buttons() []Component { return inRows(m.Components, ComponentButton) }

// inRows returns the components of a type in action rows, row by row.
func inRows(rows []Component, typ int) []Component {
	var out []Component
	for _, row := range rows {
		for _, c := range row.Components {
			if c.Type == typ {
				out = append(out, c)
			}
		}
	}
	return out
}

// AllowedMentions is Discord's allowed mentions object.
type AllowedMentions struct {
	Parse       *[]string `json:"parse"` // nil: absent or null
	Users       []string  `json:"users"`
	Roles       []string  `json:"roles"`
	RepliedUser bool      `json:"replied_user"`
}

// MessageReference points at the message a reply replies to.
type MessageReference struct {
	Type            int    `json:"type,omitempty"`
	MessageID       string `json:"message_id"`
	ChannelID       string `json:"channel_id,omitempty"`
	GuildID         string `json:"guild_id,omitempty"`
	FailIfNotExists *bool  `json:"fail_if_not_exists,omitempty"`
}

// InteractionMetadata is what a message says of the interaction it
// answers.
type InteractionMetadata struct {
	ID   string `json:"id"`
	Type int    `json:"type"`
	User User   `json:"user"`
}

// Embed is a rich embed.
type Embed struct {
	Type        string       `json:"type,omitempty"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Color       int          `json:"color,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
	Footer      *EmbedText   `json:"footer,omitempty"`
	Author      *EmbedName   `json:"author,omitempty"`
}

// EmbedField is one field of an embed.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// EmbedText is an embed's footer.
type EmbedText struct {
	Text string `json:"text"`
}

// EmbedName is an embed's author.
type EmbedName struct {
	Name string `json:"name"`
}

// Component types.
const (
	ComponentActionRow = 1
	ComponentButton    = 2
	ComponentTextInput = 4
)

// Component is a message component (an action row or a button) or a
// form's (an action row or a text input).
type Component struct {
	Type       int         `json:"type"`
	Components []Component `json:"components,omitempty"`
	Style      int         `json:"style,omitempty"`
	Label      string      `json:"label,omitempty"`
	Emoji      *Emoji      `json:"emoji,omitempty"`
	CustomID   string      `json:"custom_id,omitempty"`
	URL        string      `json:"url,omitempty"`
	Disabled   bool        `json:"disabled,omitempty"`
	// A text input's.
	Placeholder string `json:"placeholder,omitempty"`
	Value       string `json:"value,omitempty"`
	Required    *bool  `json:"required,omitempty"` // absent: true
	MinLength   *int   `json:"min_length,omitempty"`
	MaxLength   *int   `json:"max_length,omitempty"`
}

// Modal is a form the bot answered an interaction with: Discord shows it
// to the user, and submitting it is an interaction of its own (Submit).
type Modal struct {
	CustomID   string      `json:"custom_id"`
	Title      string      `json:"title"`
	Components []Component `json:"components"`
}

// TextInputs returns the form's text inputs, in order.
func (m Modal) TextInputs() []Component { return inRows(m.Components, ComponentTextInput) }

// Emoji is a component's emoji.
type Emoji struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Interaction types.
const (
	InteractionCommand     = 2
	InteractionComponent   = 3
	InteractionModalSubmit = 5
)

// Interaction callback (response) types.
const (
	CallbackMessage        = 4
	CallbackDeferred       = 5
	CallbackDeferredUpdate = 6
	CallbackUpdate         = 7
	CallbackModal          = 9
)

// Interaction is an interaction the fake dispatched and what the bot did
// with it.
type Interaction struct {
	ID, Token string
	Type      int
	Command   string // for a slash command
	CustomID  string // for a button click or a submitted form
	// MessageID is the message whose button was clicked, or for a form,
	// the message whose button opened it.
	MessageID  string
	ChannelID  string
	GuildID    string
	User       User
	Dispatched time.Time
	Callbacks  []Callback // in order; Discord accepts only the first
	Original   *Message   // the response message, once there is one
	Followups  []*Message
	// Modal is the form the bot answered with, if it did.
	Modal *Modal
	// Values are a submitted form's, by text input's custom id.
	Values map[string]string
}

// Callback is one interaction response the bot sent.
type Callback struct {
	Type int
	At   time.Time
	// Ephemeral: the response (or deferred response) is visible only to
	// the user.
	Ephemeral bool
}

// Acknowledged is when the bot first answered the interaction, if it did.
func (i Interaction) Acknowledged() (time.Time, bool) {
	if len(i.Callbacks) == 0 {
		return time.Time{}, false
	}
	return i.Callbacks[0].At, true
}

// Messages returns the response and follow-ups, in order.
func (i Interaction) Messages() []*Message {
	var out []*Message
	if i.Original != nil {
		out = append(out, i.Original)
	}
	return append(out, i.Followups...)
}

// Request is a REST request the fake received.
type Request struct {
	Method string
	Route  Route // the matched route, empty if none
	Path   string
	Status int
	At     time.Time
}

// Route names a REST route, as method and path pattern below /api/v{n}.
type Route string

// The REST routes of the fake.
const (
	RouteGateway        Route = "GET /gateway"
	RouteGatewayBot     Route = "GET /gateway/bot"
	RouteGlobalCommands Route = "PUT /applications/{app}/commands"
	RouteGuildCommands  Route = "PUT /applications/{app}/guilds/{guild}/commands"
	RouteCallback       Route = "POST /interactions/{id}/{token}/callback"
	RouteGetOriginal    Route = "GET /webhooks/{app}/{token}/messages/{message}"
	RouteEditOriginal   Route = "PATCH /webhooks/{app}/{token}/messages/{message}"
	RouteFollowup       Route = "POST /webhooks/{app}/{token}"
	RouteCreateMessage  Route = "POST /channels/{channel}/messages"
	RouteTyping         Route = "POST /channels/{channel}/typing"
)

// RateLimited is a 429 the fake answered and the retry that followed.
type RateLimited struct {
	Route      Route
	RetryAfter time.Duration
	At         time.Time // when the 429 was sent
	RetriedAt  time.Time // when the next request on the route came; zero if none yet
}

// ApplicationCommand is a registered slash command.
type ApplicationCommand struct {
	ID            string          `json:"id"`
	ApplicationID string          `json:"application_id"`
	GuildID       string          `json:"guild_id,omitempty"`
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	Type          int             `json:"type,omitempty"`
	Options       []CommandOption `json:"options"`
	Contexts      []int           `json:"contexts,omitempty"`
	Version       string          `json:"version"`
}

// CommandOption is an option of a slash command.
type CommandOption struct {
	Type        int    `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
	MaxLength   int    `json:"max_length,omitempty"`
}

// Command option types.
const (
	OptionString  = 3
	OptionBoolean = 5
)

// payload is a gateway payload.
type payload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}
