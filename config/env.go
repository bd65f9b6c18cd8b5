package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// loadEnv applies the environment variables that are set.
func (c *Config) loadEnv(getenv func(string) string) error {
	var errs []error
	each := func(name string, parse func(string) error) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			if err := parse(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q %v", name, v, err))
			}
		}
	}
	str := func(name string, dst *string) {
		each(name, func(v string) error { *dst = v; return nil })
	}
	list := func(name string, dst *[]string) {
		each(name, func(v string) error { *dst = splitList(v); return nil })
	}
	num := func(name string, dst *int) {
		each(name, func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errors.New("is not a whole number")
			}
			*dst = n
			return nil
		})
	}
	real := func(name string, dst *float64) {
		each(name, func(v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return errors.New("is not a number")
			}
			*dst = f
			return nil
		})
	}
	boolean := func(name string, dst *bool) {
		each(name, func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("is not true or false")
			}
			*dst = b
			return nil
		})
	}
	num64 := func(name string, dst *int64) {
		each(name, func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errors.New("is not a whole number")
			}
			*dst = n
			return nil
		})
	}
	dur := func(name string, dst *time.Duration) {
		each(name, func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return errors.New("is not a duration such as 30s")
			}
			*dst = d
			return nil
		})
	}

	str("CITEBOT_CORPUS", &c.Corpus)
	str("CITEBOT_DATA", &c.Data)
	num("CITEBOT_K", &c.K)
	num("CITEBOT_CHUNK_SIZE", &c.ChunkSize)
	num("CITEBOT_CHUNK_OVERLAP", &c.ChunkOverlap)
	dur("CITEBOT_SAVE_EVERY", &c.SaveEvery)
	num64("CITEBOT_MAX_FILE_BYTES", &c.MaxFileBytes)
	dur("CITEBOT_PARSE_TIMEOUT", &c.ParseTimeout)
	num64("CITEBOT_PARSE_MEMORY", &c.ParseMemory)

	str("CITEBOT_LOG_LEVEL", &c.Log.Level)
	str("CITEBOT_LOG_FORMAT", &c.Log.Format)

	str("CITEBOT_ADDR", &c.HTTP.Addr)
	list("CITEBOT_API_KEYS", &c.HTTP.APIKeys)
	list("CITEBOT_CORS_ORIGINS", &c.HTTP.CORSOrigins)
	if strings.EqualFold(strings.TrimSpace(getenv("CITEBOT_RATE_LIMIT")), "off") {
		c.HTTP.RatePerSecond = 0
	} else {
		real("CITEBOT_RATE_LIMIT", &c.HTTP.RatePerSecond)
	}
	num("CITEBOT_RATE_BURST", &c.HTTP.Burst)
	num("CITEBOT_MAX_QUESTION", &c.HTTP.MaxQuestion)
	boolean("CITEBOT_WATCH", &c.HTTP.Watch)
	dur("CITEBOT_WATCH_INTERVAL", &c.HTTP.WatchInterval)
	list("CITEBOT_ALLOWED_HOSTS", &c.HTTP.AllowedHosts)
	boolean("CITEBOT_ALLOW_OPEN", &c.HTTP.AllowOpen)
	each("CITEBOT_ALLOW_WRITES", func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("is not true or false")
		}
		c.HTTP.AllowWrites = &b
		return nil
	})
	num("CITEBOT_MAX_CONNECTIONS", &c.HTTP.MaxConnections)
	num("CITEBOT_MAX_CONNECTIONS_PER_CLIENT", &c.HTTP.MaxConnectionsPerClient)

	str("DISCORD_TOKEN", &c.Discord.Token)
	str("CITEBOT_DISCORD_GUILD", &c.Discord.GuildID)
	list("CITEBOT_DISCORD_CHANNELS", &c.Discord.Channels)
	boolean("CITEBOT_DISCORD_REQUIRE_MENTION", &c.Discord.RequireMention)
	boolean("CITEBOT_DISCORD_MENTION_ASKING", &c.Discord.MentionAsking)
	num("CITEBOT_DISCORD_USER_RATE", &c.Discord.UserRatePerMinute)
	str("CITEBOT_DISCORD_API_BASE", &c.Discord.APIBase)

	str("CITEBOT_STORE", &c.Store.Kind)
	str("CITEBOT_WEAVIATE_URL", &c.Store.URL)
	str("CITEBOT_WEAVIATE_API_KEY", &c.Store.APIKey)
	str("CITEBOT_WEAVIATE_COLLECTION", &c.Store.Collection)
	num("CITEBOT_WEAVIATE_REPLICATION", &c.Store.ReplicationFactor)
	num("CITEBOT_WEAVIATE_SHARDS", &c.Store.Shards)
	list("CITEBOT_WEAVIATE_FAILOVER", &c.Store.Failover)

	str("CITEBOT_LLM_PROVIDER", &c.LLM.Provider)
	str("CITEBOT_LLM_BASE_URL", &c.LLM.BaseURL)
	str("CITEBOT_LLM_MODEL", &c.LLM.Model)
	str("CITEBOT_LLM_API_KEY", &c.LLM.APIKey)
	real("CITEBOT_LLM_TEMPERATURE", &c.LLM.Temperature)
	num("CITEBOT_LLM_MAX_TOKENS", &c.LLM.MaxTokens)
	dur("CITEBOT_LLM_TIMEOUT", &c.LLM.Timeout)

	str("CITEBOT_EMBEDDER", &c.Embedder.Provider)
	str("CITEBOT_EMBED_BASE_URL", &c.Embedder.BaseURL)
	str("CITEBOT_EMBED_MODEL", &c.Embedder.Model)
	str("CITEBOT_EMBED_API_KEY", &c.Embedder.APIKey)

	each("CITEBOT_HISTORY", func(v string) error {
		off, err := parseOff(v)
		c.History.Off = off
		return err
	})
	each("CITEBOT_HISTORY_RETENTION", func(v string) error {
		d, err := ParseDays(v)
		c.History.Retention = d
		return err
	})
	str("CITEBOT_DATABASE_URL", &c.Database.URL)
	return errors.Join(errs...)
}

// splitList splits a comma-separated value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ParseDays reads a duration that may be in days ("90d") as well as Go's
// units ("2160h").
func ParseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, errors.New("is not a number of days such as 90d")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errors.New("is not a duration such as 90d or 720h")
	}
	return d, nil
}
