package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// watchers runs the goroutines that watch a command (the metrics server, the progress
// reporter) under their own context: they outlive the command's cancellation until stop,
// so a stopping command is still watched while it flushes. stop cancels them and waits.
type watchers struct {
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startWatchers(ctx context.Context, log *slog.Logger) *watchers {
	w := &watchers{log: log}
	w.ctx, w.cancel = context.WithCancel(context.WithoutCancel(ctx))
	return w
}

// goRun runs a watcher; its failure is logged, and the command goes on without it.
func (w *watchers) goRun(what string, run func(context.Context) error) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if err := run(w.ctx); err != nil {
			w.log.Error(what+" stopped", "err", err)
		}
	}()
}

func (w *watchers) stop() {
	w.cancel()
	w.wg.Wait()
}

// watchOpts are the resolved watch flags.
type watchOpts struct {
	addr   string // --metrics-addr, "" when off
	linger time.Duration
	prog   progressOpts
}

func readWatchOpts(a *app, s *settings, source, stdoutSink bool) (watchOpts, error) {
	o := watchOpts{addr: s.String("metrics-addr")}
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
