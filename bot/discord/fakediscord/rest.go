package fakediscord

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// rest wraps a route's handler: it answers 429 when a test asked for it,
// checks the bot token where Discord requires one, and records the request.
// A handler writes its response and returns its status.
func (s *Server) rest(route Route, h func(http.ResponseWriter, *http.Request) int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		req := Request{Method: r.Method, Route: route, Path: r.URL.Path, At: now}
		s.mu.Lock()
		for k := len(s.rateLimited) - 1; k >= 0; k-- {
			rl := &s.rateLimited[k]
			if rl.Route == route && rl.RetriedAt.IsZero() {
				rl.RetriedAt = now
				if early := now.Sub(rl.At); early < rl.RetryAfter {
					s.violateLocked("%s retried %v after a 429 that said to wait %v", route, early.Round(time.Millisecond), rl.RetryAfter)
				}
				break
			}
		}
		if q := s.limits[route]; len(q) > 0 {
			after := q[0]
			s.limits[route] = q[1:]
			s.rateLimited = append(s.rateLimited, RateLimited{Route: route, RetryAfter: after, At: now})
			req.Status = http.StatusTooManyRequests
			s.requests = append(s.requests, req)
			s.notify()
			s.mu.Unlock()
			writeTooMany(w, route, after)
			return
		}
		s.mu.Unlock()

		if authenticated(route) && r.Header.Get("Authorization") != "Bot "+s.opts.Token {
			req.Status = writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		} else {
			req.Status = h(w, r)
		}
		s.record(req)
	}
}

// authenticated reports whether Discord requires the bot token on a route;
// interaction callbacks and webhooks are authorised by their token.
func authenticated(r Route) bool {
	switch r {
	case RouteGateway, RouteCallback, RouteGetOriginal, RouteEditOriginal, RouteFollowup:
		return false
	}
	return true
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	s.notify()
}

// writeTooMany answers 429 as Discord does: Retry-After in whole seconds,
// the precise wait in the body's retry_after and X-RateLimit-Reset-After.
func writeTooMany(w http.ResponseWriter, route Route, after time.Duration) {
	secs := after.Seconds()
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(after).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", len(route)*7919))
	h.Set("X-RateLimit-Scope", "user")
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": false,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
	return status
}

func writeError(w http.ResponseWriter, status, code int, message string) int {
	return writeJSON(w, status, map[string]any{"code": code, "message": message})
}

// writeInvalid answers 400 Invalid Form Body with the problems found.
func writeInvalid(w http.ResponseWriter, problems []string) int {
	errs := map[string]any{}
	for i, p := range problems {
		errs[strconv.Itoa(i)] = map[string]any{"_errors": []map[string]string{{"code": "BASE_TYPE_INVALID", "message": p}}}
	}
	return writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": errs})
}

func (s *Server) wsURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/ws" }

// resumeURL is READY's resume_gateway_url: like Discord's, a bare
// websocket URL, without the query string of the one GET /gateway names.
func (s *Server) resumeURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + ResumePath }

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) int {
	return writeJSON(w, http.StatusOK, map[string]any{"url": s.wsURL()})
}

