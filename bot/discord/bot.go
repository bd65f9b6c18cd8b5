package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/rag"
)

// Answerer answers questions from the indexed documents; *rag.Index is one.
type Answerer interface {
	// Ask answers question from the k best passages. It returns
	// rag.ErrEmptyQuestion for a question with nothing to search for and
	// an error wrapping rag.ErrUnavailable when the index cannot be reached
	// for now.
	Ask(ctx context.Context, question string, k int) (rag.Answer, error)
	// Documents lists the indexed documents.
	Documents() []rag.DocumentInfo
}

// DefaultAPIBase is where Discord's REST API lives; Options.APIBase replaces it.
const DefaultAPIBase = "https://discord.com"

// Options configure a Bot. Only Token is required.
type Options struct {
	// Token is the bot token from the developer portal, with or without
	// its "Bot " prefix. It is never logged.
	Token string
	// GuildID registers the slash commands in that one server, where they
	// appear at once (for development); empty registers them globally.
	GuildID string
	// Channels, if not empty, are the only server channels the bot answers
	// in (by id); direct messages are always answered.
	Channels []string
	// MentionAsking answers messages that mention the bot, replies to its
	// answers and direct messages, besides slash commands. It needs the
	// privileged Message Content intent, enabled in the developer portal.
	MentionAsking bool
	// RequireMention, with MentionAsking, answers only messages that
	// mention the bot or reply to it; without it every message in the
	// allowed channels is a question, so Channels must then be set.
	RequireMention bool
	// UserRatePerMinute is how many questions one user may ask a minute;
	// 0 means no limit.
	UserRatePerMinute int
	// APIBase replaces https://discord.com in every REST request, for a
	// REST proxy such as nirn-proxy, or a fake Discord in tests. The
	// gateway is the one the API names.
	APIBase string
	// K is how many passages an answer is chosen from; 0 means 5.
	K int
	// Logger receives one line per question, feedback click and
	// connection event; nil discards them.
	Logger *slog.Logger
	// History, if set, keeps every answer as a turn of its conversation
	// (a question and the replies to its answers), so that a follow-up is
	// answered in context after a restart too, and stores the votes of
	// the feedback buttons, with a comment on 👎 (asked in a form). Nil
	// remembers recent conversations in memory only, and votes are only
	// counted.
	History History
	// Registerer, if set, registers the bot's metrics:
	// citebot_discord_questions_total{source,result} and
	// citebot_discord_feedback_total{vote}.
	Registerer prometheus.Registerer
}

// LogValue keeps the token out of logs.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("guild_id", o.GuildID),
		slog.Any("channels", o.Channels),
		slog.Bool("mention_asking", o.MentionAsking),
		slog.Bool("require_mention", o.RequireMention),
		slog.Int("user_rate_per_minute", o.UserRatePerMinute),
		slog.String("api_base", o.APIBase),
		slog.Int("k", o.K),
		slog.Bool("history", o.History != nil),
	)
}

// String keeps the token out of printed options.
func (o Options) String() string { return o.LogValue().String() }

// Errors Run returns when Discord will not have the bot; reconnecting
// would not help.
var (
	// ErrInvalidToken: Discord rejected the token (HTTP 401 or gateway
	// close 4004).
	ErrInvalidToken = errors.New("discord rejected the bot token")
	// ErrIntents: the gateway refused the requested intents (close 4013 or
	// 4014), usually Message Content not enabled in the developer portal.
	ErrIntents = errors.New("discord refused the gateway intents")
)

const (
	answerTimeout   = 30 * time.Second // one question, from defer to reply
	shutdownGrace   = 10 * time.Second // for answers in flight when Run ends
	typingEvery     = 8 * time.Second  // Discord shows typing for 10 s
	maxBackoff      = 2 * time.Minute  // between gateway connection attempts
	settleDelay     = time.Second      // after a disconnect, before reconnecting
	restTimeout     = 20 * time.Second
	maxQuestionRune = 1000
)

// Bot is a Discord bot answering from an Answerer. Make one with New and
// call Run once.
type Bot struct {
	answerer Answerer
	opts     Options
	log      *slog.Logger
	metrics  *metrics
	session  *discordgo.Session
	channels map[string]bool
	limiter  *limiter
	threads  *threads
	history  History // nil: none

	ran          atomic.Bool
	disconnected chan struct{}
	resume       *resumeURL

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
	work     context.Context // handlers' context: outlives Run's by shutdownGrace
}

