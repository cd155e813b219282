package web

import (
	"context"
	"fmt"
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
// printing tuples. Write costs what counting the batch's tuples costs, allocates nothing per
// tuple, and never waits for a page: Publish only swaps the latest snapshot.
type Feed struct {
	srv    *Server
	cfg    FeedConfig
	win    *talkers.Windows
	now    func() time.Time
	last   talkers.Result
	rows   []Row
	protos []Protocol
}

var _ sink.Sink = (*Feed)(nil)

// NewFeed returns a Feed that publishes to srv.
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
	return &Feed{srv: srv, cfg: cfg, win: win, now: time.Now}, nil
}

// Write publishes the batch's window. A batch's records were read in the interval that ends
// at its Time, so they count in the pane just before it, and the window ending at Time is
// complete once they are added.
func (f *Feed) Write(_ context.Context, b sink.Batch) error {
	// The seam for the stream's own answer: when the batch carries the talkers result of
	// the window (--top through the talkers engine), publish that instead of counting here.
	if b.Aggregate {
		f.srv.Publish(f.fromCounts(b))
		return nil
	}
	at := b.Time.Add(-time.Nanosecond)
	for i := range b.Tuples {
		t := &b.Tuples[i]
		f.win.Add(at, t.Src, t.Dst, t.Len, t.Proto)
	}
	f.win.Advance(b.Time, func(r talkers.Result) { f.last = r })
	f.srv.Publish(f.FromResult(f.last))
	return nil
}

// Close releases nothing: the Server is owned by whoever made it.
func (f *Feed) Close(context.Context) error { return nil }

func (f *Feed) String() string { return "web" }

// FromResult turns a talkers window answer into the view's Snapshot. Its Rows and Protocols
// reuse the Feed's buffers: Publish copies them.
func (f *Feed) FromResult(r talkers.Result) Snapshot {
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
		Health: f.health(),
	}
	s.Health.Approximate = !r.Exact || !r.KeysExact
	return s
}

// fromCounts shows the stream's --top answer as the pair counter that predates the talkers
// engine gives it: packets per pair, no bytes, totals only over the rows shown.
func (f *Feed) fromCounts(b sink.Batch) Snapshot {
	f.rows = f.rows[:0]
	var total uint64
	for _, c := range b.Counts {
		f.rows = append(f.rows, Row{A: c.Src, B: c.Dst, Packets: uint64(c.Count)})
		total += uint64(c.Count)
	}
	window := f.cfg.Window
	return Snapshot{
		WindowStart: b.Time.Add(-window), WindowEnd: b.Time,
		Kind: KindPair, Measure: MeasurePackets, Rows: f.rows,
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