func (s *Server) getGatewayBot(w http.ResponseWriter, r *http.Request) int {
	return writeJSON(w, http.StatusOK, map[string]any{
		"url": s.wsURL(), "shards": 1,
		"session_start_limit": map[string]int{"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1},
	})
}

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

func (s *Server) putCommands(w http.ResponseWriter, r *http.Request) int {
	if app := r.PathValue("app"); app != s.AppID {
		s.violate("commands registered for application %s, not %s (the bot's user id is not its application id)", app, s.AppID)
		return writeError(w, http.StatusForbidden, 50001, "Missing Access")
	}
	var cmds []ApplicationCommand
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		return s.invalid(w, []string{"commands: " + err.Error()})
	}
	var problems []string
	seen := map[string]bool{}
	for _, c := range cmds {
		if !commandName.MatchString(c.Name) {
			problems = append(problems, fmt.Sprintf("command name %q is not 1-32 lowercase letters, digits, - or _", c.Name))
		}
		if seen[c.Name] {
			problems = append(problems, fmt.Sprintf("command %q registered twice", c.Name))
		}
		seen[c.Name] = true
		if n := utf16Len(c.Description); n < 1 || n > 100 {
			problems = append(problems, fmt.Sprintf("/%s description is %d characters, not 1-100", c.Name, n))
		}
		if len(c.Options) > 25 {
			problems = append(problems, fmt.Sprintf("/%s has %d options, over 25", c.Name, len(c.Options)))
		}
		optional := false
		for _, o := range c.Options {
			if !commandName.MatchString(o.Name) {
				problems = append(problems, fmt.Sprintf("/%s option name %q is invalid", c.Name, o.Name))
			}
			if n := utf16Len(o.Description); n < 1 || n > 100 {
				problems = append(problems, fmt.Sprintf("/%s option %s description is %d characters, not 1-100", c.Name, o.Name, n))
			}
			if o.Required && optional {
				problems = append(problems, fmt.Sprintf("/%s: required option %s after an optional one", c.Name, o.Name))
			}
			optional = optional || !o.Required
			if o.MaxLength < 0 || o.MaxLength > 6000 {
				problems = append(problems, fmt.Sprintf("/%s option %s max_length %d is outside 0-6000", c.Name, o.Name, o.MaxLength))
			}
		}
	}
	if len(problems) > 0 {
		return s.invalid(w, problems)
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	old := map[string]string{}
	for _, c := range s.commands[guild] {
		old[c.Name] = c.ID
	}
	for i := range cmds {
		c := &cmds[i]
		if c.ID = old[c.Name]; c.ID == "" {
			c.ID = s.newID()
		}
		c.ApplicationID, c.GuildID, c.Version = s.AppID, guild, s.newID()
		if c.Type == 0 {
			c.Type = 1
		}
		if c.Options == nil {
			c.Options = []CommandOption{}
		}
	}
	s.commands[guild] = cmds
	s.notify()
	s.mu.Unlock()
	return writeJSON(w, http.StatusOK, cmds)
}

// invalid records problems as a violation and answers 400.
func (s *Server) invalid(w http.ResponseWriter, problems []string) int {
	s.violate("refused with 400 Invalid Form Body: %s", strings.Join(problems, "; "))
	return writeInvalid(w, problems)
}

// messageBody is a message the bot sends or an edit of one. Pointers tell
// absent (or null) fields from empty ones.
type messageBody struct {
	Content          *string           `json:"content"`
	Embeds           *[]Embed          `json:"embeds"`
	Components       *[]Component      `json:"components"`
	AllowedMentions  *AllowedMentions  `json:"allowed_mentions"`
	MessageReference *MessageReference `json:"message_reference"`
	Flags            int               `json:"flags"`
}

// apply sets the fields the body has on m.
func (b messageBody) apply(m *Message) {
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.Embeds = *b.Embeds
	}
	if b.Components != nil {
		m.Components = *b.Components
	}
	if b.AllowedMentions != nil {
		m.AllowedMentions = b.AllowedMentions
	}
	if m.Embeds == nil {
		m.Embeds = []Embed{}
	}
	if m.Components == nil {
		m.Components = []Component{}
	}
}

// botMessage makes a message the bot sends.
func (s *Server) botMessage(channelID, guildID string, b messageBody) *Message {
	m := &Message{
		ID: s.newID(), ChannelID: channelID, GuildID: guildID, Author: s.Bot, Timestamp: timestamp(time.Now()),
		Mentions: []User{}, MentionRoles: []string{}, Type: TypeDefault, FromBot: true, SentAt: time.Now(),
	}
	b.apply(m)
	return m
}

