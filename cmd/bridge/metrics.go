package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/metrics"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream"
)

// addObserveFlags adds the flags that watch a long-running command: metrics, progress and,
// for the source, how long a failure stays visible.
func addObserveFlags(f *pflag.FlagSet, source bool) {
	what := "Prometheus /metrics"
	if source {
		what += " and Kafka Connect-style status (GET /connectors, /connectors/NAME/status)"
	}
	f.String("metrics-addr", "", "serve "+what+" on this host:port (port 0: any free port); off when empty")
	f.String("progress", "auto", "while far behind: bar (with percent, rate and ETA), log (a line every 10s), off, or auto (bar when stderr is a terminal, else log)")
	if source {
		f.Duration("status-linger", 0, "with --metrics-addr: after a failure, keep serving the FAILED status and metrics this long before exiting")
	}
}

// observeOpts are the resolved observe flags.
type observeOpts struct {
	addr   string
	linger time.Duration
	prog   progressOpts
}

func readObserveOpts(a *app, s *settings, source, stdoutSink bool) (observeOpts, error) {
	o := observeOpts{addr: s.String("metrics-addr")}
	if source {
		o.linger = s.Duration("status-linger")
	}
	if err := s.Err(); err != nil {
		return o, err
	}
	if o.addr != "" {
		if _, _, err := net.SplitHostPort(o.addr); err != nil {
			return o, usageError{fmt.Errorf("invalid value for --metrics-addr: %w", err)}
		}
	}
	if o.linger < 0 {
		return o, usageError{errors.New("invalid value for --status-linger: must not be negative")}
	}
	var err error
	o.prog, err = readProgressOpts(a, s, stdoutSink)
	return o, err
}

// listenMetrics opens the metrics listener; a busy port is not a usage error.
func listenMetrics(a *app, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	a.log.Info("serving metrics", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/metrics")
	return ln, nil
}

// workerID names this process as Connect names a worker: the advertised host and port.
func workerID(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	return net.JoinHostPort(host, port)
}

// helpers runs the goroutines that watch a command: the metrics server and the progress
// reporter. stop cancels them and waits.
type helpers struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startHelpers(ctx context.Context) *helpers {
	h := &helpers{}
	h.ctx, h.cancel = context.WithCancel(context.WithoutCancel(ctx))
	return h
}

func (h *helpers) goRun(a *app, what string, run func(context.Context) error) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		if err := run(h.ctx); err != nil {
			a.log.Error(what+" stopped", "err", err) // the command goes on without it
		}
	}()
}

func (h *helpers) stop() {
	h.cancel()
	h.wg.Wait()
}

func (h *helpers) serve(a *app, ln net.Listener, mux http.Handler) {
	h.goRun(a, "metrics server", func(ctx context.Context) error { return metrics.Serve(ctx, ln, mux) })
}

// sourceObserver watches a source: metrics and status on --metrics-addr, progress.
type sourceObserver struct {
	a       *app
	opts    observeOpts
	cfg     connector.Config
	latency *metrics.ProduceLatency
}

// newSourceObserver reads the observe flags and, with metrics on, hooks the produce
// latency histogram into cfg's client.
func newSourceObserver(a *app, s *settings, cfg *connector.Config) (*sourceObserver, error) {
	opts, err := readObserveOpts(a, s, true, false)
	if err != nil {
		return nil, err
	}
	o := &sourceObserver{a: a, opts: opts}
	if opts.addr != "" {
		o.latency = metrics.NewProduceLatency(cfg.Topic)
		cfg.ClientOpts = append(cfg.ClientOpts, kgo.WithHooks(o.latency))
	}
	o.cfg = *cfg
	return o, nil
}

// run runs src with its watchers. When src fails with metrics on, its FAILED status is
// served for --status-linger (or until a signal) before the error is returned.
func (o *sourceObserver) run(ctx context.Context, src *connector.Source) error {
	h := startHelpers(ctx)
	defer h.stop()
	var status *metrics.Status
	if o.opts.addr != "" {
		ln, err := listenMetrics(o.a, o.opts.addr)
		if err != nil {
			return err
		}
		status = metrics.NewStatus(o.cfg.Name, workerID(ln.Addr()), metrics.ServerInfo{Version: version, Commit: buildCommit()})
		mux := o.mux(src)
		status.Register(mux)
		h.serve(o.a, ln, mux)
		status.Running()
	}
	h.goRun(o.a, "progress", o.opts.prog.sourceReporter(o.a, o.cfg.File, src.Stats()))
	err := src.Run(ctx)
	if err != nil && status != nil {
		status.Failed(err)
		o.linger(ctx, err)
	}
	return err
}

func (o *sourceObserver) mux(src *connector.Source) *http.ServeMux {
	reg := metrics.NewRegistry()
	reg.MustRegister(o.latency, metrics.NewSource(o.cfg.Name, o.cfg.File, o.cfg.Topic, src.Stats()))
	return metrics.NewMux(reg, o.a.log)
}

func (o *sourceObserver) linger(ctx context.Context, err error) {
	if o.opts.linger <= 0 {
		return
	}
	o.a.log.Error("source failed; serving its FAILED status before exiting", "err", err, "for", o.opts.linger)
	t := time.NewTimer(o.opts.linger)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// streamObserver watches a stream: metrics on --metrics-addr, lag progress.
type streamObserver struct {
	a    *app
	opts observeOpts
	cfg  stream.Config
	obs  *metrics.StreamBatches
}

// newStreamObserver reads the observe flags and sets cfg's Observer when anything needs
// the stream's batches or lag.
func newStreamObserver(a *app, s *settings, cfg *stream.Config, specs []sinkSpec) (*streamObserver, error) {
	stdoutSink := false
	for _, sp := range specs {
		stdoutSink = stdoutSink || sp.kind == "stdout" || (sp.kind == "jsonl" && sp.arg == "-")
	}
	opts, err := readObserveOpts(a, s, false, stdoutSink)
	if err != nil {
		return nil, err
	}
	o := &streamObserver{a: a, opts: opts}
	if opts.addr != "" || opts.prog.on() {
		o.obs = metrics.NewStreamBatches()
		cfg.BatchObserver = o.obs
	}
	o.cfg = *cfg
	return o, nil
}

// run runs st with its watchers.
func (o *streamObserver) run(ctx context.Context, st *stream.Stream, sinks []sink.Sink) error {
	h := startHelpers(ctx)
	defer h.stop()
	if o.opts.addr != "" {
		ln, err := listenMetrics(o.a, o.opts.addr)
		if err != nil {
			return err
		}
		reg := metrics.NewRegistry()
		reg.MustRegister(o.obs, metrics.NewStreamStats(o.cfg.Group, o.cfg.Topics, st.Stats))
		h.serve(o.a, ln, metrics.NewMux(reg, o.a.log))
	}
	if o.obs != nil {
		h.goRun(o.a, "progress", o.opts.prog.streamReporter(o.a, o.obs.Lag, st.Stats))
	}
	return st.Run(ctx, sinks)
}
