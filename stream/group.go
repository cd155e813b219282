package stream

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream/internal/group"
)

// groupSummary is a window summary the group ships through Kafka and merges: a talkers
// summary behind a small adapter (see talk.go).
type groupSummary interface {
	group.Summary
	Add(src, dst, proto string, length int)
}

// summaries makes the group's summaries and turns a window's summary into a batch.
type summaries struct {
	new   func() groupSummary
	batch func(sum groupSummary, start, end time.Time) sink.Batch
}

// groupRun is a member's share of the group-wide talkers (see stream/internal/group):
// it cuts its records into pane deltas, sends its partitions' watermarks, merges the
// windows of the internal partitions it owns and emits those that closed. Only Run's
// goroutine touches it, but for the ownership changes the client's callbacks queue.
type groupRun struct {
	log       *slog.Logger
	panesT    string
	answersT  string
	parts     int32            // partitions of the panes topic
	inputs    map[string]int32 // partitions of every input topic
	layout    group.Layout
	grace     int64 // ms
	record    bool  // record time; else processing time
	eos       bool  // exactly-once: the inputs are read read_committed
	fromStart bool  // a partition without a committed offset is read from its start
	cl        *kgo.Client
	loc       *time.Location // of the kafka: sinks' times
	sums      summaries

	clock    *group.Clock
	panes    *group.Panes[groupSummary]
	mergers  map[int32]*group.Merger[groupSummary]
	restored map[int32]bool  // the partition was read to its end since it was assigned
	held     map[int32]int64 // exactly-once: the holds the last committed transaction wrote
	tick     int64           // processing time: the tick whose pane a record read now joins, ms
	done     int64           // processing time: the tick every owned partition's records are sent through
	cut      int64           // the tick whose batch a backlog read to its end cut early
	fresh    bool            // input partitions were gained, and no poll read records since
	backlog  bool            // records were read while behind, or fresh; no cut since
	tried    time.Time       // the last resolve of partitions no fetch told about
	recs     []*kgo.Record
	stats    *groupCounters
	obs      WindowObserver // may be nil
	lateOnce sync.Once

	mu      sync.Mutex
	changes []ownership
}

type ownership struct {
	parts  map[string][]int32
	gained bool
	at     time.Time
}

// groupCounters are the group's figures, readable while Run runs.
type groupCounters struct {
	late, closed, summaryBytes, open atomic.Int64
}

func newGroupRun(cfg Config, log *slog.Logger, sums summaries) *groupRun {
	pane := cfg.Interval
	if cfg.Time == TimeRecord {
		pane = cfg.slide()
	}
	g := &groupRun{
		log: log, panesT: PanesTopic(cfg.Group), answersT: AnswersTopic(cfg.Group),
		layout: group.Layout{Size: cfg.window().Milliseconds(), Slide: cfg.slide().Milliseconds(), Pane: pane.Milliseconds()},
		grace:  cfg.Grace.Milliseconds(), record: cfg.Time == TimeRecord, sums: sums,
		eos: cfg.ExactlyOnce, fromStart: cfg.FromBeginning,
		clock:    group.NewClock(cfg.idleAfter()),
		mergers:  make(map[int32]*group.Merger[groupSummary]),
		restored: make(map[int32]bool),
		held:     make(map[int32]int64),
		stats:    &groupCounters{},
	}
	g.panes = group.NewPanes(g.layout, sums.new)
	g.obs, _ = cfg.BatchObserver.(WindowObserver)
	return g
}

// owned queues an assignment (gained) or a revocation from the client's callbacks.
func (g *groupRun) owned(parts map[string][]int32, gained bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.changes = append(g.changes, ownership{parts: parts, gained: gained, at: time.Now()})
}

// sync applies the queued ownership changes: a gained panes partition starts a fresh
// merger, rebuilt from the partition; a lost one is dropped, its new owner rebuilds it.
func (g *groupRun) sync() {
	g.mu.Lock()
	changes := g.changes
	g.changes = nil
	g.mu.Unlock()
	for _, c := range changes {
		for topic, ps := range c.parts {
			for _, p := range ps {
				g.own(topic, p, c.gained, c.at)
			}
		}
	}
}

