// Package stream is bridge's Spark Streaming job: a Kafka group consumer that cuts what it
// reads into micro-batches on a fixed time grid, turns each record into a (src, dst)
// tuple, hands every batch to the sinks and commits the batch's offsets only after every
// sink has written it (at-least-once), or inside one Kafka transaction with the Kafka
// sink's output (exactly-once). With Top it counts talkers into windows instead, and the
// members of a group merge their counts through Kafka into one answer (group.go).
package stream

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
)

// Stream is one member of the consumer group. Make it with New, start it with Run.
type Stream struct {
	cfg  Config
	log  *slog.Logger
	cl   *kgo.Client
	sess *kgo.GroupTransactSession // exactly-once only
	loc  *time.Location

	dec    *decoder
	ahead  ahead     // decoding a large poll on a goroutine of its own
	grp    *groupRun // Top > 0 only: the group-wide talkers
	sums   summaries
	stats  counters
	skips  skipLog
	offs   offsets
	limit  limiter
	closed sync.Once
	// topicEvery is how often watchTopics looks (topicCheckEvery; tests shorten it).
	topicEvery time.Duration

	// The batch being collected; only Run's goroutine touches these.
	tuples []sink.Tuple
	polled int
	marks  map[string]map[int32]kgo.EpochOffset
	behind map[partition]struct{} // partitions whose last poll ended short of their end
}

// New validates cfg and creates the group client. The group is joined when Run polls.
func New(cfg Config, log *slog.Logger) (*Stream, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("stream config: %w", err)
	}
	s := &Stream{
		cfg:    cfg,
		log:    log,
		loc:    cfg.Location,
		dec:    newDecoder(cfg.Parser, cfg.MaxValueBytes),
		skips:  skipLog{log: log, every: cfg.StatsEvery},
		limit:  limiter{every: cfg.StatsEvery},
		marks:  make(map[string]map[int32]kgo.EpochOffset),
		behind: make(map[partition]struct{}),
		offs:   offsets{pending: make(map[string]map[int32]kgo.EpochOffset)},

		topicEvery: topicCheckEvery,
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if cfg.Top > 0 {
		s.sums = talkSummaries(cfg)
		s.grp = newGroupRun(cfg, log, s.sums)
	}
	if err := s.connect(); err != nil {
		return nil, err
	}
	return s, nil
}

// EnsureTopic creates a kafka: sink's topic unless it exists (see sink.EnsureTopic), on
// the stream's own connection.
func (s *Stream) EnsureTopic(ctx context.Context, topic string) error {
	return sink.EnsureTopic(ctx, s.cl, topic)
}

// Producer is what a Kafka sink of this stream must produce through: with ExactlyOnce,
// its records then join the batch's transaction.
func (s *Stream) Producer() sink.Producer {
	if s.sess != nil {
		return s.sess
	}
	return s.cl
}

// Stats returns the counters so far; safe to call while Run runs.
func (s *Stream) Stats() Stats {
	st := s.stats.snapshot()
	if s.grp != nil {
		g := s.grp.stats
		st.LateRecords, st.WindowsOpen = g.late.Load(), g.open.Load()
		st.WindowsClosed, st.SummaryBytes = g.closed.Load(), g.summaryBytes.Load()
	}
	return st
}

// Close leaves the group and closes the client. Run calls it on return; calling it again
// does nothing.
func (s *Stream) Close() {
	s.closed.Do(func() {
		if s.sess != nil {
			s.sess.CloseAllowingRebalance()
			return
		}
		s.cl.CloseAllowingRebalance()
	})
}

// Run consumes until ctx is cancelled or a sink fails. At each multiple of the interval
// it writes the batch to every sink in order, then commits. A batch ends before its tick
// when it is full or when a backlog has been read to the end (see collect); it then
// carries that tick's time, and the next one starts at once. When ctx is cancelled it
// writes and commits the records already polled, leaves the group and returns nil.
func (s *Stream) Run(ctx context.Context, sinks []sink.Sink) error {
	defer s.Close()
	s.log.Info("stream starting", "topics", s.cfg.Topics, "group", s.cfg.Group,
		"interval", s.cfg.Interval, "parser", s.cfg.Parser, "exactly_once", s.cfg.ExactlyOnce)
	s.checkFromBeginning(ctx) // before the first commit, which would make it true
	defer s.watchTopics(ctx)()
	if s.grp != nil {
		return s.runGroup(ctx, sinks)
	}
	return s.loop(ctx, sinks)
}

// loop is Run's batch loop.
func (s *Stream) loop(ctx context.Context, sinks []sink.Sink) error {
	next := nextTick(time.Now(), s.cfg.Interval)
	for {
		end, err := s.collect(ctx, next)
		if err != nil {
			return err
		}
		if s.grp != nil {
			s.grp.ended(end, next.UnixMilli())
		}
		if ctx.Err() != nil {
			return s.stop(sinks, next)
		}
		if err := s.finishBatch(ctx, sinks, next); err != nil {
			return err
		}
		if end != atTick && time.Now().Before(next) {
			continue // catching up: the next batch belongs to the same tick
		}
		next = s.advance(next)
	}
}

// stop writes and commits what was polled before the stop, as one last (partial)
// batch stamped with the grid time it belonged to.
func (s *Stream) stop(sinks []sink.Sink, at time.Time) error {
	if s.polled > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), s.workTimeout())
		defer cancel()
		if err := s.finishBatch(ctx, sinks, at); err != nil {
			return err
		}
	}
	st := s.Stats()
	s.log.Info("stream stopped", "batches", st.Batches, "records", st.Records, "tuples", st.Tuples,
		"skipped", st.Skipped())
	return nil
}

// advance returns the next grid time after `after`. When the batch took longer than the
// interval, the missed ticks are skipped (their records land in the next batch) rather
// than printed as a burst of empty batches.
func (s *Stream) advance(after time.Time) time.Time {
	next := after.Add(s.cfg.Interval)
	now := time.Now()
	if !now.Before(next) {
		missed := int(now.Sub(next)/s.cfg.Interval) + 1
		s.limit.warn(s.log, "falling behind: batches took longer than the interval", "skipped_ticks", missed)
		next = next.Add(time.Duration(missed) * s.cfg.Interval)
	}
	return next
}

// nextTick returns the first multiple of iv since the epoch strictly after now, as
// Spark's RecurringTimer does.
func nextTick(now time.Time, iv time.Duration) time.Time {
	ms, ivms := now.UnixMilli(), iv.Milliseconds()
	return time.UnixMilli((ms/ivms + 1) * ivms)
}

// workTimeout bounds writing and committing one batch once the stream is stopping.
func (s *Stream) workTimeout() time.Duration { return max(30*time.Second, 2*s.cfg.Interval) }