func (s *Server) postCallback(w http.ResponseWriter, r *http.Request) int {
	var body struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return s.invalid(w, []string{"interaction response: " + err.Error()})
	}
	data, form := messageBody{}, Modal{}
	if len(body.Data) > 0 && string(body.Data) != "null" {
		into := any(&data)
		if body.Type == CallbackModal {
			into = &form
		}
		if err := json.Unmarshal(body.Data, into); err != nil {
			return s.invalid(w, []string{"interaction response data: " + err.Error()})
		}
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.interactions[r.PathValue("id")]
	if !ok || i.Token != r.PathValue("token") {
		s.violateLocked("callback for unknown interaction %s", r.PathValue("id"))
		return writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
	}
	if len(i.Callbacks) > 0 {
		s.violateLocked("interaction %s acknowledged twice", i.ID)
		return writeError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	}
	if late := now.Sub(i.Dispatched); late > s.opts.InteractionDeadline {
		s.violateLocked("interaction %s acknowledged after %v, past Discord's %v", i.ID, late.Round(time.Millisecond), s.opts.InteractionDeadline)
		return writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
	}
	ephemeral := data.Flags&FlagEphemeral != 0
	switch {
	case body.Type == CallbackMessage:
		m := s.interactionMessage(i, data)
		if problems := checkMessage(*m, true); len(problems) > 0 {
			s.violateLocked("interaction response refused: %s", strings.Join(problems, "; "))
			return writeInvalid(w, problems)
		}
		m.Flags = data.Flags & FlagEphemeral
		i.Original = m
		s.store(m)
		s.echoLocked(m)
	case body.Type == CallbackDeferred && (i.Type == InteractionCommand || i.Type == InteractionModalSubmit):
		m := s.interactionMessage(i, messageBody{})
		m.Flags = FlagLoading | data.Flags&FlagEphemeral
		i.Original = m
		s.store(m)
		s.echoLocked(m)
	case (body.Type == CallbackDeferredUpdate || body.Type == CallbackUpdate) && i.MessageID != "":
		// A component's message, or that of the component whose form was submitted.
	case body.Type == CallbackModal && (i.Type == InteractionCommand || i.Type == InteractionComponent):
		if problems := checkModal(form); len(problems) > 0 {
			s.violateLocked("modal refused: %s", strings.Join(problems, "; "))
			return writeInvalid(w, problems)
		}
		i.Modal = &form
	default:
		s.violateLocked("interaction %s (type %d) answered with callback type %d", i.ID, i.Type, body.Type)
		return writeInvalid(w, []string{fmt.Sprintf("callback type %d is not valid here", body.Type)})
	}
	i.Callbacks = append(i.Callbacks, Callback{Type: body.Type, At: now, Ephemeral: ephemeral})
	s.notify()
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

// interactionMessage makes a message the bot sends in response to an
// interaction.
func (s *Server) interactionMessage(i *Interaction, b messageBody) *Message {
	m := s.botMessage(i.ChannelID, i.GuildID, b)
	m.WebhookID, m.ApplicationID, m.InteractionID = s.AppID, s.AppID, i.ID
	m.InteractionMetadata = &InteractionMetadata{ID: i.ID, Type: i.Type, User: i.User}
	return m
}

// webhookInteraction finds the interaction a webhook request is for; s.mu
// must be held.
func (s *Server) webhookInteraction(r *http.Request) (*Interaction, bool) {
	i, ok := s.byToken[r.PathValue("token")]
	if !ok || r.PathValue("app") != s.AppID {
		return nil, false
	}
	return i, true
}

func (s *Server) getOriginal(w http.ResponseWriter, r *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.webhookInteraction(r)
	if !ok || r.PathValue("message") != "@original" || i.Original == nil {
		return writeError(w, http.StatusNotFound, 10008, "Unknown Message")
	}
	return writeJSON(w, http.StatusOK, i.Original)
}

func (s *Server) patchOriginal(w http.ResponseWriter, r *http.Request) int {
	var body messageBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return s.invalid(w, []string{"message: " + err.Error()})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.webhookInteraction(r)
	if !ok {
		s.violateLocked("edit for an unknown interaction webhook (application %s)", r.PathValue("app"))
		return writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	}
	target := i.Original
	if id := r.PathValue("message"); id != "@original" {
		target = nil
		for _, f := range i.Followups {
			if f.ID == id {
				target = f
			}
		}
	}
	if target == nil {
		s.violateLocked("edit of message %s of interaction %s, which has none", r.PathValue("message"), i.ID)
		return writeError(w, http.StatusNotFound, 10008, "Unknown Message")
	}
	edited := *target
	body.apply(&edited)
	edited.Flags &^= FlagLoading
	if problems := checkMessage(edited, true); len(problems) > 0 {
		s.violateLocked("edit refused: %s", strings.Join(problems, "; "))
		return writeInvalid(w, problems)
	}
	ts := timestamp(time.Now())
	edited.EditedTimestamp, edited.SentAt = &ts, time.Now()
	*target = edited
	s.notify()
	return writeJSON(w, http.StatusOK, target)
}

func (s *Server) postFollowup(w http.ResponseWriter, r *http.Request) int {
	var body messageBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return s.invalid(w, []string{"message: " + err.Error()})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.webhookInteraction(r)
	if !ok {
		s.violateLocked("follow-up for an unknown interaction webhook (application %s)", r.PathValue("app"))
		return writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	}
	if len(i.Callbacks) == 0 {
		s.violateLocked("follow-up to interaction %s before acknowledging it", i.ID)
		return writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	}
	m := s.interactionMessage(i, body)
	m.Flags = body.Flags & FlagEphemeral
	if problems := checkMessage(*m, true); len(problems) > 0 {
		s.violateLocked("follow-up refused: %s", strings.Join(problems, "; "))
		return writeInvalid(w, problems)
	}
	if o := i.Original; o != nil && o.Flags&FlagLoading != 0 {
		// The first follow-up after a deferral replaces the loading message.
		m.ID, m.Flags = o.ID, o.Flags&^FlagLoading
		*o = *m
		s.notify()
	} else {
		i.Followups = append(i.Followups, m)
		s.store(m)
		s.echoLocked(m)
	}
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent
	}
	return writeJSON(w, http.StatusOK, m)
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) int {
	var body messageBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return s.invalid(w, []string{"message: " + err.Error()})
	}
	channel := r.PathValue("channel")
	s.mu.Lock()
	defer s.mu.Unlock()
	guild := ""
	for _, m := range s.messages {
		if m.ChannelID == channel {
			guild = m.GuildID
			break
		}
	}
	m := s.botMessage(channel, guild, body)
	if body.Flags&^(1<<2|1<<12) != 0 {
		s.violateLocked("message flags %d: only SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS may be set", body.Flags)
		return writeInvalid(w, []string{"flags: invalid"})
	}
	m.Flags = body.Flags
	if ref := body.MessageReference; ref != nil {
		target, ok := s.byID[ref.MessageID]
		switch {
		case ok && target.ChannelID == channel:
			m.Type = TypeReply
			m.MessageReference = &MessageReference{MessageID: target.ID, ChannelID: channel, GuildID: target.GuildID}
			c := *target
			c.ReferencedMessage = nil
			m.ReferencedMessage = &c
		case ref.FailIfNotExists == nil || *ref.FailIfNotExists:
			s.violateLocked("reply to unknown message %s", ref.MessageID)
			return writeInvalid(w, []string{"message_reference: Unknown message"})
		}
	}
	if problems := checkMessage(*m, true); len(problems) > 0 {
		s.violateLocked("message refused: %s", strings.Join(problems, "; "))
		return writeInvalid(w, problems)
	}
	s.store(m)
	s.echoLocked(m)
	return writeJSON(w, http.StatusOK, m)
}

// echoLocked dispatches MESSAGE_CREATE for a message the bot sent, as
// Discord does, if the bot's intents cover the channel; s.mu must be held.
func (s *Server) echoLocked(m *Message) {
	if s.gw == nil || m.Ephemeral() {
		return
	}
	need := intentGuildMessages
	if m.GuildID == "" {
		need = intentDirectMessages
	}
	if s.gw.intents&need != 0 {
		s.dispatchLocked("MESSAGE_CREATE", m)
	}
}

func (s *Server) postTyping(w http.ResponseWriter, r *http.Request) int {
	s.mu.Lock()
	s.typing = append(s.typing, Typing{ChannelID: r.PathValue("channel"), At: time.Now()})
	s.notify()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}
