package web

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/talkers"
)

// published is the snapshot the last Publish left for the view loop.
func published(t *testing.T, s *Server) Snapshot {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotNil(t, s.pending, "nothing published")
	return *s.pending
}

func newTestFeed(t *testing.T, cfg FeedConfig) (*Feed, *Server) {
	t.Helper()
	srv, err := New(Config{Addr: "127.0.0.1:0"}, nil)
	require.NoError(t, err)
	f, err := NewFeed(srv, cfg)
	require.NoError(t, err)
	return f, srv
}

func tuple(src, dst string, n int, proto string) sink.Tuple {
	return sink.Tuple{Src: src, Dst: dst, Len: n, Proto: proto}
}

func TestFeedCountsTuplesOverItsWindow(t *testing.T) {
	f, srv := newTestFeed(t, FeedConfig{Interval: 2 * time.Second, Window: 5 * time.Second,
		Lag: func() int64 { return 7 }, Skipped: func() int64 { return 2 }})
	assert.Equal(t, 6*time.Second, f.cfg.Window, "rounded up to whole batches")
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	write := func(at time.Time, tuples ...sink.Tuple) Snapshot {
		require.NoError(t, f.Write(context.Background(), sink.Batch{Time: at, Tuples: tuples}))
		f.Flush()
		return published(t, srv)
	}

	s := write(t0, tuple("10.0.0.1", "10.0.0.2", 100, "TCP"), tuple("10.0.0.1", "10.0.0.2", 60, "TCP"),
		tuple("10.0.0.3", "10.0.0.2", 1500, "TLSv1.3"))
	assert.Equal(t, []Row{{A: "10.0.0.1", B: "10.0.0.2", Packets: 2, Bytes: 160},
		{A: "10.0.0.3", B: "10.0.0.2", Packets: 1, Bytes: 1500}}, s.Rows)
	assert.Equal(t, t0, s.WindowEnd)
	assert.Equal(t, t0.Add(-2*time.Second), s.WindowStart, "the window starts with the first batch")
	assert.Equal(t, KindPair, s.Kind)
	assert.Equal(t, MeasurePackets, s.Measure)
	assert.Equal(t, uint64(3), s.TotalPackets)
	assert.Equal(t, uint64(1660), s.TotalBytes)
	assert.Equal(t, 2, s.DistinctKeys)
	assert.Equal(t, []Protocol{{Name: "TCP", Packets: 2, Bytes: 160}, {Name: "TLSv1.3", Packets: 1, Bytes: 1500}}, s.Protocols)
	assert.Equal(t, int64(7), s.Health.Lag)
	assert.Equal(t, uint64(2), s.Health.Skipped)
	assert.False(t, s.Health.Approximate)
	assert.False(t, s.Health.LastBatch.IsZero())

	s = write(t0.Add(2*time.Second), tuple("10.0.0.3", "10.0.0.2", 1500, "TLSv1.3"), tuple("10.0.0.3", "10.0.0.2", 1500, "TLSv1.3"))
	assert.Equal(t, []Row{{A: "10.0.0.3", B: "10.0.0.2", Packets: 3, Bytes: 4500},
		{A: "10.0.0.1", B: "10.0.0.2", Packets: 2, Bytes: 160}}, s.Rows, "both batches are in the window")

	assert.Equal(t, t0.Add(-2*time.Second), s.WindowStart)
	s = write(t0.Add(4 * time.Second))
	assert.Len(t, s.Rows, 2, "an empty batch keeps the window")
	assert.Equal(t, t0.Add(-2*time.Second), s.WindowStart, "a whole window has run")
	s = write(t0.Add(6 * time.Second))
	assert.Equal(t, []Row{{A: "10.0.0.3", B: "10.0.0.2", Packets: 2, Bytes: 3000}}, s.Rows, "the first batch left the window")
	assert.Equal(t, t0, s.WindowStart, "the window slides")
	s = write(t0.Add(8 * time.Second))
	assert.Empty(t, s.Rows)
	assert.Zero(t, s.TotalPackets)
}

