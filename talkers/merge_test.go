package talkers

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// split cuts pkts into parts pieces at random points.
func split(r *rand.Rand, pkts []pkt, parts int) [][]pkt {
	var out [][]pkt
	for i := 1; i < parts; i++ {
		at := r.IntN(len(pkts) + 1)
		out = append(out, pkts[:at])
		pkts = pkts[at:]
	}
	return append(out, pkts)
}

func mergedOf(t *testing.T, kind KeyKind, by Measure, capacity int, parts [][]pkt) *Summary {
	t.Helper()
	s := summaryOf(kind, by, capacity, parts[0])
	for _, p := range parts[1:] {
		require.NoError(t, s.Merge(summaryOf(kind, by, capacity, p)))
	}
	return s
}

// TestMergeExactUnderCapacity: merging two or three exact summaries whose keys fit in K
// gives the summary of the concatenated stream, row for row.
func TestMergeExactUnderCapacity(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pkts := randomPackets(r, 4000, 25)
	for _, kind := range allKinds {
		for _, by := range allMeasures {
			for _, parts := range []int{2, 3} {
				t.Run(kind.String()+"/"+by.String()+"/"+string(rune('0'+parts)), func(t *testing.T) {
					want := bruteForce(kind, pkts)
					whole := summaryOf(kind, by, len(want), pkts)
					merged := mergedOf(t, kind, by, len(want), split(r, pkts, parts))
					assert.True(t, merged.Exact())
					assert.Equal(t, whole.Top(nil, 0), merged.Top(nil, 0))
					assert.Equal(t, whole.Weight(), merged.Weight())
					p1, b1 := whole.Totals()
					p2, b2 := merged.Totals()
					assert.Equal(t, [2]int64{p1, b1}, [2]int64{p2, b2})
				})
			}
		}
	}
}

// TestMergeBoundOverCapacity: merged summaries over K keep the Space-Saving guarantee
// for the concatenated stream.
func TestMergeBoundOverCapacity(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pkts := adversarial(r, 20000, 5, 400)
	for _, kind := range allKinds {
		for _, by := range allMeasures {
			for _, parts := range []int{2, 3} {
				t.Run(kind.String()+"/"+by.String()+"/"+string(rune('0'+parts)), func(t *testing.T) {
					want := bruteForce(kind, pkts)
					merged := mergedOf(t, kind, by, 200, split(r, pkts, parts))
					heavies := 5
					if kind == Host {
						heavies = 6
					}
					assertBound(t, merged, want, heavies)
					p, b := merged.Totals()
					assert.Equal(t, int64(len(pkts)), p)
					assert.Equal(t, sumLengths(pkts), b)
				})
			}
		}
	}
}

// TestMergeMismatch: summaries of different shapes do not merge.
func TestMergeMismatch(t *testing.T) {
	a, err := NewSummary(Pair, Packets, 10)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		kind KeyKind
		by   Measure
		cap  int
	}{{"kind", Host, Packets, 10}, {"measure", Pair, Bytes, 10}, {"capacity", Pair, Packets, 11}} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewSummary(tc.kind, tc.by, tc.cap)
			require.NoError(t, err)
			assert.ErrorIs(t, a.Merge(b), ErrMismatch)
		})
	}
	t.Run("itself", func(t *testing.T) {
		assert.ErrorIs(t, a.Merge(a), ErrMismatch)
	})
}

// TestKthLargest: quickselect agrees with sorting, duplicates included.
func TestKthLargest(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for _, tc := range []struct{ n, values int }{{1, 1}, {2, 2}, {10, 3}, {1000, 5}, {1000, 1_000_000}, {5000, 1}} {
		t.Run(fmt.Sprintf("n=%d/values=%d", tc.n, tc.values), func(t *testing.T) {
			v := make([]int64, tc.n)
			for i := range v {
				v[i] = r.Int64N(int64(tc.values))
			}
			sorted := slices.Clone(v)
			slices.Sort(sorted)
			slices.Reverse(sorted)
			for _, k := range []int{1, tc.n / 2, tc.n} {
				if k < 1 {
					continue
				}
				assert.Equal(t, sorted[k-1], kthLargest(slices.Clone(v), k), "k=%d", k)
			}
		})
	}
}
