package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
	"github.com/bridge-project/bridge/sink"
)

// testLog is quiet unless BRIDGE_TEST_LOG is set.
type lockedBuffer = testutil.SyncBuffer

func testLog() *slog.Logger {
	if os.Getenv("BRIDGE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// packetLine is a tshark line whose Source names i, so every record is recognisable.
func packetLine(i int) string {
	return fmt.Sprintf("%5d 0.%06d    10.%d.%d.%d → 192.168.0.1  TCP %d x", i+1, i, i>>16&255, i>>8&255, i&255, 60+i%10)
}

func packetSrc(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }

// produce writes values round-robin over the topic's partitions.
func produce(t *testing.T, c *kafkatest.Cluster, topic string, values ...[]byte) {
	t.Helper()
	c.Produce(t, topic, values...)
}

func packetValues(from, to int) [][]byte {
	var out [][]byte
	for i := from; i < to; i++ {
		out = append(out, envelope(packetLine(i)))
	}
	return out
}

// recorder is a sink that keeps copies of the batches it was given.
type recorder struct {
	mu      sync.Mutex
	batches []sink.Batch
	fail    error
}

var _ sink.Sink = (*recorder)(nil)

func (r *recorder) Write(_ context.Context, b sink.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil && (len(b.Tuples) > 0 || len(b.Counts) > 0) {
		return r.fail
	}
	b.Tuples, b.Counts = slices.Clone(b.Tuples), slices.Clone(b.Counts)
	r.batches = append(r.batches, b)
	return nil
}

func (r *recorder) Close(context.Context) error { return nil }
func (r *recorder) String() string              { return "recorder" }

func (r *recorder) snapshot() []sink.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

func (r *recorder) tuples() []sink.Tuple {
	var out []sink.Tuple
	for _, b := range r.snapshot() {
		out = append(out, b.Tuples...)
	}
	return out
}

// running is a Stream running in the background.
type running struct {
	s      *Stream
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, cfg Config, sinks ...sink.Sink) *running {
	t.Helper()
	s, err := New(cfg, testLog())
	require.NoError(t, err)
	return runStream(t, s, sinks...)
}

// runStream runs s in the background until the test stops it or ends.
func runStream(t *testing.T, s *Stream, sinks ...sink.Sink) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx, sinks) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// stop cancels the stream as SIGINT would and returns Run's result.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("stream did not stop within 60s")
		return nil
	}
}

func testConfig(c *kafkatest.Cluster, topic string) Config {
	cfg := DefaultConfig(topic)
	cfg.Brokers = c.Brokers
	cfg.Group = topic + "-group"
	cfg.Interval = 100 * time.Millisecond
	cfg.FromBeginning = true
	return cfg
}

// committed returns the group's committed offset per partition of topic: none while
// the group does not exist yet (a stream that has not joined it, or a broker that has
// not heard of the join yet, as kfake may answer in between).
func committed(t *testing.T, c *kafkatest.Cluster, group, topic string) map[int32]int64 {
	t.Helper()
	adm := kadm.NewClient(c.Client(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := adm.FetchOffsetsForTopics(ctx, group, topic)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return map[int32]int64{}
	}
	require.NoError(t, err)
	out := map[int32]int64{}
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At >= 0 {
			out[o.Partition] = o.At
		}
	})
	return out
}

func endOffsets(t *testing.T, c *kafkatest.Cluster, topic string) map[int32]int64 {
	t.Helper()
	adm := kadm.NewClient(c.Client(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topic)
	require.NoError(t, err)
	out := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out
}

func kadmClient(t *testing.T, c *kafkatest.Cluster) *kadm.Client {
	t.Helper()
	return kadm.NewClient(c.Client(t))
}

// newTopic creates a topic and waits until every partition has a leader.
func newTopic(t *testing.T, c *kafkatest.Cluster, partitions int32) string {
	t.Helper()
	return c.Topic(t, partitions)
}
