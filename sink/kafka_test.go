package sink

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

func TestKafkaProducesKeyedJSON(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	cl := c.Client(t)
	s, err := NewKafka(cl, topic)
	require.NoError(t, err)

	bt := time.UnixMilli(1764270242000).UTC()
	tuples := []Tuple{
		{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: "TCP", Len: 66, Topic: "demo2", Partition: 1, Offset: 5},
		{Src: "fe80::1", Dst: "ff02::fb", Proto: "MDNS", Len: 90, Topic: "demo2", Partition: 0, Offset: 9},
	}
	require.NoError(t, s.Write(context.Background(), Batch{Time: bt, Tuples: tuples}))
	// The second batch reuses the slab: the first batch's records must be unaffected.
	require.NoError(t, s.Write(context.Background(), Batch{Time: bt, Tuples: tuples[:1]}))
	require.NoError(t, s.Close(context.Background()))

	recs := c.ReadAll(t, topic, 3, 30*time.Second)
	require.Len(t, recs, 3)
	for i, want := range []Tuple{tuples[0], tuples[1], tuples[0]} {
		assert.Equal(t, want.Src+" "+want.Dst, string(recs[i].Key))
		var got tupleJSON
		require.NoError(t, json.Unmarshal(recs[i].Value, &got), string(recs[i].Value))
		assert.Equal(t, want.Src, got.Src)
		assert.Equal(t, want.Dst, got.Dst)
		assert.Equal(t, want.Offset, got.Offset)
		assert.Equal(t, "2025-11-27T19:04:02Z", got.BatchTime)
	}
}

type fakeProducer struct {
	got []*kgo.Record
	err error
}

func (f *fakeProducer) ProduceSync(_ context.Context, rs ...*kgo.Record) kgo.ProduceResults {
	var res kgo.ProduceResults
	for _, r := range rs {
		cp := *r
		cp.Key, cp.Value = append([]byte(nil), r.Key...), append([]byte(nil), r.Value...)
		f.got = append(f.got, &cp)
		res = append(res, kgo.ProduceResult{Record: r, Err: f.err})
	}
	return res
}

func TestKafkaAggregateAndErrors(t *testing.T) {
	p := &fakeProducer{}
	s, err := NewKafka(p, "top")
	require.NoError(t, err)
	b := Batch{Time: time.UnixMilli(0).UTC(), Aggregate: true, Counts: []PairCount{{Src: "a", Dst: "b", Count: 2}}}
	require.NoError(t, s.Write(context.Background(), b))
	require.Len(t, p.got, 1)
	assert.Equal(t, "a b", string(p.got[0].Key))
	assert.JSONEq(t, `{"src":"a","dst":"b","count":2,"batch_time":"1970-01-01T00:00:00Z"}`, string(p.got[0].Value))

	require.NoError(t, s.Write(context.Background(), Batch{}), "an empty batch produces nothing")
	assert.Len(t, p.got, 1)

	p.err = errors.New("boom")
	assert.ErrorContains(t, s.Write(context.Background(), b), "boom")

	_, err = NewKafka(nil, "x")
	assert.Error(t, err)
	_, err = NewKafka(p, "")
	assert.Error(t, err)
}

// TestEnsureTopicCreatesMissingTopic is issue 12's `--sink kafka:pairs` on a broker
// without the topic: the sink must create it (or say to), not fail the first batch.
func TestEnsureTopicCreatesMissingTopic(t *testing.T) {
	c := kafkatest.New(t)
	cl := c.Client(t)
	topic := c.Topic(t, 1) + "-missing" // Topic creates its own name; this one is new
	ctx := context.Background()
	t.Cleanup(func() { _, _ = kadm.NewClient(cl).DeleteTopics(context.Background(), topic) })

	require.NoError(t, EnsureTopic(ctx, cl, topic))
	require.NoError(t, EnsureTopic(ctx, cl, topic), "an existing topic is fine")
	s, err := NewKafka(cl, topic)
	require.NoError(t, err)
	bt := time.UnixMilli(1764270242000).UTC()
	require.NoError(t, s.Write(ctx, Batch{Time: bt, Tuples: []Tuple{{Src: "a", Dst: "b"}}}))
	recs := c.ReadAll(t, topic, 1, 30*time.Second)
	require.Len(t, recs, 1)
	assert.Equal(t, "a b", string(recs[0].Key))
}
