//go:build drills

package drills

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mountTiny mounts a 1 MiB tmpfs at dir (root only) and unmounts it when the test ends.
func mountTiny(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s): this drill needs root", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
}

// fillUp writes to dir until the file system is full.
func fillUp(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "%v", err)
			return
		}
	}
}

// The offsets file's file system fills up, or turns read-only, in the middle of an ingest:
// bridge source must say so and stop (not run on without saving its position), and once the
// disk is fixed a restart must deliver every line.
func TestOffsetsDiskFault(t *testing.T) {
	seeds := upCluster(t, 1)
	for _, fault := range []string{"disk full", "read-only"} {
		t.Run(fault, func(t *testing.T) { offsetsFault(t, seeds, fault) })
	}
}

func offsetsFault(t *testing.T, seeds []string, fault string) {
	adm, _ := admin(t, seeds)
	topic := "drill-offsets-" + strings.ReplaceAll(fault, " ", "-")
	createTopic(t, adm, topic, 1, 1, nil)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	require.NoError(t, os.Mkdir(state, 0o755))
	mountTiny(t, state)
	file := filepath.Join(dir, "en0.log")
	args := []string{"source", "--file", file, "--topic", topic, "--brokers", strings.Join(seeds, ","),
		"--offsets", filepath.Join(state, "offsets.json"), "--flush-interval", "200ms", "--log-level", "warn"}
	const n = 300_000
	written := writeLines(context.Background(), file, n, 20000)
	bin := bridgeBin(t)
	p := start(t, bin, args...)
	time.Sleep(4 * time.Second)
	if fault == "disk full" {
		fillUp(t, state)
	} else {
		out, err := exec.Command("mount", "-o", "remount,ro", state).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	faulted := time.Now()
	stopped := false
	select {
	case <-p.Done():
		stopped = true
	case <-time.After(30 * time.Second):
	}
	took := time.Since(faulted)
	if !stopped {
		p.Term(t, 30*time.Second)
	}
	// The table names the directory as the flag does, not as this machine's temp dir.
	firstErr := strings.ReplaceAll(firstLine(p.Stderr.String(), "level=ERROR"), state, "$STATE")
	t.Logf("%s: stopped by itself %v after %s, exit %d, error: %s", fault, stopped, took.Round(time.Millisecond), p.Code(), firstErr)

	// Fix the disk and restart: nothing may be missing.
	if fault == "disk full" {
		require.NoError(t, os.Remove(filepath.Join(state, "filler")))
	} else {
		out, err := exec.Command("mount", "-o", "remount,rw", state).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	p2 := start(t, bin, args...)
	total := <-written
	lost, dups := tally(t, seeds, topic, total, false, 3*time.Minute)
	assert.Equal(t, 0, p2.Term(t, 30*time.Second), "log:\n%s", p2.Stderr.String())
	report(t, row{Scenario: "offsets file system " + fault + " mid-ingest, then fixed and restarted", Runs: 2,
		Lines: total, Lost: lost, Dups: dups, PeakRSSKiB: max(p.PeakKiB(), p2.PeakKiB()),
		Notes: fmt.Sprintf("stopped by itself: %v (after %.1f s, exit %d); error: %s", stopped, took.Seconds(), p.Code(), firstErr)})
	assert.True(t, stopped, "bridge source must stop when it cannot save its position; log:\n%s", p.Stderr.String())
	assert.NotZero(t, p.Code(), "a failed stop exits non-zero")
	assert.NotEmpty(t, firstErr, "an error is logged")
	assert.Zero(t, lost, "lines lost")
}

// firstLine is the first line of log holding substr, shortened for the table.
func firstLine(log, substr string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, substr) {
			if len(l) > 300 {
				l = l[:300] + "..."
			}
			return strings.ReplaceAll(l, "|", "/")
		}
	}
	return ""
}