func (g *groupRun) own(topic string, p int32, gained bool, at time.Time) {
	if topic != g.panesT {
		if gained {
			g.fresh = true
			g.clock.Assign(group.Partition{Topic: topic, Partition: p}, at)
		} else {
			g.clock.Revoke(group.Partition{Topic: topic, Partition: p})
		}
		return
	}
	delete(g.mergers, p)
	delete(g.restored, p)
	delete(g.held, p)
	if gained {
		m := group.NewMerger(g.sums.new)
		m.Late = g.lateDelta
		g.mergers[p] = m
	}
}

// lateDelta counts the records of a delta whose window was already emitted.
func (g *groupRun) lateDelta(end, records int64) {
	g.stats.late.Add(records)
	g.lateOnce.Do(func() {
		g.log.Warn("late records: their window was already emitted; counted in "+
			"bridge_stream_late_records_total, not in any window (later ones are only counted)",
			"window_end", time.UnixMilli(end), "records", records)
	})
}

// polled notes, for every partition of a poll, whether it was read to its end; one whose
// fetch failed (its leader moving, say) is not.
func (g *groupRun) polled(fs kgo.Fetches, lag func(kgo.FetchPartition, int64) int64) {
	g.sync()
	fs.EachError(func(t string, p int32, _ error) {
		if t != g.panesT {
			g.clock.Fetched(group.Partition{Topic: t, Partition: p}, true)
		}
	})
	read := false
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		n := len(p.Records)
		if n == 0 {
			return
		}
		behind := lag(p.FetchPartition, p.Records[n-1].Offset) > 0
		if p.Topic == g.panesT {
			if !behind && g.mergers[p.Partition] != nil {
				g.restored[p.Partition] = true
			}
			return
		}
		read = true
		g.backlog = g.backlog || behind || g.fresh
		g.clock.Fetched(group.Partition{Topic: p.Topic, Partition: p.Partition}, behind)
	})
	if read {
		g.fresh = false
	}
}

// backlogRead says whether a backlog (what a member finds waiting when it gets
// partitions, even when one poll reads it all, or what it fell behind on) is read to its
// end: records were read since, and every owned input partition is known to be read to
// its end. A partition whose first fetch is still to come holds it open, however many
// others were read: the backlog is cut once, and not before all of it is in. A partition
// no fetch tells about (empty, or read to its end already) is looked up, as resolve
// does, at most once a second.
func (g *groupRun) backlogRead(ctx context.Context) bool {
	if !g.backlog {
		return false
	}
	if !g.clock.Settled() {
		if time.Since(g.tried) < time.Second {
			return false
		}
		g.tried = time.Now()
		if g.resolve(ctx, g.cl); !g.clock.Settled() {
			return false
		}
	}
	g.backlog = false
	return true
}

// collecting sets the tick of the batch collect is filling: its pane, unless a backlog
// read to its end already cut that tick's batch, when what follows joins the next tick's
// (in processing time a pane is an interval).
func (g *groupRun) collecting(until int64) {
	g.tick = until
	if g.cut == until {
		g.tick += g.layout.Pane
	}
}

// ended notes, before its finish, why the batch of tick ended. A tick, or a backlog read
// to its end, completes the owned partitions' processing time through the tick, so the
// windows ending there close on the watermarks the finish sends; a backlog cuts each
// tick's batch once at most, so the member's clock runs at most one interval ahead of
// the wall clock. A window that closed (due) leaves the clock as it was.
func (g *groupRun) ended(end batchEnd, tick int64) {
	if end == caughtUp {
		g.cut = tick
	}
	if end != due {
		g.done = tick
	}
}

// mayCut says whether a backlog read to its end may still cut the batch of tick.
func (g *groupRun) mayCut(tick int64) bool { return g.cut != tick }

// closing says whether a window of an owned panes partition read to its end closed: the
// batch then ends, so its answer goes out now rather than at the next tick.
func (g *groupRun) closing() bool {
	for j, m := range g.mergers {
		if g.restored[j] && m.Closing(g.grace) {
			return true
		}
	}
	return false
}

// internal applies a record of the panes topic to its partition's merger.
func (g *groupRun) internal(r *kgo.Record) {
	m := g.mergers[r.Partition]
	if m == nil {
		return // revoked in the meantime; its new owner reads it
	}
	if err := m.Apply(r.Offset, r.Value); err != nil {
		g.log.Warn("skipping a bad record of the panes topic", "partition", r.Partition,
			"offset", r.Offset, "err", err)
	}
}

