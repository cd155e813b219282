package stream

import (
	"cmp"
	"slices"

	"github.com/bridge-project/bridge/sink"
)

type pair struct{ src, dst string }

// window counts (src, dst) pairs over the last n batches, as Spark's
// reduceByKeyAndWindow(add, subtract, window, slide) does: each batch adds its counts to
// a running total, and the batch that falls out of the window subtracts its own.
type window struct {
	batch map[pair]int64 // the current batch's counts
	ring  []map[pair]int64
	next  int // ring slot the next finished batch goes to
	total map[pair]int64
	out   []sink.PairCount
}

func newWindow(batches int) *window {
	w := &window{batch: make(map[pair]int64), ring: make([]map[pair]int64, batches), total: make(map[pair]int64)}
	for i := range w.ring {
		w.ring[i] = make(map[pair]int64)
	}
	return w
}

// add counts one tuple into the current batch.
func (w *window) add(src, dst string) { w.batch[pair{src, dst}]++ }

// finish closes the current batch: it enters the window and the oldest batch leaves.
func (w *window) finish() {
	old := w.ring[w.next]
	for k, n := range old {
		if left := w.total[k] - n; left > 0 {
			w.total[k] = left
		} else {
			delete(w.total, k)
		}
	}
	clear(old)
	for k, n := range w.batch {
		w.total[k] += n
	}
	// The emptied slot becomes the next current batch: no map is allocated per batch.
	w.ring[w.next], w.batch = w.batch, old
	w.next = (w.next + 1) % len(w.ring)
}

// skip records batches that saw no records (ticks the stream missed while behind).
func (w *window) skip(n int) {
	for i := 0; i < n && i < len(w.ring); i++ {
		w.finish()
	}
}

// top returns the n most frequent pairs of the window, by count descending then pair
// ascending (Python's default string order is code point order, which byte order of
// UTF-8 matches), and the number of distinct pairs. The slice is reused by the next call.
func (w *window) top(n int) ([]sink.PairCount, int) {
	out := w.out[:0]
	for k, c := range w.total {
		out = append(out, sink.PairCount{Src: k.src, Dst: k.dst, Count: c})
	}
	slices.SortFunc(out, func(a, b sink.PairCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Src, b.Src); c != 0 {
			return c
		}
		return cmp.Compare(a.Dst, b.Dst)
	})
	w.out = out
	return out[:min(n, len(out))], len(out)
}
