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
	if err := checkOpen(cfg.HTTP); err != nil {
		return err
	}
	return runFrontEnds(ctx, frontEndLogger(env, o), env, cfg, true)
}

// checkOpen refuses to serve beyond loopback without API keys, where
// anyone who can reach the server could query and re-index it, unless
// http.allow_open says that is meant.
func checkOpen(c config.HTTP) error {
	host, _, _ := net.SplitHostPort(c.Addr)
	if len(c.APIKeys) > 0 || c.AllowOpen || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("serve: http.addr %s listens beyond loopback and no API keys are set, so anyone who can reach it could query and re-index; "+
		"set API keys (CITEBOT_API_KEYS or http.api_keys), or allow an open server with CITEBOT_ALLOW_OPEN=true (http.allow_open: true)", c.Addr)
}

// writesAllowed reports whether clients may add and remove documents:
// http.allow_writes when it is set, else whether serve listens on loopback
// only.
func writesAllowed(c config.HTTP) bool {
	if c.AllowWrites != nil {
		return *c.AllowWrites
	}
	host, _, _ := net.SplitHostPort(c.Addr)
	return isLoopback(host)
}

// discordOnly runs the Discord bot without the HTTP server.
func discordOnly(ctx context.Context, env Env, o *opts) error {
	if o.cfg.Discord.Token == "" {
		return errors.New("discord: DISCORD_TOKEN is not set")
	}
	return runFrontEnds(ctx, frontEndLogger(env, o), env, o.cfg, false)
}

