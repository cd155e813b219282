//go:build drills

package drills

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ref names one input record.
type ref struct {
	Partition int32 `json:"partition"`
	Offset    int64 `json:"offset"`
}

// produceInBackground writes numbered envelopes, as bridge source would, at about rate
// records/s until ctx ends or n were sent; it returns when the last one is acknowledged.
func produceInBackground(ctx context.Context, t *testing.T, seeds []string, topic string, n, rate int) <-chan int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	require.NoError(t, err)
	done := make(chan int, 1)
	go func() {
		defer cl.Close()
		begin := time.Now()
		i := 0
		for ; i < n && ctx.Err() == nil; i++ {
			v := fmt.Sprintf(`{"schema":{"type":"string","optional":false},"payload":"%d drill %09d 192.168.1.%d → 10.0.0.%d TCP 66"}`,
				i%1000, i, i%250, i%200)
			cl.Produce(ctx, &kgo.Record{Value: []byte(v)}, nil)
			if i%500 == 499 {
				if ahead := time.Duration(i+1)*time.Second/time.Duration(rate) - time.Since(begin); ahead > 0 {
					time.Sleep(ahead)
				}
			}
		}
		_ = cl.Flush(context.Background())
		done <- i
	}()
	return done
}

// inputRefs lists every record of the input topic (offsets 0..end-1: it has no transactions).
func inputRefs(t *testing.T, adm *kadm.Client, topic string) map[ref]int {
	t.Helper()
	offs, err := adm.ListEndOffsets(t.Context(), topic)
	require.NoError(t, err)
	want := map[ref]int{}
	offs.Each(func(o kadm.ListedOffset) {
		for i := int64(0); i < o.Offset; i++ {
			want[ref{o.Partition, i}] = 0
		}
	})
	return want
}

// jsonlRefs counts the input records a jsonl sink file names.
func jsonlRefs(t *testing.T, path string) map[ref]int {
	t.Helper()
	got := map[ref]int{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return got
	}
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r ref
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			got[r]++
		}
	}
	return got
}

// topicRefs counts the input records a kafka: sink's output topic names.
func topicRefs(t *testing.T, seeds []string, topic string, want int) map[ref]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	defer cl.Close()
	got := map[ref]int{}
	quiet := time.Now()
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); {
		if len(got) >= want && time.Since(quiet) > 3*time.Second {
			break
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(rec *kgo.Record) {
			quiet = time.Now()
			var r ref
			if json.Unmarshal(rec.Value, &r) == nil {
				got[r]++
			}
		})
	}
	return got
}

// lostDups compares what reached a sink with the input.
func lostDups(want, got map[ref]int) (lost, dups int) {
	for r := range want {
		if got[r] == 0 {
			lost++
		}
	}
	for _, n := range got {
		dups += max(n-1, 0)
	}
	return lost, dups
}

func streamArgs(seeds []string, topic, group string, extra ...string) []string {
	return append([]string{"stream", topic, "--brokers", strings.Join(seeds, ","), "--group", group,
		"--from-beginning", "--interval", "200ms", "--session-timeout", "6s", "--log-level", "warn"}, extra...)
}

// bridge stream is SIGKILLed ten times while records flow in: with a jsonl sink every record
// arrives at least once; with --exactly-once and a kafka: sink exactly once (read_committed).
func TestStreamKill9(t *testing.T) {
	seeds := upCluster(t, 1)
	for _, eos := range []bool{false, true} {
		t.Run(fmt.Sprintf("exactly-once=%v", eos), func(t *testing.T) { streamKill(t, seeds, eos) })
	}
}

func streamKill(t *testing.T, seeds []string, eos bool) {
	kills := envInt("DRILLS_KILLS", 10)
	seed := uint64(envInt("DRILLS_SEED", int(time.Now().UnixNano()%1e9)))
	rng := rand.New(rand.NewPCG(seed, seed))
	adm, _ := admin(t, seeds)
	in := "drill-stream-in-" + strconv.FormatBool(eos)
	createTopic(t, adm, in, 3, 1, nil)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	sinkArgs := []string{"--sink", "jsonl:" + out}
	if eos {
		createTopic(t, adm, in+"-out", 3, 1, nil)
		sinkArgs = []string{"--sink", "kafka:" + in + "-out", "--exactly-once", "--transactional-id", in + "-txn"}
	}
	args := streamArgs(seeds, in, in+"-g", sinkArgs...)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	produced := produceInBackground(ctx, t, seeds, in, 1<<30, 5000)
	bin := bridgeBin(t)
	var peak int64
	for range kills {
		p := start(t, bin, args...)
		waitConsuming(t, adm, in+"-g", out, eos, p)
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond) // somewhere inside a batch
		p.Kill()
		peak = max(peak, p.PeakKiB())
	}
	final := start(t, bin, args...)
	cancel()
	n := <-produced
	want := inputRefs(t, adm, in)
	var got map[ref]int
	if eos {
		got = topicRefs(t, seeds, in+"-out", len(want))
	} else {
		require.Eventually(t, func() bool { l, _ := lostDups(want, jsonlRefs(t, out)); return l == 0 },
			3*time.Minute, time.Second, "log:\n%s", final.Stderr.String())
		got = jsonlRefs(t, out)
	}
	assert.Equal(t, 0, final.Term(t, 30*time.Second), "log:\n%s", final.Stderr.String())
	peak = max(peak, final.PeakKiB())
	lost, dups := lostDups(want, got)
	sink := "jsonl sink, at-least-once"
	if eos {
		sink = "--exactly-once, kafka: sink read_committed"
	}
	report(t, row{Scenario: fmt.Sprintf("stream kill -9 x%d mid-batch (%s)", kills, sink), Runs: kills + 1,
		Lines: n, Lost: lost, Dups: dups, PeakRSSKiB: peak,
		Notes: fmt.Sprintf("DRILLS_SEED=%d; 5k records/s in, 200 ms batches, killed 0-400 ms after a batch landed", seed)})
	assert.Zero(t, lost, "records never delivered")
	if eos {
		assert.Zero(t, dups, "duplicates under exactly-once")
	}
}

// waitConsuming waits until the stream has written output since it started (the sink file
// grew, or the group committed an offset past the last one), so the kill lands mid-stream
// and not during the group join.
func waitConsuming(t *testing.T, adm *kadm.Client, group, out string, eos bool, p *proc) {
	t.Helper()
	sum := func() int64 {
		if !eos {
			st, err := os.Stat(out)
			if err != nil {
				return 0
			}
			return st.Size()
		}
		offs, err := adm.FetchOffsets(t.Context(), group)
		if err != nil {
			return -1
		}
		var s int64
		offs.Each(func(o kadm.OffsetResponse) { s += o.At })
		return s
	}
	from := sum()
	require.Eventually(t, func() bool {
		select {
		case <-p.Done():
			t.Fatalf("stream exited early: %s", p.Stderr.String())
		default:
		}
		return sum() > from
	}, 90*time.Second, 50*time.Millisecond, "the stream never got going; log:\n%s", p.Stderr.String())
}
