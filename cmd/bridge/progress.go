package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/metrics"
	"github.com/bridge-project/bridge/progress"
	"github.com/bridge-project/bridge/stream"
)

// Thresholds past which a job counts as far behind (unless it would catch up within
// progress.DefaultMinETA at its rate anyway).
const (
	sourceMinBehind = 8 << 20 // bytes of log
	streamMinBehind = 100_000 // records
)

// progressOpts is the resolved --progress: the mode, and for a bar the terminal it draws
// on, through which the command's log lines then go too.
type progressOpts struct {
	mode progress.Mode
	term *progress.Terminal
}

func (p progressOpts) on() bool { return p.mode != progress.ModeOff }

// readProgressOpts resolves --progress. auto draws a bar when stderr is a terminal, unless
// a sink prints to stdout on a terminal too (the bar would tear the batches).
func readProgressOpts(a *app, s *settings, stdoutSink bool) (progressOpts, error) {
	mode, err := progress.ParseMode(s.String("progress"))
	if err != nil {
		return progressOpts{}, usageError{fmt.Errorf("invalid value for --progress: %q: want auto, bar, log or off", s.String("progress"))}
	}
	if mode == progress.ModeAuto {
		mode = progress.ModeLog
		if progress.IsTerminal(a.stderr) && !(stdoutSink && progress.IsTerminal(a.stdout)) {
			mode = progress.ModeBar
		}
	}
	p := progressOpts{mode: mode}
	if mode == progress.ModeBar {
		p.term = progress.NewTerminal(a.stderr)
	}
	return p, nil
}

// logger returns the command's logger: with a bar, one on the bar's terminal, so that log
// lines stay above the bar; else the root's.
func (p progressOpts) logger(a *app, s *settings) (*slog.Logger, error) {
	if p.term == nil {
		return a.log, nil
	}
	log, err := newLogger(p.term, s.String("log-level"), s.String("log-format"))
	if err != nil {
		return nil, usageError{err}
	}
	return log, nil
}

// sourceReporter reports a source far behind the end of file, in bytes and lines.
func (p progressOpts) sourceReporter(log *slog.Logger, file string, st *connector.Stats) func(context.Context) error {
	sample := func() progress.Sample {
		behind, _ := metrics.BytesBehind(file, st)
		return progress.Sample{Behind: behind, Done: st.BytesRead.Load(), Items: st.LinesRead.Load()}
	}
	return p.reporter(log, "source", progress.Bytes, "lines", sourceMinBehind, sample)
}

// streamReporter reports a stream lagging behind its topics, in records.
func (p progressOpts) streamReporter(log *slog.Logger, lag func() int64, stats func() stream.Stats) func(context.Context) error {
	sample := func() progress.Sample {
		n := stats().Records
		return progress.Sample{Behind: lag(), Done: n, Items: n}
	}
	return p.reporter(log, "stream", progress.Records, "records", streamMinBehind, sample)
}

// reporter reports the job name, counted in unit and items, once more than minBehind is
// left.
func (p progressOpts) reporter(log *slog.Logger, name string, unit progress.Unit, items string, minBehind int64,
	sample func() progress.Sample) func(context.Context) error {
	return func(ctx context.Context) error {
		if !p.on() {
			return nil
		}
		cfg := progress.DefaultConfig()
		cfg.Name, cfg.Unit, cfg.Items, cfg.Mode, cfg.MinBehind = name, unit, items, p.mode, minBehind
		r, err := progress.New(cfg, sample, log, p.term)
		if err != nil {
			return err
		}
		return r.Run(ctx)
	}
}