var (
	snowflake  = regexp.MustCompile(`^[0-9]{1,20}$`)
	tokenChars = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// New checks opts and prepares a bot; it does not connect.
func New(a Answerer, opts Options) (*Bot, error) {
	var errs []error
	if a == nil {
		errs = append(errs, errors.New("discord: an Answerer is required"))
	}
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot "))
	switch {
	case token == "":
		errs = append(errs, errors.New("discord: token: empty (set DISCORD_TOKEN)"))
	case !tokenChars.MatchString(token):
		errs = append(errs, errors.New("discord: token: has characters a bot token cannot have (copy it again from the developer portal)"))
	}
	if opts.GuildID != "" && !snowflake.MatchString(opts.GuildID) {
		errs = append(errs, fmt.Errorf("discord: guild id: %q is not a server id (a number; Developer Mode → right-click the server → Copy Server ID)", opts.GuildID))
	}
	channels := map[string]bool{}
	for _, c := range opts.Channels {
		c = strings.TrimSpace(c)
		if !snowflake.MatchString(c) {
			errs = append(errs, fmt.Errorf("discord: channels: %q is not a channel id (a number; Developer Mode → right-click the channel → Copy Channel ID)", c))
			continue
		}
		channels[c] = true
	}
	if opts.MentionAsking && !opts.RequireMention && len(channels) == 0 {
		errs = append(errs, errors.New("discord: require mention: answering every message needs a channel allow-list"))
	}
	if opts.UserRatePerMinute < 0 {
		errs = append(errs, fmt.Errorf("discord: user rate per minute: %d is negative (0 means no limit)", opts.UserRatePerMinute))
	}
	if opts.K == 0 {
		opts.K = 5
	}
	if opts.K < 1 || opts.K > 50 {
		errs = append(errs, fmt.Errorf("discord: k: %d is outside 1..50", opts.K))
	}
	if opts.APIBase == "" {
		opts.APIBase = DefaultAPIBase
	}
	base, err := url.Parse(opts.APIBase)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		errs = append(errs, fmt.Errorf("discord: api base: %q is not an http(s) URL", opts.APIBase))
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	opts.Token = ""
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}

	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.StateEnabled = false           // no guild or member caches: the bot needs none
	s.ShouldReconnectOnError = false // Run reconnects, and stops on fatal close codes
	s.ShouldRetryOnRateLimit = true  // sleep out a 429's retry_after, then retry
	s.LogLevel = discordgo.LogError
	s.Identify.Intents = intents(opts.MentionAsking)
	s.Client = &http.Client{Timeout: restTimeout, Transport: rebase(base, http.DefaultTransport)}
	s.Dialer = gatewayDialer(http.ProxyFromEnvironment)

	b := &Bot{
		answerer:     a,
		opts:         opts,
		log:          opts.Logger,
		metrics:      m,
		session:      s,
		channels:     channels,
		limiter:      newLimiter(opts.UserRatePerMinute, time.Minute),
		threads:      newThreads(1024),
		history:      opts.History,
		disconnected: make(chan struct{}, 1),
		work:         context.Background(),
		resume:       &resumeURL{},
	}
	s.AddHandler(b.resume.onEvent)
	s.AddHandler(b.onInteraction)
	if opts.MentionAsking {
		s.AddHandler(b.onMessage)
	}
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		select {
		case b.disconnected <- struct{}{}:
		default:
		}
	})
	s.AddHandler(func(_ *discordgo.Session, rl *discordgo.RateLimit) {
		b.log.Warn("discord rate limited", "url", redactURL(rl.URL), "retry_after", rl.RetryAfter)
	})
	return b, nil
}

// intents are the gateway intents the bot needs: none for slash commands,
// server and direct messages with their content for mention asking.
func intents(mentionAsking bool) discordgo.Intent {
	if !mentionAsking {
		return discordgo.IntentsNone
	}
	return discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentMessageContent
}

// Run connects to Discord, registers the slash commands and answers until
// ctx ends, then closes the connection, giving answers in flight a few
// seconds to be sent, and returns nil. It reconnects after the gateway drops
// the connection, but returns an error wrapping ErrInvalidToken or
// ErrIntents, or another that says why, when Discord will not have the bot.
func (b *Bot) Run(ctx context.Context) error {
	if !b.ran.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	b.mu.Lock()
	b.work = work
	b.mu.Unlock()

	if err := b.checkToken(ctx); err != nil || ctx.Err() != nil {
		return err
	}
	err := b.connect(ctx)
	if err == nil && ctx.Err() == nil {
		err = b.registerCommands(ctx)
	}
	for err == nil && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-b.disconnected:
			// Let discordgo's goroutines of the lost connection finish first:
			// a heartbeat that fails on the old connection closes whatever
			// connection the session holds by then, which would be the new one.
			b.log.Warn("discord gateway disconnected; reconnecting", "in", settleDelay)
			select {
			case <-ctx.Done():
			case <-time.After(settleDelay):
				b.resumeOnURL()
				err = b.connect(ctx)
			}
		}
	}
	b.shutdown(stopWork)
	if err != nil {
		return err // the caller reports it
	}
	b.log.Info("discord bot stopped")
	return nil
}

