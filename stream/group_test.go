package stream

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/talkers"
)

// groupWindows is the number of record-time windows the group tests spread records over.
const groupWindows = 24

// timedRecords returns records for the 6 partitions of topic with timestamps spread over
// groupWindows windows of win starting at t0, with a few hosts talking in both directions
// and frame lengths that vary.
func timedRecords(topic string, t0 time.Time, win time.Duration) []*kgo.Record {
	var recs []*kgo.Record
	for w := range groupWindows {
		for i := range 30 + w%7 {
			src := fmt.Sprintf("10.0.%d.%d", i%3, (i*7+w)%5)
			dst := fmt.Sprintf("192.168.%d.1", (i+w)%4)
			if i%4 == 0 {
				src, dst = dst, src
			}
			line := fmt.Sprintf("%5d 0.%06d %s → %s TCP %d x", i+1, i, src, dst, 60+(i*13+w)%900)
			ts := t0.Add(time.Duration(w)*win + time.Duration(i)*win/40)
			recs = append(recs, &kgo.Record{Topic: topic, Partition: int32((i + w) % 6), Timestamp: ts, Value: envelope(line)})
		}
	}
	return recs
}

// windowsOf returns the answers a recorder got, by window end, once it has want.
func windowsOf(t *testing.T, r *recorder, want int) map[time.Time]*talkers.Result {
	t.Helper()
	var out map[time.Time]*talkers.Result
	require.Eventually(t, func() bool {
		out = make(map[time.Time]*talkers.Result)
		for _, b := range r.snapshot() {
			if b.Talkers != nil && b.Talkers.Packets > 0 {
				out[b.Talkers.End.UTC()] = b.Talkers
			}
		}
		return len(out) >= want
	}, 90*time.Second, 100*time.Millisecond, "windows answered")
	return out
}

func groupConfig(c *kafkatest.Cluster, topic, group string, key talkers.KeyKind) Config {
	cfg := testConfig(c, topic)
	cfg.Group = group
	cfg.Top, cfg.Key, cfg.Interval = 1000, key, 100*time.Millisecond
	cfg.Window, cfg.Slide = 200*time.Millisecond, 200*time.Millisecond
	cfg.Time, cfg.IdleAfter = TimeRecord, time.Second // the last windows close a second after the records
	return cfg
}

// groupTopic makes an input topic of partitions and names its group, whose internal
// topics are deleted when the test ends.
func groupTopic(t *testing.T, c *kafkatest.Cluster, partitions int32) (topic, group string) {
	t.Helper()
	topic = newTopic(t, c, partitions)
	group = topic + "-g"
	dropGroupTopics(t, c, group)
	return topic, group
}

// dropGroupTopics deletes the topics the stream made for groups when the test ends.
func dropGroupTopics(t *testing.T, c *kafkatest.Cluster, groups ...string) {
	for _, g := range groups {
		c.DeleteAtEnd(t, PanesTopic(g), AnswersTopic(g))
	}
}

// TestGroupAnswerEqualsOneMember is issue 14's proof: records spread over 24 record-time
// windows on 6 partitions give, for every window, the same keys, packets and bytes
// whether one member counts them alone or three share the partitions, and every one of
// the three shows that answer.
func TestGroupAnswerEqualsOneMember(t *testing.T) {
	for _, key := range []talkers.KeyKind{talkers.Pair, talkers.Conversation, talkers.Host} {
		t.Run(key.String(), func(t *testing.T) {
			c := kafkatest.New(t)
			topic := newTopic(t, c, 6)
			alone, shared := topic+"-alone", topic+"-shared"
			dropGroupTopics(t, c, alone, shared)

			one := &recorder{}
			start(t, groupConfig(c, topic, alone, key), one)
			three := []*recorder{{}, {}, {}}
			for _, r := range three {
				start(t, groupConfig(c, topic, shared, key), r)
			}
			c.WaitGroupStable(t, alone, 1)
			c.WaitGroupStable(t, shared, 3)

			win := 200 * time.Millisecond
			t0 := time.Now().Add(2 * time.Second).Truncate(win)
			recs := timedRecords(topic, t0, win)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			require.NoError(t, c.Client(t).ProduceSync(ctx, recs...).FirstErr())

			want := windowsOf(t, one, groupWindows)
			assert.Len(t, want, groupWindows)
			var packets int64
			for end, r := range want {
				packets += r.Packets
				// The protocol mix travels with the summaries: every record here is TCP.
				if assert.Len(t, r.Protocols, 1, "window %v", end) {
					assert.Equal(t, "TCP", r.Protocols[0].A)
					assert.Equal(t, [2]int64{r.Packets, r.Bytes}, [2]int64{r.Protocols[0].Packets, r.Protocols[0].Bytes})
				}
			}
			if !assert.Equal(t, int64(len(recs)), packets, "every record in one window") {
				for w := range groupWindows {
					end := t0.Add(time.Duration(w+1) * win).UTC()
					if r := want[end]; r == nil || r.Packets != int64(30+w%7) {
						t.Logf("window %d %v: %+v", w, end, r)
					}
				}
				t.Logf("stats %+v", one)
			}
			for i, r := range three {
				got := windowsOf(t, r, groupWindows)
				for end, w := range want {
					g := got[end]
					require.NotNil(t, g, "member %d: window %v", i, end)
					assert.Equal(t, w.Rows, g.Rows, "member %d: window %v", i, end)
					assert.Equal(t, w.Protocols, g.Protocols, "member %d: window %v", i, end)
					assert.Equal(t, [3]int64{w.Packets, w.Bytes, w.Keys}, [3]int64{g.Packets, g.Bytes, g.Keys},
						"member %d: window %v", i, end)
				}
			}
		})
	}
}

