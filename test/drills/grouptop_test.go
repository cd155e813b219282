//go:build drills

package drills

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Three members with --top in record-time windows, --exactly-once and a kafka: sink; one is
// SIGKILLed mid-window five times and restarted with its transactional id. The output topic,
// read read_committed, must hold every window once, each with exactly the packets per pair
// that the records' timestamps put in it (what one member alone computes).
func TestGroupTopKill9(t *testing.T) {
	kills := envInt("DRILLS_KILLS", 5)
	seeds := upCluster(t, 1)
	adm, _ := admin(t, seeds)
	in, out, group := "drill-top-in", "drill-top-out", "drill-top-g"
	createTopic(t, adm, in, 6, 1, nil)
	createTopic(t, adm, out, 3, 1, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	truth := &windowTruth{m: map[int64]map[string]int64{}}
	produced := produceTimed(ctx, t, seeds, in, truth, 2000)
	bin := bridgeBin(t)
	args := func(i int) []string {
		return streamArgs(seeds, in, group, "--top", "1000", "--time", "record", "--window", "1s", "--slide", "1s",
			"--sink", "kafka:"+out, "--exactly-once", "--transactional-id", group+"-"+strconv.Itoa(i))
	}
	procs := make([]*proc, 3)
	for i := range procs {
		procs[i] = start(t, bin, args(i)...)
	}
	waitConsuming(t, adm, group, "", true, procs[2])
	var peak int64
	for k := range kills {
		time.Sleep(1300*time.Millisecond + time.Duration(k)*250*time.Millisecond) // lands mid-window
		procs[0].Kill()
		peak = max(peak, procs[0].PeakKiB())
		procs[0] = start(t, bin, args(0)...)
		waitConsuming(t, adm, group, "", true, procs[0])
	}
	time.Sleep(3 * time.Second)
	cancel()
	n := <-produced
	want := truth.snapshot()
	var got map[int64]map[string]int64
	var answers map[int64]int
	require.Eventually(t, func() bool {
		got, answers = readTop(t, seeds, out)
		return len(answers) >= len(want)
	}, 2*time.Minute, time.Second, "every window answered")
	time.Sleep(3 * time.Second) // a second answer, if any, commits meanwhile
	got, answers = readTop(t, seeds, out)
	for _, p := range procs {
		assert.Equal(t, 0, p.Term(t, 30*time.Second), "log:\n%s", p.Stderr.String())
		peak = max(peak, p.PeakKiB())
	}
	twice, wrong := 0, 0
	for end, k := range answers {
		twice += k - 1
		if !assert.Equal(t, want[end], got[end], "window %v", time.UnixMilli(end)) {
			wrong++
		}
	}
	report(t, row{Scenario: "three members, --top --time record --exactly-once, one member kill -9 x" + strconv.Itoa(kills),
		Runs: kills + 3, Lines: n, Lost: len(want) - len(answers) + wrong, Dups: twice, PeakRSSKiB: peak,
		Notes: fmt.Sprintf("6 partitions, 2k records/s, 1 s windows: %d windows; lost and duplicated count windows missing, wrong or answered twice (read_committed)", len(want))})
	assert.Len(t, answers, len(want))
	assert.Zero(t, twice, "windows answered twice")
}

// windowTruth counts the acknowledged records per 1 s window end (ms) and "src dst" key.
type windowTruth struct {
	mu sync.Mutex
	m  map[int64]map[string]int64
}

func (w *windowTruth) add(ts time.Time, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	end := ts.Truncate(time.Second).Add(time.Second).UnixMilli()
	if w.m[end] == nil {
		w.m[end] = map[string]int64{}
	}
	w.m[end][key]++
}

func (w *windowTruth) snapshot() map[int64]map[string]int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.m
}

// produceTimed writes tshark lines stamped with the time they are made, rate a second,
// until ctx ends, and counts each acknowledged one into truth.
func produceTimed(ctx context.Context, t *testing.T, seeds []string, topic string, truth *windowTruth, rate int) <-chan int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	require.NoError(t, err)
	done := make(chan int, 1)
	go func() {
		defer cl.Close()
		var mu sync.Mutex
		acked := 0
		for i := 0; ctx.Err() == nil; i++ {
			src, dst := fmt.Sprintf("192.168.1.%d", i%50), fmt.Sprintf("10.0.0.%d", i%7)
			v := fmt.Sprintf(`{"schema":{"type":"string","optional":false},"payload":"%d 0.0 %s → %s TCP 66"}`, i, src, dst)
			key := src + " " + dst
			cl.Produce(ctx, &kgo.Record{Timestamp: time.Now(), Value: []byte(v)}, func(r *kgo.Record, err error) {
				if err == nil {
					truth.add(r.Timestamp, key)
					mu.Lock()
					acked++
					mu.Unlock()
				}
			})
			if i%100 == 99 {
				time.Sleep(100 * time.Second / time.Duration(rate))
			}
		}
		_ = cl.Flush(context.Background())
		mu.Lock()
		defer mu.Unlock()
		done <- acked
	}()
	return done
}

// readTop reads the committed output of a pair --top kafka: sink: packets per key per
// window end (ms), and how many window objects each window has.
func readTop(t *testing.T, seeds []string, topic string) (map[int64]map[string]int64, map[int64]int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	require.NoError(t, err)
	defer cl.Close()
	rows, answers := map[int64]map[string]int64{}, map[int64]int{}
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		if fs.NumRecords() == 0 {
			return rows, answers
		}
		fs.EachRecord(func(r *kgo.Record) {
			var obj struct {
				Src, Dst     string
				Packets      int64
				WindowEnd    time.Time `json:"window_end"`
				TotalPackets *int64    `json:"total_packets"`
			}
			require.NoError(t, json.Unmarshal(r.Value, &obj))
			end := obj.WindowEnd.UnixMilli()
			if obj.TotalPackets != nil {
				answers[end]++
				return
			}
			if rows[end] == nil {
				rows[end] = map[string]int64{}
			}
			rows[end][obj.Src+" "+obj.Dst] += obj.Packets
		})
	}
}
