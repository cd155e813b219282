package stream

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/talkers"
)

type ref struct {
	partition int32
	offset    int64
}

// TestStreamDeliversAndCommits: every packet record reaches the sink once, bad input is
// counted and skipped, batch times sit on the grid, the offsets are committed, and a
// restart in the same group continues after them.
func TestStreamDeliversAndCommits(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 3)
	values := packetValues(0, 200)
	values = append(values,
		envelope("Capturing on 'en0'"), envelope(""), []byte("3 packets captured"),
		[]byte(envPrefix+`"unterminated`), []byte(envPrefix+`"bad \x escape"}`),
		envelope(strings.Repeat("x", 5000)))
	produce(t, c, topic, values...)

	cfg := testConfig(c, topic)
	cfg.MaxValueBytes = 4096
	rec := &recorder{}
	r := start(t, cfg, rec)
	require.Eventually(t, func() bool { return len(rec.tuples()) >= 200 }, 60*time.Second, 20*time.Millisecond)
	time.Sleep(3 * cfg.Interval) // a duplicate would show up by now
	require.NoError(t, r.stop(t))

	srcs := map[string]int{}
	seen := map[ref]int{}
	for _, tp := range rec.tuples() {
		srcs[tp.Src]++
		seen[ref{tp.Partition, tp.Offset}]++
		assert.Equal(t, topic, tp.Topic)
		assert.Equal(t, "TCP", tp.Proto)
	}
	assert.Len(t, seen, 200)
	for i := 0; i < 200; i++ {
		assert.Equal(t, 1, srcs[packetSrc(i)], "record %d", i)
	}
	st := r.s.Stats()
	assert.Equal(t, Stats{Records: 206, Tuples: 200, NotPacket: 3, Malformed: 2, TooLarge: 1, Batches: st.Batches}, st)

	var last int64
	for _, b := range rec.snapshot() {
		ms := b.Time.UnixMilli()
		assert.Zero(t, ms%100, "batch time %v is on the 100ms grid", b.Time)
		assert.Greater(t, ms, last, "batch times increase")
		last = ms
	}
	assert.Equal(t, endOffsets(t, c, topic), committed(t, c, cfg.Group, topic))

	// A restart in the same group sees only what came after the commit.
	produce(t, c, topic, packetValues(200, 230)...)
	rec2 := &recorder{}
	r2 := start(t, cfg, rec2)
	require.Eventually(t, func() bool { return len(rec2.tuples()) >= 30 }, 60*time.Second, 20*time.Millisecond)
	time.Sleep(3 * cfg.Interval)
	require.NoError(t, r2.stop(t))
	got := map[string]bool{}
	for _, tp := range rec2.tuples() {
		got[tp.Src] = true
	}
	assert.Len(t, rec2.tuples(), 30)
	for i := 200; i < 230; i++ {
		assert.True(t, got[packetSrc(i)], "record %d", i)
	}
}

// TestStreamStartsAtTheEndByDefault: a new group sees only records produced after it
// joined, as Spark's receiver did.
func TestStreamStartsAtTheEndByDefault(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	produce(t, c, topic, packetValues(0, 10)...)
	cfg := testConfig(c, topic)
	cfg.FromBeginning = false
	rec := &recorder{}
	r := start(t, cfg, rec)
	// Wait until the member owns the partition, then produce more.
	require.Eventually(t, func() bool { return len(committedOrAssigned(t, c, cfg.Group, topic)) > 0 },
		60*time.Second, 50*time.Millisecond)
	produce(t, c, topic, packetValues(10, 15)...)
	require.Eventually(t, func() bool { return len(rec.tuples()) >= 5 }, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, r.stop(t))
	for _, tp := range rec.tuples() {
		assert.GreaterOrEqual(t, tp.Offset, int64(10), "only new records")
	}
}

