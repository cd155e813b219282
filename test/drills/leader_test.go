//go:build drills

package drills

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
)

// leaderOf returns the node leading partition 0 of topic.
func leaderOf(t *testing.T, adm *kadm.Client, topic string) int32 {
	t.Helper()
	var leader int32 = -1
	require.Eventually(t, func() bool {
		td, err := adm.ListTopics(t.Context(), topic)
		if err != nil || td[topic].Err != nil {
			return false
		}
		leader = td[topic].Partitions[0].Leader
		return leader > 0
	}, 30*time.Second, 200*time.Millisecond)
	return leader
}

// A 3-node cluster, a topic with replication factor 3 and min.insync.replicas=2: the
// partition leader is SIGKILLed while the source produces (nothing may be lost), then again
// while the stream consumes (nothing may be skipped).
func TestLeaderKill(t *testing.T) {
	seeds := upCluster(t, 3)
	adm, _ := admin(t, seeds)
	topic := "drill-leader"
	isr := "2"
	createTopic(t, adm, topic, 1, 3, map[string]*string{"min.insync.replicas": &isr})
	bin := bridgeBin(t)

	// Phase 1: the source.
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	const n = 400_000
	written := writeLines(context.Background(), file, n, 20000)
	src := start(t, bin, sourceArgs(seeds, dir, file, topic)...)
	time.Sleep(5 * time.Second)
	victim := leaderOf(t, adm, topic)
	require.NoError(t, kafkaSh(t, 3, "kill-node", strconv.Itoa(int(victim))))
	total := <-written
	lost, dups := tallyFrom(t, seeds, victim, topic, total)
	assert.Equal(t, 0, src.Term(t, 30*time.Second), "log:\n%s", src.Stderr.String())
	report(t, row{Scenario: "3 nodes, RF 3, min.insync.replicas=2: partition leader kill -9 mid-ingest (source)",
		Runs: 1, Lines: total, Lost: lost, Dups: dups, PeakRSSKiB: src.PeakKiB(),
		Notes: fmt.Sprintf("leader node %d killed 5 s into a 20k lines/s ingest", victim)})
	assert.Zero(t, lost, "lines lost")

	// Phase 2: the stream, after the killed node is back.
	require.NoError(t, kafkaSh(t, 3, "start-node", strconv.Itoa(int(victim))))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	produced := produceInBackground(ctx, t, seeds, topic, 1<<30, 5000)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	st := start(t, bin, streamArgs(seeds, topic, "drill-leader-g", "--sink", "jsonl:"+out)...)
	waitConsuming(t, adm, "drill-leader-g", out, false, st)
	victim2 := leaderOf(t, adm, topic)
	require.NoError(t, kafkaSh(t, 3, "kill-node", strconv.Itoa(int(victim2))))
	time.Sleep(10 * time.Second)
	cancel()
	m := <-produced
	want := inputRefs(t, adm, topic)
	require.Eventually(t, func() bool { l, _ := lostDups(want, jsonlRefs(t, out)); return l == 0 },
		3*time.Minute, time.Second, "log:\n%s", st.Stderr.String())
	assert.Equal(t, 0, st.Term(t, 30*time.Second), "log:\n%s", st.Stderr.String())
	skipped, sdups := lostDups(want, jsonlRefs(t, out))
	report(t, row{Scenario: "3 nodes, RF 3, min.insync.replicas=2: partition leader kill -9 mid-consume (stream, jsonl sink)",
		Runs: 1, Lines: total + m, Lost: skipped, Dups: sdups, PeakRSSKiB: st.PeakKiB(),
		Notes: fmt.Sprintf("leader node %d killed while the stream consumed and 5k records/s came in", victim2)})
	assert.Zero(t, skipped, "records skipped")
}

// tallyFrom counts the source's lines using the brokers still alive.
func tallyFrom(t *testing.T, seeds []string, dead int32, topic string, n int) (int, int) {
	t.Helper()
	var alive []string
	for i, s := range seeds {
		if int32(i+1) != dead {
			alive = append(alive, s)
		}
	}
	return tally(t, alive, topic, n, false, 3*time.Minute)
}
