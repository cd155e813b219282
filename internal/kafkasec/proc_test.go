package kafkasec

import (
	"testing"
	"time"

	"github.com/bridge-project/bridge/internal/harness"
)

// The secure-broker tests run the bridge binary, built once, through the shared harness.
func TestMain(m *testing.M) { harness.Main(m) }

// proc is a bridge process started by a test; it is killed when the test ends.
type proc struct{ *harness.Proc }

// startBridge runs the binary in dir with args and extra environment variables, without
// the test's own BRIDGE_* settings, which would change what the binary does.
func startBridge(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	return &proc{harness.Start(t, harness.Bridge(t), harness.Options{Dir: dir, Env: env, NoBridgeEnv: true}, args...)}
}

// exitCode waits up to timeout for the process to end by itself and returns its exit code.
func (p *proc) exitCode(t *testing.T, timeout time.Duration) int {
	t.Helper()
	return p.ExitCode(t, timeout)
}

// stop sends SIGTERM, as systemd would, and returns the exit code.
func (p *proc) stop(t *testing.T) int {
	t.Helper()
	return p.Term(t, 60*time.Second)
}

// waitFor polls until cond holds or the process ends or timeout passes.
func (p *proc) waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	p.WaitFor(t, timeout, what, cond)
}
