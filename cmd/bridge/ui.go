package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/bridge-project/bridge/metrics"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream"
	"github.com/bridge-project/bridge/web"
)

// addUIFlags adds the live view's flags. def is --ui's default: "" (off) for stream,
// web.DefaultAddr for demo, which also gets --no-ui.
func addUIFlags(f *pflag.FlagSet, def string) {
	usage := "serve the live web view of who talks to whom on this host:port (port 0: any free port); off when empty"
	if def != "" {
		usage = "serve the live web view on this host:port (a busy default port falls back to a free one); off when empty"
		f.Bool("no-ui", false, "do not serve the live web view (same as --ui '')")
	}
	f.String("ui", def, usage)
	f.String("ui-token-file", "", "with --ui: a file holding the bearer token the view asks for; required off loopback")
	f.String("ui-tls-cert", "", "with --ui: serve HTTPS with this PEM certificate (and --ui-tls-key)")
	f.String("ui-tls-key", "", "with --ui: the PEM private key of --ui-tls-cert")
}

// uiOpts are the resolved view flags; cfg.Addr is "" when the view is off.
type uiOpts struct {
	cfg web.Config
	// fallback: the address is demo's default, so a busy port moves to a free one instead
	// of failing the demo.
	fallback bool
}

func (o uiOpts) on() bool { return o.cfg.Addr != "" }

// readUIOpts reads the view flags (demo: with --no-ui); every mistake is a usage error.
func readUIOpts(s *settings, demo bool) (uiOpts, error) {
	o := uiOpts{cfg: web.Config{
		Addr: s.String("ui"), TokenFile: s.String("ui-token-file"),
		TLSCert: s.String("ui-tls-cert"), TLSKey: s.String("ui-tls-key"),
	}}
	if demo {
		if s.Bool("no-ui") {
			o.cfg.Addr = ""
		}
		o.fallback = o.cfg.Addr == web.DefaultAddr
	}
	if err := s.Err(); err != nil {
		return o, err
	}
	if !o.on() {
		if o.cfg.TokenFile != "" || o.cfg.TLSCert != "" || o.cfg.TLSKey != "" {
			return o, usageError{errors.New("--ui-token-file, --ui-tls-cert and --ui-tls-key need --ui HOST:PORT")}
		}
		return o, nil
	}
	switch err := o.cfg.Validate(); {
	case errors.Is(err, web.ErrTokenRequired):
		return o, usageError{fmt.Errorf("--ui %s is not a loopback address: add --ui-token-file FILE "+
			"(who talks to whom is sensitive), or bind 127.0.0.1", o.cfg.Addr)}
	case errors.Is(err, web.ErrTLSPair):
		return o, usageError{errors.New("--ui-tls-cert and --ui-tls-key must be given together")}
	case err != nil:
		return o, usageError{fmt.Errorf("invalid value for --ui: %w", err)}
	}
	return o, nil
}

// observe makes sure the stream reports its lag when the view is on; obs is the observer
// the other watchers asked for, nil when none did.
func (o uiOpts) observe(cfg *stream.Config, obs *metrics.StreamBatches) *metrics.StreamBatches {
	if !o.on() || obs != nil {
		return obs
	}
	obs = metrics.NewStreamBatches()
	cfg.BatchObserver = obs
	return obs
}

// serve starts the view under w and returns it with its URL, nil when the view is off. The
// listener is opened here, so a busy port fails the command before it runs.
func (o uiOpts) serve(w *watchers) (*web.Server, string, error) {
	if !o.on() {
		return nil, "", nil
	}
	srv, err := web.New(o.cfg, w.log)
	if err != nil {
		return nil, "", err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(w.ctx, "tcp", o.cfg.Addr)
	if err != nil && o.fallback && errors.Is(err, syscall.EADDRINUSE) {
		host, _, _ := net.SplitHostPort(o.cfg.Addr)
		ln, err = lc.Listen(w.ctx, "tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return nil, "", fmt.Errorf("live view: %w", err)
	}
	w.goRun("live view", func(ctx context.Context) error { return srv.Serve(ctx, ln) })
	return srv, o.url(ln.Addr()), nil
}

// url is where the view of ln is (the token is never part of it: it would end in logs).
func (o uiOpts) url(addr net.Addr) string {
	scheme := "http"
	if o.cfg.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + addr.String() + "/"
}

// serveStream starts the view of a stream and returns the sinks with the view's Feed added.
func (o uiOpts) serveStream(w *watchers, cfg stream.Config, st *stream.Stream, obs *metrics.StreamBatches,
	sinks []sink.Sink) ([]sink.Sink, error) {
	srv, url, err := o.serve(w)
	if srv == nil || err != nil {
		return sinks, err
	}
	fc := web.FeedConfig{Interval: cfg.Interval, Key: cfg.Key, By: cfg.By, Lag: obs.Lag,
		Skipped: func() int64 { return st.Stats().Skipped() }}
	if cfg.Top > 0 {
		// The stream's --top answer is what the view shows; --window defaults to one interval.
		fc.Top, fc.Window = cfg.Top, max(cfg.Window, cfg.Interval)
	}
	feed, err := web.NewFeed(srv, fc)
	if err != nil {
		return sinks, err
	}
	w.goRun("live view feed", feed.Run)
	w.log.Info("serving the live view", "url", url)
	return append(sinks, feed), nil
}

// serveDemoUI starts the demo's view and prints its URL before anything else: to stderr,
// so stdout stays the Spark-style batches byte for byte (`bridge demo >out` still diffs
// against Spark's output) while a terminal shows the URL first.
func serveDemoUI(a *app, w *watchers, o uiOpts) (*web.Server, error) {
	srv, url, err := o.serve(w)
	if srv == nil || err != nil {
		return nil, err
	}
	busy := ""
	if o.fallback && !strings.HasSuffix(url, "://"+o.cfg.Addr+"/") {
		busy = " (" + o.cfg.Addr + " is busy)"
	}
	fmt.Fprintf(a.stderr, "bridge demo: live view at %s%s\n", url, busy)
	return srv, nil
}
