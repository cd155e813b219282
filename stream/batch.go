package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/bridge-project/bridge/sink"
)

// finishBatch closes the batch that ends at `at`: writes it to every sink, commits its
// offsets, lets a pending rebalance proceed and starts the next batch.
func (s *Stream) finishBatch(ctx context.Context, sinks []sink.Sink, at time.Time) error {
	// A stop signal must not interrupt a batch half written: finish it, then stop.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.workTimeout())
	defer cancel()
	b, emit := s.batch(at)
	began, polled, tuples := time.Now(), s.polled, len(s.tuples)
	var err error
	if s.sess != nil {
		err = s.finishTxn(ctx, sinks, b, emit)
	} else {
		err = s.finishAtLeastOnce(ctx, sinks, b, emit)
	}
	if err != nil {
		return err
	}
	s.tuples, s.polled = s.tuples[:0], 0
	for _, parts := range s.marks {
		clear(parts)
	}
	s.stats.batches.Add(1)
	now := time.Now()
	if s.cfg.BatchObserver != nil {
		s.cfg.BatchObserver.BatchDone(polled, now.Sub(began))
	}
	if polled > 0 {
		s.log.Debug("batch done", "batch_time", at, "records", polled, "tuples", tuples,
			"took", now.Sub(began), "total_records", s.stats.records.Load())
	}
	s.skips.maybeSummary(now, s.Stats())
	return nil
}

// batch builds the sinks' view of the current batch, and says whether it is output at
// all: with --top a batch is not, its records go to the group's windows (group.go).
func (s *Stream) batch(at time.Time) (sink.Batch, bool) {
	return sink.Batch{Time: at.In(s.loc), Tuples: s.tuples}, s.grp == nil
}

// writeAll writes b to the sinks in order, stopping at the first that fails.
func writeAll(ctx context.Context, sinks []sink.Sink, b sink.Batch) error {
	for _, sk := range sinks {
		if err := sk.Write(ctx, b); err != nil {
			return fmt.Errorf("sink %v: %w", sk, err)
		}
	}
	return nil
}

// finishAtLeastOnce writes the batch to every sink, then commits its offsets: a crash in
// between makes the next owner write the batch again, never lose it.
func (s *Stream) finishAtLeastOnce(ctx context.Context, sinks []sink.Sink, b sink.Batch, emit bool) error {
	if s.grp != nil {
		if err := s.grp.finish(ctx, s.cl, sinks); err != nil {
			return err
		}
	}
	if emit {
		if err := writeAll(ctx, sinks, b); err != nil {
			return err
		}
	}
	s.offs.add(s.marks)
	if s.grp != nil {
		s.offs.add(s.grp.holdMarks())
	}
	if err := s.offs.commit(ctx, s.cl); err != nil {
		// The offsets stay pending: the next batch's commit (or the revoke) retries them.
		s.limit.warn(s.log, "commit failed; retrying with the next batch", "err", err)
	}
	s.cl.AllowRebalance()
	return nil
}
