package demo

import (
	"context"

	"github.com/bridge-project/bridge/metrics"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream"
	"github.com/bridge-project/bridge/web"
)

// watchForView makes the stream report its lag when the demo has a view; nil without one.
func watchForView(cfg Config, scfg *stream.Config) *metrics.StreamBatches {
	if cfg.View == nil {
		return nil
	}
	obs := metrics.NewStreamBatches()
	scfg.BatchObserver = obs
	return obs
}

// withView adds the view's Feed to the sinks: it counts the batches over the last minute
// (or shows the --top answer) while stdout prints them. run is the Feed's counting, to run
// beside the stream until the demo ends (without a view it only waits for the end).
func withView(cfg Config, st *stream.Stream, obs *metrics.StreamBatches, sinks ...sink.Sink) (
	_ []sink.Sink, run func(context.Context) error, err error) {
	if cfg.View == nil {
		return sinks, func(ctx context.Context) error { <-ctx.Done(); return nil }, nil
	}
	fc := web.FeedConfig{Interval: cfg.Interval, Lag: obs.Lag,
		Skipped: func() int64 { return st.Stats().Skipped() }}
	if cfg.Top > 0 {
		fc.Top, fc.Window = cfg.Top, cfg.Interval // the stream's --top counts one interval
	}
	feed, err := web.NewFeed(cfg.View, fc)
	if err != nil {
		return nil, nil, err
	}
	return append(sinks, feed), feed.Run, nil
}
