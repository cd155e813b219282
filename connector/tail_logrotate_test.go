package connector

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/harness"
	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
)

// envRotations sets how many rotations the logrotate tests do (default 50).
const envRotations = "BRIDGE_ROTATIONS"

var envInt = testutil.EnvInt

// rotatingWriter writes numbered lines at a steady rate to a log that the test renames or
// copies and truncates under it, as logrotate does.
type rotatingWriter struct{ *harness.Logrotate }

func newRotatingWriter(t *testing.T, path string) rotatingWriter {
	t.Helper()
	w, err := harness.NewLogrotate(path, func(i int) string {
		return fmt.Sprintf("drill %08d 192.168.1.%d → 10.0.0.1 TCP 66\n", i, i%250)
	})
	require.NoError(t, err)
	t.Cleanup(func() { w.Close() })
	return rotatingWriter{w}
}

// run writes about rate lines per second in small writes until stop is closed.
func (w rotatingWriter) run(rate int, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			for range 10 { // ten writes per tick: lines are cut across reads
				if err := w.Write(rate / 1000); err != nil {
					panic(err)
				}
			}
		}
	}
}

// 50 rename+create rotations at 20k lines/s: nothing lost, nothing twice.
func TestLogrotateRenameCreate(t *testing.T) {
	rotations := envInt(t, envRotations, 50)
	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	w := newRotatingWriter(t, filepath.Join(dir, "en0.log"))
	cfg := testConfig(c, dir, w.Path, topic)
	r := startSource(t, cfg)
	waitFollowing(t, r)
	stop, done := make(chan struct{}), make(chan struct{})
	go w.run(20000, stop, done)
	for i := range rotations {
		time.Sleep(100 * time.Millisecond)
		// logrotate's create: rename, create the new file, the writer reopens (on SIGHUP).
		require.NoError(t, w.RenameCreate(i+1))
	}
	close(stop)
	<-done
	total := w.Written()
	eventually(t, 60*time.Second, func() bool {
		// The last new file may stay empty: it is followed after RotateWait.
		return r.src.Stats().RecordsProduced.Load() >= int64(total) && r.src.Stats().Rotations.Load() == int64(rotations)
	}, "all lines produced")
	require.NoError(t, r.stop(t))
	seen := countLines(t, c, topic, total)
	lost, dups := lostAndDups(seen)
	t.Logf("%d rename rotations, %d lines: lost %d, duplicates %d, rotations followed %d",
		rotations, total, lost, dups, r.src.Stats().Rotations.Load())
	assert.Zero(t, lost)
	assert.Zero(t, dups, "no restart, no duplicate")
}

// 50 copytruncates at 20k lines/s: lines are lost only inside the copy→truncate window, the
// lines written after the copy finished and before the truncation.
func TestLogrotateCopytruncate(t *testing.T) {
	rotations := envInt(t, envRotations, 50)
	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	w := newRotatingWriter(t, filepath.Join(dir, "en0.log"))
	cfg := testConfig(c, dir, w.Path, topic)
	r := startSource(t, cfg)
	waitFollowing(t, r)
	stop, done := make(chan struct{}), make(chan struct{})
	go w.run(20000, stop, done)
	window := map[int]bool{}
	for i := range rotations {
		time.Sleep(100 * time.Millisecond)
		lost, err := w.CopyTruncate(i + 1)
		require.NoError(t, err)
		for _, n := range lost {
			window[n] = true
		}
	}
	close(stop)
	<-done
	total := w.Written()
	// Wait for the topic itself to hold every line outside the windows. A count of records
	// cannot tell when that is: lines of a window read before its truncation are produced
	// too, so "total minus the windows" records were reached while lines outside the windows
	// were still on their way, and a stop then (after a fixed sleep) counted them as lost on
	// a loaded machine.
	var seen []int
	var lostOutside []int
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		seen = countLines(t, c, topic, total)
		if lostOutside = linesLostOutside(seen, window); len(lostOutside) == 0 || time.Now().After(deadline) {
			break
		}
	}
	require.NoError(t, r.stop(t))
	lost, dups := lostAndDups(seen)
	t.Logf("%d copytruncates, %d lines: %d written inside copy→truncate windows, lost %d, duplicates %d",
		rotations, total, len(window), lost, dups)
	if len(lostOutside) > 0 {
		t.Errorf("lines lost outside the copy→truncate windows: %s", describeLost(lostOutside, w.Generations()))
	}
}

// describeLost says which lines were lost, as ranges, each with the generation it was
// written in (its lines, and how many of them its copy held), so a failure on a loaded
// machine tells which interleaving lost them rather than a list of thousands of numbers.
func describeLost(lost []int, gens []harness.Generation) string {
	var b strings.Builder
	for i := 0; i < len(lost); {
		j := i
		for j+1 < len(lost) && lost[j+1] == lost[j]+1 {
			j++
		}
		fmt.Fprintf(&b, "\n  %d-%d (%d lines)", lost[i], lost[j], j-i+1)
		k := slices.IndexFunc(gens, func(g harness.Generation) bool { return lost[i] >= g.First && lost[i] < g.Next })
		if k < 0 {
			b.WriteString(" after the last copytruncate")
		} else {
			g := gens[k]
			fmt.Fprintf(&b, " in generation %d: lines %d-%d, its copy held %d-%d", k+1, g.First, g.Next-1, g.First, g.Copied-1)
		}
		i = j + 1
	}
	return b.String()
}

// linesLostOutside lists the lines never seen that were not written inside a window.
func linesLostOutside(seen []int, window map[int]bool) []int {
	var out []int
	for n, k := range seen {
		if k == 0 && !window[n] {
			out = append(out, n)
		}
	}
	return out
}

// waitFollowing waits until the source has opened the log (its first save names it). The drill
// must not rotate before: a source started fresh reads the file at the path, not what was
// rotated away before it looked, so on a loaded machine, where the source opened the log only
// after the first rotation, the first generation's lines were counted as lost.
func waitFollowing(t *testing.T, r *running) {
	t.Helper()
	eventually(t, 60*time.Second, func() bool { return r.src.Stats().OffsetsSaved.Load() > 0 }, "source following the log")
}

// lineNumbers reads the numbers of the lines newRotatingWriter writes out of data.
func lineNumbers(t *testing.T, data string) []int {
	var out []int
	for _, l := range strings.Split(data, "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "drill" {
			n, err := strconv.Atoi(f[1])
			require.NoError(t, err)
			out = append(out, n)
		}
	}
	return out
}

// countLines reads the topic and counts each numbered line.
func countLines(t *testing.T, c *kafkatest.Cluster, topic string, total int) []int {
	seen := make([]int, total)
	for _, line := range payloads(t, c.ReadEverything(t, topic, false)) {
		for _, n := range lineNumbers(t, line) {
			seen[n]++
		}
	}
	return seen
}

func lostAndDups(seen []int) (lost, dups int) {
	for _, k := range seen {
		if k == 0 {
			lost++
		}
		dups += max(k-1, 0)
	}
	return lost, dups
}
