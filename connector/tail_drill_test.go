package connector

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// envRotations sets how many rotations the rotation drills do (default 50).
const envRotations = "BRIDGE_ROTATIONS"

// rotatingWriter writes numbered lines at a steady rate to a log that a rotator renames or
// copies and truncates under it, as logrotate does.
type rotatingWriter struct {
	path string
	mu   sync.Mutex // held by the rotator around the truncate step
	f    *os.File
	next int
}

func (w *rotatingWriter) open(t *testing.T) {
	f, err := os.OpenFile(w.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	w.f = f
}

// write appends lines [next, next+n) in one write.
func (w *rotatingWriter) write(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for range n {
		fmt.Fprintf(&b, "drill %08d 192.168.1.%d → 10.0.0.1 TCP 66\n", w.next, w.next%250)
		w.next++
	}
	if _, err := w.f.WriteString(b.String()); err != nil {
		panic(err)
	}
}

// run writes about rate lines per second in small writes until stop is closed.
func (w *rotatingWriter) run(rate int, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			for range 10 { // ten writes per tick: lines are cut across reads
				w.write(rate / 1000)
			}
		}
	}
}

// lineNumbers reads numbered drill lines out of a file (lines of a truncated log included).
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

// 50 rename+create rotations at 20k lines/s: nothing lost, nothing twice.
func TestDrillRenameRotations(t *testing.T) {
	rotations := envInt(t, envRotations, 50)
	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	w := &rotatingWriter{path: filepath.Join(dir, "en0.log")}
	w.open(t)
	cfg := testConfig(c, dir, w.path, topic)
	r := startSource(t, cfg)
	stop, done := make(chan struct{}), make(chan struct{})
	go w.run(20000, stop, done)
	for i := range rotations {
		time.Sleep(100 * time.Millisecond)
		// logrotate's create: rename, create the new file, the writer reopens (on SIGHUP).
		w.mu.Lock()
		require.NoError(t, os.Rename(w.path, fmt.Sprintf("%s.%d", w.path, i+1)))
		old := w.f
		w.open(t)
		w.mu.Unlock()
		old.Close()
	}
	close(stop)
	<-done
	total := w.next
	eventually(t, 60*time.Second, func() bool {
		// The last new file may stay empty: it is followed after RotateWait.
		return r.src.Stats().RecordsProduced.Load() >= int64(total) && r.src.Stats().Rotations.Load() == int64(rotations)
	}, "all lines produced")
	require.NoError(t, r.stop(t))
	seen := countDrill(t, c, topic, total)
	lost, dups := lostAndDups(seen)
	t.Logf("%d rename rotations, %d lines: lost %d, duplicates %d, rotations followed %d",
		rotations, total, lost, dups, r.src.Stats().Rotations.Load())
	assert.Zero(t, lost)
	assert.Zero(t, dups, "no restart, no duplicate")
}

// 50 copytruncates at 20k lines/s: lines are lost only inside the copy→truncate window, the
// lines written after the copy finished and before the truncation.
func TestDrillCopytruncate(t *testing.T) {
	rotations := envInt(t, envRotations, 50)
	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	w := &rotatingWriter{path: filepath.Join(dir, "en0.log")}
	w.open(t)
	cfg := testConfig(c, dir, w.path, topic)
	r := startSource(t, cfg)
	stop, done := make(chan struct{}), make(chan struct{})
	go w.run(20000, stop, done)
	window := map[int]bool{}
	for i := range rotations {
		time.Sleep(100 * time.Millisecond)
		for _, n := range copytruncate(t, w, fmt.Sprintf("%s.%d", w.path, i+1)) {
			window[n] = true
		}
	}
	close(stop)
	<-done
	total := w.next
	eventually(t, 60*time.Second, func() bool {
		return r.src.Stats().RecordsProduced.Load() >= int64(total-len(window))
	}, "all lines produced")
	time.Sleep(300 * time.Millisecond) // a line of the window read before the truncation may still come
	require.NoError(t, r.stop(t))
	seen := countDrill(t, c, topic, total)
	var lostOutside []int
	lost := 0
	for n, k := range seen {
		if k == 0 {
			lost++
			if !window[n] {
				lostOutside = append(lostOutside, n)
			}
		}
	}
	_, dups := lostAndDups(seen)
	t.Logf("%d copytruncates, %d lines: %d written inside copy→truncate windows, lost %d, duplicates %d",
		rotations, total, len(window), lost, dups)
	assert.Empty(t, lostOutside, "lines lost outside the copy→truncate windows")
}

// copytruncate copies the log to name while the writer goes on (as logrotate does), then
// truncates it; it returns the lines written between the end of the copy and the truncation.
func copytruncate(t *testing.T, w *rotatingWriter, name string) []int {
	copyFile(t, w.path, name)
	copied, err := os.ReadFile(name)
	require.NoError(t, err)
	w.mu.Lock()
	defer w.mu.Unlock()
	now, err := os.ReadFile(w.path)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(w.path, 0))
	return lineNumbers(t, string(now[len(copied):]))
}

// countDrill reads the topic and counts each drill line.
func countDrill(t *testing.T, c *kafkatest.Cluster, topic string, total int) []int {
	seen := make([]int, total)
	for _, line := range payloads(t, readEverything(t, c, topic, false)) {
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
