// Package metrics exposes what bridge's source and stream do to Prometheus, and the
// source's state as Kafka Connect's REST API reports a connector's. Collectors read the
// counters the components keep anyway, so a scrape costs nothing in between; the few
// histograms and the consumer lag come from hooks that are off unless metrics are on.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric bridge defines.
const namespace = "bridge"

// shutdownTimeout bounds how long Serve waits for scrapes in progress when it stops.
const shutdownTimeout = 5 * time.Second

// NewRegistry returns a registry of its own (never the global default one) holding the Go
// runtime and process collectors; the caller adds bridge's.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// NewMux returns a mux serving reg at GET /metrics.
func NewMux(reg *prometheus.Registry, log *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		Registry:      reg, // counts the handler's own errors
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return mux
}

// Serve serves h on ln until ctx is done, then lets scrapes in progress finish for a
// moment and returns nil; it returns another error only when serving failed.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve metrics: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve metrics: %w", err)
	}
	return nil
}
