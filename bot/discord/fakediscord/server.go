package fakediscord

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options set up a fake Discord.
type Options struct {
	// Token is the bot token it accepts, without "Bot "; default "test-token".
	Token string
	// MessageContent enables the privileged Message Content intent for the
	// application, as the developer portal's switch does. Without it an
	// IDENTIFY asking for it is closed with 4014.
	MessageContent bool
	// HeartbeatInterval is sent in HELLO; default 41.25 s as Discord does.
	HeartbeatInterval time.Duration
	// CloseOnIdentify, if set, is the close code the gateway answers every
	// IDENTIFY with (4004 for a token reset since the REST check, say).
	CloseOnIdentify int
	// InteractionDeadline is how long a bot has to acknowledge an
	// interaction; default 3 s.
	InteractionDeadline time.Duration
}

// Server is a running fake Discord.
type Server struct {
	// URL is the base to give the bot instead of https://discord.com.
	URL string
	// AppID and Bot are the application and its bot user; they differ, so
	// that a bot that confuses them is caught.
	AppID string
	Bot   User

	opts Options
	http *httptest.Server
	ids  atomic.Int64

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	users        map[string]User
	messages     []*Message
	byID         map[string]*Message
	interactions map[string]*Interaction
	byToken      map[string]*Interaction
	commands     map[string][]ApplicationCommand // by guild id; "" global
	requests     []Request
	typing       []Typing
	limits       map[Route][]time.Duration // 429s to send, per route
	rateLimited  []RateLimited
	violations   []string
	gw           *gatewaySession // the connected, identified session
	sessions     map[string]bool // ids of sessions that may resume
	identifies   int
	heartbeats   int
	clientCloses []int
	events       []GatewayEvent
}

// GatewayEvent is a step of the gateway protocol the fake saw or took: a
// connection opened (on Path), an IDENTIFY or RESUME received, an
// INVALID_SESSION sent.
type GatewayEvent struct {
	Kind string // "connect", "identify", "resume" or "invalid_session"
	Path string // the URL path of the connection
	At   time.Time
}

// ResumePath is the URL path of the resume_gateway_url that READY gives:
// another path than GET /gateway names, so that tests see which a bot
// resumes on.
const ResumePath = "/ws/resume"

// GatewayEvents lists the gateway's steps in order.
func (s *Server) GatewayEvents() []GatewayEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]GatewayEvent(nil), s.events...)
}

func (s *Server) eventLocked(kind string, g *gatewaySession) {
	s.events = append(s.events, GatewayEvent{Kind: kind, Path: g.path, At: time.Now()})
	s.notify()
}

// InvalidateSession sends INVALID_SESSION (op 9) on the bot's connection,
// as Discord does when a session ends on its side, and forgets the
// session: the bot must identify again (on the same connection or a new
// one), after waiting the 1 to 5 seconds Discord asks for.
func (s *Server) InvalidateSession() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.gw
	if g == nil {
		return errors.New("fakediscord: no gateway connection")
	}
	delete(s.sessions, g.id)
	g.id = ""
	s.gw = nil
	s.eventLocked("invalid_session", g)
	return g.send(opInvalidSession, "", 0, false)
}

// Typing is a typing indicator the bot triggered.
type Typing struct {
	ChannelID string
	At        time.Time
}

// New starts a fake Discord that t cleans up; at the end of the test it
// reports every request the fake refused as a test error.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s := Start(opts)
	t.Cleanup(func() {
		s.Close()
		for _, v := range s.Violations() {
			t.Errorf("fake discord: %s", v)
		}
	})
	return s
}

// Start starts a fake Discord; Close stops it.
func Start(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if opts.InteractionDeadline == 0 {
		opts.InteractionDeadline = 3 * time.Second
	}
	s := &Server{
		opts:         opts,
		changed:      make(chan struct{}),
		users:        map[string]User{},
		byID:         map[string]*Message{},
		interactions: map[string]*Interaction{},
		byToken:      map[string]*Interaction{},
		commands:     map[string][]ApplicationCommand{},
		limits:       map[Route][]time.Duration{},
		sessions:     map[string]bool{},
	}
	s.ids.Store(1_200_000_000_000_000_000)
	s.AppID = s.newID()
	s.Bot = User{ID: s.newID(), Username: "citebot", Discriminator: "0", Bot: true}
	s.users[s.Bot.ID] = s.Bot
	s.http = httptest.NewServer(s.routes())
	s.URL = s.http.URL
	return s
}

// Close stops the server and drops the gateway connection.
func (s *Server) Close() {
	s.mu.Lock()
	gw := s.gw
	s.mu.Unlock()
	if gw != nil {
		gw.conn.Close()
	}
	s.http.CloseClientConnections()
	s.http.Close()
}

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

