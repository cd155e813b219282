package group

import (
	"fmt"
	"maps"
	"slices"
)

// Layout is the time grid of the windows, in ms: a window ending at End covers
// [End-Size, End); ends are multiples of Slide; a pane is Pane long and Pane divides
// Slide, which divides Size.
type Layout struct{ Size, Slide, Pane int64 }

// Validate checks the grid.
func (l Layout) Validate() error {
	if l.Pane <= 0 || l.Slide <= 0 || l.Size <= 0 || l.Slide%l.Pane != 0 || l.Size%l.Slide != 0 {
		return fmt.Errorf("window layout %+v: want pane | slide | size, all positive", l)
	}
	return nil
}

// PaneOf returns the start of the pane holding ts.
func (l Layout) PaneOf(ts int64) int64 { return floorDiv(ts, l.Pane) * l.Pane }

// Windows calls fn with the end of every window the pane starting at start is part of.
func (l Layout) Windows(start int64, fn func(end int64)) {
	first := (floorDiv(start, l.Slide) + 1) * l.Slide
	for e := first; e <= start+l.Size; e += l.Slide {
		fn(e)
	}
}

// PartitionOf returns the internal partition the deltas of the window ending at end go
// to: consecutive windows go round the partitions, so mergers share the work evenly.
func (l Layout) PartitionOf(end int64, partitions int32) int32 {
	return int32(floorDiv(end, l.Slide) % int64(partitions))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Panes are a member's summaries of the current batch: one per (input partition, pane).
type Panes[S Summary] struct {
	layout Layout
	newSum func() S
	m      map[paneKey]*pane[S]
	// The pane At returned last: a poll's records come partition by partition, and in
	// processing time all in one pane, so nearly every call is for the same pane again,
	// and a map lookup (hashing the topic's name) per record was a tenth of counting.
	lastKey paneKey
	last    *pane[S]
}

type paneKey struct {
	p     Partition
	start int64
}

type pane[S Summary] struct {
	sum     S
	records int64
}

// NewPanes returns empty panes on layout.
func NewPanes[S Summary](layout Layout, newSum func() S) *Panes[S] {
	return &Panes[S]{layout: layout, newSum: newSum, m: make(map[paneKey]*pane[S])}
}

// At returns the summary of the pane of p holding ts, for the caller to add a record to.
func (ps *Panes[S]) At(p Partition, ts int64) S {
	k := paneKey{p, ps.layout.PaneOf(ts)}
	pn := ps.last
	if pn == nil || k != ps.lastKey {
		if pn = ps.m[k]; pn == nil {
			pn = &pane[S]{sum: ps.newSum()}
			ps.m[k] = pn
		}
		ps.lastKey, ps.last = k, pn
	}
	pn.records++
	return pn.sum
}

// Len is how many panes the batch touched.
func (ps *Panes[S]) Len() int { return len(ps.m) }

// Drain encodes every pane once and calls fn, for each of the parts internal partitions
// that merges a window the pane is part of, with its delta for those windows (the same
// summary bytes to each partition), in a fixed order; then forgets them all.
func (ps *Panes[S]) Drain(parts int32, fn func(part int32, d *Delta) error) error {
	keys := slices.SortedFunc(maps.Keys(ps.m), func(a, b paneKey) int {
		if c := comparePartitions(a.p, b.p); c != 0 {
			return c
		}
		return int(max(-1, min(1, a.start-b.start)))
	})
	byPart := make([][]int64, parts) // the pane's window ends, by internal partition
	for _, k := range keys {
		pn := ps.m[k]
		d := Delta{PaneStart: k.start, Topic: k.p.Topic, Partition: k.p.Partition, Records: pn.records}
		var err error
		if d.Summary, err = pn.sum.AppendBinary(nil); err != nil {
			return fmt.Errorf("encode pane: %w", err)
		}
		for j := range byPart {
			byPart[j] = byPart[j][:0]
		}
		ps.layout.Windows(k.start, func(end int64) {
			j := ps.layout.PartitionOf(end, parts)
			byPart[j] = append(byPart[j], end)
		})
		for j, ends := range byPart {
			if len(ends) == 0 {
				continue
			}
			d.Ends, d.WindowEnd = ends, ends[0]
			if err := fn(int32(j), &d); err != nil {
				return err
			}
		}
	}
	clear(ps.m)
	ps.last = nil
	return nil
}