// resumeOnURL points the session's next connection at the
// resume_gateway_url of the last READY, where Discord asks a session to be
// resumed (see gateway.go).
func (b *Bot) resumeOnURL() {
	u := b.resume.get()
	if u == "" {
		return
	}
	if !setGateway(b.session, u) {
		b.log.Warn("discord: cannot resume on resume_gateway_url with this discordgo; resuming on the first gateway URL")
	}
}

// checkToken asks for the gateway with the token, so that a bad token is
// reported as such before the gateway is tried.
func (b *Bot) checkToken(ctx context.Context) error {
	gw, err := b.session.GatewayBot(discordgo.WithContext(ctx))
	if err != nil {
		if fatal := fatalError(err); fatal != nil {
			return fatal
		}
		if ctx.Err() != nil {
			return nil
		}
		b.log.Warn("discord gateway lookup failed; connecting anyway", "err", err)
		return nil
	}
	if l := gw.SessionStartLimit; l.Total > 0 && l.Remaining == 0 {
		b.log.Warn("discord session start limit reached; the gateway may refuse to connect", "reset_after_ms", l.ResetAfter)
	}
	return nil
}

// connect opens the gateway, retrying with backoff until it succeeds, ctx
// ends or Discord refuses for good.
func (b *Bot) connect(ctx context.Context) error {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		err := b.session.Open()
		if errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		if err == nil {
			// Disconnects signalled before this connection are stale.
			select {
			case <-b.disconnected:
			default:
			}
			b.ready(attempt)
			return nil
		}
		if fatal := fatalError(err); fatal != nil {
			return fatal
		}
		b.log.Warn("discord gateway connection failed", "attempt", attempt, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// ready logs who the bot is connected as.
func (b *Bot) ready(attempt int) {
	st := b.session.State
	st.RLock()
	name, guilds := "", len(st.Guilds)
	if st.User != nil {
		name = st.User.Username
	}
	st.RUnlock()
	b.log.Info("discord connected", "user", name, "guilds", guilds, "attempts", attempt,
		"mention_asking", b.opts.MentionAsking)
}

// shutdown closes the gateway connection and waits a little for answers in
// flight, then abandons them.
func (b *Bot) shutdown(stopWork func()) {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	if err := b.session.Close(); err != nil {
		b.log.Warn("discord close", "err", err)
	}
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		b.log.Warn("discord shutdown: abandoning answers in flight")
		stopWork()
		<-done
	}
}

// begin registers a handler as in flight, unless the bot is closing; it
// returns the context the handler works in.
func (b *Bot) begin() (context.Context, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return nil, false
	}
	b.inflight.Add(1)
	return b.work, true
}

func (b *Bot) done() { b.inflight.Done() }

// self returns the bot's user id and application id, from the READY that
// discordgo stored before Open returned (so before any other event).
func (b *Bot) self() (userID, appID string) {
	st := b.session.State
	st.RLock()
	defer st.RUnlock()
	if st.User != nil {
		userID = st.User.ID
	}
	appID = userID
	if st.Application != nil && st.Application.ID != "" {
		appID = st.Application.ID
	}
	return userID, appID
}

// Gateway close codes after which Discord says not to reconnect.
var fatalCloses = map[int]string{
	4004: "authentication failed",
	4010: "invalid shard",
	4011: "sharding required",
	4012: "invalid API version",
	4013: "invalid intents",
	4014: "disallowed intents",
}

// fatalError turns an error Discord will repeat whatever the bot does into
// one that says what to change; it returns nil for errors worth retrying.
func fatalError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		name, fatal := fatalCloses[ce.Code]
		switch {
		case !fatal:
			return nil
		case ce.Code == 4004:
			return fmt.Errorf("%w: the gateway closed the connection with %d (%s); check DISCORD_TOKEN", ErrInvalidToken, ce.Code, name)
		case ce.Code == 4014:
			return fmt.Errorf("%w: the gateway closed the connection with %d (%s): enable the Message Content intent for the bot in the Discord developer portal (Bot → Privileged Gateway Intents), or turn off mention asking", ErrIntents, ce.Code, name)
		case ce.Code == 4013:
			return fmt.Errorf("%w: the gateway closed the connection with %d (%s)", ErrIntents, ce.Code, name)
		default:
			return fmt.Errorf("discord: the gateway closed the connection with %d (%s); not reconnecting", ce.Code, name)
		}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%w: %s %s answered 401 Unauthorized; check DISCORD_TOKEN", ErrInvalidToken, re.Request.Method, redactURL(re.Request.URL.Path))
	}
	return nil
}

// redactURL hides the interaction and webhook tokens in a URL or path.
var tokenInPath = regexp.MustCompile(`(/(?:interactions/[0-9]+|webhooks/[0-9]+)/)[^/?"\s]+`)

func redactURL(u string) string { return tokenInPath.ReplaceAllString(u, "${1}…") }

// scrub is an error's text for the log, without the interaction tokens
// that the URLs in HTTP errors carry.
func scrub(err error) string { return redactURL(err.Error()) }