var _ sink.Sink = (*recorder)(nil)

// TestGroupBacklogKeepsItsWindows is issue 14's outage, in small: records that came while
// no member ran (their timestamps spread over ten windows in the past) are, once a member
// starts, answered in the windows their timestamps say, not as one catch-up window.
func TestGroupBacklogKeepsItsWindows(t *testing.T) {
	c := kafkatest.New(t)
	topic, group := groupTopic(t, c, 6)
	win := 200 * time.Millisecond
	t0 := time.Now().Add(-30 * time.Second).Truncate(win)
	recs := timedRecords(topic, t0, win)[:0]
	for _, r := range timedRecords(topic, t0, win) {
		if r.Timestamp.Before(t0.Add(10 * win)) {
			recs = append(recs, r)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Client(t).ProduceSync(ctx, recs...).FirstErr())

	rec := &recorder{}
	start(t, groupConfig(c, topic, group, talkers.Pair), rec)
	got := windowsOf(t, rec, 10)
	require.Len(t, got, 10)
	for w := range 10 {
		r := got[t0.Add(time.Duration(w+1)*win).UTC()]
		require.NotNil(t, r, "window %d", w)
		assert.Equal(t, int64(30+w%7), r.Packets, "window %d", w)
	}
}

// lines returns n records of topic spread over its partitions, from a few hosts.
func lines(topic string, partitions, n int) []*kgo.Record {
	recs := make([]*kgo.Record, 0, n)
	for i := range n {
		line := fmt.Sprintf("%5d 0.%06d 10.0.0.%d → 192.168.1.%d UDP %d x", i+1, i, i%5, i%3, 60+i%40)
		recs = append(recs, &kgo.Record{Topic: topic, Partition: int32(i % partitions), Value: envelope(line)})
	}
	return recs
}

// dayGroup is a group --top over a fresh 3-partition topic in processing time with a
// day's interval and window, so a backlog's answer is early by hours; it skips the test
// in the minute before the day's tick, where early and on time could not be told apart.
func dayGroup(t *testing.T) (*kafkatest.Cluster, Config) {
	t.Helper()
	const day = 24 * time.Hour
	if time.Until(nextTick(time.Now(), day)) < time.Minute {
		t.Skip("the day's tick is a minute away: the test could not tell early from on time")
	}
	c := kafkatest.New(t)
	topic, group := groupTopic(t, c, 3)
	cfg := groupConfig(c, topic, group, talkers.Pair)
	cfg.Time, cfg.Interval, cfg.Window, cfg.Slide = TimeProcessing, day, day, day
	return c, cfg
}

// produceRecords writes recs in one go.
func produceRecords(t *testing.T, c *kafkatest.Cluster, recs []*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, c.Client(t).ProduceSync(ctx, recs...).FirstErr())
}

// TestGroupBacklogAnsweredBeforeItsTick: in processing time a backlog read to its end
// closes the tick's window at once, so its answer comes long before the grid would
// have closed it (the interval here is a day).
func TestGroupBacklogAnsweredBeforeItsTick(t *testing.T) {
	c, cfg := dayGroup(t)
	produceRecords(t, c, lines(cfg.Topics[0], 3, 600))
	rec := &recorder{}
	start(t, cfg, rec)
	got := windowsOf(t, rec, 1)
	require.Len(t, got, 1)
	for end, r := range got {
		assert.True(t, end.After(time.Now()), "answered before the window's end %v", end)
		assert.Equal(t, int64(600), r.Packets)
		assert.Equal(t, int64(15), r.Keys, "5 sources × 3 destinations")
	}
}

