package harness

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadMemoryOfThisProcess(t *testing.T) {
	m, ok := ReadMemory(os.Getpid())
	require.True(t, ok)
	assert.Positive(t, m.RSS)
	assert.GreaterOrEqual(t, m.HWM, m.RSS, "the peak is at least what is resident now")
	_, ok = ReadMemory(1 << 30)
	assert.False(t, ok, "no such process")
}

// A small child of this (larger) test process reports its own peak, not this one's: the
// figure wait4's Maxrss would give.
func TestPeakIsTheChildsOwn(t *testing.T) {
	ballast := make([]byte, 256<<20) // make the parent far larger than a shell
	for i := range ballast {
		ballast[i] = 1
	}
	p := Start(t, "/bin/sh", Options{}, "-c", "sleep 0.5")
	require.Equal(t, 0, p.ExitCode(t, 30*time.Second))
	self, ok := ReadMemory(os.Getpid())
	require.True(t, ok)
	assert.Positive(t, p.PeakKiB(), "sampled while it ran")
	assert.Less(t, p.PeakKiB(), self.HWM/4, "a shell is far smaller than this process")
	ru, ok := p.Cmd.ProcessState.SysUsage().(*syscall.Rusage)
	require.True(t, ok)
	assert.Greater(t, ru.Maxrss, self.HWM/2, "wait4's Maxrss holds this process's peak, not the shell's")
	_ = ballast[len(ballast)-1]
}

func TestExitCodeAndTerm(t *testing.T) {
	p := Start(t, "/bin/sh", Options{Env: []string{"X=3"}}, "-c", `echo out; echo err >&2; exit $X`)
	assert.Equal(t, 3, p.ExitCode(t, 30*time.Second))
	assert.Equal(t, "out\n", p.Stdout.String())
	assert.Equal(t, "err\n", p.Stderr.String())

	p = Start(t, "/bin/sh", Options{}, "-c", `trap 'exit 0' TERM; echo up; while :; do sleep 0.05; done`)
	p.WaitFor(t, 30*time.Second, "start", func() bool { return strings.Contains(p.Stdout.String(), "up") })
	assert.Equal(t, 0, p.Term(t, 30*time.Second))

	p = Start(t, "/bin/sh", Options{}, "-c", "sleep 60")
	p.Kill()
	assert.Equal(t, -1, p.Code(), "killed by a signal")
}

func TestNoBridgeEnv(t *testing.T) {
	t.Setenv("BRIDGE_SOMETHING", "x")
	p := Start(t, "/bin/sh", Options{NoBridgeEnv: true, MergeOutput: true}, "-c", `echo "[$BRIDGE_SOMETHING]"; echo e >&2`)
	require.Equal(t, 0, p.ExitCode(t, 30*time.Second))
	assert.Equal(t, "[]\ne\n", p.Stderr.String())
}

// The copy->truncate window holds exactly the lines written after the copy was taken.
func TestLogrotateWindow(t *testing.T) {
	dir := t.TempDir()
	w, err := NewLogrotate(filepath.Join(dir, "en0.log"), nil)
	require.NoError(t, err)
	defer w.Close()
	require.NoError(t, w.Write(3))
	lost, err := w.CopyTruncate(1)
	require.NoError(t, err)
	assert.Empty(t, lost, "nothing was written during the copy")
	copied, err := os.ReadFile(filepath.Join(dir, "en0.log.1"))
	require.NoError(t, err)
	assert.Equal(t, Line(0)+Line(1)+Line(2), string(copied))

	require.NoError(t, w.Write(2))
	require.NoError(t, w.RenameCreate(2))
	require.NoError(t, w.Write(1))
	moved, err := os.ReadFile(filepath.Join(dir, "en0.log.2"))
	require.NoError(t, err)
	assert.Equal(t, Line(3)+Line(4), string(moved))
	now, err := os.ReadFile(w.Path)
	require.NoError(t, err)
	assert.Equal(t, Line(5), string(now))
	assert.Equal(t, 6, w.Written())

	for _, i := range []int{0, 7, 123456} {
		n, ok := LineIndex([]byte(Line(i)))
		assert.True(t, ok)
		assert.Equal(t, i, n)
	}
	_, ok := LineIndex([]byte("1 notadrill 5"))
	assert.False(t, ok)
}