func TestFeedRanksAsConfigured(t *testing.T) {
	f, srv := newTestFeed(t, FeedConfig{Interval: time.Second, Key: talkers.Host, By: talkers.Bytes, Top: 1})
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, f.Write(context.Background(), sink.Batch{Time: at, Tuples: []sink.Tuple{
		tuple("a", "b", 10, ""), tuple("a", "b", 10, ""), tuple("c", "d", 900, ""),
	}}))
	f.Flush()
	s := published(t, srv)
	assert.Equal(t, KindHost, s.Kind)
	assert.Equal(t, MeasureBytes, s.Measure)
	require.Len(t, s.Rows, 1)
	assert.Equal(t, "c", s.Rows[0].A)
	assert.Equal(t, uint64(900), s.Rows[0].Bytes)
	assert.Equal(t, 4, s.DistinctKeys)
}

func TestFeedShowsTheStreamsPairCounts(t *testing.T) {
	f, srv := newTestFeed(t, FeedConfig{Interval: time.Second, Window: 10 * time.Second})
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, f.Write(context.Background(), sink.Batch{Time: at, Aggregate: true, Distinct: 3,
		Counts: []sink.PairCount{{Src: "a", Dst: "b", Count: 5}, {Src: "c", Dst: "d", Count: 2}}}))
	s := published(t, srv)
	assert.Equal(t, []Row{{A: "a", B: "b", Packets: 5}, {A: "c", B: "d", Packets: 2}}, s.Rows)
	assert.Equal(t, at.Add(-10*time.Second), s.WindowStart)
	assert.Equal(t, 3, s.DistinctKeys)
}

// With --top the batch carries the stream's window answer (the group's, with several
// members): the view shows it as it is, bytes and host keys included.
func TestFeedShowsTheStreamsTalkersAnswer(t *testing.T) {
	f, srv := newTestFeed(t, FeedConfig{Interval: time.Second, Key: talkers.Host, By: talkers.Bytes})
	end := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	r := talkers.Result{
		Start: end.Add(-time.Minute), End: end, Key: talkers.Host, By: talkers.Bytes,
		Rows: []talkers.Row{
			{Key: talkers.Key{A: "10.0.0.1"}, Counts: talkers.Counts{Packets: 3, Bytes: 9000}},
			{Key: talkers.Key{A: "10.0.0.2"}, Counts: talkers.Counts{Packets: 7, Bytes: 700}, Approx: true, Error: 2},
		},
		Packets: 12, Bytes: 9800, Keys: 3, KeysExact: true, Exact: false,
	}
	require.NoError(t, f.Write(context.Background(), sink.Batch{Time: end, Aggregate: true, Talkers: &r}))
	s := published(t, srv)
	assert.Equal(t, []Row{{A: "10.0.0.1", Packets: 3, Bytes: 9000}, {A: "10.0.0.2", Packets: 7, Bytes: 700, Approx: true, Error: 2}}, s.Rows)
	assert.Equal(t, "host", s.Kind)
	assert.Equal(t, "bytes", s.Measure)
	assert.Equal(t, r.Start, s.WindowStart)
	assert.EqualValues(t, 12, s.TotalPackets)
	assert.EqualValues(t, 9800, s.TotalBytes)
	assert.Equal(t, 3, s.DistinctKeys)
	assert.True(t, s.Health.Approximate)
}

// Run counts on its own goroutine; a Write that finds a whole batch still queued counts it
// first, so the queue stays bounded and no batch is lost.
func TestFeedRunAndBoundedQueue(t *testing.T) {
	f, srv := newTestFeed(t, FeedConfig{Interval: time.Second})
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	big := make([]sink.Tuple, maxQueued-10)
	for i := range big {
		big[i] = tuple("10.0.0.1", "10.0.0.2", 100, "TCP")
	}
	ctx := context.Background()
	require.NoError(t, f.Write(ctx, sink.Batch{Time: at, Tuples: big}))
	require.NoError(t, f.Write(ctx, sink.Batch{Time: at.Add(time.Second), Tuples: big}))
	f.mu.Lock()
	queued, batches := len(f.queue), len(f.marks)
	f.mu.Unlock()
	assert.Equal(t, len(big), queued, "the first batch was counted by the second Write")
	assert.Equal(t, 1, batches)
	assert.Equal(t, uint64(len(big)), published(t, srv).TotalPackets)

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.Run(runCtx) }()
	require.Eventually(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.pending != nil && srv.pending.TotalPackets == uint64(2*len(big))
	}, 10*time.Second, time.Millisecond, "Run never counted the second batch")
	stop()
	require.NoError(t, <-done)
}

func TestFeedNeedsAnInterval(t *testing.T) {
	_, err := NewFeed(nil, FeedConfig{})
	assert.Error(t, err)
}
