//go:build drills

package drills

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envInt reads a drill knob from the environment.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// bridge source is SIGKILLed at random points of a 1M-line ingest and restarted each time: no
// line may be lost; duplicates are counted (at-least-once) or must be 0 (exactly-once, read
// with read_committed).
func TestSourceKill9(t *testing.T) {
	seeds := upCluster(t, 1)
	for _, eos := range []bool{false, true} {
		t.Run(fmt.Sprintf("exactly-once=%v", eos), func(t *testing.T) { sourceKill(t, seeds, eos) })
	}
}

func sourceKill(t *testing.T, seeds []string, eos bool) {
	n := envInt("DRILLS_KILL_LINES", 1_000_000)
	kills := envInt("DRILLS_KILLS", 10)
	seed := uint64(envInt("DRILLS_SEED", int(time.Now().UnixNano()%1e9)))
	rng := rand.New(rand.NewPCG(seed, seed))
	adm, _ := admin(t, seeds)
	topic := fmt.Sprintf("drill-kill-eos-%v", eos)
	createTopic(t, adm, topic, 3, 1, nil)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	args := append(sourceArgs(seeds, dir, file, topic), "--flush-interval", "200ms")
	if eos {
		args = append(args, "--exactly-once", "--offsets-topic", topic+"-offsets", "--transactional-id", "drill-"+topic)
	}
	bin := bridgeBin(t)
	written := writeLines(context.Background(), file, n, 50000)
	var peak int64
	for range kills {
		p := start(t, bin, args...)
		time.Sleep(time.Duration(300+rng.IntN(1500)) * time.Millisecond)
		p.Kill()
		peak = max(peak, p.PeakKiB())
	}
	final := start(t, bin, args...)
	total := <-written
	// The source has caught up once every line is in the topic; tally waits for that.
	lost, dups := tally(t, seeds, topic, total, eos, 3*time.Minute)
	require.Equal(t, 0, final.Term(t, 30*time.Second), "log:\n%s", final.Stderr.String())
	peak = max(peak, final.PeakKiB())
	mode := "at-least-once"
	if eos {
		mode = "--exactly-once, read_committed"
	}
	report(t, row{Scenario: fmt.Sprintf("source kill -9 x%d during a %d-line ingest (%s)", kills, n, mode),
		Runs: kills + 1, Lines: total, Lost: lost, Dups: dups, PeakRSSKiB: peak,
		Notes: fmt.Sprintf("DRILLS_SEED=%d; kills 0.3-1.8 s apart while writing 50k lines/s", seed)})
	assert.Zero(t, lost, "lines lost")
	if eos {
		assert.Zero(t, dups, "duplicates under exactly-once")
	}
}
