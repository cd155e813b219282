package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gone reports whether pid has exited: no such process, or a zombie waiting for its new
// parent to reap it.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, rest, _ := bytes.Cut(stat, []byte(") "))
	return bytes.HasPrefix(rest, []byte("Z"))
}

// Issue 12: kill -9 of `bridge demo --live` must not leave tshark running.
func TestDemoLiveKill9StopsTshark(t *testing.T) {
	dir := t.TempDir()
	bin := buildBridge(t, dir)
	pidFile := filepath.Join(dir, "tshark.pid")
	tshark := filepath.Join(dir, "tshark")
	script := fmt.Sprintf("#!/bin/sh\necho $$ >%q.tmp\nmv %q.tmp %q\nexec sleep 600\n", pidFile, pidFile, pidFile)
	require.NoError(t, os.WriteFile(tshark, []byte(script), 0o755))

	cmd := exec.Command(bin, "demo", "--live", "-i", "eth9", "--tshark", tshark, "--dir", filepath.Join(dir, "demo"))
	require.NoError(t, cmd.Start())
	var pid int
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	}, 30*time.Second, 20*time.Millisecond, "the stand-in tshark was not started")
	t.Cleanup(func() {
		if !gone(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	require.False(t, gone(pid), "the stand-in runs while bridge does")

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	assert.Eventually(t, func() bool { return gone(pid) }, 5*time.Second, 20*time.Millisecond,
		"tshark (pid %d) outlived the bridge killed with SIGKILL", pid)
}
