package stream

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
)

// batchEnd says why collect ended a batch.
type batchEnd int

const (
	atTick   batchEnd = iota // the grid time came, or ctx ended
	full                     // MaxBatchRecords were polled
	caughtUp                 // a backlog has been read to the end of its partitions
	due                      // with --top: a window of a panes partition this member owns closed
)

// collect polls until the grid time `until` (or ctx's end), decoding records into the
// current batch as they arrive, and says why it returned. A batch holds at most
// MaxBatchRecords, so a large backlog is worked off in bounded batches written back to
// back instead of one batch that holds it all (Spark would take the whole backlog into
// one batch; this keeps the memory flat), and the backlog's last batch is written as
// soon as it is read rather than at the tick. With --top nothing is kept per record, so
// a batch is never full; a backlog read to its end still ends it, sending its deltas and
// watermarks at once, and so does a window of this member's that closed, so its answer
// is out as soon as the group's last delta of it is read.
func (s *Stream) collect(ctx context.Context, until time.Time) (batchEnd, error) {
	pctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	for pctx.Err() == nil {
		room := s.cfg.MaxBatchRecords - s.polled
		if s.grp != nil {
			room = s.cfg.MaxBatchRecords
		} else if room <= 0 {
			return full, nil
		}
		fs := s.cl.PollRecords(pctx, room)
		// Taking a buffered fetch woke franz-go's fetch goroutine to ask for the next one,
		// and Go runs a woken goroutine after its waker's time slice: yield, so that request
		// goes out now and the broker works while this poll is taken in.
		runtime.Gosched()
		if err := s.fetchErrors(fs); err != nil {
			return atTick, err
		}
		if s.cfg.BatchObserver != nil {
			s.cfg.BatchObserver.Polled(fs)
		}
		if s.grp != nil {
			s.grp.collecting(until.UnixMilli())
			s.grp.polled(fs, s.lag)
		}
		s.addAll(fs)
		switch {
		case s.grp == nil:
			if s.caughtUp(fs) {
				return caughtUp, nil
			}
		case s.grp.mayCut(until.UnixMilli()) && s.grp.backlogRead(pctx):
			return caughtUp, nil
		case s.grp.closing():
			return due, nil
		}
	}
	// A partition revoked while behind must not hold the next tick's batches open.
	clear(s.behind)
	return atTick, nil
}

// caughtUp notes which partitions the records just polled stop short of the end of, as
// the broker last reported it (more is in the topic, or in the client's buffer), and says
// when the stream, having been behind, has read every such partition to its end. The
// records that were waiting in the topic (a backlog at start-up, or after an outage) are
// then written at once, as Spark's first micro-batch takes all that is there, while live
// traffic, which each poll reads to its end, keeps the grid.
func (s *Stream) caughtUp(fs kgo.Fetches) bool {
	was := len(s.behind) > 0
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		n := len(p.Records)
		if n == 0 {
			return
		}
		key := partition{p.Topic, p.Partition}
		if s.lag(p.FetchPartition, p.Records[n-1].Offset) > 0 {
			s.behind[key] = struct{}{}
		} else {
			delete(s.behind, key)
		}
	})
	return was && len(s.behind) == 0
}

// lag is how many offsets after `last` the partition's readable end was in the fetch.
func (s *Stream) lag(p kgo.FetchPartition, last int64) int64 {
	if s.cfg.ExactlyOnce {
		// read_committed reads to the last stable offset, and the marker that commits a
		// transaction takes the offset after its last record.
		return p.LastStableOffset - (last + 1) - 1
	}
	return p.HighWatermark - (last + 1)
}

// fetchErrors logs fetch errors (the client retries them) and returns the one that ends
// the stream: a closed client.
func (s *Stream) fetchErrors(fs kgo.Fetches) error {
	var fatal error
	fs.EachError(func(topic string, partition int32, err error) {
		switch {
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		case errors.Is(err, kgo.ErrClientClosed):
			fatal = fmt.Errorf("poll: %w", err)
		default:
			s.limit.warn(s.log, "fetch error", "topic", topic, "partition", partition, "err", err)
		}
	})
	return fatal
}

// add takes one record into the current batch, decoded already (d) or not (nil); its
// offset is marked by the caller (markAt).
func (s *Stream) add(r *kgo.Record, d *decodedRecord) {
	if s.internal(r) {
		s.grp.internal(r)
		return
	}
	s.polled++
	s.stats.records.Add(1)
	if len(s.tuples) == cap(s.tuples) {
		s.tuples = append(s.tuples, sink.Tuple{})[:len(s.tuples)]
	}
	t := s.tuples[:len(s.tuples)+1]
	tp := &t[len(t)-1]
	var reason skipReason
	var err error
	if d != nil {
		*tp, reason, err = d.t, d.reason, d.err
	} else {
		reason, err = s.dec.decode(r.Value, tp)
	}
	if reason != kept {
		s.stats.count(reason)
		s.skips.first(reason, r.Topic, r.Partition, r.Offset, err)
		return
	}
	s.stats.tuples.Add(1)
	if s.grp != nil {
		// Counting needs only the tuple: the slot is reused for the next record.
		s.grp.add(r, tp)
		return
	}
	tp.Topic, tp.Partition, tp.Offset = r.Topic, r.Partition, r.Offset
	s.tuples = t
}

// mark moves the batch's commit point of r's partition past r.
func (s *Stream) mark(r *kgo.Record) {
	parts := s.marks[r.Topic]
	if parts == nil {
		parts = make(map[int32]kgo.EpochOffset)
		s.marks[r.Topic] = parts
	}
	parts[r.Partition] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
}

// partition is a topic's partition, the key of the partitions a stream is behind on.
type partition struct {
	topic string
	part  int32
}
