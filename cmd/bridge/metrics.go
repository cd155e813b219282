package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/metrics"
	"github.com/bridge-project/bridge/stream"
)

// addWatchFlags adds the flags that watch a long-running command: metrics, progress and,
// for the source, how long a failure stays visible.
func addWatchFlags(f *pflag.FlagSet, source bool) {
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

// produceLatency hooks the produce latency histogram into cfg's client; nil with metrics
// off.
func (o watchOpts) produceLatency(cfg *connector.Config) *metrics.ProduceLatency {
	if o.addr == "" {
		return nil
	}
	latency := metrics.NewProduceLatency(cfg.Topic)
	cfg.ClientOpts = append(cfg.ClientOpts, kgo.WithHooks(latency))
	return latency
}

// streamBatches sets cfg's BatchObserver when anything needs the stream's batches or lag; nil
// when nothing does.
func (o watchOpts) streamBatches(cfg *stream.Config) *metrics.StreamBatches {
	if o.addr == "" && !o.prog.on() {
		return nil
	}
	obs := metrics.NewStreamBatches()
	cfg.BatchObserver = obs
	return obs
}

// listenMetrics opens the metrics listener; a busy port is not a usage error.
func listenMetrics(log *slog.Logger, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	log.Info("serving metrics", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/metrics")
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

// serveSourceMetrics serves src's metrics and Connect-style status on addr under w, and
// returns the status, RUNNING; nil with metrics off.
func serveSourceMetrics(w *watchers, addr string, cfg connector.Config, src *connector.Source,
	latency *metrics.ProduceLatency) (*metrics.Status, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := listenMetrics(w.log, addr)
	if err != nil {
		return nil, err
	}
	reg := metrics.NewRegistry()
	reg.MustRegister(latency, metrics.NewSource(cfg.Name, cfg.File, cfg.Topic, src.Stats()))
	mux := metrics.NewMux(reg, w.log)
	v, c := binaryVersion()
	status := metrics.NewStatus(cfg.Name, workerID(ln.Addr()), metrics.ServerInfo{Version: v, Commit: c})
	status.Register(mux)
	w.goRun("metrics server", func(ctx context.Context) error { return metrics.Serve(ctx, ln, mux) })
	status.Running()
	return status, nil
}

// serveStreamMetrics serves st's metrics on addr under w; nothing with metrics off.
func serveStreamMetrics(w *watchers, addr string, cfg stream.Config, st *stream.Stream, obs *metrics.StreamBatches) error {
	if addr == "" {
		return nil
	}
	ln, err := listenMetrics(w.log, addr)
	if err != nil {
		return err
	}
	reg := metrics.NewRegistry()
	reg.MustRegister(obs, metrics.NewStreamStats(cfg.Group, cfg.Topics, st.Stats))
	mux := metrics.NewMux(reg, w.log)
	w.goRun("metrics server", func(ctx context.Context) error { return metrics.Serve(ctx, ln, mux) })
	return nil
}
