// Package stream is bridge's Spark Streaming job: a Kafka group consumer that cuts what it
// reads into micro-batches on a fixed time grid, turns each record into a (src, dst)
// tuple, hands every batch to the sinks and commits the batch's offsets only after every
// sink has written it (at-least-once), or inside one Kafka transaction with the Kafka
// sink's output (exactly-once).
package stream

import (
	"context"
	"errors"
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
	win    *window // Top > 0 only
	stats  counters
	skips  skipLog
	offs   offsets
	limit  limiter
	closed sync.Once

	// The batch being collected; only Run's goroutine touches these.
	tuples []sink.Tuple
	polled int
	marks  map[string]map[int32]kgo.EpochOffset
	behind map[partition]struct{} // partitions whose last poll ended short of their end
}

type partition struct {
	topic string
	part  int32
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
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if cfg.Top > 0 {
		s.win = newWindow(int(cfg.window() / cfg.Interval))
	}
	if err := s.connect(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Stream) connect() error {
	opts := s.clientOpts()
	if !s.cfg.ExactlyOnce {
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return fmt.Errorf("kafka client: %w", err)
		}
		s.cl = cl
		return nil
	}
	sess, err := kgo.NewGroupTransactSession(opts...)
	if err != nil {
		return fmt.Errorf("kafka transact session: %w", err)
	}
	s.sess, s.cl = sess, sess.Client()
	return nil
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
func (s *Stream) Stats() Stats { return s.stats.snapshot() }

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
	next := nextTick(time.Now(), s.cfg.Interval)
	for {
		end, err := s.collect(ctx, next)
		if err != nil {
			return err
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
		if s.win != nil {
			s.win.skip(missed)
		}
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

// batchEnd says why collect ended a batch.
type batchEnd int

const (
	atTick   batchEnd = iota // the grid time came, or ctx ended
	full                     // MaxBatchRecords were polled
	caughtUp                 // a backlog has been read to the end of its partitions
)

// collect polls until the grid time `until` (or ctx's end), decoding records into the
// current batch as they arrive, and says why it returned. A batch holds at most
// MaxBatchRecords, so a large backlog is worked off in bounded batches written back to
// back instead of one batch that holds it all (Spark would take the whole backlog into
// one batch; this keeps the memory flat), and the backlog's last batch is written as
// soon as it is read rather than at the tick. With --top nothing is kept per record and
// the window counts batches, so its batches are cut only by the grid.
func (s *Stream) collect(ctx context.Context, until time.Time) (batchEnd, error) {
	pctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	for pctx.Err() == nil {
		room := s.cfg.MaxBatchRecords - s.polled
		if s.win != nil {
			room = s.cfg.MaxBatchRecords
		} else if room <= 0 {
			return full, nil
		}
		fs := s.cl.PollRecords(pctx, room)
		if err := s.fetchErrors(fs); err != nil {
			return atTick, err
		}
		if s.cfg.Observer != nil {
			s.cfg.Observer.Polled(fs)
		}
		fs.EachRecord(s.add)
		if s.win == nil && s.caughtUp(fs) {
			return caughtUp, nil
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

// add decodes one record into the current batch and remembers its offset.
func (s *Stream) add(r *kgo.Record) {
	s.polled++
	s.stats.records.Add(1)
	s.mark(r)
	if len(s.tuples) == cap(s.tuples) {
		s.tuples = append(s.tuples, sink.Tuple{})[:len(s.tuples)]
	}
	t := s.tuples[:len(s.tuples)+1]
	tp := &t[len(t)-1]
	reason, err := s.dec.decode(r.Value, tp)
	if reason != kept {
		s.stats.count(reason)
		s.skips.first(reason, r.Topic, r.Partition, r.Offset, err)
		return
	}
	s.stats.tuples.Add(1)
	if s.win != nil {
		// Counting needs only the pair: the slot is reused for the next record.
		s.win.add(tp.Src, tp.Dst)
		return
	}
	tp.Topic, tp.Partition, tp.Offset = r.Topic, r.Partition, r.Offset
	s.tuples = t
}

func (s *Stream) mark(r *kgo.Record) {
	parts := s.marks[r.Topic]
	if parts == nil {
		parts = make(map[int32]kgo.EpochOffset)
		s.marks[r.Topic] = parts
	}
	parts[r.Partition] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
}
