// Package config loads and validates citebot's settings. Each setting has a
// default, which a YAML file, then the environment, then command-line flags
// override. Secrets (tokens, API keys of model servers and stores) are read
// only from the environment and never printed.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting of citebot.
type Config struct {
	// Corpus is the directory of documents to answer from.
	Corpus string `yaml:"corpus"`
	// Data is where the index snapshot is kept; by default a directory in
	// the user's cache named after the corpus path.
	Data string `yaml:"data"`
	// K is how many passages an answer is chosen from.
	K int `yaml:"k"`
	// ChunkSize and ChunkOverlap are in characters.
	ChunkSize    int `yaml:"chunk_size"`
	ChunkOverlap int `yaml:"chunk_overlap"`
	// SaveEvery bounds how much ingest work a crash can lose: a long ingest
	// saves a snapshot at least this often.
	SaveEvery time.Duration `yaml:"save_every"`
	// MaxFileBytes is the largest file ingested; larger ones are skipped
	// with a warning.
	MaxFileBytes int64 `yaml:"max_file_bytes"`
	// ParseTimeout and ParseMemory (bytes) are the budget of each file
	// parsed in a child process (PDF): a parse that runs longer, needs more
	// memory or crashes is stopped, and the file skipped with a warning.
	ParseTimeout time.Duration `yaml:"parse_timeout"`
	ParseMemory  int64         `yaml:"parse_memory"`

	Log      Log      `yaml:"log"`
	HTTP     HTTP     `yaml:"http"`
	Discord  Discord  `yaml:"discord"`
	Store    Store    `yaml:"store"`
	LLM      LLM      `yaml:"llm"`
	Embedder Embedder `yaml:"embedder"`
	History  History  `yaml:"history"`
	Database Database `yaml:"database"`
}

// History configures what is kept of the questions asked: conversations
// (for follow-ups) and feedback on answers, for the operators' view.
type History struct {
	// Off keeps nothing ("history: off"): conversations live in memory
	// only and feedback is only counted in the metrics.
	Off bool `yaml:"-"`
	// Retention is how long questions and their feedback are kept; older
	// ones are deleted in the background.
	Retention time.Duration `yaml:"retention"`
}

