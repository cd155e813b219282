package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/talkers"
)

// Defaults of FeedConfig.
const (
	// DefaultFeedWindow is what the view counts over when the stream prints tuples (no --top):
	// long enough to show who talks, short enough to follow a change.
	DefaultFeedWindow = 60 * time.Second
	// DefaultFeedTop is how many keys the view ranks when --top does not say: the picture
	// stays readable at 50 and the table fits a screen at 25.
	DefaultFeedTop = 25
)

// FeedConfig says what a Feed counts when the stream hands it tuples.
type FeedConfig struct {
	Key talkers.KeyKind // 0 is pair
	By  talkers.Measure // 0 is packets
	// Top is how many keys the view ranks; 0 is DefaultFeedTop.
	Top int
	// Interval is the stream's batch interval: the view's window slides by it.
	Interval time.Duration
	// Window is counted over; 0 is DefaultFeedWindow, rounded up to a multiple of Interval.
	Window time.Duration
	// Lag and Skipped, when set, are read at every batch for the figures only the stream
	// knows: the consumer lag in records and the records skipped so far.
	Lag, Skipped func() int64
}

// Feed is the sink that feeds a Server: it turns every batch the stream writes into one
// Snapshot. For a batch of tuples it counts them into its own sliding window (the talkers
// engine, the same one --top uses), so the view shows who talks to whom while stdout keeps
// printing tuples.
//
// The counting happens on Run's goroutine, not the stream's: Write copies the batch's
// addresses, protocol and length (a memcpy of interned strings) into a queue and returns, so
// the stream commits as fast as without the view on a machine with a core to spare
// (BENCHMARKS.md). The queue and Run's buffer hold maxQueued packets each, allocated
// once (2 × 3.5 MB; a growing slice would keep twice that, and the heap's GC headroom
// doubles it again): when a batch does not fit beside what Run has not taken yet, Write
// counts the queue itself, so the view's memory is bounded and its counts stay exact.
type Feed struct {
	srv  *Server
	cfg  FeedConfig
	now  func() time.Time
	wake chan struct{} // capacity 1: something is queued

	mu    sync.Mutex // guards queue and marks
	queue []packet
	marks []mark // where each queued batch ends in queue

	cmu       sync.Mutex // guards what counting uses, below
	work      []packet
	workMarks []mark
	win       *talkers.Windows
	last      talkers.Result
	first     time.Time // the start of the first batch counted
	rows      []Row
	protos    []Protocol
}

// maxQueued bounds the queue: one batch of the stream's default size
// (stream.DefaultMaxBatchRecords), about 3.5 MB.
const maxQueued = 1 << 16

// packet is what the view counts of a tuple. The strings are the stream's interned ones.
type packet struct {
	src, dst, proto string
	n               int
}

// mark is the end of one batch in the queue, with the health read when it was written.
type mark struct {
	at     time.Time
	end    int
	health Health
}

var _ sink.Sink = (*Feed)(nil)

// NewFeed returns a Feed that publishes to srv; run it with Run.
func NewFeed(srv *Server, cfg FeedConfig) (*Feed, error) {
	if cfg.Interval <= 0 {
		return nil, fmt.Errorf("web feed: interval %v must be positive", cfg.Interval)
	}
	if cfg.Top == 0 {
		cfg.Top = DefaultFeedTop
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultFeedWindow
	}
	// The window is a whole number of batches: round up.
	cfg.Window = (cfg.Window + cfg.Interval - 1) / cfg.Interval * cfg.Interval
	win, err := talkers.NewWindows(talkers.Config{
		Key: cfg.Key, By: cfg.By, Top: cfg.Top, Window: cfg.Window, Slide: cfg.Interval,
	})
	if err != nil {
		return nil, fmt.Errorf("web feed: %w", err)
	}
	return &Feed{srv: srv, cfg: cfg, win: win, now: time.Now, wake: make(chan struct{}, 1)}, nil
}

// Write queues the batch for Run. It never waits for a page, and for Run only when Run fell
// a whole batch behind.
func (f *Feed) Write(_ context.Context, b sink.Batch) error {
	// With --top the batch carries the stream's (the group's) answer for the window:
	// publish that instead of counting here.
	if b.Talkers != nil {
		f.cmu.Lock()
		f.srv.Publish(f.fromResult(*b.Talkers, f.health()))
		f.cmu.Unlock()
		return nil
	}
	if b.Aggregate {
		f.srv.Publish(f.fromCounts(b))
		return nil
	}
	h := f.health()
	f.mu.Lock()
	if f.queue == nil {
		f.queue = make([]packet, 0, maxQueued)
	}
	if len(f.queue) > 0 && len(f.queue)+len(b.Tuples) > cap(f.queue) {
		f.mu.Unlock()
		f.Flush()
		f.mu.Lock()
	}
	for i := range b.Tuples {
		t := &b.Tuples[i]
		f.queue = append(f.queue, packet{src: t.Src, dst: t.Dst, proto: t.Proto, n: t.Len})
	}
	f.marks = append(f.marks, mark{at: b.Time, end: len(f.queue), health: h})
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return nil
}

