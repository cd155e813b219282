package talkers

import (
	"cmp"
	"container/heap"
	"slices"
)

// Row is one key of a result. For an exact summary every figure is exact. Otherwise
// (Approx) the ranking measure (Packets or Bytes, the one the summary ranks by) is
// Space-Saving's estimate, true ≤ value ≤ true + Error, and the other figures count only
// the packets seen since the key was last admitted, so they are lower bounds (for the
// ranking measure, PacketsAB + PacketsBA is value - Error).
type Row struct {
	Key
	Counts
	Approx bool
	Error  int64
}

// rowBefore is the output order: ranking count descending, then A, then B ascending in
// byte order (what bridge's --top has always printed).
func rowBefore(m Measure, a, b *Row) bool {
	if c := cmp.Compare(a.of(m), b.of(m)); c != 0 {
		return c > 0
	}
	if c := cmp.Compare(a.A, b.A); c != 0 {
		return c < 0
	}
	return a.B < b.B
}

// Top appends the n first rows in output order to dst and returns it; n ≤ 0 is every
// key. It costs O(keys · log n): a heap of the n best seen so far, never a sort of all.
func (s *Summary) Top(dst []Row, n int) []Row {
	if n <= 0 || n > len(s.ents) {
		n = len(s.ents)
	}
	h := rowHeap{by: s.by, rows: dst[len(dst):len(dst)]}
	for i := range s.ents {
		r := s.row(&s.ents[i])
		switch {
		case len(h.rows) < n:
			h.rows = append(h.rows, r)
			if len(h.rows) == n {
				heap.Init(&h)
			}
		case n > 0 && rowBefore(s.by, &r, &h.rows[0]):
			h.rows[0] = r
			heap.Fix(&h, 0)
		}
	}
	rows := h.rows
	slices.SortFunc(rows, func(a, b Row) int {
		if rowBefore(s.by, &a, &b) {
			return -1
		}
		return 1
	})
	return append(dst, rows...)
}

// row is the entry as a Row: the ranking figure includes the inherited error.
func (s *Summary) row(e *entry) Row {
	r := Row{Key: e.key, Counts: e.c, Approx: s.overflowed, Error: e.err}
	if s.by == Bytes {
		r.Bytes += e.err
	} else {
		r.Packets += e.err
	}
	return r
}

// rowHeap keeps the worst kept row at the root.
type rowHeap struct {
	by   Measure
	rows []Row
}

func (h *rowHeap) Len() int           { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool { return rowBefore(h.by, &h.rows[j], &h.rows[i]) }
func (h *rowHeap) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)         { h.rows = append(h.rows, x.(Row)) }
func (h *rowHeap) Pop() any {
	r := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return r
}
