package group

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counts is an exact mergeable summary for the tests: key -> count.
type counts map[string]int64

func newCounts() counts { return counts{} }

func (c counts) AppendBinary(b []byte) ([]byte, error) {
	for _, k := range slices.Sorted(maps.Keys(c)) {
		b = appendString(b, k)
		b = binary.AppendVarint(b, c[k])
	}
	return b, nil
}

func (c counts) MergeBinary(b []byte) error {
	r := reader{b: b}
	for len(r.b) > 0 && r.err == nil {
		k := r.string()
		c[k] += r.varint()
	}
	return r.err
}

func TestWireRoundTrip(t *testing.T) {
	d := Delta{WindowEnd: 4000, Ends: []int64{4000, 10000, 16000}, PaneStart: 2000, Topic: "in", Partition: 5, Records: 7, Summary: []byte("sum")}
	got, err := DecodeDelta(AppendDelta(nil, &d))
	require.NoError(t, err)
	assert.Equal(t, d, got)

	// A 'd' record, one window each, as members wrote them before 'p'.
	old := []byte{wireVersion, byte(KindDelta)}
	old = binary.AppendVarint(old, 4000)
	old = binary.AppendVarint(old, 2000)
	old = appendString(old, "in")
	old = binary.AppendVarint(old, 5)
	old = binary.AppendVarint(old, 7)
	got, err = DecodeDelta(append(old, "sum"...))
	require.NoError(t, err)
	assert.Equal(t, Delta{WindowEnd: 4000, PaneStart: 2000, Topic: "in", Partition: 5, Records: 7, Summary: []byte("sum")}, got)

	w := Watermarks{Topics: map[string]int32{"in": 6, "b": 1}, Marks: []Mark{{"in", 0, 1999}, {"b", 0, -5}}}
	gotW, err := DecodeWatermarks(AppendWatermarks(nil, &w))
	require.NoError(t, err)
	assert.Equal(t, w, gotW)

	c, err := DecodeCheckpoint(AppendCheckpoint(nil, Checkpoint{Through: 6000}))
	require.NoError(t, err)
	assert.Equal(t, int64(6000), c.Through)

	a := Answer{Start: 0, End: 2000, Records: 3, Summary: []byte{1, 2}}
	gotA, err := DecodeAnswer(AppendAnswer(nil, &a))
	require.NoError(t, err)
	assert.Equal(t, a, gotA)
}

func TestWireRefusesBadBytes(t *testing.T) {
	full := AppendWatermarks(nil, &Watermarks{Topics: map[string]int32{"in": 6}, Marks: []Mark{{"in", 3, 10}}})
	for n := range len(full) {
		_, err := DecodeWatermarks(full[:n])
		assert.Error(t, err, "prefix of %d bytes", n)
	}
	_, err := DecodeDelta([]byte{2, 'd'})
	assert.True(t, errors.Is(err, ErrVersion))
	_, err = DecodeDelta([]byte{1, 'x'})
	assert.True(t, errors.Is(err, ErrKind))
	_, err = DecodeCheckpoint(AppendDelta(nil, &Delta{}))
	assert.True(t, errors.Is(err, ErrKind), "a delta is not a checkpoint")
}

func FuzzDecode(f *testing.F) {
	f.Add(AppendDelta(nil, &Delta{WindowEnd: 1, Topic: "t", Summary: []byte("x")}))
	f.Add(AppendWatermarks(nil, &Watermarks{Topics: map[string]int32{"t": 2}, Marks: []Mark{{"t", 1, 2}}}))
	f.Add(AppendCheckpoint(nil, Checkpoint{Through: 9}))
	f.Fuzz(func(t *testing.T, v []byte) {
		k, err := KindOf(v)
		if err != nil {
			return
		}
		switch k {
		case KindDelta:
			_, _ = DecodeDelta(v)
		case KindWatermark:
			_, _ = DecodeWatermarks(v)
		case KindCheckpoint:
			_, _ = DecodeCheckpoint(v)
		}
		_, _ = DecodeAnswer(v)
	})
}

