package config

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, file string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var f Flags
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if file != "" {
		path := filepath.Join(t.TempDir(), "citebot.yaml")
		if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
		f.File = path
	}
	return Load(fs, f, func(k string) string { return env[k] })
}

func TestPrecedence(t *testing.T) {
	with := func(f func(*Config)) Config {
		c := Default()
		c.Data = "d"
		f(&c)
		return c
	}
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want Config
	}{
		{"defaults", "", nil, nil, with(func(c *Config) {})},
		{"file", "corpus: docs\nk: 8\nsave_every: 5s\nhttp:\n  api_keys: [a, b]\n", nil, nil, with(func(c *Config) {
			c.Corpus, c.K, c.SaveEvery, c.HTTP.APIKeys = "docs", 8, 5*time.Second, []string{"a", "b"}
		})},
		{"env over file", "corpus: docs\nk: 8\n", map[string]string{"CITEBOT_CORPUS": "env", "CITEBOT_K": "9", "CITEBOT_API_KEYS": "x, y,", "DISCORD_TOKEN": "secret"}, nil, with(func(c *Config) {
			c.Corpus, c.K, c.HTTP.APIKeys, c.Discord.Token = "env", 9, []string{"x", "y"}, "secret"
		})},
		{"max_file_bytes", "max_file_bytes: 1000\n", nil, nil, with(func(c *Config) { c.MaxFileBytes = 1000 })},
		{"max_file_bytes env over file", "max_file_bytes: 1000\n", map[string]string{"CITEBOT_MAX_FILE_BYTES": "5000000000"}, nil, with(func(c *Config) { c.MaxFileBytes = 5000000000 })},
		{"http hardening", "http:\n  allowed_hosts: [citebot.example.com]\n  max_connections: 100\n", map[string]string{"CITEBOT_ALLOW_OPEN": "true", "CITEBOT_MAX_CONNECTIONS_PER_CLIENT": "8"}, nil, with(func(c *Config) {
			c.HTTP.AllowedHosts, c.HTTP.AllowOpen, c.HTTP.MaxConnections, c.HTTP.MaxConnectionsPerClient = []string{"citebot.example.com"}, true, 100, 8
		})},
		{"allow_writes file", "http:\n  allow_writes: false\n", nil, nil, with(func(c *Config) { c.HTTP.AllowWrites = new(false) })},
		{"allow_writes env over file", "http:\n  allow_writes: false\n", map[string]string{"CITEBOT_ALLOW_WRITES": "true"}, nil, with(func(c *Config) { c.HTTP.AllowWrites = new(true) })},
		{"allowed hosts env over file", "http:\n  allowed_hosts: [a.example]\n", map[string]string{"CITEBOT_ALLOWED_HOSTS": "b.example, .c.example"}, nil, with(func(c *Config) {
			c.HTTP.AllowedHosts = []string{"b.example", ".c.example"}
		})},
		{"parse budget", "parse_timeout: 5s\nparse_memory: 100000000\n", map[string]string{"CITEBOT_PARSE_MEMORY": "2147483648"}, nil, with(func(c *Config) {
			c.ParseTimeout, c.ParseMemory = 5*time.Second, 2<<30
		})},
		{"log", "log:\n  level: debug\n  format: json\n", nil, nil, with(func(c *Config) { c.Log = Log{Level: "debug", Format: "json"} })},
		{"log env over file", "log:\n  level: debug\n  format: json\n", map[string]string{"CITEBOT_LOG_LEVEL": "WARN", "CITEBOT_LOG_FORMAT": "Text"}, nil, with(func(c *Config) {
			c.Log = Log{Level: "warn", Format: "text"}
		})},
		{"watch_interval", "http:\n  watch_interval: 2m\n", nil, nil, with(func(c *Config) { c.HTTP.WatchInterval = 2 * time.Minute })},
		{"watch_interval env over file", "http:\n  watch_interval: 2m\n  watch: false\n", map[string]string{"CITEBOT_WATCH_INTERVAL": "30s"}, nil, with(func(c *Config) {
			c.HTTP.WatchInterval, c.HTTP.Watch = 30*time.Second, false
		})},
		{"watch_interval off", "http:\n  watch_interval: 2m\n", map[string]string{"CITEBOT_WATCH_INTERVAL": "0s"}, nil, with(func(c *Config) {})},
		{"flag over env", "corpus: docs\n", map[string]string{"CITEBOT_CORPUS": "env"}, []string{"--corpus", "flag"}, with(func(c *Config) { c.Corpus = "flag" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"CITEBOT_DATA": "d"}
			for k, v := range tt.env {
				env[k] = v
			}
			got, err := load(t, tt.file, env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDefaultDataDirDependsOnCorpus(t *testing.T) {
	a, err := load(t, "", map[string]string{"CITEBOT_CORPUS": "one"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := load(t, "", map[string]string{"CITEBOT_CORPUS": "two"})
	if a.Data == "" || a.Data == b.Data {
		t.Errorf("data dirs %q and %q, want distinct per corpus", a.Data, b.Data)
	}
}

// Validate reports every problem, each naming its setting.
func TestValidateNamesEverySetting(t *testing.T) {
	_, err := load(t, "corpus: ' '\nk: 0\nchunk_size: 50\nchunk_overlap: 60\nsave_every: -1s\n", map[string]string{"CITEBOT_DATA": "d"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"corpus:", "k: 0", "chunk_size: 50", "chunk_overlap: 60", "save_every"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestBadValues(t *testing.T) {
	for _, tt := range []struct {
		file string
		env  map[string]string
		want string
	}{
		{"k: many\n", nil, "config file"},
		{"unknown_key: 1\n", nil, "unknown_key"},
		{"", map[string]string{"CITEBOT_CHUNK_SIZE": "big"}, "CITEBOT_CHUNK_SIZE"},
		{"", map[string]string{"CITEBOT_SAVE_EVERY": "often"}, "CITEBOT_SAVE_EVERY"},
		{"", map[string]string{"CITEBOT_MAX_FILE_BYTES": "64MiB"}, "CITEBOT_MAX_FILE_BYTES"},
		{"max_file_bytes: 0\n", nil, "max_file_bytes: 0"},
		{"parse_timeout: 0s\n", nil, "parse_timeout: 0s"},
		{"", map[string]string{"CITEBOT_PARSE_TIMEOUT": "soon"}, "CITEBOT_PARSE_TIMEOUT"},
		{"parse_memory: 1000\n", nil, "parse_memory: 1000"},
		{"", map[string]string{"CITEBOT_PARSE_MEMORY": "1GiB"}, "CITEBOT_PARSE_MEMORY"},
		{"", map[string]string{"CITEBOT_ALLOW_OPEN": "yes please"}, "CITEBOT_ALLOW_OPEN"},
		{"http:\n  allowed_hosts: [\"https://citebot.example.com/\"]\n", nil, "http.allowed_hosts"},
		{"", map[string]string{"CITEBOT_ALLOWED_HOSTS": "citebot.example.com:443"}, "http.allowed_hosts"},
		{"http:\n  max_connections: 0\n", nil, "http.max_connections: 0"},
		{"http:\n  max_connections: 10\n  max_connections_per_client: 11\n", nil, "http.max_connections_per_client: 11"},
		{"", map[string]string{"CITEBOT_MAX_CONNECTIONS_PER_CLIENT": "0"}, "http.max_connections_per_client: 0"},
		{"log:\n  level: verbose\n", nil, `log.level: "verbose" is not debug, info, warn or error`},
		{"", map[string]string{"CITEBOT_LOG_LEVEL": "warning"}, `log.level: "warning"`},
		{"log:\n  format: xml\n", nil, `log.format: "xml" is not text or json`},
		{"", map[string]string{"CITEBOT_LOG_FORMAT": "logfmt"}, `log.format: "logfmt"`},
		{"http:\n  watch_interval: 100ms\n", nil, "http.watch_interval: 100ms must be 0 (off) or at least 1s"},
		{"http:\n  watch_interval: -1m\n", nil, "http.watch_interval: -1m0s"},
		{"", map[string]string{"CITEBOT_WATCH_INTERVAL": "often"}, "CITEBOT_WATCH_INTERVAL"},
		{"store:\n  kind: weaviate\n  url: http://weaviate:8080\n  shards: -1\n", nil, "store.shards: -1"},
		{"", map[string]string{"CITEBOT_STORE": "weaviate", "CITEBOT_WEAVIATE_URL": "http://weaviate:8080", "CITEBOT_WEAVIATE_SHARDS": "some"}, "CITEBOT_WEAVIATE_SHARDS"},
	} {
		_, err := load(t, tt.file, tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("file %q env %v: error %v, want one naming %q", tt.file, tt.env, err, tt.want)
		}
	}
	if _, err := load(t, "", map[string]string{"CITEBOT_CONFIG": "/nonexistent.yaml"}); err == nil {
		t.Error("missing config file accepted")
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	got, err := load(t, "# nothing\n", map[string]string{"CITEBOT_DATA": "d"})
	if err != nil || got.K != 5 {
		t.Errorf("empty file: %+v, %v", got, err)
	}
}

func TestSecretsNotInFile(t *testing.T) {
	for _, key := range []string{"token", "api_key"} {
		_, err := load(t, "discord:\n  "+key+": x\n", map[string]string{"CITEBOT_DATA": "d"})
		if err == nil {
			t.Errorf("discord.%s accepted from the file; secrets come only from the environment", key)
		}
	}
}

func TestValidateSections(t *testing.T) {
	_, err := load(t, "store:\n  kind: weaviate\n  url: nope\nllm:\n  provider: openai\nembedder:\n  provider: word2vec\nhttp:\n  addr: nohost\n", map[string]string{"CITEBOT_DATA": "d"})
	for _, want := range []string{"store.url", "llm.model", "embedder.provider", "http.addr"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// The history is on with 90 days' retention by default; "history: off"
// (or CITEBOT_HISTORY=off) keeps nothing; retention takes days.
func TestHistorySettings(t *testing.T) {
	for _, tt := range []struct {
		name      string
		file      string
		env       map[string]string
		off       bool
		retention time.Duration
		database  string
		err       string
	}{
		{name: "default", retention: 90 * 24 * time.Hour},
		{name: "off in file", file: "history: off\n", off: true, retention: 90 * 24 * time.Hour},
		{name: "retention in days", file: "history:\n  retention: 30d\n", retention: 30 * 24 * time.Hour},
		{name: "retention in hours", file: "history:\n  retention: 48h\n", retention: 48 * time.Hour},
		{name: "env", env: map[string]string{"CITEBOT_HISTORY": "off", "CITEBOT_HISTORY_RETENTION": "7d"}, off: true, retention: 7 * 24 * time.Hour},
		{name: "env on over file off", file: "history: off\n", env: map[string]string{"CITEBOT_HISTORY": "on"}, retention: 90 * 24 * time.Hour},
		{name: "postgres", env: map[string]string{"CITEBOT_DATABASE_URL": "postgres://u:secret@db:5432/citebot"}, retention: 90 * 24 * time.Hour,
			database: "postgres://u:secret@db:5432/citebot"},
		{name: "bad switch", file: "history: maybe\n", err: "history"},
		{name: "bad retention", env: map[string]string{"CITEBOT_HISTORY_RETENTION": "soon"}, err: "CITEBOT_HISTORY_RETENTION"},
		{name: "short retention", file: "history:\n  retention: 10m\n", err: "history.retention"},
		{name: "not postgres", env: map[string]string{"CITEBOT_DATABASE_URL": "mysql://u:secret@db/citebot"}, err: "database.url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.file, tt.env)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one naming %s", err, tt.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q repeats the database password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.History.Off != tt.off || c.History.Retention != tt.retention || c.Database.URL != tt.database {
				t.Errorf("history %+v database %q, want off %v retention %v database %q", c.History, c.Database.URL, tt.off, tt.retention, tt.database)
			}
		})
	}
}
