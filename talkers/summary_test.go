package talkers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSummaryExactUnderCapacity: with at most K distinct keys every figure equals the
// brute-force count, for every kind and measure.
func TestSummaryExactUnderCapacity(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pkts := randomPackets(r, 5000, 30)
	for _, kind := range allKinds {
		for _, by := range allMeasures {
			t.Run(kind.String()+"/"+by.String(), func(t *testing.T) {
				want := bruteForce(kind, pkts)
				s := summaryOf(kind, by, len(want), pkts)
				assert.True(t, s.Exact())
				assert.True(t, heapValid(s))
				assert.Zero(t, s.Bound())
				rows := s.Top(nil, 0)
				require.Len(t, rows, len(want))
				for _, row := range rows {
					assert.Equal(t, want[row.Key], row.Counts, "key %v", row.Key)
					assert.False(t, row.Approx)
					assert.Zero(t, row.Error)
				}
				n, exact := s.Keys()
				assert.True(t, exact)
				assert.Equal(t, int64(len(want)), n)
				packets, bytes := s.Totals()
				assert.Equal(t, int64(len(pkts)), packets)
				assert.Equal(t, sumLengths(pkts), bytes)
			})
		}
	}
}

func sumLengths(pkts []pkt) int64 {
	var n int64
	for _, p := range pkts {
		n += int64(p.length)
	}
	return n
}

// adversarial is many distinct one-off keys with a few heavy keys interleaved.
func adversarial(r *rand.Rand, light, heavy, heavyEach int) []pkt {
	var pkts []pkt
	for i := 0; i < light; i++ {
		pkts = append(pkts, pkt{src: fmt.Sprintf("192.0.%d.%d", i>>8&255, i&255),
			dst: fmt.Sprintf("198.%d.%d.%d", 51+i>>16, i>>8&255, i&255), length: 60 + r.IntN(40)})
		if i%(light/(heavy*heavyEach)+1) == 0 {
			h := r.IntN(heavy)
			pkts = append(pkts, pkt{src: fmt.Sprintf("203.0.113.%d", h), dst: "203.0.113.250", length: 1000 + r.IntN(500)})
		}
	}
	return pkts
}

// assertBound checks the Space-Saving guarantee of s against the truth.
func assertBound(t *testing.T, s *Summary, want map[Key]Counts, heavies int) {
	t.Helper()
	assert.False(t, s.Exact())
	assert.True(t, heapValid(s))
	assert.LessOrEqual(t, s.Bound(), s.Weight()/int64(s.Capacity()), "Bound ≤ N/K")
	rows := s.Top(nil, 0)
	for _, row := range rows {
		truth := measureOf(s.Measure(), want[row.Key])
		got := measureOf(s.Measure(), row.Counts)
		assert.True(t, row.Approx)
		assert.GreaterOrEqual(t, got, truth, "never below the truth: %v", row.Key)
		assert.LessOrEqual(t, got-row.Error, truth, "count - error ≤ truth: %v", row.Key)
		assert.LessOrEqual(t, row.Error, s.Bound())
	}
	kept := make(map[Key]bool, len(rows))
	for _, row := range rows {
		kept[row.Key] = true
	}
	for k, c := range want {
		if measureOf(s.Measure(), c) > s.Bound() {
			assert.True(t, kept[k], "key %v above the bound is kept", k)
		}
	}
	top := s.Top(nil, heavies)
	require.Len(t, top, heavies)
	for _, row := range top {
		assert.Contains(t, row.A+row.B, "203.0.113.", "the heavy keys lead: %v", row.Key)
	}
}

// TestSummaryBoundOverCapacity: far more distinct keys than K, a few heavy ones.
func TestSummaryBoundOverCapacity(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pkts := adversarial(r, 20000, 5, 400)
	for _, kind := range allKinds {
		for _, by := range allMeasures {
			t.Run(kind.String()+"/"+by.String(), func(t *testing.T) {
				want := bruteForce(kind, pkts)
				s := summaryOf(kind, by, 200, pkts)
				heavies := 5
				if kind == Host {
					heavies = 6 // and the heavy destination
				}
				assertBound(t, s, want, heavies)
				n, exact := s.Keys()
				assert.False(t, exact)
				assert.InEpsilon(t, float64(len(want)), float64(n), 0.1, "distinct estimate")
			})
		}
	}
}

// TestTopOrder: count descending, then A, then B ascending, and n rows at most.
func TestTopOrder(t *testing.T) {
	s, err := NewSummary(Pair, Packets, 100)
	require.NoError(t, err)
	for _, p := range [][2]string{{"b", "a"}, {"a", "c"}, {"a", "b"}, {"b", "a"}, {"c", "c"}, {"a", "c"}} {
		s.Add(p[0], p[1], 10)
	}
	var got []Key
	for _, row := range s.Top(nil, 3) {
		got = append(got, row.Key)
	}
	assert.Equal(t, []Key{{"a", "c"}, {"b", "a"}, {"a", "b"}}, got)
	assert.Len(t, s.Top(nil, 0), 4)
	assert.Len(t, s.Top(nil, 10), 4)
}

// TestConversationDirections: A is the smaller address, IPv4 before IPv6, names by bytes.
func TestConversationDirections(t *testing.T) {
	for _, tc := range []struct{ src, dst, a, b string }{
		{"10.0.0.2", "10.0.0.10", "10.0.0.2", "10.0.0.10"}, // numeric, not string, order
		{"10.0.0.10", "10.0.0.2", "10.0.0.2", "10.0.0.10"},
		{"2001:db8::1", "192.0.2.1", "192.0.2.1", "2001:db8::1"},
		{"Cisco_12:34:56", "Apple_ab:cd:ef", "Apple_ab:cd:ef", "Cisco_12:34:56"},
		{"127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"},
	} {
		t.Run(tc.src+"→"+tc.dst, func(t *testing.T) {
			s, err := NewSummary(Conversation, Packets, 10)
			require.NoError(t, err)
			s.Add(tc.src, tc.dst, 100)
			rows := s.Top(nil, 0)
			require.Len(t, rows, 1)
			assert.Equal(t, Key{tc.a, tc.b}, rows[0].Key)
			if tc.src == tc.a {
				assert.Equal(t, Counts{1, 100, 1, 100, 0, 0}, rows[0].Counts)
			} else {
				assert.Equal(t, Counts{1, 100, 0, 0, 1, 100}, rows[0].Counts)
			}
		})
	}
}