// Run counts what Write queues and publishes each window, until ctx ends.
func (f *Feed) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
			f.Flush()
		}
	}
}

// Flush counts every queued batch and publishes the last one's window. A batch's records
// were read in the interval that ends at its Time, so they count in the pane just before
// it, and the window ending at Time is complete once they are added.
func (f *Feed) Flush() {
	f.cmu.Lock()
	defer f.cmu.Unlock()
	f.mu.Lock()
	if f.work == nil {
		f.work = make([]packet, 0, maxQueued)
	}
	f.queue, f.work = f.work[:0], f.queue
	f.marks, f.workMarks = f.workMarks[:0], f.marks
	f.mu.Unlock()
	if len(f.workMarks) == 0 {
		return
	}
	from := 0
	for _, m := range f.workMarks {
		at := m.at.Add(-time.Nanosecond)
		for _, p := range f.work[from:m.end] {
			f.win.Add(at, p.src, p.dst, p.n, p.proto)
		}
		from = m.end
		f.win.Advance(m.at, func(r talkers.Result) { f.last = r })
	}
	r := f.last
	// Until the stream has run a whole window, the window starts with its first batch, so
	// the rates are what was seen, not spread over a minute nobody watched.
	if f.first.IsZero() {
		f.first = f.workMarks[0].at.Add(-f.cfg.Interval)
	}
	if r.Start.Before(f.first) {
		r.Start = f.first
	}
	f.srv.Publish(f.fromResult(r, f.workMarks[len(f.workMarks)-1].health))
	clear(f.work) // let the strings go
}

// Close releases nothing: the Server is owned by whoever made it.
func (f *Feed) Close(context.Context) error { return nil }

func (f *Feed) String() string { return "web" }

// fromResult turns a talkers window answer into the view's Snapshot. Its Rows and Protocols
// reuse the Feed's buffers: Publish copies them.
func (f *Feed) fromResult(r talkers.Result, h Health) Snapshot {
	f.rows = f.rows[:0]
	for _, row := range r.Rows {
		f.rows = append(f.rows, Row{
			A: row.A, B: row.B, Packets: uint64(row.Packets), Bytes: uint64(row.Bytes),
			Approx: row.Approx, Error: uint64(row.Error),
		})
	}
	f.protos = f.protos[:0]
	for _, p := range r.Protocols {
		f.protos = append(f.protos, Protocol{Name: p.A, Packets: uint64(p.Packets), Bytes: uint64(p.Bytes)})
	}
	if o := r.OtherProtocols; o.Packets > 0 {
		f.protos = append(f.protos, Protocol{Name: "other", Packets: uint64(o.Packets), Bytes: uint64(o.Bytes)})
	}
	s := Snapshot{
		WindowStart: r.Start, WindowEnd: r.End,
		Kind: r.Key.String(), Measure: r.By.String(),
		Rows: f.rows, Protocols: f.protos,
		TotalPackets: uint64(r.Packets), TotalBytes: uint64(r.Bytes), DistinctKeys: int(r.Keys),
		Health: h,
	}
	s.Health.Approximate = !r.Exact || !r.KeysExact
	return s
}

// fromCounts shows the stream's --top answer as the pair counter that predates the talkers
// engine gives it: packets per pair, no bytes, totals only over the rows shown. It runs on
// the stream's goroutine, so it has its own rows (at most --top of them).
func (f *Feed) fromCounts(b sink.Batch) Snapshot {
	rows := make([]Row, 0, len(b.Counts))
	var total uint64
	for _, c := range b.Counts {
		rows = append(rows, Row{A: c.Src, B: c.Dst, Packets: uint64(c.Count)})
		total += uint64(c.Count)
	}
	return Snapshot{
		WindowStart: b.Time.Add(-f.cfg.Window), WindowEnd: b.Time,
		Kind: KindPair, Measure: MeasurePackets, Rows: rows,
		TotalPackets: total, DistinctKeys: b.Distinct, Health: f.health(),
	}
}

func (f *Feed) health() Health {
	h := Health{LastBatch: f.now()}
	if f.cfg.Lag != nil {
		h.Lag = f.cfg.Lag()
	}
	if f.cfg.Skipped != nil {
		h.Skipped = uint64(max(f.cfg.Skipped(), 0))
	}
	return h
}
