package stream

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/sink"
)

func TestWindowTopOrder(t *testing.T) {
	w := newWindow(1)
	for _, p := range [][2]string{{"b", "a"}, {"a", "c"}, {"a", "b"}, {"a", "b"}, {"b", "a"}, {"z", "z"}} {
		w.add(p[0], p[1])
	}
	w.finish()
	got, distinct := w.top(3)
	assert.Equal(t, []sink.PairCount{{Src: "a", Dst: "b", Count: 2}, {Src: "b", Dst: "a", Count: 2}, {Src: "a", Dst: "c", Count: 1}}, got)
	assert.Equal(t, 4, distinct)

	w.finish() // an empty batch pushes the first one out of a one-batch window
	got, distinct = w.top(3)
	assert.Empty(t, got)
	assert.Zero(t, distinct)
}

// TestWindowMatchesRecount compares the incremental window with counting the last n
// batches from scratch, as reduceByKeyAndWindow without an inverse function would.
func TestWindowMatchesRecount(t *testing.T) {
	for _, n := range []int{1, 3, 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			w := newWindow(n)
			var history [][][2]string
			for batch := 0; batch < 40; batch++ {
				var pairs [][2]string
				for i := rng.IntN(20); i > 0; i-- {
					p := [2]string{fmt.Sprint(rng.IntN(4)), fmt.Sprint(rng.IntN(3))}
					pairs = append(pairs, p)
					w.add(p[0], p[1])
				}
				w.finish()
				history = append(history, pairs)
				got, distinct := w.top(1000)
				want := recount(history[max(0, len(history)-n):])
				require.Equal(t, len(want), distinct, "batch %d", batch)
				require.Equal(t, want, got, "batch %d", batch)
			}
		})
	}
}

func recount(batches [][][2]string) []sink.PairCount {
	m := map[[2]string]int64{}
	for _, b := range batches {
		for _, p := range b {
			m[p]++
		}
	}
	out := []sink.PairCount{}
	for p, c := range m {
		out = append(out, sink.PairCount{Src: p[0], Dst: p[1], Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Src != b.Src {
			return a.Src < b.Src
		}
		return a.Dst < b.Dst
	})
	return out
}

func TestWindowSkip(t *testing.T) {
	w := newWindow(3)
	w.add("a", "b")
	w.finish()
	w.skip(2)
	got, _ := w.top(5)
	assert.Len(t, got, 1, "still inside the window after two empty batches")
	w.skip(1)
	got, _ = w.top(5)
	assert.Empty(t, got)
	w.skip(100) // bounded by the window size
}
