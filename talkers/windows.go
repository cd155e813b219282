package talkers

import (
	"slices"
	"time"
)

// Windows counts packets into tumbling or sliding windows of length W sliding by S,
// aligned to the Unix epoch: the window ending at E covers [E-W, E), and E is a multiple
// of S. It keeps one pane (a pair of summaries) per slide that received a record, made
// when the first record falls in it, so memory follows what the windows hold and never
// W/S; a window is answered by merging its panes (O(panes · K)), never by copying the
// window. Windows is not safe for concurrent use.
type Windows struct {
	cfg   Config
	names names
	proto *Roller
	slide int64 // S in nanoseconds
	n     int64 // panes per window, W/S

	panes     map[int64]*pane // by pane index: floor(ts / S)
	order     []int64         // the indexes of panes, ascending
	free      []*pane         // dropped panes, kept for reuse
	scratch   *pane           // where a window's panes are merged
	parts     []*pane
	last      *pane // the pane Add used last, and its index
	lastIndex int64
	started   bool
	next      int64 // end of the next window to emit, in panes
	late      int64
}

// NewWindows returns empty windows for c (Window required).
func NewWindows(c Config) (*Windows, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := c.validateWindow(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	return &Windows{
		cfg: c, names: newNames(c), proto: NewRoller(NoPrefix),
		slide: int64(c.Slide), n: int64(c.Window / c.Slide),
		panes: make(map[int64]*pane),
	}, nil
}

// Add counts one packet at time ts from src to dst of length bytes with tshark's protocol
// name. It returns false, counting nothing, for a late record: one whose every window
// was already emitted (Late counts them). Without a prefix the addresses are kept as
// given: they must be ordinary strings, not views of a buffer that is reused.
func (w *Windows) Add(ts time.Time, src, dst string, length int, proto string) bool {
	i := floorDiv(ts.UnixNano(), w.slide)
	if !w.started {
		w.started, w.next = true, i+1
	}
	if i+w.n < w.next {
		w.late++
		return false
	}
	w.pane(i).add(w.names.of(src), w.names.of(dst), int64(length), w.proto.name(proto).s)
	return true
}

// Late is how many records Add refused because their windows were already emitted.
func (w *Windows) Late() int64 { return w.late }

// Panes is how many panes are held (what memory follows).
func (w *Windows) Panes() int { return len(w.panes) }

// pane returns the pane with index i, making it if needed. Records come mostly in time
// order, so the last pane used is remembered.
func (w *Windows) pane(i int64) *pane {
	if w.last != nil && w.lastIndex == i {
		return w.last
	}
	if p, ok := w.panes[i]; ok {
		w.last, w.lastIndex = p, i
		return p
	}
	var p *pane
	if k := len(w.free); k > 0 {
		p, w.free = w.free[k-1], w.free[:k-1]
	} else {
		p = newPane(w.cfg)
	}
	w.panes[i] = p
	w.last, w.lastIndex = p, i
	at, _ := slices.BinarySearch(w.order, i)
	w.order = slices.Insert(w.order, at, i)
	return p
}

// Advance emits, in order, every window that ends at or before watermark and was not
// emitted yet, then drops the panes no later window needs. Windows without records are
// emitted too (empty Rows) unless Config.SkipEmpty; the first window emitted is the first
// holding a record, or, when Advance comes first, the one ending at the watermark.
func (w *Windows) Advance(watermark time.Time, emit func(Result)) {
	last := floorDiv(watermark.UnixNano(), w.slide) // the last window end to emit
	if !w.started {
		if w.cfg.SkipEmpty {
			return
		}
		w.started, w.next = true, last
	}
	for w.next <= last {
		if w.cfg.SkipEmpty {
			if len(w.order) == 0 {
				w.next = last + 1
				break
			}
			w.next = max(w.next, w.order[0]+1)
			if w.next > last {
				break
			}
		}
		emit(w.answer(w.next))
		w.next++
		w.drop()
	}
}

// answer merges the panes of the window ending at end (in panes).
func (w *Windows) answer(end int64) Result {
	from, _ := slices.BinarySearch(w.order, end-w.n)
	to, _ := slices.BinarySearch(w.order, end)
	var r Result
	switch to - from {
	case 0:
		r = w.empty().result(w.cfg)
	case 1:
		r = w.panes[w.order[from]].result(w.cfg)
	default:
		s := w.empty()
		w.parts = w.parts[:0]
		for _, i := range w.order[from:to] {
			w.parts = append(w.parts, w.panes[i])
		}
		s.merge(w.parts)
		r = s.result(w.cfg)
	}
	r.Start = time.Unix(0, (end-w.n)*w.slide).UTC()
	r.End = time.Unix(0, end*w.slide).UTC()
	return r
}

// empty returns the reset scratch pane.
func (w *Windows) empty() *pane {
	if w.scratch == nil {
		w.scratch = newPane(w.cfg)
	}
	w.scratch.reset()
	return w.scratch
}

// drop releases the panes whose last window has been emitted.
func (w *Windows) drop() {
	k := 0
	for k < len(w.order) && w.order[k]+w.n < w.next {
		p := w.panes[w.order[k]]
		delete(w.panes, w.order[k])
		if p == w.last {
			w.last = nil
		}
		p.reset()
		w.free = append(w.free, p)
		k++
	}
	w.order = slices.Delete(w.order, 0, k)
	// Keep a few panes for reuse, not a whole window's worth.
	if len(w.free) > 4 {
		w.free = w.free[:4]
	}
}

// floorDiv is a / b rounded towards minus infinity (times before 1970 stay aligned).
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