// UnmarshalYAML reads "history: off" (or on) as well as the section.
func (h *History) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		off, err := parseOff(n.Value)
		if err != nil {
			return fmt.Errorf("history: %q %v", n.Value, err)
		}
		h.Off = off
		return nil
	}
	var raw struct {
		Retention string `yaml:"retention"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	if raw.Retention != "" {
		d, err := ParseDays(raw.Retention)
		if err != nil {
			return fmt.Errorf("history.retention: %q %v", raw.Retention, err)
		}
		h.Retention = d
	}
	return nil
}

// parseOff reads off, false or no as true and on, true or yes as false.
func parseOff(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "off", "false", "no":
		return true, nil
	case "on", "true", "yes":
		return false, nil
	}
	return false, errors.New("is not on or off")
}

// Database is where the history is kept: SQLite in the data directory when
// URL is empty, else the PostgreSQL server URL names (postgres://…), which
// several replicas can share.
type Database struct {
	URL string `yaml:"url"`
}

// Log configures the log of serve and discord (stderr).
type Log struct {
	// Level is the least severe level logged: debug, info, warn or error.
	// At debug the probes (/healthz, /readyz, /metrics) are logged too.
	Level string `yaml:"level"`
	// Format is text (key=value, for people) or json (one object a line,
	// for log collectors).
	Format string `yaml:"format"`
}

// LogLevels and LogFormats are the values Log's settings take.
var (
	LogLevels  = []string{"debug", "info", "warn", "error"}
	LogFormats = []string{"text", "json"}
)

// HTTP configures `citebot serve`.
type HTTP struct {
	Addr string `yaml:"addr"`
	// APIKeys, when set, are required as bearer tokens on /v1/*.
	APIKeys     []string `yaml:"api_keys"`
	CORSOrigins []string `yaml:"cors_origins"`
	// RatePerSecond and Burst limit each client (API key or address); a
	// rate of 0 turns limiting off.
	RatePerSecond float64 `yaml:"rate_per_second"`
	Burst         int     `yaml:"burst"`
	// MaxQuestion is the longest question accepted, in characters.
	MaxQuestion int `yaml:"max_question"`
	// Watch re-indexes when files in the corpus change.
	Watch bool `yaml:"watch"`
	// WatchInterval, when not 0, also re-indexes this often whether or
	// not a change was seen, for corpora whose changes send no events (a
	// bind mount under Docker Desktop, a network file system). A re-index
	// reads and hashes every file; unchanged files cost nothing more. It
	// works with Watch off too.
	WatchInterval time.Duration `yaml:"watch_interval"`
	// AllowedHosts are the host names (no port; ".example.com" also
	// matches its sub-domains, "*" any name) the server answers for besides
	// loopback names and its own address: the names a reverse proxy or DNS
	// gives it. Without API keys only these are accepted, against DNS
	// rebinding; with API keys any host is, unless this is set.
	AllowedHosts []string `yaml:"allowed_hosts"`
	// AllowOpen lets serve listen beyond loopback without API keys, where
	// anyone who can reach it can query and re-index.
	AllowOpen bool `yaml:"allow_open"`
	// AllowWrites lets clients add, replace and remove the corpus's
	// documents (POST, PUT and DELETE /v1/documents). Unset, serve allows
	// them when it listens on loopback only.
	AllowWrites *bool `yaml:"allow_writes"`
	// MaxConnections and MaxConnectionsPerClient cap the open connections,
	// in total and per client address (an IPv6 /64); over the cap the
	// oldest idle keep-alive connection is closed, else the new one gets a
	// 503.
	MaxConnections          int `yaml:"max_connections"`
	MaxConnectionsPerClient int `yaml:"max_connections_per_client"`
}

// Discord configures the Discord bot, which runs when DISCORD_TOKEN is set.
type Discord struct {
	Token    string   `yaml:"-"` // DISCORD_TOKEN only
	GuildID  string   `yaml:"guild_id"`
	Channels []string `yaml:"channels"`
	// RequireMention: in allowed channels only messages mentioning the bot
	// are answered.
	RequireMention bool `yaml:"require_mention"`
	// MentionAsking answers mentions and DMs; it needs the privileged
	// message content intent.
	MentionAsking     bool   `yaml:"mention_asking"`
	UserRatePerMinute int    `yaml:"user_rate_per_minute"`
	APIBase           string `yaml:"api_base"`
}

// Store selects where chunk vectors live.
type Store struct {
	// Kind is "chromem" (in process, the default) or "weaviate".
	Kind              string `yaml:"kind"`
	URL               string `yaml:"url"`
	APIKey            string `yaml:"-"` // CITEBOT_WEAVIATE_API_KEY only
	Collection        string `yaml:"collection"`
	ReplicationFactor int    `yaml:"replication_factor"`
	// Shards is the number of shards a new collection is cut into; 0
	// leaves it to Weaviate (one for each node).
	Shards int `yaml:"shards"`
	// Failover lists the other nodes of the cluster, tried in turn when the
	// node at URL cannot be reached.
	Failover []string `yaml:"failover"`
}

// LLM configures generated answers; with no provider answers are extractive.
type LLM struct {
	// Provider is "", "openai" (any OpenAI-compatible server) or "ollama".
	Provider    string        `yaml:"provider"`
	BaseURL     string        `yaml:"base_url"`
	Model       string        `yaml:"model"`
	APIKey      string        `yaml:"-"` // CITEBOT_LLM_API_KEY only
	Temperature float64       `yaml:"temperature"`
	MaxTokens   int           `yaml:"max_tokens"`
	Timeout     time.Duration `yaml:"timeout"`
}

// Embedder selects the embedding model.
type Embedder struct {
	// Provider is "glove" (bundled, the default), "openai" or "ollama".
	Provider string `yaml:"provider"`
	BaseURL  string `yaml:"base_url"`
	Model    string `yaml:"model"`
	APIKey   string `yaml:"-"` // CITEBOT_EMBED_API_KEY only
}

// Default returns the settings used when nothing overrides them.
func Default() Config {
	return Config{
		Corpus: "corpus", K: 5, ChunkSize: 600, ChunkOverlap: 120, SaveEvery: 30 * time.Second, MaxFileBytes: 64 << 20,
		ParseTimeout: 30 * time.Second, ParseMemory: 1 << 30,
		Log: Log{Level: "info", Format: "text"},
		HTTP: HTTP{Addr: "127.0.0.1:8080", RatePerSecond: 5, Burst: 10, MaxQuestion: 1000, Watch: true,
			MaxConnections: 1024, MaxConnectionsPerClient: 64},
		Discord: Discord{
			RequireMention: true, UserRatePerMinute: 5,
		},
		Store:    Store{Kind: "chromem", Collection: "CitebotChunk", ReplicationFactor: 1},
		LLM:      LLM{Temperature: 0, MaxTokens: 512, Timeout: 30 * time.Second},
		Embedder: Embedder{Provider: "glove"},
		History:  History{Retention: 90 * 24 * time.Hour},
	}
}

// Flags are the settings every subcommand accepts on its command line.
type Flags struct {
	Corpus, Data, File string
}

// Register adds the global flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Corpus, "corpus", "", "directory of documents (env CITEBOT_CORPUS; default corpus)")
	fs.StringVar(&f.Data, "data", "", "index directory (env CITEBOT_DATA; default in the user cache dir)")
	fs.StringVar(&f.File, "config", "", "YAML config file (env CITEBOT_CONFIG)")
}

// Load resolves the settings: defaults, then the config file (the --config
// flag or CITEBOT_CONFIG), then the environment, then the flags set on fs.
// A subcommand's own flags (such as serve's --addr) are applied by the
// caller after Load and checked with Validate.
func Load(fs *flag.FlagSet, f Flags, getenv func(string) string) (Config, error) {
	c := Default()
	path := f.File
	if path == "" {
		path = getenv("CITEBOT_CONFIG")
	}
	if path != "" {
		if err := c.loadFile(path); err != nil {
			return c, err
		}
	}
	if err := c.loadEnv(getenv); err != nil {
		return c, err
	}
	c.Log.Level, c.Log.Format = strings.ToLower(c.Log.Level), strings.ToLower(c.Log.Format)
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "corpus":
			c.Corpus = f.Corpus
		case "data":
			c.Data = f.Data
		}
	})
	if c.Data == "" {
		c.Data = defaultDataDir(c.Corpus)
	}
	return c, c.Validate()
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// Validate returns every problem, each naming its setting.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(c.Corpus) == "" {
		bad("corpus: must name a directory")
	}
	if strings.TrimSpace(c.Data) == "" {
		bad("data: must name a directory")
	}
	if c.K < 1 || c.K > 50 {
		bad("k: %d is outside 1..50", c.K)
	}
	if c.ChunkSize < 100 || c.ChunkSize > 20000 {
		bad("chunk_size: %d is outside 100..20000", c.ChunkSize)
	}
	if c.ChunkOverlap < 0 || c.ChunkOverlap >= c.ChunkSize {
		bad("chunk_overlap: %d must be at least 0 and below chunk_size", c.ChunkOverlap)
	}
	if c.SaveEvery <= 0 {
		bad("save_every: %v must be positive", c.SaveEvery)
	}
	if c.MaxFileBytes < 1 {
		bad("max_file_bytes: %d must be at least 1", c.MaxFileBytes)
	}
	if c.ParseTimeout <= 0 {
		bad("parse_timeout: %v must be positive", c.ParseTimeout)
	}
	if c.ParseMemory < minParseMemory {
		bad("parse_memory: %d is below %d (64 MiB)", c.ParseMemory, minParseMemory)
	}
	if !slices.Contains(LogLevels, c.Log.Level) {
		bad("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	if !slices.Contains(LogFormats, c.Log.Format) {
		bad("log.format: %q is not text or json", c.Log.Format)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		bad("http.addr: %q is not host:port", c.HTTP.Addr)
	}
	if c.HTTP.RatePerSecond < 0 || c.HTTP.Burst < 1 {
		bad("http.rate_per_second and http.burst: must be at least 0 and 1 (got %v, %d)", c.HTTP.RatePerSecond, c.HTTP.Burst)
	}
	if c.HTTP.MaxQuestion < 10 {
		bad("http.max_question: %d is below 10", c.HTTP.MaxQuestion)
	}
	for _, h := range c.HTTP.AllowedHosts {
		if _, _, err := net.SplitHostPort(h); err == nil || h == "" || strings.ContainsAny(h, "/ \t") {
			bad("http.allowed_hosts: %q is not a host name (no scheme, port or path)", h)
		}
	}
	if c.HTTP.WatchInterval != 0 && c.HTTP.WatchInterval < minWatchInterval {
		bad("http.watch_interval: %v must be 0 (off) or at least %v", c.HTTP.WatchInterval, minWatchInterval)
	}
	if c.HTTP.MaxConnections < 1 {
		bad("http.max_connections: %d must be at least 1", c.HTTP.MaxConnections)
	}
	if c.HTTP.MaxConnectionsPerClient < 1 || c.HTTP.MaxConnectionsPerClient > c.HTTP.MaxConnections {
		bad("http.max_connections_per_client: %d must be at least 1 and at most http.max_connections (%d)",
			c.HTTP.MaxConnectionsPerClient, c.HTTP.MaxConnections)
	}
	if c.Discord.UserRatePerMinute < 0 {
		bad("discord.user_rate_per_minute: %d must be at least 0 (0: no limit)", c.Discord.UserRatePerMinute)
	}
	if c.Discord.MentionAsking && !c.Discord.RequireMention && len(c.Discord.Channels) == 0 {
		bad("discord.channels: must list channels when mention_asking is on and require_mention is off (every message there is a question)")
	}
	if c.Discord.APIBase != "" && !isHTTPURL(c.Discord.APIBase) {
		bad("discord.api_base: %q is not an http(s) URL", c.Discord.APIBase)
	}
	switch c.Store.Kind {
	case "chromem":
	case "weaviate":
		if !isHTTPURL(c.Store.URL) {
			bad("store.url: %q is not an http(s) URL (needed for store.kind weaviate)", c.Store.URL)
		}
		if c.Store.Collection == "" {
			bad("store.collection: must be set for weaviate")
		}
		for _, f := range c.Store.Failover {
			if !isHTTPURL(f) {
				bad("store.failover: %q is not an http(s) URL", f)
			}
		}
		if c.Store.ReplicationFactor < 1 {
			bad("store.replication_factor: %d must be at least 1", c.Store.ReplicationFactor)
		}
		if c.Store.Shards < 0 {
			bad("store.shards: %d must not be negative", c.Store.Shards)
		}
	default:
		bad("store.kind: %q is not chromem or weaviate", c.Store.Kind)
	}
	// modelServer checks the settings an OpenAI-compatible or Ollama
	// provider needs, in the section named.
	modelServer := func(section, provider, model, baseURL string) {
		if model == "" {
			bad("%s.model: must be set for provider %s", section, provider)
		}
		if baseURL != "" && !isHTTPURL(baseURL) {
			bad("%s.base_url: %q is not an http(s) URL", section, baseURL)
		}
	}
	switch c.LLM.Provider {
	case "":
	case "openai", "ollama":
		modelServer("llm", c.LLM.Provider, c.LLM.Model, c.LLM.BaseURL)
		if c.LLM.Timeout <= 0 {
			bad("llm.timeout: %v must be positive", c.LLM.Timeout)
		}
		if c.LLM.MaxTokens < 1 {
			bad("llm.max_tokens: %d must be at least 1", c.LLM.MaxTokens)
		}
		if c.LLM.Temperature < 0 || c.LLM.Temperature > 2 {
			bad("llm.temperature: %v is outside 0..2", c.LLM.Temperature)
		}
	default:
		bad("llm.provider: %q is not openai or ollama", c.LLM.Provider)
	}
	switch c.Embedder.Provider {
	case "glove":
	case "openai", "ollama":
		modelServer("embedder", c.Embedder.Provider, c.Embedder.Model, c.Embedder.BaseURL)
	default:
		bad("embedder.provider: %q is not glove, openai or ollama", c.Embedder.Provider)
	}
	if c.History.Retention < time.Hour {
		bad("history.retention: %v must be at least an hour", c.History.Retention)
	}
	if c.Database.URL != "" {
		if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			// The URL may hold a password: it is not repeated.
			bad("database.url: is not a postgres:// URL")
		}
	}
	return errors.Join(errs...)
}

// minParseMemory is the least memory a parse child can do anything in.
const minParseMemory = 64 << 20

// minWatchInterval is the shortest periodic re-index: each reads and
// hashes the whole corpus.
const minWatchInterval = time.Second

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// defaultDataDir is a directory in the user's cache named after the corpus'
// absolute path, so that two corpora never share an index.
func defaultDataDir(corpus string) string {
	abs, err := filepath.Abs(corpus)
	if err != nil {
		abs = corpus
	}
	sum := sha256.Sum256([]byte(abs))
	base, err := os.UserCacheDir()
	if err != nil {
		return filepath.Join(".citebot", hex.EncodeToString(sum[:6]))
	}
	return filepath.Join(base, "citebot", filepath.Base(abs)+"-"+hex.EncodeToString(sum[:6]))
}
