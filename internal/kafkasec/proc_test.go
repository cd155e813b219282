package kafkasec

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/testutil"
)

// The bridge binary, built once for the tests that run it.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func bridgeBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the bridge binary")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "bridge-kafkasec-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "bridge")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/bridge").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

type syncBuffer = testutil.SyncBuffer

// proc is a bridge process started by a test; it is killed when the test ends.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	err            error
}

// startBridge runs the binary in dir with args and extra environment variables.
func startBridge(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bridgeBin(t), args...), stdout: &syncBuffer{}, stderr: &syncBuffer{},
		done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = append(cleanEnv(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	require.NoError(t, p.cmd.Start())
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// cleanEnv is the test's environment without BRIDGE_* settings, which would change what
// the binary does.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BRIDGE_") {
			env = append(env, kv)
		}
	}
	return env
}

// exitCode waits up to timeout for the process to end by itself and returns its exit code.
func (p *proc) exitCode(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("bridge still running after %s; stderr:\n%s", timeout, p.stderr.String())
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, p.err)
	return 0
}

// stop sends SIGTERM, as systemd would, and returns the exit code.
func (p *proc) stop(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	default:
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	}
	return p.exitCode(t, 60*time.Second)
}

// waitFor polls until cond holds or the process ends or timeout passes.
func (p *proc) waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("bridge exited (%v) before %s; stderr:\n%s", p.err, what, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s; stderr:\n%s", what, timeout, p.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
