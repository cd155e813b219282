package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// sameSignalWindow is how close together two copies of one signal must arrive to count as
// one request to stop. GNU timeout, and anything else that signals a process and then its
// group, delivers the same signal twice within microseconds; a person pressing Ctrl-C a
// second time does so well after this.
const sameSignalWindow = 500 * time.Millisecond

// signalContext is cancelled by the first SIGINT or SIGTERM, so commands can flush and
// commit; a second signal exits at once.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go watchSignals(ctx, sigs, cancel, time.Now, func() {
		fmt.Fprintln(os.Stderr, "bridge: second signal, exiting now")
		os.Exit(130)
	})
	return ctx, func() { signal.Stop(sigs); cancel() }
}

// watchSignals calls stop on the first signal and exit on the second, unless the second
// is the same signal within sameSignalWindow of the first: that is one request delivered
// twice (to the process and to its group), not an impatient user.
func watchSignals(ctx context.Context, sigs <-chan os.Signal, stop context.CancelFunc, now func() time.Time, exit func()) {
	var first os.Signal
	select {
	case first = <-sigs:
		stop()
	case <-ctx.Done():
		return
	}
	at := now()
	for sig := range sigs {
		if sig == first && now().Sub(at) < sameSignalWindow {
			continue
		}
		exit()
		return
	}
}