func TestLayoutWindows(t *testing.T) {
	tests := []struct {
		name   string
		l      Layout
		start  int64
		wantEs []int64
	}{
		{"tumbling", Layout{Size: 2000, Slide: 2000, Pane: 2000}, 4000, []int64{6000}},
		{"sliding", Layout{Size: 6000, Slide: 2000, Pane: 2000}, 4000, []int64{6000, 8000, 10000}},
		{"panes finer than the slide", Layout{Size: 4000, Slide: 2000, Pane: 1000}, 5000, []int64{6000, 8000}},
		{"before the epoch", Layout{Size: 2000, Slide: 2000, Pane: 2000}, -2000, []int64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.l.Validate())
			var got []int64
			tt.l.Windows(tt.start, func(e int64) { got = append(got, e) })
			assert.Equal(t, tt.wantEs, got)
		})
	}
	assert.Equal(t, int64(-2000), Layout{Size: 2000, Slide: 2000, Pane: 2000}.PaneOf(-1))
	assert.Error(t, Layout{Size: 3000, Slide: 2000, Pane: 2000}.Validate())
}

// feed is a log of one internal partition, applied to a merger from an offset.
type feed struct{ vals [][]byte }

func (f *feed) delta(end int64, part int32, recs int64, c counts) {
	b, _ := c.AppendBinary(nil)
	f.vals = append(f.vals, AppendDelta(nil, &Delta{WindowEnd: end, PaneStart: end - 2000, Topic: "in", Partition: part, Records: recs, Summary: b}))
}

func (f *feed) marks(at0, at1 int64) {
	f.vals = append(f.vals, AppendWatermarks(nil, &Watermarks{Topics: map[string]int32{"in": 2}, Marks: []Mark{{"in", 0, at0}, {"in", 1, at1}}}))
}

func (f *feed) apply(t *testing.T, m *Merger[counts], from int) {
	t.Helper()
	for i := from; i < len(f.vals); i++ {
		require.NoError(t, m.Apply(int64(i), f.vals[i]))
	}
}

func TestMergerClosesOnTheSlowestPartition(t *testing.T) {
	var f feed
	f.delta(2000, 0, 2, counts{"a b": 2})
	f.delta(2000, 1, 1, counts{"a b": 1, "c d": 1})
	f.marks(5000, 1500) // partition 1 is still inside the window
	m := NewMerger(newCounts)
	f.apply(t, m, 0)
	assert.False(t, m.Closing(0))
	assert.Empty(t, m.Due(0))
	hold, _ := m.Hold()
	assert.Equal(t, int64(0), hold, "the open window's first delta")

	f.delta(4000, 1, 1, counts{"e f": 1})
	f.marks(5000, 2600)
	f.apply(t, m, 3)
	assert.False(t, m.Closing(1000))
	assert.Empty(t, m.Due(1000), "2000 + grace 1000 is past 2600")
	assert.True(t, m.Closing(500), "Closing agrees with Due")
	due := m.Due(500)
	require.Len(t, due, 1)
	assert.False(t, m.Closing(500), "the window ending 4000 is still open")
	assert.Equal(t, counts{"a b": 3, "c d": 1}, due[0].Sum)
	assert.Equal(t, int64(3), due[0].Records)
	hold, _ = m.Hold()
	assert.Equal(t, int64(3), hold, "the first delta of the window still open")
	assert.Equal(t, 1, m.Open())
}

func TestMergerRebuildSkipsEmittedWindows(t *testing.T) {
	var f feed
	f.delta(2000, 0, 1, counts{"a b": 1})
	f.delta(4000, 0, 1, counts{"x y": 1})
	f.delta(2000, 1, 1, counts{"a b": 1})
	f.marks(3000, 3000)
	first := NewMerger(newCounts)
	f.apply(t, first, 0)
	due := first.Due(0)
	require.Len(t, due, 1)
	hold, _ := first.Hold()
	assert.Equal(t, int64(1), hold)
	f.vals = append(f.vals, AppendCheckpoint(nil, Checkpoint{Through: 2000}))
	f.delta(4000, 1, 2, counts{"x y": 2})
	f.delta(2000, 1, 5, counts{"late": 5}) // after the window was emitted

	var late int64
	next := NewMerger(newCounts)
	next.Late = func(_, n int64) { late += n }
	f.apply(t, next, int(hold))
	f.marks(9000, 9000)
	f.apply(t, next, len(f.vals)-1)
	due = next.Due(0)
	require.Len(t, due, 1, "window 2000 was emitted before the move")
	assert.Equal(t, int64(4000), due[0].End)
	assert.Equal(t, counts{"x y": 3}, due[0].Sum)
	assert.Equal(t, int64(5), late)
}

