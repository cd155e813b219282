package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
)

// finishTxn produces the batch and commits its offsets in one transaction. Other sinks
// are written inside it too, but only the Kafka sink's output is transactional: if the
// transaction aborts (a rebalance raced it), the records are polled again and those
// sinks see them twice.
func (s *Stream) finishTxn(ctx context.Context, sinks []sink.Sink, b sink.Batch, emit bool) error {
	if err := s.sess.Begin(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := s.writeTxn(ctx, sinks, b, emit); err != nil {
		if _, abortErr := s.sess.End(ctx, kgo.TryAbort); abortErr != nil {
			s.log.Warn("abort transaction", "err", abortErr)
		}
		return err
	}
	var holds map[int32]int64
	endCtx := ctx
	if s.grp != nil {
		holds = s.grp.holds()
		endCtx = s.grp.holdCommit(ctx, holds)
	}
	committed, err := s.sess.End(endCtx, kgo.TryCommit)
	if err != nil {
		return fmt.Errorf("end transaction: %w", err)
	}
	if s.grp != nil {
		if committed {
			s.grp.committed(holds)
		} else {
			s.grp.rewind(s.cl)
		}
	}
	if !committed {
		s.stats.aborted.Add(1)
		s.log.Warn("transaction aborted by a rebalance; its records will be processed again",
			"batch_time", b.Time)
	}
	s.sess.AllowRebalance()
	return nil
}

// writeTxn writes the batch's output inside the transaction: with --top the group's
// deltas, watermarks and closed windows (the sinks are then the kafka: ones), else the
// batch to every sink.
func (s *Stream) writeTxn(ctx context.Context, sinks []sink.Sink, b sink.Batch, emit bool) error {
	if s.grp != nil {
		return s.grp.finish(ctx, s.sess, sinks)
	}
	if emit {
		return writeAll(ctx, sinks, b)
	}
	return nil
}

// transactionalID is the configured id, or one unique to this process.
func (s *Stream) transactionalID() string {
	if s.cfg.TransactionalID != "" {
		return s.cfg.TransactionalID
	}
	return fmt.Sprintf("bridge-stream-%s-%d", s.cfg.Group, time.Now().UnixNano())
}