func (s *Server) newID() string { return strconv.FormatInt(s.ids.Add(1), 10) }

// notify wakes WaitFor; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violateLocked(format, args...)
}

func (s *Server) violateLocked(format string, args ...any) {
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.notify()
}

// WaitFor waits until cond holds, checking after every change, and reports
// whether it did within timeout. cond may call the Server's methods.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return cond()
		}
	}
}

// Ready reports whether a bot has identified and is connected.
func (s *Server) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw != nil
}

// Intents are those the connected bot identified with.
func (s *Server) Intents() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw == nil {
		return 0
	}
	return s.gw.intents
}

// Gateway reports how many IDENTIFYs and heartbeats the gateway received
// and the close codes the bot closed connections with.
func (s *Server) Gateway() (identifies, heartbeats int, clientCloses []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identifies, s.heartbeats, append([]int(nil), s.clientCloses...)
}

// Violations are the requests the fake refused, as Discord would have, and
// other breaches of Discord's rules.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Requests are the REST requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// TypingIn returns when the bot triggered the typing indicator in a channel.
func (s *Server) TypingIn(channelID string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for _, t := range s.typing {
		if t.ChannelID == channelID {
			out = append(out, t.At)
		}
	}
	return out
}

// Commands returns the commands registered globally (guildID "") or in a
// guild.
func (s *Server) Commands(guildID string) []ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ApplicationCommand(nil), s.commands[guildID]...)
}

// Sent returns copies of the messages the bot sent in a channel through the
// channel API, in order.
func (s *Server) Sent(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.FromBot && m.InteractionID == "" && m.ChannelID == channelID {
			out = append(out, *m)
		}
	}
	return out
}

// AllSent returns copies of every message the bot sent, in order.
func (s *Server) AllSent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.FromBot {
			out = append(out, *m)
		}
	}
	return out
}

// Interaction returns a copy of an interaction's record.
func (s *Server) Interaction(id string) (Interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.interactions[id]
	if !ok {
		return Interaction{}, false
	}
	c := *i
	c.Callbacks = append([]Callback(nil), i.Callbacks...)
	if i.Original != nil {
		o := *i.Original
		c.Original = &o
	}
	if i.Modal != nil {
		m := *i.Modal
		c.Modal = &m
	}
	c.Values = maps.Clone(i.Values)
	c.Followups = nil
	for _, f := range i.Followups {
		f := *f
		c.Followups = append(c.Followups, &f)
	}
	return c, true
}

// RateLimit makes the next n requests on route answer 429 with a
// retry_after of after.
func (s *Server) RateLimit(route Route, after time.Duration, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.limits[route] = append(s.limits[route], after)
	}
}

// RateLimits returns the 429s sent so far and the retries that followed.
func (s *Server) RateLimits() []RateLimited {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RateLimited(nil), s.rateLimited...)
}

// Post is a message a user sends.
type Post struct {
	ChannelID string
	GuildID   string // empty for a direct message
	Author    User
	Content   string
	// ReplyTo is the id of the message this one replies to; PingReply
	// mentions that message's author, as Discord's reply does by default.
	ReplyTo   string
	PingReply bool
}

var mentionRE = regexp.MustCompile(`<@!?([0-9]+)>`)

// Post stores a user's message and dispatches MESSAGE_CREATE to the bot if
// its intents let it see the message; it returns the message as stored and
// whether it was dispatched.
func (s *Server) Post(p Post) (Message, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Author.ID == "" {
		return Message{}, false, errors.New("fakediscord: post without an author")
	}
	if p.Author.Discriminator == "" {
		p.Author.Discriminator = "0"
	}
	s.users[p.Author.ID] = p.Author
	m := &Message{
		ID: s.newID(), ChannelID: p.ChannelID, GuildID: p.GuildID, Author: p.Author, Content: p.Content,
		Timestamp: timestamp(time.Now()), Mentions: []User{}, MentionRoles: []string{}, Embeds: []Embed{},
		Components: []Component{}, Type: TypeDefault, SentAt: time.Now(),
	}
	for _, sub := range mentionRE.FindAllStringSubmatch(p.Content, -1) {
		if u, ok := s.users[sub[1]]; ok {
			m.Mentions = append(m.Mentions, u)
		}
	}
	m.MentionEveryone = strings.Contains(p.Content, "@everyone") || strings.Contains(p.Content, "@here")
	if p.ReplyTo != "" {
		ref, ok := s.byID[p.ReplyTo]
		if !ok {
			return Message{}, false, fmt.Errorf("fakediscord: reply to unknown message %s", p.ReplyTo)
		}
		m.Type = TypeReply
		m.MessageReference = &MessageReference{MessageID: ref.ID, ChannelID: ref.ChannelID, GuildID: ref.GuildID}
		c := *ref
		c.ReferencedMessage = nil
		m.ReferencedMessage = &c
		if p.PingReply {
			m.Mentions = append(m.Mentions, ref.Author)
		}
	}
	s.store(m)

	gw := s.gw
	if gw == nil {
		return *m, false, nil
	}
	need := intentGuildMessages
	if p.GuildID == "" {
		need = intentDirectMessages
	}
	if gw.intents&need == 0 {
		return *m, false, nil
	}
	// Without Message Content, content is sent only for direct messages
	// and messages that mention the bot.
	out := *m
	mentionsBot := false
	for _, u := range m.Mentions {
		mentionsBot = mentionsBot || u.ID == s.Bot.ID
	}
	if gw.intents&intentMessageContent == 0 && p.GuildID != "" && !mentionsBot {
		out.Content, out.Embeds, out.Components = "", []Embed{}, []Component{}
	}
	if err := s.dispatchLocked("MESSAGE_CREATE", out); err != nil {
		return *m, false, err
	}
	return *m, true, nil
}