func TestMergerWaitsForEveryPartition(t *testing.T) {
	m := NewMerger(newCounts)
	v := AppendWatermarks(nil, &Watermarks{Topics: map[string]int32{"in": 2}, Marks: []Mark{{"in", 0, 9000}}})
	require.NoError(t, m.Apply(0, v))
	_, ok := m.Low()
	assert.False(t, ok, "partition 1 was never heard of")
	v = AppendWatermarks(nil, &Watermarks{Marks: []Mark{{"in", 1, 7000}, {"in", 0, 100}}})
	require.NoError(t, m.Apply(1, v))
	low, ok := m.Low()
	require.True(t, ok)
	assert.Equal(t, int64(7000), low, "a watermark never goes back")
}

func TestClockIdlePartitionsFollowTheClock(t *testing.T) {
	t0 := time.UnixMilli(1_000_000)
	c := NewClock(5 * time.Second)
	p0, p1 := Partition{"in", 0}, Partition{"in", 1}
	c.Assign(p0, t0)
	c.Assign(p1, t0)
	c.Record(p0, 500, t0)
	c.Fetched(p0, false)
	assert.Equal(t, []Mark{{"in", 0, 500}}, c.RecordMarks(t0.Add(time.Second)),
		"p1 has no watermark until it is idle")
	c.Record(p1, 200, t0.Add(time.Second))
	c.Fetched(p1, true)
	later := t0.Add(10 * time.Second)
	assert.Equal(t, []Mark{{"in", 0, later.UnixMilli()}, {"in", 1, 200}}, c.RecordMarks(later),
		"p0 is caught up and quiet; p1 is behind and holds its own mark")
	assert.Equal(t, []Mark{{"in", 0, 42}, {"in", 1, 42}}, c.TickMarks(42))
	c.Revoke(p0)
	assert.Equal(t, []Partition{p1}, c.Owned())
}

func TestPanesDrain(t *testing.T) {
	for _, tc := range []struct {
		parts int32
		want  []Delta // Partition is the internal partition here; Summary left out
	}{
		{1, []Delta{{Partition: 0, Ends: []int64{2000, 4000}, Records: 1}, {Partition: 0, Ends: []int64{4000, 6000}, Records: 2}}},
		{2, []Delta{
			{Partition: 0, Ends: []int64{4000}, Records: 1}, {Partition: 1, Ends: []int64{2000}, Records: 1},
			{Partition: 0, Ends: []int64{4000}, Records: 2}, {Partition: 1, Ends: []int64{6000}, Records: 2},
		}},
	} {
		t.Run(fmt.Sprintf("parts=%d", tc.parts), func(t *testing.T) {
			ps := NewPanes(Layout{Size: 4000, Slide: 2000, Pane: 2000}, newCounts)
			p := Partition{"in", 3}
			ps.At(p, 2500)["a b"]++
			ps.At(p, 3999)["a b"]++
			ps.At(p, 100)["c d"]++
			var got []Delta
			require.NoError(t, ps.Drain(tc.parts, func(j int32, d *Delta) error {
				assert.Equal(t, d.Ends[0], d.WindowEnd)
				assert.Equal(t, p, Partition{d.Topic, d.Partition})
				got = append(got, Delta{Partition: j, Ends: slices.Clone(d.Ends), Records: d.Records})
				return nil
			}))
			assert.Equal(t, tc.want, got)
			assert.Equal(t, 0, ps.Len())
		})
	}
}

// TestPanesAtSwitchesPanes: records that alternate between partitions and panes each
// count in their own pane, and after a drain a pane starts empty.
func TestPanesAtSwitchesPanes(t *testing.T) {
	ps := NewPanes(Layout{Size: 2000, Slide: 2000, Pane: 2000}, newCounts)
	p, q := Partition{"in", 0}, Partition{"in", 1}
	ps.At(p, 100)["a b"]++
	ps.At(q, 100)["c d"]++
	ps.At(p, 150)["a b"]++
	ps.At(p, 2100)["e f"]++
	ps.At(p, 200)["a b"]++
	drained := func() map[Partition][]int64 {
		got := map[Partition][]int64{}
		require.NoError(t, ps.Drain(1, func(_ int32, d *Delta) error {
			got[Partition{d.Topic, d.Partition}] = append(got[Partition{d.Topic, d.Partition}], d.PaneStart, d.Records)
			return nil
		}))
		return got
	}
	assert.Equal(t, map[Partition][]int64{p: {0, 3, 2000, 1}, q: {0, 1}}, drained())
	assert.Empty(t, ps.At(p, 100), "a drained pane is not handed out again")
	assert.Equal(t, map[Partition][]int64{p: {0, 1}}, drained())
}