// committedOrAssigned reports the partitions the group has a position for: the stream
// commits an empty batch's nothing, so look at the group's members instead.
func committedOrAssigned(t *testing.T, c *kafkatest.Cluster, group, topic string) []int32 {
	t.Helper()
	adm := kadmClient(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	described, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return nil
	}
	var parts []int32
	for _, g := range described {
		for _, m := range g.Members {
			if a, ok := m.Assigned.AsConsumer(); ok {
				for _, tp := range a.Topics {
					if tp.Topic == topic {
						parts = append(parts, tp.Partitions...)
					}
				}
			}
		}
	}
	return parts
}

// TestStreamSinkFailureCommitsNothing: a failing sink stops the stream with its error
// and the batch's offsets stay uncommitted, so the next run sees the records again.
func TestStreamSinkFailureCommitsNothing(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 2)
	produce(t, c, topic, packetValues(0, 20)...)
	cfg := testConfig(c, topic)
	failing := &recorder{fail: errors.New("disk full")}
	r := start(t, cfg, failing)
	select {
	case err := <-r.done:
		r.done <- err
		require.Error(t, err)
		assert.Contains(t, err.Error(), "disk full")
		assert.Contains(t, err.Error(), "recorder")
	case <-time.After(60 * time.Second):
		t.Fatal("the stream did not stop on a sink error")
	}
	assert.Empty(t, committed(t, c, cfg.Group, topic))

	rec := &recorder{}
	r2 := start(t, cfg, rec)
	require.Eventually(t, func() bool { return len(rec.tuples()) >= 20 }, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, r2.stop(t))
}

// TestStreamStopWritesWhatWasPolled: on a stop signal the records already polled form a
// last batch that is written and committed, not dropped.
func TestStreamStopWritesWhatWasPolled(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	produce(t, c, topic, packetValues(0, 25)...)
	cfg := testConfig(c, topic)
	cfg.Interval = time.Hour // no batch is due during the test
	rec := &recorder{}
	r := start(t, cfg, rec)
	require.Eventually(t, func() bool { return r.s.Stats().Records == 25 }, 60*time.Second, 20*time.Millisecond)
	require.Empty(t, rec.snapshot())
	require.NoError(t, r.stop(t))
	batches := rec.snapshot()
	require.Len(t, batches, 1)
	assert.Len(t, batches[0].Tuples, 25)
	assert.Zero(t, batches[0].Time.UnixMilli()%time.Hour.Milliseconds(), "stamped with its grid time")
	assert.Equal(t, map[int32]int64{0: 25}, committed(t, c, cfg.Group, topic))
}

// TestStreamTopWindow: --top counts pairs over the window and outputs only on the
// slide grid.
func TestStreamTopWindow(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 2)
	var values [][]byte
	add := func(src, dst string, n int) {
		for i := 0; i < n; i++ {
			values = append(values, envelope("    1 0.000000 "+src+" → "+dst+" UDP 60 x"))
		}
	}
	add("10.0.0.1", "10.0.0.2", 7)
	add("10.0.0.3", "10.0.0.4", 5)
	add("10.0.0.2", "10.0.0.1", 5)
	add("10.0.0.9", "10.0.0.9", 1)
	cfg := testConfig(c, topic)
	cfg.Top, cfg.Window, cfg.Slide = 2, 2*time.Second, 200*time.Millisecond
	dropGroupTopics(t, c, cfg.Group)
	rec := &recorder{}
	r := start(t, cfg, rec)
	c.WaitGroupStable(t, cfg.Group, 1)
	produce(t, c, topic, values...)
	full := func(b sink.Batch) bool {
		return b.Talkers != nil && b.Talkers.Keys == 4 && b.Talkers.Packets == 18
	}
	require.Eventually(t, func() bool {
		for _, b := range rec.snapshot() {
			if full(b) {
				return true
			}
		}
		return false
	}, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, r.stop(t))
	for _, b := range rec.snapshot() {
		assert.True(t, b.Aggregate)
		assert.Nil(t, b.Tuples)
		assert.Zero(t, b.Time.UnixMilli()%200, "output only on the slide grid")
		if full(b) {
			assert.Equal(t, []sink.PairCount{
				{Src: "10.0.0.1", Dst: "10.0.0.2", Count: 7},
				{Src: "10.0.0.2", Dst: "10.0.0.1", Count: 5},
			}, pairCounts(b.Talkers))
		}
	}
}

