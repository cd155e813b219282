package sink

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Producer is the part of a franz-go client the Kafka sink needs. Both *kgo.Client and
// *kgo.GroupTransactSession have it; with the session, the batch is produced inside the
// stream's transaction.
type Producer interface {
	ProduceSync(ctx context.Context, rs ...*kgo.Record) kgo.ProduceResults
}

// Kafka produces every tuple (or counted pair) to a topic: key "src dst", value the same
// JSON object the JSONL sink writes.
type Kafka struct {
	p     Producer
	topic string
	recs  []kgo.Record
	ptrs  []*kgo.Record
	slab  []byte
	ends  []int // per record: end of key, end of value in slab
	bt    []byte
}

var _ Sink = (*Kafka)(nil)

// NewKafka returns a sink producing to topic through p. The sink does not own p.
func NewKafka(p Producer, topic string) (*Kafka, error) {
	if p == nil {
		return nil, errors.New("kafka sink: no producer")
	}
	if topic == "" {
		return nil, errors.New("kafka sink: empty topic")
	}
	return &Kafka{p: p, topic: topic}, nil
}

// Write produces the batch and returns once every record is acknowledged.
func (k *Kafka) Write(ctx context.Context, b Batch) error {
	if b.Talkers != nil {
		return k.writeTalkers(ctx, b)
	}
	n := len(b.Tuples)
	if b.Aggregate {
		n = len(b.Counts)
	}
	if n == 0 {
		return nil
	}
	k.bt = AppendJSONTime(k.bt[:0], b.Time)
	k.fill(b, n)
	if err := k.p.ProduceSync(ctx, k.ptrs...).FirstErr(); err != nil {
		return fmt.Errorf("kafka sink %s: %w", k.topic, err)
	}
	return nil
}

// fill builds the batch's records over one byte slab, reused across batches, so a batch
// costs no per-record allocations once the slab has grown.
func (k *Kafka) fill(b Batch, n int) {
	if cap(k.recs) < n {
		k.recs = make([]kgo.Record, n)
		k.ptrs = make([]*kgo.Record, n)
	}
	k.recs, k.ptrs = k.recs[:n], k.ptrs[:n]
	slab := k.slab[:0]
	ends := k.ends[:0]
	for i := 0; i < n; i++ {
		if b.Aggregate {
			c := &b.Counts[i]
			slab = append(append(append(slab, c.Src...), ' '), c.Dst...)
			ends = append(ends, len(slab))
			slab = AppendCountJSON(slab, c, k.bt)
		} else {
			t := &b.Tuples[i]
			slab = append(append(append(slab, t.Src...), ' '), t.Dst...)
			ends = append(ends, len(slab))
			slab = AppendTupleJSON(slab, t, k.bt)
		}
		ends = append(ends, len(slab))
	}
	k.slab, k.ends = slab, ends
	start := 0
	for i := 0; i < n; i++ {
		keyEnd, valEnd := ends[2*i], ends[2*i+1]
		// Full slice expressions: the client must never append into a neighbour.
		k.recs[i] = kgo.Record{
			Topic: k.topic,
			Key:   slab[start:keyEnd:keyEnd],
			Value: slab[keyEnd:valEnd:valEnd],
		}
		k.ptrs[i] = &k.recs[i]
		start = valEnd
	}
}

// Close does nothing: the producer belongs to the stream, which flushes and closes it.
func (k *Kafka) Close(context.Context) error { return nil }

// String names the sink in logs.
func (k *Kafka) String() string { return "kafka:" + k.topic }
