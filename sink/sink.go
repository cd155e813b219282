// Package sink writes finished micro-batches of (src, dst) tuples somewhere: stdout in
// pyspark's DStream.pprint layout, JSON lines, or a Kafka topic. The stream commits a
// batch's offsets only after every sink's Write returned nil, so a sink must have made
// the batch durable (flushed, produced) before it returns.
package sink

import (
	"context"
	"time"

	"github.com/bridge-project/bridge/talkers"
)

// Sink receives every batch of the stream in order.
type Sink interface {
	// Write outputs b. It must not keep b or its slices after it returns: the stream
	// reuses them for the next batch.
	Write(ctx context.Context, b Batch) error
	// Close flushes what is buffered and releases what the sink owns.
	Close(ctx context.Context) error
}

// Tuple is one parsed record: the (src, dst) pair and where it came from.
type Tuple struct {
	Src, Dst string
	// Proto and Len are tshark's Protocol and Length columns; empty and 0 when unknown.
	Proto     string
	Len       int
	Topic     string
	Partition int32
	Offset    int64
}

// PairCount is how often a (src, dst) pair occurred in a batch or window.
type PairCount struct {
	Src, Dst string
	Count    int64
}

// Batch is one micro-batch.
type Batch struct {
	// Time is the batch time: a multiple of the interval since the epoch, in the location
	// the output should use.
	Time time.Time
	// Tuples are the batch's records in consumption order (per partition in offset order).
	Tuples []Tuple
	// Aggregate is set when the stream counts pairs (--top): Counts then replaces Tuples.
	Aggregate bool
	// Counts are the most frequent pairs, by count descending then pair ascending.
	Counts []PairCount
	// Distinct is the number of distinct pairs counted, which may exceed len(Counts).
	Distinct int
	// Talkers, when set (bridge stream --top, bridge parse --key), is the window's answer:
	// it replaces Counts, and Time is the window's end.
	Talkers *talkers.Result
}
