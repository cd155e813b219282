package main

import (
	"context"
	"log/slog"
	"sync"
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
