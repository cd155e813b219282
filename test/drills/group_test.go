//go:build drills

package drills

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Three bridge stream instances share a group over a 6-partition topic; one is SIGKILLed:
// its partitions move to the other two after the session timeout and no record is skipped.
func TestThreeInstanceGroup(t *testing.T) {
	seeds := upCluster(t, 1)
	adm, _ := admin(t, seeds)
	topic, group := "drill-group", "drill-group-g"
	createTopic(t, adm, topic, 6, 1, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	produced := produceInBackground(ctx, t, seeds, topic, 1<<30, 5000)
	bin := bridgeBin(t)
	dir := t.TempDir()
	var procs []*proc
	var outs []string
	for i := range 3 {
		out := filepath.Join(dir, "out-"+strconv.Itoa(i)+".jsonl")
		outs = append(outs, out)
		procs = append(procs, start(t, bin, streamArgs(seeds, topic, group, "--sink", "jsonl:"+out)...))
	}
	for i, p := range procs {
		waitConsuming(t, adm, group, outs[i], false, p)
	}
	time.Sleep(time.Second)
	procs[0].Kill()
	killed := time.Now()
	time.Sleep(15 * time.Second)
	cancel()
	n := <-produced
	want := inputRefs(t, adm, topic)
	union := func() map[ref]int {
		got := map[ref]int{}
		for _, o := range outs {
			for r, k := range jsonlRefs(t, o) {
				got[r] += k
			}
		}
		return got
	}
	require.Eventually(t, func() bool { l, _ := lostDups(want, union()); return l == 0 },
		2*time.Minute, time.Second, "records missing after %s", time.Since(killed))
	var peak int64 = procs[0].PeakKiB()
	for _, p := range procs[1:] {
		assert.Equal(t, 0, p.Term(t, 30*time.Second), "log:\n%s", p.Stderr.String())
		peak = max(peak, p.PeakKiB())
	}
	lost, dups := lostDups(want, union())
	report(t, row{Scenario: "three-instance stream group, one instance kill -9", Runs: 3, Lines: n, Lost: lost,
		Dups: dups, PeakRSSKiB: peak,
		Notes: "6 partitions, 5k records/s, --session-timeout 6s; duplicates, if any, are the killed member's uncommitted batch"})
	assert.Zero(t, lost, "records skipped")
}
