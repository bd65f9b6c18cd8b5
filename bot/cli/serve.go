package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/bot/httpapi"
	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/fswatch"
)

// serveFlags are serve's own flags, applied over the configuration.
type serveFlags struct {
	addr string
}

// serve runs the HTTP API and page, the Discord bot when DISCORD_TOKEN is
// set, and a watcher that re-indexes the corpus when its files change.
func serve(ctx context.Context, env Env, o *opts) error {
	cfg := o.cfg
	if o.serve.addr != "" {
		cfg.HTTP.Addr = o.serve.addr
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return runFrontEnds(ctx, env, cfg, true)
}

// discordOnly runs the Discord bot without the HTTP server.
func discordOnly(ctx context.Context, env Env, o *opts) error {
	if o.cfg.Discord.Token == "" {
		return errors.New("discord: DISCORD_TOKEN is not set")
	}
	return runFrontEnds(ctx, env, o.cfg, false)
}

func runFrontEnds(ctx context.Context, env Env, cfg config.Config, withHTTP bool) error {
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	warn := func(msg string) { log.Warn(msg) }
	idx, err := env.Open(ctx, cfg, warn)
	if err != nil {
		return err
	}
	var ready atomic.Bool
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var handler *httpapi.Handler
	reindex := func(ctx context.Context) (rag.SyncReport, error) {
		start := time.Now()
		rep, err := idx.Sync(ctx, cfg.Corpus, nil)
		if err != nil {
			return rep, err
		}
		for _, s := range rep.Skipped {
			log.Warn("skipped file", "source", s.Source, "reason", s.Reason)
		}
		if rep.Changed() {
			log.Info("re-indexed", "added", rep.Added, "updated", rep.Updated, "removed", rep.Removed,
				"documents", rep.Documents, "chunks", rep.Chunks, "took", time.Since(start).Round(time.Millisecond))
			if handler != nil {
				handler.Invalidate()
			}
		}
		return rep, nil
	}

	g, ctx := errgroup.WithContext(ctx)
	if withHTTP {
		if len(cfg.HTTP.APIKeys) == 0 {
			if host, _, _ := net.SplitHostPort(cfg.HTTP.Addr); !isLoopback(host) {
				log.Warn("no API keys are set but the server listens beyond loopback; anyone who can reach it can query and re-index", "addr", cfg.HTTP.Addr)
			} else {
				log.Info("no API keys are set: listening on loopback only", "addr", cfg.HTTP.Addr)
			}
		}
		handler, err = httpapi.New(idx, httpapi.Options{
			Logger:            log,
			Registry:          reg,
			Ready:             ready.Load,
			Reindex:           reindex,
			APIKeys:           cfg.HTTP.APIKeys,
			CORSOrigins:       cfg.HTTP.CORSOrigins,
			RateLimit:         rateLimit(cfg.HTTP.RatePerSecond),
			RateBurst:         cfg.HTTP.Burst,
			MaxQuestionLength: cfg.HTTP.MaxQuestion,
			DefaultK:          cfg.K,
		})
		if err != nil {
			return err
		}
		g.Go(func() error { return httpapi.Serve(ctx, cfg.HTTP.Addr, handler, log, env.listening) })
	}

	// Answer from the snapshot at once; bring the index up to date, then
	// report ready. The watcher starts first so that no change is missed;
	// Syncs never overlap.
	g.Go(func() error {
		if _, err := reindex(ctx); err != nil {
			return fmt.Errorf("index %s: %w", cfg.Corpus, err)
		}
		ready.Store(true)
		docs, chunks := idx.Size()
		log.Info("index ready", "documents", docs, "chunks", chunks)
		return nil
	})
	if cfg.HTTP.Watch {
		g.Go(func() error {
			err := fswatch.Watch(ctx, cfg.Corpus, fswatch.DefaultDebounce, func(ctx context.Context) {
				if _, err := reindex(ctx); err != nil && ctx.Err() == nil {
					log.Error("re-index failed", "err", err)
				}
			})
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("watch %s: %w", cfg.Corpus, err)
			}
			return nil
		})
	}

	if cfg.Discord.Token != "" {
		bot, err := discord.New(idx, discord.Options{
			Token:             cfg.Discord.Token,
			GuildID:           cfg.Discord.GuildID,
			Channels:          cfg.Discord.Channels,
			MentionAsking:     cfg.Discord.MentionAsking,
			RequireMention:    cfg.Discord.RequireMention,
			UserRatePerMinute: cfg.Discord.UserRatePerMinute,
			APIBase:           cfg.Discord.APIBase,
			K:                 cfg.K,
			Logger:            log,
			Registerer:        reg,
		})
		if err != nil {
			return err
		}
		g.Go(func() error { return bot.Run(ctx) })
	}
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rateLimit maps the configured rate to the limiter's: 0 is no limit.
func rateLimit(perSecond float64) rate.Limit {
	if perSecond == 0 {
		return rate.Inf
	}
	return rate.Limit(perSecond)
}
