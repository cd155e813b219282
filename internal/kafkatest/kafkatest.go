// Package kafkatest gives tests a Kafka cluster to talk to: the real brokers named by
// BRIDGE_TEST_BROKERS when it is set, otherwise an in-process kfake cluster. Each test
// gets its own uniquely named topics, so tests never see each other's records.
package kafkatest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// EnvBrokers names the environment variable that points the tests at a real cluster.
const EnvBrokers = "BRIDGE_TEST_BROKERS"

var topicSeq atomic.Int64

// Cluster is the cluster a test runs against.
type Cluster struct {
	// Brokers are the seed addresses, ready for kgo.SeedBrokers.
	Brokers []string
	// Real is true when the cluster is the one named by BRIDGE_TEST_BROKERS.
	Real bool
	// Fake is the in-process cluster when Real is false, for tests that inject faults.
	Fake *kfake.Cluster
}

// New returns the cluster for t: the real one when BRIDGE_TEST_BROKERS is set, else a
// fresh kfake cluster that is closed when the test ends.
func New(t testing.TB) *Cluster {
	t.Helper()
	if env := strings.TrimSpace(os.Getenv(EnvBrokers)); env != "" {
		return &Cluster{Brokers: strings.Split(env, ","), Real: true}
	}
	fake, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "bridge-seed"))
	require.NoError(t, err, "start in-process kfake")
	t.Cleanup(fake.Close)
	return &Cluster{Brokers: fake.ListenAddrs(), Fake: fake}
}

// RequireReal skips a test that only makes sense against real Kafka (or needs the real
// Connect jars beside it) when BRIDGE_TEST_BROKERS is unset. CI always sets it.
func (c *Cluster) RequireReal(t testing.TB) {
	t.Helper()
	if c.Real {
		return
	}
	t.Skipf("needs real Kafka: set %s (make kafka-up)", EnvBrokers)
}

// Client returns a franz-go client for the cluster, closed when the test ends.
func (c *Cluster) Client(t testing.TB, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.Brokers...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

// Topic creates a topic with a name unique to this test run, waits until every partition
// has a leader, and returns its name: a real broker answers CreateTopics before that, and a
// client whose first metadata lacks a leader waits out its metadata min age (5s) before
// asking again, or a producer fails its records as UNKNOWN_TOPIC_OR_PARTITION. The topic
// is deleted when the test ends.
func (c *Cluster) Topic(t testing.TB, partitions int32) string {
	t.Helper()
	name := fmt.Sprintf("t-%s-%d-%d", sanitize(t.Name()), time.Now().UnixNano()%1e9, topicSeq.Add(1))
	cl := c.Client(t)
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := adm.CreateTopic(ctx, partitions, 1, nil, name)
	require.NoError(t, err, "create topic %s", name)
	require.NoError(t, resp.Err, "create topic %s", name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = adm.DeleteTopics(ctx, name)
	})
	// Asked of the broker each time: kadm's Metadata answers from the client's cache,
	// which repeats a leaderless answer for the same min age.
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{{Topic: kmsg.StringPtr(name)}}
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := req.RequestWith(ctx, cl)
		if err != nil || len(resp.Topics) != 1 || resp.Topics[0].ErrorCode != 0 || len(resp.Topics[0].Partitions) != int(partitions) {
			return false
		}
		for _, p := range resp.Topics[0].Partitions {
			if p.ErrorCode != 0 || p.Leader < 0 {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond, "topic %s ready", name)
	return name
}

// Produce writes values round-robin over the topic's partitions and waits until Kafka has
// them.
func (c *Cluster) Produce(t testing.TB, topic string, values ...[]byte) {
	t.Helper()
	cl := c.Client(t, kgo.RecordPartitioner(kgo.RoundRobinPartitioner()), kgo.DefaultProduceTopic(topic))
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Value: v}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, cl.ProduceSync(ctx, recs...).FirstErr())
}

// ReadAll consumes every record of topic from the start until n records arrived or the
// timeout passed, and returns what it saw.
func (c *Cluster) ReadAll(t testing.TB, topic string, n int, timeout time.Duration, opts ...kgo.Opt) []*kgo.Record {
	t.Helper()
	cl := c.Client(t, append([]kgo.Opt{
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}, opts...)...)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Logf("fetch %s: %v", topic, err) })
		out = append(out, fs.Records()...)
	}
	return out
}

// ReadEverything reads every record of topic up to its current end: after the producer is
// done, this counts duplicates too. readCommitted reads as an exactly-once consumer.
func (c *Cluster) ReadEverything(t testing.TB, topic string, readCommitted bool) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	adm := kadm.NewClient(c.Client(t))
	list := adm.ListEndOffsets
	if readCommitted {
		list = adm.ListCommittedOffsets
	}
	ends, err := list(ctx, topic)
	require.NoError(t, err)
	from := map[int32]kgo.Offset{}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			from[o.Partition] = kgo.NewOffset().AtStart()
			want[o.Partition] = o.Offset
		}
	})
	if len(from) == 0 {
		return nil
	}
	opts := []kgo.Opt{kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: from}), kgo.KeepControlRecords()}
	if readCommitted {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl := c.Client(t, opts...)
	var out []*kgo.Record
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "reading %s: %d partitions not at their end", topic, len(want))
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				out = append(out, r)
			}
			if r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
		})
	}
	return out
}

func sanitize(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 80 {
			break
		}
	}
	return b.String()
}
