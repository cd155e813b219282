package harness

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bridge-project/bridge/internal/testutil"
)

// sampleEvery is how often a running process's memory is sampled.
const sampleEvery = 50 * time.Millisecond

// Options say how to start a process. The zero value runs it in the current directory and
// environment, its output kept in Proc.Stdout and Proc.Stderr (the first MiB of stderr: the
// first errors are the telling ones).
type Options struct {
	Dir string
	// Env is added to the environment.
	Env []string
	// NoBridgeEnv drops the test's own BRIDGE_* variables, which would change what the
	// binary does.
	NoBridgeEnv bool
	Stdin       io.Reader
	// Stdout and Stderr, when set, take the output instead of the buffers.
	Stdout, Stderr io.Writer
	// MergeOutput sends stdout to Proc.Stderr too, interleaved as written.
	MergeOutput bool
	SysProcAttr *syscall.SysProcAttr
}

// Proc is one process started by a test; it is killed when the test ends.
type Proc struct {
	Cmd            *exec.Cmd
	Stdout, Stderr *testutil.SyncBuffer
	done           chan struct{}
	err            error // Wait's result, once done is closed
	peaks          Peak
}

// Start starts bin with args.
func Start(t testing.TB, bin string, o Options, args ...string) *Proc {
	t.Helper()
	p := &Proc{Cmd: exec.Command(bin, args...), done: make(chan struct{}),
		Stdout: &testutil.SyncBuffer{}, Stderr: &testutil.SyncBuffer{Limit: 1 << 20}}
	p.Cmd.Dir, p.Cmd.Stdin, p.Cmd.SysProcAttr = o.Dir, o.Stdin, o.SysProcAttr
	p.Cmd.Env = append(environ(o.NoBridgeEnv), o.Env...)
	p.Cmd.Stdout, p.Cmd.Stderr = p.Stdout, p.Stderr
	if o.MergeOutput {
		p.Cmd.Stdout = p.Stderr
	}
	if o.Stdout != nil {
		p.Cmd.Stdout = o.Stdout
	}
	if o.Stderr != nil {
		p.Cmd.Stderr = o.Stderr
	}
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { p.err = p.Cmd.Wait(); close(p.done) }()
	pid := p.Cmd.Process.Pid
	go p.peaks.Follow(func() []int { return []int{pid} }, sampleEvery, p.done)
	t.Cleanup(p.Kill)
	return p
}

func environ(noBridge bool) []string {
	if !noBridge {
		return os.Environ()
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BRIDGE_") {
			env = append(env, kv)
		}
	}
	return env
}

// Done is closed once the process exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Exited says whether the process exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err is Wait's result once the process exited.
func (p *Proc) Err() error { <-p.done; return p.err }

// ExitCode waits up to timeout for the process to end by itself and returns its exit code
// (-1 when a signal killed it).
func (p *Proc) ExitCode(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("%s still running after %s; stderr:\n%s", p.Cmd.Path, timeout, p.Stderr.String())
	}
	return exitCode(t, p.err)
}

func exitCode(t testing.TB, err error) int {
	t.Helper()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return 0
}

// Term stops the process as systemd or Ctrl-C would and returns its exit code. A process
// still running timeout later is an error of the test, and is killed.
func (p *Proc) Term(t testing.TB, timeout time.Duration) int {
	t.Helper()
	p.peaks.Sample(p.Cmd.Process.Pid)
	if !p.Exited() {
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Errorf("no exit %s after SIGTERM; stderr:\n%s", timeout, p.Stderr.String())
		p.Kill()
	}
	return exitCode(t, p.err)
}

// Kill kills the process with SIGKILL, as a crash would, and waits for it.
func (p *Proc) Kill() {
	p.peaks.Sample(p.Cmd.Process.Pid)
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// PeakKiB is the process's peak resident set (VmHWM) sampled while it ran, in KiB.
func (p *Proc) PeakKiB() int64 { return p.peaks.KiB() }

// Code waits for the process to exit and returns its exit code (-1 when a signal killed it).
func (p *Proc) Code() int {
	<-p.done
	return p.Cmd.ProcessState.ExitCode()
}

// WaitFor polls until cond holds, failing the test if the process exits first or timeout
// passes.
func (p *Proc) WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if p.Exited() {
			t.Fatalf("%s exited (%v) before %s; stderr:\n%s", p.Cmd.Path, p.err, what, p.Stderr.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s; stderr:\n%s", what, timeout, p.Stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