// TestMergerTakesADeltaForSeveralWindows: one record of a pane's summary counts in
// every window it names, and only there; a window already emitted counts it late.
func TestMergerTakesADeltaForSeveralWindows(t *testing.T) {
	b, _ := counts{"a b": 3}.AppendBinary(nil)
	pane := func(ends ...int64) []byte {
		return AppendDelta(nil, &Delta{WindowEnd: ends[0], Ends: ends, PaneStart: 0, Topic: "in", Partition: 0, Records: 3, Summary: b})
	}
	var late []int64
	m := NewMerger(newCounts)
	m.Late = func(end, _ int64) { late = append(late, end) }
	require.NoError(t, m.Apply(0, pane(2000, 6000)))
	require.NoError(t, m.Apply(1, AppendWatermarks(nil, &Watermarks{Topics: map[string]int32{"in": 1}, Marks: []Mark{{"in", 0, 2000}}})))
	due := m.Due(0)
	require.Len(t, due, 1)
	assert.Equal(t, counts{"a b": 3}, due[0].Sum)
	require.NoError(t, m.Apply(2, pane(2000, 4000)))
	assert.Equal(t, []int64{2000}, late, "window 2000 was emitted")
	require.NoError(t, m.Apply(3, AppendWatermarks(nil, &Watermarks{Marks: []Mark{{"in", 0, 6000}}})))
	due = m.Due(0)
	require.Len(t, due, 2)
	assert.Equal(t, []int64{4000, 6000}, []int64{due[0].End, due[1].End})
	assert.Equal(t, counts{"a b": 3}, due[0].Sum)
	assert.Equal(t, counts{"a b": 3}, due[1].Sum)
	assert.Equal(t, int64(3), due[1].Records)
}

func TestMergerHoldKeepsTheLastCheckpoint(t *testing.T) {
	var f feed
	f.delta(2000, 0, 1, counts{"a b": 1})
	f.delta(2000, 1, 1, counts{"a b": 1})
	f.marks(3000, 3000)
	m := NewMerger(newCounts)
	f.apply(t, m, 0)
	require.Len(t, m.Due(0), 1)
	f.vals = append(f.vals, AppendCheckpoint(nil, Checkpoint{Through: 2000}))
	f.marks(3500, 3500)
	f.apply(t, m, 3)
	hold, _ := m.Hold()
	assert.Equal(t, int64(3), hold, "a new owner must read the checkpoint again")

	f.delta(2000, 0, 4, counts{"late": 4}) // after the partition moved
	var late int64
	next := NewMerger(newCounts)
	next.Late = func(_, n int64) { late += n }
	f.apply(t, next, int(hold))
	assert.Empty(t, next.Due(0), "the late delta is no new window")
	assert.Equal(t, int64(4), late)
}

func TestClockTakenOverPartitionWaitsToBeKnown(t *testing.T) {
	t0 := time.UnixMilli(1_000_000)
	c := NewClock(time.Second)
	p := Partition{"in", 2}
	c.Assign(p, t0)
	later := t0.Add(time.Minute)
	assert.Empty(t, c.RecordMarks(later), "it may hold a crashed owner's backlog")
	assert.Equal(t, []Partition{p}, c.Unknown())
	c.Resolve(p, false)
	assert.Empty(t, c.RecordMarks(later), "behind")
	c.Fetched(p, false)
	assert.Equal(t, []Mark{{"in", 2, later.UnixMilli()}}, c.RecordMarks(later))
	q := Partition{"in", 3}
	c.Assign(q, t0)
	c.Resolve(q, true)
	assert.Empty(t, c.Unknown())
	assert.Len(t, c.RecordMarks(later), 2, "an empty partition is idle once known")
}

func TestClockRewindForgetsAnAbortedBatch(t *testing.T) {
	t0 := time.UnixMilli(1_000_000)
	c := NewClock(time.Second)
	p, q := Partition{"in", 0}, Partition{"in", 1}
	c.Assign(p, t0)
	c.Record(p, 100, t0)
	c.Fetched(p, false)
	c.Commit()
	c.Record(p, 900, t0) // the batch whose transaction aborts
	c.Assign(q, t0)
	c.Record(q, 800, t0)
	c.Rewind()
	later := t0.Add(time.Minute)
	assert.Equal(t, []Mark{{"in", 0, 100}}, c.RecordMarks(later),
		"the committed mark, not the aborted batch's, and not idle: its records come again")
	assert.Equal(t, []Partition{p, q}, c.Unknown())
	c.Record(p, 400, later)
	assert.Equal(t, []Mark{{"in", 0, 400}}, c.RecordMarks(later))
}