// add counts a decoded input record into its pane.
func (g *groupRun) add(r *kgo.Record, t *sink.Tuple) {
	p := group.Partition{Topic: r.Topic, Partition: r.Partition}
	ts := g.tick - 1 // processing time: the pane of the batch's tick
	if g.record {
		ts = r.Timestamp.UnixMilli()
		g.clock.Record(p, ts, time.Now())
	}
	g.panes.At(p, ts).Add(t.Src, t.Dst, t.Proto, t.Len)
}

// finish produces the batch's deltas and watermarks, and the answers of the windows
// that closed on the panes partitions this member owns (to the answers topic and the
// kafka sinks, each with a checkpoint), through p: with exactly-once inside the batch's
// transaction.
func (g *groupRun) finish(ctx context.Context, p sink.Producer, kafka []sink.Sink) error {
	g.recs = g.recs[:0]
	err := g.panes.Drain(g.parts, func(j int32, d *group.Delta) error {
		v := group.AppendDelta(nil, d)
		g.stats.summaryBytes.Add(int64(len(d.Summary)))
		g.recs = append(g.recs, &kgo.Record{Topic: g.panesT, Partition: j, Key: windowKey(d.WindowEnd), Value: v})
		return nil
	})
	if err != nil {
		return err
	}
	g.resolve(ctx, g.cl)
	g.appendMarks()
	if err := p.ProduceSync(ctx, g.recs...).FirstErr(); err != nil {
		return fmt.Errorf("produce panes: %w", err)
	}
	return g.emit(ctx, p, kafka)
}

// appendMarks broadcasts the watermarks of the owned input partitions to every panes
// partition, after the deltas: a merger that sees a watermark has seen what came before.
func (g *groupRun) appendMarks() {
	marks := group.Watermarks{Topics: g.inputs}
	if g.record {
		marks.Marks = g.clock.RecordMarks(time.Now())
	} else {
		marks.Marks = g.clock.TickMarks(g.done)
	}
	v := group.AppendWatermarks(nil, &marks)
	for j := int32(0); j < g.parts; j++ {
		g.recs = append(g.recs, &kgo.Record{Topic: g.panesT, Partition: j, Value: v})
	}
}

// emit answers every window that closed on an owned panes partition read to its end (a
// partition just taken over is rebuilt first, so a window its previous owner emitted is
// known as such from the checkpoint).
func (g *groupRun) emit(ctx context.Context, p sink.Producer, kafka []sink.Sink) error {
	var open int64
	for j, m := range g.mergers {
		if g.restored[j] {
			for _, w := range g.due(j, m) {
				if err := g.answer(ctx, p, kafka, j, w); err != nil {
					return err
				}
			}
		}
		open += int64(m.Open())
	}
	g.stats.open.Store(open)
	return nil
}

// due takes the windows of partition j that closed: in processing time every window on
// the slide grid, records or not, as Spark prints empty batches; in record time only the
// windows that hold records, so the same records give the same answers.
func (g *groupRun) due(j int32, m *group.Merger[groupSummary]) []*group.Window[groupSummary] {
	if g.record {
		return m.Due(g.grace)
	}
	return m.DueEmpty(g.grace, g.layout, j, g.parts)
}

func (g *groupRun) answer(ctx context.Context, p sink.Producer, kafka []sink.Sink, j int32, w *group.Window[groupSummary]) error {
	sum, err := w.Sum.AppendBinary(nil)
	if err != nil {
		return fmt.Errorf("encode window: %w", err)
	}
	a := group.Answer{Start: w.End - g.layout.Size, End: w.End, Records: w.Records, Summary: sum}
	recs := []*kgo.Record{
		{Topic: g.answersT, Partition: 0, Key: windowKey(w.End), Value: group.AppendAnswer(nil, &a)},
		{Topic: g.panesT, Partition: j, Value: group.AppendCheckpoint(nil, group.Checkpoint{Through: w.End})},
	}
	if len(kafka) > 0 {
		b := g.sums.batch(w.Sum, time.UnixMilli(a.Start).In(g.loc), time.UnixMilli(a.End).In(g.loc))
		if err := writeAll(ctx, kafka, b); err != nil {
			return err
		}
	}
	if err := p.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("produce answer: %w", err)
	}
	g.stats.closed.Add(1)
	if g.obs != nil {
		g.obs.WindowAnswered(time.Since(time.UnixMilli(w.End)))
	}
	return nil
}

// windowKey is the record key of a window: its end, so a compacted topic keeps one
// answer per window.
func windowKey(end int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(end)) }