// store adds a message; s.mu must be held.
func (s *Server) store(m *Message) {
	s.messages = append(s.messages, m)
	s.byID[m.ID] = m
	s.notify()
}

// Command is a slash command a user runs.
type Command struct {
	Name      string
	Options   map[string]any // by option name: string or bool
	ChannelID string
	GuildID   string // empty in a direct message
	User      User
}

// Invoke dispatches INTERACTION_CREATE for a slash command the bot has
// registered (in the guild or globally) and returns the interaction's id.
func (s *Server) Invoke(c Command) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, ok := s.findCommand(c.GuildID, c.Name)
	if !ok {
		return "", fmt.Errorf("fakediscord: /%s is not registered", c.Name)
	}
	var opts []map[string]any
	for _, o := range cmd.Options {
		v, ok := c.Options[o.Name]
		if !ok {
			if o.Required {
				return "", fmt.Errorf("fakediscord: /%s needs %s", c.Name, o.Name)
			}
			continue
		}
		opts = append(opts, map[string]any{"name": o.Name, "type": o.Type, "value": v})
	}
	for name := range c.Options {
		if !hasOption(cmd, name) {
			return "", fmt.Errorf("fakediscord: /%s has no option %s", c.Name, name)
		}
	}
	data := map[string]any{"id": cmd.ID, "name": cmd.Name, "type": 1, "options": opts}
	if c.GuildID != "" {
		data["guild_id"] = c.GuildID
	}
	i := &Interaction{Type: InteractionCommand, Command: c.Name}
	return s.interactLocked(i, c.ChannelID, c.GuildID, c.User, data, nil)
}

func hasOption(cmd ApplicationCommand, name string) bool {
	for _, o := range cmd.Options {
		if o.Name == name {
			return true
		}
	}
	return false
}

// findCommand looks for a command in the guild, then globally; s.mu must
// be held.
func (s *Server) findCommand(guildID, name string) (ApplicationCommand, bool) {
	scopes := []string{""}
	if guildID != "" {
		scopes = []string{guildID, ""}
	}
	for _, g := range scopes {
		for _, c := range s.commands[g] {
			if c.Name == name {
				return c, true
			}
		}
	}
	return ApplicationCommand{}, false
}

// Click dispatches INTERACTION_CREATE for a click on a button of a
// message the bot sent, and returns the interaction's id.
func (s *Server) Click(messageID, customID string, user User) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[messageID]
	if !ok {
		return "", fmt.Errorf("fakediscord: no message %s", messageID)
	}
	found := false
	for _, b := range m.Buttons() {
		found = found || b.CustomID == customID
	}
	if !found {
		return "", fmt.Errorf("fakediscord: message %s has no button %q", messageID, customID)
	}
	data := map[string]any{"custom_id": customID, "component_type": ComponentButton}
	i := &Interaction{Type: InteractionComponent, CustomID: customID, MessageID: m.ID}
	return s.interactLocked(i, m.ChannelID, m.GuildID, user, data, m)
}

