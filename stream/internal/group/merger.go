package group

import (
	"fmt"
	"maps"
	"slices"
)

// Summary is what the group needs of a talkers summary: merging another one's encoding
// into it, and its own encoding. Merging is associative and, while the keys fit the
// summary's capacity, exact (Agarwal et al., "Mergeable Summaries", PODS 2012), which is
// why the group's answer equals one member's.
type Summary interface {
	MergeBinary(b []byte) error
	AppendBinary(b []byte) ([]byte, error)
}

// Merger is the state of one internal partition's owner: the open windows whose deltas
// it has merged, the latest watermark of every input partition, and the last window it
// emitted. All of it is rebuilt from the partition itself (read from the committed
// position Hold gave), so whichever member takes the partition carries on.
type Merger[S Summary] struct {
	newSum  func() S
	marks   map[Partition]int64
	topics  map[string]int32
	open    map[int64]*Window[S]
	through int64 // every window ending at or before it was emitted (when emitted)
	emitted bool
	next    int64 // the offset after the last record applied
	started bool
	ckpt    int64 // the offset of the last checkpoint applied, when ckpted
	ckpted  bool
	cursor  int64 // with empty windows: every window end up to it was considered
	cursed  bool
	// Late is told of the records of a delta that came after its window was emitted.
	Late func(windowEnd, records int64)
}

// Window is an open window of a merger.
type Window[S Summary] struct {
	End     int64
	Sum     S
	Records int64
	first   int64 // the offset of its first delta
}

// NewMerger returns an empty merger whose summaries newSum makes.
func NewMerger[S Summary](newSum func() S) *Merger[S] {
	return &Merger[S]{
		newSum: newSum, marks: make(map[Partition]int64), topics: make(map[string]int32),
		open: make(map[int64]*Window[S]),
	}
}

// Apply takes the record at offset of the merger's partition.
func (m *Merger[S]) Apply(offset int64, v []byte) error {
	if !m.started || offset >= m.next {
		m.next, m.started = offset+1, true
	}
	k, err := KindOf(v)
	if err != nil {
		return err
	}
	switch k {
	case KindDelta, KindPane:
		return m.applyDelta(offset, v)
	case KindWatermark:
		w, err := DecodeWatermarks(v)
		if err != nil {
			return err
		}
		maps.Copy(m.topics, w.Topics)
		for _, mk := range w.Marks {
			p := Partition{mk.Topic, mk.Partition}
			if at, ok := m.marks[p]; !ok || mk.At > at {
				m.marks[p] = mk.At
			}
		}
		return nil
	default:
		c, err := DecodeCheckpoint(v)
		if err != nil {
			return err
		}
		m.markEmitted(c.Through)
		m.ckpt, m.ckpted = offset, true
		return nil
	}
}

func (m *Merger[S]) applyDelta(offset int64, v []byte) error {
	d, err := DecodeDelta(v)
	if err != nil {
		return err
	}
	for _, end := range d.Windows() {
		if m.emitted && end <= m.through {
			if m.Late != nil {
				m.Late(end, d.Records)
			}
			continue
		}
		w := m.open[end]
		if w == nil {
			w = &Window[S]{End: end, Sum: m.newSum(), first: offset}
			m.open[end] = w
		}
		if err := w.Sum.MergeBinary(d.Summary); err != nil {
			return fmt.Errorf("delta of window %d: %w", end, err)
		}
		w.Records += d.Records
	}
	return nil
}

// markEmitted drops the windows through end: a checkpoint read while rebuilding says
// they were emitted by the partition's previous owner.
func (m *Merger[S]) markEmitted(end int64) {
	if m.emitted && end <= m.through {
		return
	}
	m.through, m.emitted = end, true
	for e := range m.open {
		if e <= end {
			delete(m.open, e)
		}
	}
}

// Low returns the group's watermark as this partition knows it: the least watermark
// over every partition of every input topic. It is false until every one was heard of.
func (m *Merger[S]) Low() (int64, bool) {
	if len(m.topics) == 0 {
		return 0, false
	}
	var low int64
	first := true
	for t, n := range m.topics {
		for p := int32(0); p < n; p++ {
			at, ok := m.marks[Partition{t, p}]
			if !ok {
				return 0, false
			}
			if first || at < low {
				low, first = at, false
			}
		}
	}
	return low, true
}

// Due takes the open windows whose end plus grace (ms) the group's watermark has passed,
// in order of their ends, and counts them emitted.
func (m *Merger[S]) Due(grace int64) []*Window[S] {
	low, ok := m.Low()
	if !ok {
		return nil
	}
	var due []*Window[S]
	for _, e := range slices.Sorted(maps.Keys(m.open)) {
		if e+grace > low {
			break
		}
		due = append(due, m.open[e])
		delete(m.open, e)
	}
	if len(due) > 0 {
		m.markEmitted(due[len(due)-1].End)
	}
	return due
}

// Closing says whether Due would take a window now: an open one whose end plus grace
// (ms) the group's watermark has passed. The owner asks after every poll, so a window
// is answered as soon as its last delta and watermark are read, not at the next tick.
func (m *Merger[S]) Closing(grace int64) bool {
	low, ok := m.Low()
	if !ok {
		return false
	}
	for e := range m.open {
		if e+grace <= low {
			return true
		}
	}
	return false
}

// maxEmpty bounds the empty windows one call of DueEmpty emits: after an outage the
// stream shows the last few, not a burst of every tick it missed (as Run skips ticks).
const maxEmpty = 8

// DueEmpty is Due that also makes, for every window end on the slide grid that this
// partition merges (j of n partitions) and that closed with no delta, an empty window, as
// Spark prints empty batches. It starts from the first watermark it sees (or the last
// window emitted, if later).
func (m *Merger[S]) DueEmpty(grace int64, l Layout, j, n int32) []*Window[S] {
	low, ok := m.Low()
	if !ok {
		return nil
	}
	last := floorDiv(low-grace, l.Slide) * l.Slide // the last window end that closed
	if !m.cursed {
		m.cursor, m.cursed = last, true
	}
	if m.emitted {
		m.cursor = max(m.cursor, m.through)
	}
	from := max(m.cursor+l.Slide, last-maxEmpty*int64(n)*l.Slide)
	for e := from; e <= last; e += l.Slide {
		if l.PartitionOf(e, n) == j && m.open[e] == nil {
			m.open[e] = &Window[S]{End: e, Sum: m.newSum(), first: m.next}
		}
	}
	m.cursor = max(m.cursor, last)
	return m.Due(grace)
}

// Open returns how many windows are open.
func (m *Merger[S]) Open() int { return len(m.open) }

// Emitted returns the end of the last window emitted, and false when none was.
func (m *Merger[S]) Emitted() (int64, bool) { return m.through, m.emitted }

// Hold is the offset the merger may commit: the first delta of a window not yet emitted,
// or past everything applied, but never past the last checkpoint. Whoever reads the
// partition from there rebuilds the open windows; the deltas of windows already emitted
// it meets again are dropped when it reads the checkpoint that follows them, and a late
// delta of a window emitted long ago is known as late, not taken for a new window.
func (m *Merger[S]) Hold() (int64, bool) {
	hold, ok := m.next, m.started
	if m.ckpted {
		hold = min(hold, m.ckpt)
	}
	for _, w := range m.open {
		if w.first < hold {
			hold = w.first
		}
	}
	return hold, ok
}
