package connector

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// eosConfig is testConfig with exactly-once on, a fresh offsets topic (created, compacted, by
// the source itself and deleted after the test) and a unique transactional ID.
func eosConfig(t *testing.T, c *kafkatest.Cluster, dir, file, topic string) Config {
	t.Helper()
	cfg := testConfig(c, dir, file, topic)
	cfg.ExactlyOnce = true
	cfg.OffsetsFile = ""
	cfg.OffsetsTopic = topic + "-offsets"
	cfg.TransactionalID = "bridge-test-" + topic
	cfg.FlushInterval = 200 * time.Millisecond
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = kadm.NewClient(c.Client(t)).DeleteTopics(ctx, cfg.OffsetsTopic)
	})
	return cfg
}

// committedLines is what a read_committed consumer sees in topic, in order per partition.
func committedLines(t *testing.T, c *kafkatest.Cluster, topic string) []string {
	t.Helper()
	return payloads(t, c.ReadEverything(t, topic, true))
}

// Lines and offsets commit together: across a restart a read_committed consumer sees every
// line exactly once, and the offsets topic is created compacted.
func TestExactlyOnceRestart(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := eosConfig(t, c, dir, file, topic)
	appendFile(t, file, numbered("first", 0, 1000))

	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return len(committedLines(t, c, topic)) == 1000 }, "first run committed")
	require.NoError(t, r.stop(t))

	appendFile(t, file, numbered("second", 0, 1000))
	r = startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return len(committedLines(t, c, topic)) == 2000 }, "second run committed")
	require.NoError(t, r.stop(t))
	assert.ElementsMatch(t, append(lines("first", 0, 1000), lines("second", 0, 1000)...), committedLines(t, c, topic))

	rcs, err := kadm.NewClient(c.Client(t)).DescribeTopicConfigs(t.Context(), cfg.OffsetsTopic)
	require.NoError(t, err)
	rc, err := rcs.On(cfg.OffsetsTopic, nil)
	require.NoError(t, err)
	for _, kv := range rc.Configs {
		if kv.Key == "cleanup.policy" {
			assert.Equal(t, "compact", kv.MaybeValue())
		}
	}
}

// A second instance with the same transactional ID fences the first, which stops with an
// error at once instead of retrying and fencing back; the second one resumes from the
// committed offset.
func TestExactlyOnceFencing(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := eosConfig(t, c, dir, file, topic)
	appendFile(t, file, numbered("a", 0, 500))

	first := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return len(committedLines(t, c, topic)) == 500 }, "first committed")
	second := startSource(t, cfg)
	appendFile(t, file, numbered("b", 0, 500))
	want := append(lines("a", 0, 500), lines("b", 0, 500)...)
	// The first learns it was fenced at its next transaction. One that read and committed
	// every line before the second's fence went in (a race a loaded machine wins) is idle
	// and cannot know until a line comes, so a line a second comes until it stops.
	var err error
	for i := 0; err == nil; i++ {
		select {
		case <-first.done:
			err = first.err
			require.Error(t, err, "the fenced instance stops")
		case <-time.After(time.Second):
			require.Less(t, i, 30, "the fenced instance still running")
			appendFile(t, file, numbered("c", i, i+1))
			want = append(want, lines("c", i, i+1)...)
		}
	}
	assert.True(t, errors.Is(err, kerr.ProducerFenced) || errors.Is(err, ErrTakenOver), "%v", err)
	// Kafka 4 fails the fenced produce as INVALID_PRODUCER_EPOCH, which a timed-out
	// transaction gives too: a first instance that retried on it fenced the second back.
	select {
	case <-second.done:
		t.Fatalf("the second instance stopped: %v", second.err)
	default:
	}
	eventually(t, 30*time.Second, func() bool { return len(committedLines(t, c, topic)) >= len(want) }, "second committed")
	require.NoError(t, second.stop(t))
	assert.Equal(t, want, committedLines(t, c, topic))
}

// The offsets topic holds the position under Connect's key shape, last value wins.
func TestTopicStoreRoundTrip(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := eosConfig(t, c, dir, file, topic)
	appendFile(t, file, "x\ny\n")
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return len(committedLines(t, c, topic)) == 2 }, "committed")
	require.NoError(t, r.stop(t))

	store := &TopicStore{Client: c.Client(t), Topic: cfg.OffsetsTopic, Key: OffsetKey(DefaultName, file),
		ConsumerOpts: []kgo.Opt{kgo.SeedBrokers(c.Brokers...)}, Log: r.src.log}
	pos, ok, err := store.Load(t.Context())
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, int64(4), pos.Offset)
	assert.Equal(t, file, pos.File)
	assert.Equal(t, fmt.Sprintf(`["%s",{"filename":"%s"}]`, DefaultName, file), string(OffsetKey(DefaultName, file)))
}