// Submit dispatches INTERACTION_CREATE for the submission of the form the
// bot answered interaction formOf with, as the user it was shown to fills
// it in: values by text input custom id, the inputs not named left empty.
// It returns the new interaction's id. It refuses what Discord's client
// would not submit: a value for no input of the form, a required input
// left empty, a value shorter or longer than its input allows.
func (s *Server) Submit(formOf string, values map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	opener, ok := s.interactions[formOf]
	if !ok || opener.Modal == nil {
		return "", fmt.Errorf("fakediscord: interaction %s showed no form", formOf)
	}
	form := opener.Modal
	known := map[string]bool{}
	var rows []map[string]any
	for _, in := range form.TextInputs() {
		known[in.CustomID] = true
		v, n := values[in.CustomID], utf16Len(values[in.CustomID])
		least, most := 0, TextInputValueLimit
		if in.MinLength != nil {
			least = *in.MinLength
		}
		if in.MaxLength != nil {
			most = *in.MaxLength
		}
		switch {
		case v == "" && (in.Required == nil || *in.Required):
			return "", fmt.Errorf("fakediscord: text input %q is required", in.CustomID)
		case v != "" && (n < least || n > most):
			return "", fmt.Errorf("fakediscord: text input %q takes %d-%d characters, not %d", in.CustomID, least, most, n)
		}
		rows = append(rows, map[string]any{"type": ComponentActionRow, "components": []map[string]any{
			{"type": ComponentTextInput, "custom_id": in.CustomID, "value": v},
		}})
	}
	kept := map[string]string{}
	for k, v := range values {
		if !known[k] {
			return "", fmt.Errorf("fakediscord: the form has no text input %q", k)
		}
		kept[k] = v
	}
	data := map[string]any{"custom_id": form.CustomID, "components": rows}
	i := &Interaction{Type: InteractionModalSubmit, CustomID: form.CustomID, MessageID: opener.MessageID, Values: kept}
	return s.interactLocked(i, opener.ChannelID, opener.GuildID, opener.User, data, s.byID[opener.MessageID])
}

// interactLocked records and dispatches an interaction; s.mu must be held.
func (s *Server) interactLocked(i *Interaction, channelID, guildID string, user User, data map[string]any, msg *Message) (string, error) {
	if user.Discriminator == "" {
		user.Discriminator = "0"
	}
	s.users[user.ID] = user
	i.ID, i.Token = s.newID(), "tok-"+s.newID()
	i.ChannelID, i.GuildID, i.User, i.Dispatched = channelID, guildID, user, time.Now()
	ev := map[string]any{
		"id": i.ID, "application_id": s.AppID, "type": i.Type, "data": data, "token": i.Token, "version": 1,
		"channel_id": channelID, "locale": "en-US", "app_permissions": "2147567616",
		"entitlements": []any{},
	}
	if guildID != "" {
		ev["guild_id"] = guildID
		ev["guild_locale"] = "en-US"
		ev["context"] = 0
		ev["member"] = map[string]any{"user": user, "roles": []string{}, "permissions": "2147567616",
			"joined_at": timestamp(time.Now().Add(-time.Hour)), "deaf": false, "mute": false}
	} else {
		ev["context"] = 1
		ev["user"] = user
	}
	if msg != nil {
		ev["message"] = msg
	}
	s.interactions[i.ID] = i
	s.byToken[i.Token] = i
	if err := s.dispatchLocked("INTERACTION_CREATE", ev); err != nil {
		return "", err
	}
	return i.ID, nil
}

// CloseGateway closes the bot's gateway connection with a close code, as
// Discord does when it ends a session.
func (s *Server) CloseGateway(code int, reason string) error {
	s.mu.Lock()
	gw := s.gw
	s.gw = nil
	if gw != nil {
		gw.ended = true
		if code < 4000 || fatalClose(code) || code == 4007 || code == 4009 {
			delete(s.sessions, gw.id) // the session cannot be resumed
		}
	}
	s.notify()
	s.mu.Unlock()
	if gw == nil {
		return errors.New("fakediscord: no gateway connection")
	}
	return gw.close(code, reason)
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

// routes lists the REST routes and the gateway.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for route, h := range map[Route]func(http.ResponseWriter, *http.Request) int{
		RouteGateway:        s.getGateway,
		RouteGatewayBot:     s.getGatewayBot,
		RouteGlobalCommands: s.putCommands,
		RouteGuildCommands:  s.putCommands,
		RouteCallback:       s.postCallback,
		RouteGetOriginal:    s.getOriginal,
		RouteEditOriginal:   s.patchOriginal,
		RouteFollowup:       s.postFollowup,
		RouteCreateMessage:  s.postMessage,
		RouteTyping:         s.postTyping,
	} {
		method, path, _ := strings.Cut(string(route), " ")
		mux.HandleFunc(method+" /api/{version}"+path, s.rest(route, h))
	}
	mux.HandleFunc("GET /ws", s.serveGateway)
	mux.HandleFunc("GET /ws/", s.serveGateway)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.violate("unexpected request %s %s", r.Method, r.URL.Path)
		s.record(Request{Method: r.Method, Path: r.URL.Path, Status: http.StatusNotFound, At: time.Now()})
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	})
	return mux
}
