package httpapi_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/citebot/citebot/bot/httpapi"
	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/fswatch"
)

// openIndex stands for cmd/citebot's open: the index built from its
// adapters, its snapshot loaded.
func openIndex() *rag.Index { return nil }

// Serving an index: ready once the first Sync is done, re-synced when the
// corpus changes (answering from the current index meanwhile) and on POST
// /v1/reindex, and shut down gracefully on SIGINT or SIGTERM.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	const corpus = "corpus"
	idx := openIndex()

	var ready atomic.Bool
	h, err := httpapi.New(idx, httpapi.Options{
		Logger:  log,
		Ready:   ready.Load,
		Reindex: func(ctx context.Context) (rag.SyncReport, error) { return idx.Sync(ctx, corpus, nil) },
		APIKeys: nil, // from CITEBOT_API_KEYS
		// Without API keys only loopback names and this address's host are
		// answered for (against DNS rebinding); AllowedHosts adds others.
		ListenAddr: "127.0.0.1:8080",
	})
	if err != nil {
		log.Error("serve", "error", err)
		return
	}
	resync := func(ctx context.Context) {
		rep, err := idx.Sync(ctx, corpus, nil)
		if rep.Changed() || err != nil { // a failed Sync may have done part of its work
			h.Invalidate()
		}
		if err != nil {
			log.Error("sync", "error", err)
			return
		}
		log.Info("sync", "added", rep.Added, "updated", rep.Updated, "removed", rep.Removed, "skipped", len(rep.Skipped))
	}
	// Watch from before the first Sync, so that no change is missed.
	go func() {
		if err := fswatch.Watch(ctx, corpus, time.Second, resync); err != nil {
			log.Error("watch", "error", err)
		}
	}()
	go func() {
		resync(ctx)
		ready.Store(true)
	}()
	err = httpapi.Serve(ctx, "127.0.0.1:8080", h, httpapi.ServeOptions{Logger: log, Ready: func(a net.Addr) {
		log.Info("serving", "url", "http://"+a.String()+"/")
	}})
	if err != nil {
		log.Error("serve", "error", err)
	}
}
