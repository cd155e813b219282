package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/harness"
	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/stream"
)

// pairWindows is the truth of a pair --top in record time: per window end, packets per
// "src dst".
type pairWindows struct {
	mu  sync.Mutex
	win time.Duration
	m   map[int64]map[string]int64
}

func (w *pairWindows) add(ts time.Time, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	end := ts.Truncate(w.win).Add(w.win).UnixMilli()
	if w.m[end] == nil {
		w.m[end] = map[string]int64{}
	}
	w.m[end][key]++
}

// produceTimed produces records stamped with the time they are made, spread over the
// topic's partitions, until stop is closed, and counts the acknowledged ones into truth.
func produceTimed(t *testing.T, c *kafkatest.Cluster, topic string, truth *pairWindows, stop <-chan struct{}) <-chan struct{} {
	cl := c.Client(t, kgo.RecordPartitioner(kgo.RoundRobinPartitioner()), kgo.DefaultProduceTopic(topic))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			var recs []*kgo.Record
			for j := range 10 {
				src, dst := fmt.Sprintf("10.0.%d.%d", j%3, (i+j)%7), fmt.Sprintf("192.168.0.%d", (i*j)%5)
				line := fmt.Sprintf("%5d 0.000000 %s → %s UDP 60 x", i, src, dst)
				recs = append(recs, &kgo.Record{Timestamp: time.Now(), Value: envelope(line), Key: []byte(src + " " + dst)})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			res := cl.ProduceSync(ctx, recs...)
			cancel()
			for _, r := range res {
				if r.Err == nil {
					truth.add(r.Record.Timestamp, string(r.Record.Key))
				}
			}
		}
	}()
	return done
}

// TestKill9GroupTopExactlyOnce is issue 14's drill, in small: three members with
// --exactly-once and a kafka: sink count pairs in record-time windows while records
// flow; one is killed with SIGKILL mid-window twice and restarted with its
// transactional id. The output topic, read read_committed, holds every window once, each
// with exactly the packets the records' timestamps put in it.
func TestKill9GroupTopExactlyOnce(t *testing.T) {
	c := kafkatest.New(t)
	in, out := newTopic(t, c, 6), newTopic(t, c, 3)
	group := in + "-g"
	c.DeleteAtEnd(t, stream.PanesTopic(group), stream.AnswersTopic(group))
	win := time.Second
	args := func(i int) []string {
		return streamArgs(c, in, group, "--top", "1000", "--time", "record", "--window", "1s", "--slide", "1s",
			"--sink", "kafka:"+out, "--exactly-once", "--transactional-id", fmt.Sprintf("%s-%d", in, i))
	}
	members := make([]*proc, 3)
	for i := range members {
		members[i] = startBridge(t, fmt.Sprintf("member-%d", i), args(i)...)
	}
	c.WaitGroupStable(t, group, 3)

	truth := &pairWindows{win: win, m: map[int64]map[string]int64{}}
	stop := make(chan struct{})
	produced := produceTimed(t, c, in, truth, stop)
	// A member may own panes partitions only (the balancer spreads the partitions of both
	// topics), so being in the group is what "running" means here.
	for round := range 2 {
		time.Sleep(1500*time.Millisecond + time.Duration(round)*300*time.Millisecond) // mid-window
		members[0].kill9(t)
		members[0] = startBridge(t, fmt.Sprintf("member-0-%d", round+1), args(0)...)
		c.WaitGroupStable(t, group, 3)
	}
	time.Sleep(2 * time.Second)
	close(stop)
	<-produced

	want := truth.m
	got := map[int64]map[string]int64{}
	totals := map[int64]int{}
	waitFor(t, "every window answered", 120*time.Second, func() bool {
		got, totals = readWindows(t, c, out)
		return len(totals) >= len(want)
	})
	time.Sleep(2 * time.Second) // let a second answer, if any, be committed
	got, totals = readWindows(t, c, out)
	for end, n := range totals {
		assert.Equal(t, 1, n, "window %v answered once", time.UnixMilli(end))
	}
	require.Len(t, totals, len(want))
	var packets int64
	for _, keys := range want {
		for _, n := range keys {
			packets += n
		}
	}
	t.Logf("%d windows, %d packets, two SIGKILLs", len(want), packets)
	for end, keys := range want {
		assert.Equal(t, keys, got[end], "window %v", time.UnixMilli(end))
	}
}

// readWindows reads the committed output of a pair --top kafka: sink: packets per key per
// window end, and how many totals objects each window has.
func readWindows(t *testing.T, c *kafkatest.Cluster, topic string) (map[int64]map[string]int64, map[int64]int) {
	recs := c.ReadAll(t, topic, 1<<20, 3*time.Second, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	w := harness.NewTopWindows()
	for _, r := range recs {
		require.NoError(t, w.Add(r.Value))
	}
	return w.Rows, w.Answers
}
