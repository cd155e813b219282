package main

import (
	"context"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// watch runs watchSignals over the signals sent, each at its offset from the start, and
// reports whether the command was stopped and whether it was made to exit at once.
func watch(t *testing.T, sent []os.Signal, at []time.Duration) (stopped, exited bool) {
	t.Helper()
	start := time.Unix(1_700_000_000, 0)
	var clock atomic.Int64 // offset of the signal being received
	sigs := make(chan os.Signal)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var exitedFlag atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchSignals(ctx, sigs, cancel, func() time.Time { return start.Add(time.Duration(clock.Load())) },
			func() { exitedFlag.Store(true) })
	}()
	for i, sig := range sent {
		clock.Store(int64(at[i]))
		select {
		case sigs <- sig:
		case <-done: // it returned: it exited at an earlier signal
		}
	}
	close(sigs)
	<-done
	return ctx.Err() != nil, exitedFlag.Load()
}

// Issue 12 point 3: GNU timeout signals the child and then its group, so one stop
// arrives as two SIGTERMs microseconds apart. That is one request to stop; a second
// signal later, or a different one, still exits at once.
func TestSignalsDeliveredTwiceAreOneStop(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name           string
		sent           []os.Signal
		at             []time.Duration
		wantExitAtOnce bool
	}{
		{"one SIGTERM", []os.Signal{syscall.SIGTERM}, []time.Duration{0}, false},
		{"SIGTERM to the process and its group", []os.Signal{syscall.SIGTERM, syscall.SIGTERM}, []time.Duration{0, 0}, false},
		{"SIGINT twice within the window", []os.Signal{os.Interrupt, os.Interrupt}, []time.Duration{0, 100 * ms}, false},
		{"SIGINT, then SIGINT a second later", []os.Signal{os.Interrupt, os.Interrupt}, []time.Duration{0, time.Second}, true},
		{"SIGTERM, then SIGINT at once", []os.Signal{syscall.SIGTERM, os.Interrupt}, []time.Duration{0, 0}, true},
		{"three copies, the last one late", []os.Signal{syscall.SIGTERM, syscall.SIGTERM, syscall.SIGTERM},
			[]time.Duration{0, ms, 2 * time.Second}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stopped, exited := watch(t, tc.sent, tc.at)
			assert.True(t, stopped, "the first signal asks the command to stop")
			assert.Equal(t, tc.wantExitAtOnce, exited, "exit at once")
		})
	}
}

// The real thing: GNU timeout stops the built binary by signalling it and its process
// group. Every stop must be the clean one (exit 0), never the second-signal exit (130).
// Without the one-request rule about one stop in ten exited 130 on a 2-core machine, so
// this test catches a regression only now and then; TestSignalsDeliveredTwiceAreOneStop
// catches it every time.
func TestTimeoutStopsCleanly(t *testing.T) {
	timeout, err := exec.LookPath("timeout")
	if err != nil {
		t.Skip("GNU timeout not installed")
	}
	bin := buildBridge(t, t.TempDir())
	for i := range 5 {
		cmd := exec.Command(timeout, "--preserve-status", "-s", "TERM", "1",
			bin, "broker", "--listen", "127.0.0.1:0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "stop %d: %s", i, out)
		assert.NotContains(t, string(out), "second signal", "stop %d", i)
	}
}
