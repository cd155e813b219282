package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bridge-project/bridge/internal/harness"
	"github.com/bridge-project/bridge/internal/testutil"
)

// The usage, flag and exit-code tests of the subcommands run bridge in-process, through
// runWith as main does; test/e2e runs the built binary (signals, kill -9, other users).

func TestMain(m *testing.M) { harness.Main(m) }

// runCLI runs bridge with args and stdin until it ends by itself, and returns its stdout,
// stderr and exit code.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errs testutil.SyncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = runWith(ctx, args, strings.NewReader(stdin), &out, &errs)
	if ctx.Err() != nil {
		t.Fatalf("bridge %s still running after 60s; stderr:\n%s", strings.Join(args, " "), errs.String())
	}
	return out.String(), errs.String(), code
}

// cliProc is a bridge command running in-process in the background of a test.
type cliProc struct {
	stdout, stderr *testutil.SyncBuffer
	cancel         context.CancelFunc
	done           chan int
	code           int
}

// startCLIProc runs bridge with args until stop (or the end of the test).
func startCLIProc(t *testing.T, args ...string) *cliProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &cliProc{stdout: &testutil.SyncBuffer{}, stderr: &testutil.SyncBuffer{}, cancel: cancel, done: make(chan int)}
	go func() {
		p.code = runWith(ctx, args, strings.NewReader(""), p.stdout, p.stderr)
		close(p.done)
	}()
	t.Cleanup(func() { cancel(); <-p.done })
	return p
}

// stop cancels the command, as the first SIGTERM does, and returns its exit code.
func (p *cliProc) stop(t *testing.T) int {
	t.Helper()
	p.cancel()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("bridge did not stop; stderr:\n%s", p.stderr.String())
	}
	return p.code
}

// waitFor polls until cond holds, failing the test if the command ends first or timeout
// passes.
func (p *cliProc) waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("bridge exited (%d) before %s; stderr:\n%s", p.code, what, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s; stderr:\n%s", what, timeout, p.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// withoutBridgeEnv unsets the test's own BRIDGE_* variables for the test, as they would
// change what the command does.
func withoutBridgeEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "BRIDGE_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}
