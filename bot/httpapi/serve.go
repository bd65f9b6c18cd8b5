package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server timeouts. WriteTimeout bounds a whole answer; POST /v1/reindex
// lifts it for itself, since a large corpus takes longer. IdleTimeout is
// short because an idle keep-alive connection holds a place under the
// connection caps (though a new connection may displace it).
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 30 * time.Second
	// ShutdownTimeout is how long in-flight requests may take to finish
	// once Serve's context ends.
	ShutdownTimeout = 30 * time.Second
)

// maxHeaderBytes bounds a request's header; a longer one is refused with
// 431.
const maxHeaderBytes = 64 << 10

// ServeOptions configure Serve. The zero value is usable.
type ServeOptions struct {
	// Logger (nil: discard) receives the start and stop lines and the
	// server's own errors.
	Logger *slog.Logger
	// Ready, when not nil, is called with the bound address once the
	// server accepts connections.
	Ready func(net.Addr)
	// MaxConnections and MaxConnectionsPerClient cap the open connections
	// in total and per client address (an IPv6 /64); 0 means
	// DefaultMaxConnections and DefaultMaxConnectionsPerClient.
	MaxConnections          int
	MaxConnectionsPerClient int
	// ReadHeaderTimeout, ReadTimeout and IdleTimeout override the
	// package's timeouts of the same names when not 0.
	ReadHeaderTimeout, ReadTimeout, IdleTimeout time.Duration
}

// Serve listens on addr ("host:port"; port 0 picks a free one) and serves
// h until ctx ends, then stops accepting connections, lets in-flight
// requests finish for up to ShutdownTimeout and returns nil. Connections
// are capped as o says; errors net/http answers by itself (a header over
// 64 KiB, a malformed or timed-out request line) are JSON like the
// handler's.
func Serve(ctx context.Context, addr string, h http.Handler, o ServeOptions) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	total, perClient := o.MaxConnections, o.MaxConnectionsPerClient
	if total == 0 {
		total = DefaultMaxConnections
	}
	if perClient == 0 {
		perClient = min(DefaultMaxConnectionsPerClient, total)
	}
	if total < 1 || perClient < 1 {
		return fmt.Errorf("serve: connection caps %d and %d per client must be positive", total, perClient)
	}
	or := func(d, def time.Duration) time.Duration {
		if d == 0 {
			return def
		}
		return d
	}
	tcp, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	ln := newListener(tcp, total, perClient, log)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: or(o.ReadHeaderTimeout, ReadHeaderTimeout),
		ReadTimeout:       or(o.ReadTimeout, ReadTimeout),
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       or(o.IdleTimeout, IdleTimeout),
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         ln.connState,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "url", pageURL(ln.Addr()), "max_connections", total, "max_connections_per_client", perClient)
	if o.Ready != nil {
		o.Ready(ln.Addr())
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	log.Info("shutting down; finishing in-flight requests", "timeout", ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	log.Info("stopped")
	return nil
}

// pageURL is the URL of the page served on addr, for a person to open
// from the log: a server that listens on every interface (0.0.0.0, [::])
// is reached over loopback.
func pageURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