// TestStreamExactlyOnceKafkaSink: with ExactlyOnce the Kafka sink's output and the
// offsets commit together; a read_committed reader sees every record once.
func TestStreamExactlyOnceKafkaSink(t *testing.T) {
	c := kafkatest.New(t)
	in, out := newTopic(t, c, 3), newTopic(t, c, 2)
	produce(t, c, in, packetValues(0, 150)...)
	cfg := testConfig(c, in)
	cfg.ExactlyOnce = true
	s, err := New(cfg, testLog())
	require.NoError(t, err)
	ks, err := sink.NewKafka(s.Producer(), out)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, []sink.Sink{ks}) }()
	recs := c.ReadAll(t, out, 150, 60*time.Second, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	cancel()
	require.NoError(t, <-done)
	require.Len(t, recs, 150)
	seen := map[string]int{}
	for _, r := range recs {
		seen[string(r.Key)]++
	}
	for i := 0; i < 150; i++ {
		assert.Equal(t, 1, seen[packetSrc(i)+" 192.168.0.1"], "record %d", i)
	}
	assert.Equal(t, endOffsets(t, c, in), committed(t, c, cfg.Group, in))
}

// TestStreamBoundsBatches: a backlog larger than MaxBatchRecords is worked off in
// batches of at most that many records, and nothing is lost.
func TestStreamBoundsBatches(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 2)
	produce(t, c, topic, packetValues(0, 500)...)
	cfg := testConfig(c, topic)
	cfg.MaxBatchRecords = 120
	rec := &recorder{}
	r := start(t, cfg, rec)
	require.Eventually(t, func() bool { return len(rec.tuples()) >= 500 }, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, r.stop(t))
	for _, b := range rec.snapshot() {
		assert.LessOrEqual(t, len(b.Tuples), 120)
	}
	assert.Len(t, rec.tuples(), 500)
}

// TestStreamFullBatchDoesNotWaitForTick: a batch that reaches MaxBatchRecords is written
// and committed at once, and the next batch starts without waiting for the tick; every
// batch before the tick is stamped with that tick's time, and the records keep their order.
func TestStreamFullBatchDoesNotWaitForTick(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	produce(t, c, topic, packetValues(0, 500)...)
	cfg := testConfig(c, topic)
	cfg.Interval = time.Hour // the backlog must not wait for a tick
	cfg.MaxBatchRecords = 120
	rec := &recorder{}
	r := start(t, cfg, rec)
	require.Eventually(t, func() bool { return len(rec.snapshot()) >= 4 }, 60*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		return committed(t, c, cfg.Group, topic)[0] >= 480
	}, 30*time.Second, 20*time.Millisecond, "full batches are committed without a tick")
	require.NoError(t, r.stop(t))
	batches := rec.snapshot()
	require.Len(t, batches, 5)
	for i, b := range batches {
		want := 120
		if i == 4 {
			want = 20 // the rest, written once the backlog is read to its end
		}
		assert.Len(t, b.Tuples, want, "batch %d", i)
		assert.True(t, b.Time.Equal(batches[0].Time), "batch %d stamped with the same tick", i)
	}
	assert.Zero(t, batches[0].Time.UnixMilli()%time.Hour.Milliseconds(), "stamped with its grid time")
	for i, tp := range rec.tuples() {
		assert.Equal(t, int64(i), tp.Offset)
		assert.Equal(t, packetSrc(i), tp.Src)
	}
	assert.Equal(t, map[int32]int64{0: 500}, committed(t, c, cfg.Group, topic))
}