// TestGroupLargeBacklogCountsEveryRecord: a backlog whose polls are decoded ahead of the
// counting (thousands of records a poll), bad values among them, is counted in full:
// every good record's packet and bytes, no bad one.
func TestGroupLargeBacklogCountsEveryRecord(t *testing.T) {
	const n = 12000
	c, cfg := dayGroup(t)
	recs := lines(cfg.Topics[0], 3, n)
	var bytes int64
	for i := range n {
		bytes += int64(60 + i%40)
	}
	for i, b := range badValues() {
		if b.want != skipTooLarge { // the producer's batch limit is the test's, not the stream's
			recs = append(recs, &kgo.Record{Topic: cfg.Topics[0], Partition: int32(i % 3), Value: b.value})
		}
	}
	produceRecords(t, c, recs)
	rec := &recorder{}
	run := start(t, cfg, rec)
	got := windowsOf(t, rec, 1)
	require.Len(t, got, 1)
	for _, r := range got {
		assert.Equal(t, int64(n), r.Packets)
		assert.Equal(t, bytes, r.Bytes)
		assert.Equal(t, int64(15), r.Keys, "5 sources × 3 destinations")
	}
	st := run.s.Stats()
	assert.Equal(t, int64(len(recs)), st.Records)
	assert.Equal(t, int64(n), st.Tuples)
}

// TestGroupBacklogWaitsForEveryPartition: a member that gained three partitions and read
// two of them to their end has not read its backlog while the third's first fetch is
// still to come (CI caught a window answered with two thirds of its records); a third
// partition that is empty is looked up and does not hold the backlog open.
func TestGroupBacklogWaitsForEveryPartition(t *testing.T) {
	for _, tc := range []struct {
		name     string
		thirdHas int  // records in partition 2
		afterTwo bool // the backlog is read once partitions 0 and 1 are
	}{
		{"third still to fetch", 5, false},
		{"third empty", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := kafkatest.New(t)
			topic, group := groupTopic(t, c, 3)
			cfg := groupConfig(c, topic, group, talkers.Pair)
			recs := lines(topic, 2, 10)
			for i := range tc.thirdHas {
				recs = append(recs, &kgo.Record{Topic: topic, Partition: 2, Value: []byte(fmt.Sprint(i))})
			}
			manual := c.Client(t, kgo.RecordPartitioner(kgo.ManualPartitioner()))
			require.NoError(t, manual.ProduceSync(context.Background(), recs...).FirstErr())

			g := newGroupRun(cfg, testLog(), talkSummaries(cfg))
			g.inputs, g.cl = map[string]int32{topic: 3}, c.Client(t)
			g.owned(map[string][]int32{topic: {0, 1, 2}}, true)
			atEnd := func(ps ...int32) kgo.Fetches {
				ft := kgo.FetchTopic{Topic: topic}
				for _, p := range ps {
					ft.Partitions = append(ft.Partitions, kgo.FetchPartition{Partition: p, HighWatermark: 5,
						Records: []*kgo.Record{{Topic: topic, Partition: p, Offset: 4}}})
				}
				return kgo.Fetches{{Topics: []kgo.FetchTopic{ft}}}
			}
			lag := func(p kgo.FetchPartition, last int64) int64 { return p.HighWatermark - (last + 1) }
			ctx := context.Background()

			g.polled(atEnd(0, 1), lag)
			require.Equal(t, tc.afterTwo, g.backlogRead(ctx), "partitions 0 and 1 read to their end")
			if !tc.afterTwo {
				g.polled(atEnd(2), lag)
				require.True(t, g.backlogRead(ctx), "every partition read to its end")
			}
			g.polled(atEnd(0), lag)
			assert.False(t, g.backlogRead(ctx), "live records after the backlog are no backlog")
		})
	}
}

// TestGroupLiveAfterBacklogIsNotLate: the records that come after a backlog was read (in
// the rest of the tick its early answer closed) count in the next tick's window, none
// of them late, none twice.
func TestGroupLiveAfterBacklogIsNotLate(t *testing.T) {
	c := kafkatest.New(t)
	topic, group := groupTopic(t, c, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := c.Client(t)
	require.NoError(t, cl.ProduceSync(ctx, lines(topic, 3, 500)...).FirstErr())

	cfg := groupConfig(c, topic, group, talkers.Host)
	cfg.Time, cfg.Interval, cfg.Window, cfg.Slide = TimeProcessing, 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
	rec := &recorder{}
	run := start(t, cfg, rec)
	windowsOf(t, rec, 1)
	for range 10 {
		require.NoError(t, cl.ProduceSync(ctx, lines(topic, 3, 30)...).FirstErr())
		time.Sleep(50 * time.Millisecond)
	}
	var total int64
	require.Eventually(t, func() bool {
		total = 0
		for _, r := range windowsOf(t, rec, 1) {
			total += r.Packets
		}
		return total >= 800
	}, 30*time.Second, 100*time.Millisecond, "every record in a window")
	assert.Equal(t, int64(800), total, "none twice")
	assert.Zero(t, run.s.Stats().LateRecords)
}