func runFrontEnds(ctx context.Context, log *slog.Logger, env Env, cfg config.Config, withHTTP bool) error {
	warn := func(msg string) { log.Warn(msg) }
	idx, err := env.Open(ctx, cfg, warn)
	if err != nil {
		return err
	}
	var ready atomic.Bool
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var handler *httpapi.Handler
	saves := newSaveRetry(idx, cfg.Corpus, log)
	// syncIndex brings the index up to date, reporting progress to progress
	// when it is not nil.
	syncIndex := func(ctx context.Context, progress func(rag.Progress)) (rag.SyncReport, error) {
		start := time.Now()
		rep, err := idx.Sync(ctx, cfg.Corpus, progress)
		if errors.Is(err, rag.ErrNotSaved) {
			// The index in memory is up to date and answers; only the
			// snapshot lags, and is saved again with backoff.
			log.Warn("snapshot not saved; answering from the index in memory and retrying", "err", err, "retry_in", saveRetryFirst)
			saves.failed()
			err = nil
		}
		if err != nil {
			return rep, err
		}
		for _, s := range rep.Skipped {
			if !s.Repeated { // once per change, not at every re-index
				log.Warn("skipped file", "source", s.Source, "reason", s.Reason)
			}
		}
		if rep.Changed() {
			log.Info("re-indexed", "added", rep.Added, "updated", rep.Updated, "removed", rep.Removed,
				"documents", rep.Documents, "chunks", rep.Chunks, "took", time.Since(start).Round(time.Millisecond),
				"files", changedFiles(rep.ChangedSources))
			if handler != nil {
				handler.Invalidate()
			}
		}
		return rep, nil
	}
	reindex := func(ctx context.Context) (rag.SyncReport, error) { return syncIndex(ctx, nil) }
	corpus := absPath(cfg.Corpus)

	hist, err := serveHistory(ctx, env, cfg, log)
	if err != nil {
		return err
	}
	if hist != nil {
		defer hist.Close()
	}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { saves.run(ctx); return nil })
	if hist != nil {
		g.Go(func() error { prune(ctx, hist, cfg.History.Retention, log); return nil })
	}
	if withHTTP {
		if len(cfg.HTTP.APIKeys) == 0 {
			if host, _, _ := net.SplitHostPort(cfg.HTTP.Addr); !isLoopback(host) {
				log.Warn("no API keys are set and http.allow_open is on: anyone who can reach the server can query and re-index", "addr", cfg.HTTP.Addr)
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
			AllowedHosts:      cfg.HTTP.AllowedHosts,
			ListenAddr:        cfg.HTTP.Addr,
			RateLimit:         rateLimit(cfg.HTTP.RatePerSecond),
			RateBurst:         cfg.HTTP.Burst,
			MaxQuestionLength: cfg.HTTP.MaxQuestion,
			DefaultK:          cfg.K,
			AllowWrites:       writesAllowed(cfg.HTTP),
			Corpus:            cfg.Corpus,
			Supports:          env.Supports,
			MaxFileBytes:      cfg.MaxFileBytes,
			History:           hist, // a nil cli.History converts to a nil httpapi history
		})
		if err != nil {
			return err
		}
		g.Go(func() error {
			return httpapi.Serve(ctx, cfg.HTTP.Addr, handler, httpapi.ServeOptions{
				Logger:                  log,
				Ready:                   env.listening,
				MaxConnections:          cfg.HTTP.MaxConnections,
				MaxConnectionsPerClient: cfg.HTTP.MaxConnectionsPerClient,
			})
		})
	}

	// Answer from the snapshot at once; bring the index up to date, then
	// report ready. The watcher starts first so that no change is missed;
	// Syncs never overlap.
	g.Go(func() error {
		if _, err := syncIndex(ctx, newProgressLog(log, corpus, time.Now).report); err != nil {
			return fmt.Errorf("index %s: %w", cfg.Corpus, err)
		}
		ready.Store(true)
		docs, chunks := idx.Size()
		log.Info("index ready", "documents", docs, "chunks", chunks, "corpus", corpus)
		return nil
	})
	if cfg.HTTP.WatchInterval > 0 {
		// A fallback for corpora whose changes send no events (bind
		// mounts under Docker Desktop): re-index every interval. A
		// re-index that finds nothing changed logs nothing.
		g.Go(func() error {
			tick := time.NewTicker(cfg.HTTP.WatchInterval)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-tick.C:
				}
				if _, err := reindex(ctx); err != nil && ctx.Err() == nil {
					log.Error("periodic re-index failed", "err", err, "every", cfg.HTTP.WatchInterval)
				}
			}
		})
	}
	if cfg.HTTP.Watch {
		g.Go(func() error {
			// fswatch follows a corpus directory that is replaced; should
			// the watch fail all the same, the server goes on answering
			// and watches again, re-indexing what it may have missed.
			onChange := func(ctx context.Context) {
				if _, err := reindex(ctx); err != nil && ctx.Err() == nil {
					log.Error("re-index failed", "err", err)
				}
			}
			for wait := time.Second; ; wait = min(2*wait, time.Minute) {
				err := fswatch.Watch(ctx, cfg.Corpus, fswatch.DefaultDebounce, onChange)
				if ctx.Err() != nil {
					return nil
				}
				log.Warn("watching the corpus failed; watching again", "corpus", cfg.Corpus, "err", err, "retry_in", wait)
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(wait):
				}
				onChange(ctx)
			}
		})
	}

	if cfg.Discord.Token != "" {
		bot, err := discord.New(idx, discord.Options{
			History:           hist, // a nil cli.History converts to a nil discord.History
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
	if handler != nil {
		// The turns still queued are written before the history closes
		// (deferred above).
		handler.Close()
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// serveHistory opens the history serve keeps conversations and feedback
// in, or returns nil when it is off (conversations then live in memory and
// votes are only counted).
func serveHistory(ctx context.Context, env Env, cfg config.Config, log *slog.Logger) (History, error) {
	h, err := openHistory(ctx, env, cfg)
	if err == nil && h == nil {
		log.Info("history off: conversations are kept in memory, votes only counted")
	}
	return h, err
}

// pruneEvery is how often the history is pruned of what is past its
// retention.
const pruneEvery = time.Hour

// prune deletes, at start and every pruneEvery until ctx ends, the turns
// and feedback older than retention.
func prune(ctx context.Context, h History, retention time.Duration, log *slog.Logger) {
	for {
		n, err := h.Prune(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("pruning the history failed; trying again later", "err", err, "retry_in", pruneEvery)
		case n > 0:
			log.Info("history pruned", "turns", n, "older_than", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pruneEvery):
		}
	}
}

// saveRetryFirst and saveRetryMax bound the wait before saving again
// after a failed save; it doubles after each failure.
const (
	saveRetryFirst = time.Second
	saveRetryMax   = 5 * time.Minute
)

// saveRetry saves the snapshot again, with backoff, after a save failed,
// until one succeeds, saying so in the log.
type saveRetry struct {
	save func() error
	log  *slog.Logger
	kick chan struct{}
}

// newSaveRetry saves with idx's Save when it has one, else with a Sync of
// corpus (which saves what the last save missed).
func newSaveRetry(idx Index, corpus string, log *slog.Logger) *saveRetry {
	save := func() error { _, err := idx.Sync(context.Background(), corpus, nil); return err }
	if s, ok := idx.(interface{ Save() error }); ok {
		save = s.Save
	}
	return &saveRetry{save: save, log: log, kick: make(chan struct{}, 1)}
}

// failed reports a failed save; run retries it.
func (r *saveRetry) failed() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// run retries failed saves until ctx ends.
func (r *saveRetry) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		}
		for wait := saveRetryFirst; ; {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			err := r.save()
			if err == nil {
				r.log.Info("snapshot saved after an earlier failure")
				break
			}
			wait = min(2*wait, saveRetryMax)
			r.log.Warn("snapshot still not saved; answering from the index in memory", "err", err, "retry_in", wait)
		}
	}
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