// TestStreamBacklogDoesNotWaitForTick: records already in the topic when the stream
// starts are written as soon as they are read to the end, over several polls and
// partitions, stamped with the coming tick; records that arrive after that are live and
// wait for their tick (here: the stop).
func TestStreamBacklogDoesNotWaitForTick(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 2)
	for i := 0; i < 10; i++ {
		produce(t, c, topic, packetValues(i*50, (i+1)*50)...)
	}
	cfg := testConfig(c, topic)
	cfg.Interval = time.Hour // no tick during the test
	// One record batch a fetch, so reading the backlog takes many polls.
	cfg.ClientOpts = append(cfg.ClientOpts, kgo.FetchMaxBytes(1), kgo.FetchMaxPartitionBytes(1))
	rec := &recorder{}
	r := start(t, cfg, rec)
	require.Eventually(t, func() bool { return len(rec.tuples()) == 500 }, 60*time.Second, 20*time.Millisecond,
		"the backlog is written without waiting for the tick")
	assert.Equal(t, endOffsets(t, c, topic), committed(t, c, cfg.Group, topic))

	produce(t, c, topic, packetValues(500, 505)...)
	require.Eventually(t, func() bool { return r.s.Stats().Records == 505 }, 60*time.Second, 20*time.Millisecond)
	assert.Len(t, rec.tuples(), 500, "live records wait for their tick")
	require.NoError(t, r.stop(t))
	assert.Len(t, rec.tuples(), 505)
	for i, b := range rec.snapshot() {
		assert.Zero(t, b.Time.UnixMilli()%time.Hour.Milliseconds(), "batch %d stamped with its grid time", i)
	}
}

// TestStreamBacklogOfTransactionsDoesNotWaitForTick: with --exactly-once the stream reads
// committed records only, up to the last stable offset, and each committed transaction
// leaves a marker after its records; a backlog written in transactions is still written
// once it is read to its end, not at the tick.
func TestStreamBacklogOfTransactionsDoesNotWaitForTick(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	txn := c.Client(t, kgo.DefaultProduceTopic(topic), kgo.TransactionalID(topic+"-producer"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := 0; i < 10; i++ {
		require.NoError(t, txn.BeginTransaction())
		for _, v := range packetValues(i*50, (i+1)*50) {
			txn.Produce(ctx, &kgo.Record{Value: v}, nil)
		}
		require.NoError(t, txn.Flush(ctx))
		require.NoError(t, txn.EndTransaction(ctx, kgo.TryCommit))
	}
	cfg := testConfig(c, topic)
	cfg.Interval = time.Hour // no tick during the test
	cfg.ExactlyOnce = true
	cfg.ClientOpts = append(cfg.ClientOpts, kgo.FetchMaxBytes(1), kgo.FetchMaxPartitionBytes(1))
	rec := &recorder{}
	r := start(t, cfg, rec)
	require.Eventually(t, func() bool { return len(rec.tuples()) == 500 }, 60*time.Second, 20*time.Millisecond,
		"the backlog is written without waiting for the tick")
	require.NoError(t, r.stop(t))
	for i, tp := range rec.tuples() {
		assert.Equal(t, packetSrc(i), tp.Src)
	}
}

// TestStreamTopWindowIgnoresBatchCap: with --top windows are cut by time, never by
// batches, so a backlog larger than MaxBatchRecords is counted whole, each record in one
// window.
func TestStreamTopWindowIgnoresBatchCap(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	produce(t, c, topic, packetValues(0, 500)...)
	cfg := testConfig(c, topic)
	cfg.Top, cfg.MaxBatchRecords = 1, 120
	dropGroupTopics(t, c, cfg.Group)
	rec := &recorder{}
	r := start(t, cfg, rec)
	var keys, packets int64
	require.Eventually(t, func() bool {
		keys, packets = 0, 0
		for _, b := range rec.snapshot() {
			keys += b.Talkers.Keys
			packets += b.Talkers.Packets
		}
		return packets >= 500
	}, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, r.stop(t))
	assert.Equal(t, [2]int64{500, 500}, [2]int64{keys, packets})
	assert.Equal(t, map[int32]int64{0: 500}, committed(t, c, cfg.Group, topic))
}

// pairCounts is the rows of a pair window as (src, dst, packets).
func pairCounts(r *talkers.Result) []sink.PairCount {
	var out []sink.PairCount
	for _, row := range r.Rows {
		out = append(out, sink.PairCount{Src: row.A, Dst: row.B, Count: row.Packets})
	}
	return out
}
