package stream

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/bridge-project/bridge/sink"
)

// clientOpts configures the group member. Rebalances are blocked from the first record
// of a batch until the batch is committed, so a batch never straddles two owners.
func (s *Stream) clientOpts() []kgo.Opt {
	reset := kgo.NewOffset().AtEnd()
	if s.cfg.FromBeginning {
		reset = kgo.NewOffset().AtStart()
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.cfg.Brokers...),
		kgo.ClientID("bridge-stream"),
		kgo.ConsumerGroup(s.cfg.Group),
		kgo.ConsumeTopics(s.cfg.Topics...),
		kgo.ConsumeResetOffset(reset),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		// A blocked rebalance waits for at most one batch; give it that and some.
		kgo.RebalanceTimeout(max(60*time.Second, 2*s.cfg.Interval+30*time.Second)),
		kgo.SessionTimeout(s.cfg.SessionTimeout),
		kgo.HeartbeatInterval(min(3*time.Second, s.cfg.SessionTimeout/3)),
		kgo.WithLogger(kgoLogger{s.log}),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			s.log.Info("partitions assigned", "partitions", m)
		}),
	}
	opts = append(opts, s.cfg.ClientOpts...)
	if s.cfg.ExactlyOnce {
		return append(opts,
			kgo.TransactionalID(s.transactionalID()),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				s.log.Info("partitions revoked", "partitions", m)
			}),
		)
	}
	return append(opts,
		kgo.OnPartitionsRevoked(s.onRevoked),
		kgo.OnPartitionsLost(s.onLost),
	)
}

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
	if s.cfg.Observer != nil {
		s.cfg.Observer.BatchDone(polled, now.Sub(began))
	}
	if polled > 0 {
		s.log.Debug("batch done", "batch_time", at, "records", polled, "tuples", tuples,
			"took", now.Sub(began), "total_records", s.stats.records.Load())
	}
	s.skips.maybeSummary(now, s.Stats())
	return nil
}

// batch builds the sinks' view of the current batch, and says whether it is output at
// all: with a slide longer than the interval, only batches on the slide grid are.
func (s *Stream) batch(at time.Time) (sink.Batch, bool) {
	b := sink.Batch{Time: at.In(s.loc), Tuples: s.tuples}
	if s.win == nil {
		return b, true
	}
	s.win.finish()
	if at.UnixMilli()%s.cfg.slide().Milliseconds() != 0 {
		return b, false
	}
	b.Tuples, b.Aggregate = nil, true
	b.Counts, b.Distinct = s.win.top(s.cfg.Top)
	return b, true
}

func writeAll(ctx context.Context, sinks []sink.Sink, b sink.Batch) error {
	for _, sk := range sinks {
		if err := sk.Write(ctx, b); err != nil {
			return fmt.Errorf("sink %v: %w", sk, err)
		}
	}
	return nil
}

func (s *Stream) finishAtLeastOnce(ctx context.Context, sinks []sink.Sink, b sink.Batch, emit bool) error {
	if emit {
		if err := writeAll(ctx, sinks, b); err != nil {
			return err
		}
	}
	s.offs.add(s.marks)
	if err := s.offs.commit(ctx, s.cl); err != nil {
		// The offsets stay pending: the next batch's commit (or the revoke) retries them.
		s.limit.warn(s.log, "commit failed; retrying with the next batch", "err", err)
	}
	s.cl.AllowRebalance()
	return nil
}

// finishTxn produces the batch and commits its offsets in one transaction. Other sinks
// are written inside it too, but only the Kafka sink's output is transactional: if the
// transaction aborts (a rebalance raced it), the records are polled again and those
// sinks see them twice.
func (s *Stream) finishTxn(ctx context.Context, sinks []sink.Sink, b sink.Batch, emit bool) error {
	if err := s.sess.Begin(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if emit {
		if err := writeAll(ctx, sinks, b); err != nil {
			if _, abortErr := s.sess.End(ctx, kgo.TryAbort); abortErr != nil {
				s.log.Warn("abort transaction", "err", abortErr)
			}
			return err
		}
	}
	committed, err := s.sess.End(ctx, kgo.TryCommit)
	if err != nil {
		return fmt.Errorf("end transaction: %w", err)
	}
	if !committed {
		s.stats.aborted.Add(1)
		s.log.Warn("transaction aborted by a rebalance; its records will be processed again",
			"batch_time", b.Time)
	}
	s.sess.AllowRebalance()
	return nil
}

// transactionalID is the configured id, or one unique to this process.
func (s *Stream) transactionalID() string {
	if s.cfg.TransactionalID != "" {
		return s.cfg.TransactionalID
	}
	return fmt.Sprintf("bridge-stream-%s-%d", s.cfg.Group, time.Now().UnixNano())
}

// onRevoked commits what the sinks have written before the partitions go, so their new
// owner starts after it, then forgets the revoked partitions: committing them later
// could rewind the new owner's commits.
func (s *Stream) onRevoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	s.log.Info("partitions revoked", "partitions", revoked)
	if err := s.offs.commit(ctx, cl); err != nil {
		s.log.Warn("commit on revoke failed; the new owner will see some records again", "err", err)
	}
	s.offs.forget(revoked)
}

// onLost forgets lost partitions: the group has moved on, a commit would fail or rewind.
func (s *Stream) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	s.log.Warn("partitions lost; their uncommitted batches will be processed again", "partitions", lost)
	s.offs.forget(lost)
}

// offsets holds the offsets of written batches that Kafka has not yet confirmed as
// committed. The revoke callback reads it from the client's goroutine.
type offsets struct {
	mu      sync.Mutex
	pending map[string]map[int32]kgo.EpochOffset
}

func (o *offsets) add(marks map[string]map[int32]kgo.EpochOffset) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for topic, parts := range marks {
		for p, eo := range parts {
			dst := o.pending[topic]
			if dst == nil {
				dst = make(map[int32]kgo.EpochOffset)
				o.pending[topic] = dst
			}
			dst[p] = eo
		}
	}
}

func (o *offsets) forget(parts map[string][]int32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for topic, ps := range parts {
		for _, p := range ps {
			delete(o.pending[topic], p)
		}
	}
}

// commit commits every pending offset and drops the ones Kafka confirmed.
func (o *offsets) commit(ctx context.Context, cl *kgo.Client) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if countOffsets(o.pending) == 0 {
		return nil
	}
	send := make(map[string]map[int32]kgo.EpochOffset, len(o.pending))
	for topic, parts := range o.pending {
		if len(parts) > 0 {
			send[topic] = maps.Clone(parts)
		}
	}
	var errs []error
	cl.CommitOffsetsSync(ctx, send, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					errs = append(errs, fmt.Errorf("%s[%d]: %w", t.Topic, p.Partition, err))
					continue
				}
				delete(o.pending[t.Topic], p.Partition)
			}
		}
	})
	return errors.Join(errs...)
}

func countOffsets(m map[string]map[int32]kgo.EpochOffset) int {
	n := 0
	for _, parts := range m {
		n += len(parts)
	}
	return n
}
