package talkers

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type timed struct {
	ts time.Time
	pkt
}

var epoch = time.Unix(1764270000, 0).UTC()

func randomTimed(r *rand.Rand, n int, span time.Duration) []timed {
	pkts := randomPackets(r, n, 12)
	out := make([]timed, n)
	for i, p := range pkts {
		out[i] = timed{ts: epoch.Add(time.Duration(r.Int64N(int64(span)))), pkt: p}
	}
	slices.SortFunc(out, func(a, b timed) int { return a.ts.Compare(b.ts) })
	return out
}

// run feeds recs in order, advancing the watermark to each record's time, then to end.
func run(t *testing.T, c Config, recs []timed, end time.Time) []Result {
	t.Helper()
	w, err := NewWindows(c)
	require.NoError(t, err)
	var out []Result
	emit := func(r Result) { out = append(out, r) }
	for _, rec := range recs {
		require.True(t, w.Add(rec.ts, rec.src, rec.dst, rec.length, rec.proto))
		w.Advance(rec.ts, emit)
	}
	w.Advance(end, emit)
	assert.Zero(t, w.Late())
	return out
}

// TestWindowsMatchBruteForce: every emitted window holds exactly the records whose time
// falls in [start, end), for tumbling and sliding windows and every kind.
func TestWindowsMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	recs := randomTimed(r, 3000, 100*time.Second)
	end := epoch.Add(200 * time.Second)
	for _, kind := range allKinds {
		for _, ws := range [][2]time.Duration{{10 * time.Second, 10 * time.Second}, {10 * time.Second, 2 * time.Second}, {7 * time.Second, time.Second}} {
			t.Run(kind.String()+"/"+ws[0].String()+"/"+ws[1].String(), func(t *testing.T) {
				c := Config{Key: kind, By: Bytes, Capacity: Unlimited, Window: ws[0], Slide: ws[1], SkipEmpty: true}
				got := run(t, c, recs, end)
				require.NotEmpty(t, got)
				for i, res := range got {
					assert.Equal(t, ws[0], res.End.Sub(res.Start))
					assert.Zero(t, res.End.UnixNano()%int64(ws[1]), "aligned to the epoch")
					if i > 0 {
						assert.True(t, res.End.After(got[i-1].End), "in order")
					}
					var in []pkt
					for _, rec := range recs {
						if !rec.ts.Before(res.Start) && rec.ts.Before(res.End) {
							in = append(in, rec.pkt)
						}
					}
					require.NotEmpty(t, in, "no empty windows unless asked")
					assertResult(t, kind, in, res)
				}
				last := recs[len(recs)-1].ts.Truncate(ws[1]).Add(ws[0])
				assert.Equal(t, last, got[len(got)-1].End, "the last window holding a record")
			})
		}
	}
}

func assertResult(t *testing.T, kind KeyKind, in []pkt, res Result) {
	t.Helper()
	want := bruteForce(kind, in)
	assert.Equal(t, int64(len(in)), res.Packets)
	assert.Equal(t, sumLengths(in), res.Bytes)
	assert.Equal(t, int64(len(want)), res.Keys)
	assert.True(t, res.KeysExact)
	assert.True(t, res.Exact)
	require.Len(t, res.Rows, len(want))
	for _, row := range res.Rows {
		assert.Equal(t, want[row.Key], row.Counts)
	}
	protos := map[string]int64{}
	for _, p := range in {
		protos[p.proto]++
	}
	var shown int64
	for _, row := range res.Protocols {
		assert.Equal(t, protos[row.A], row.Packets, "protocol %q", row.A)
		shown += row.Packets
	}
	assert.Equal(t, res.Packets-shown, res.OtherProtocols.Packets)
}

// TestWindowsEmitEmpty: by default Advance emits every slide, records or not.
func TestWindowsEmitEmpty(t *testing.T) {
	w, err := NewWindows(Config{Window: 4 * time.Second, Slide: 2 * time.Second})
	require.NoError(t, err)
	var ends []time.Time
	emit := func(r Result) {
		ends = append(ends, r.End)
		assert.Zero(t, r.Packets)
		assert.Empty(t, r.Rows)
	}
	w.Advance(epoch, emit)
	w.Advance(epoch.Add(7*time.Second), emit)
	require.Len(t, ends, 4)
	for i, e := range ends {
		assert.Equal(t, epoch.Add(time.Duration(2*i)*time.Second), e)
	}
}

// TestWindowsLate: a record whose windows were all emitted is refused and counted.
func TestWindowsLate(t *testing.T) {
	w, err := NewWindows(Config{Window: 10 * time.Second, Slide: 5 * time.Second, SkipEmpty: true})
	require.NoError(t, err)
	var got []Result
	emit := func(r Result) { got = append(got, r) }
	require.True(t, w.Add(epoch.Add(2*time.Second), "a", "b", 60, "TCP"))
	w.Advance(epoch.Add(20*time.Second), emit)
	require.Len(t, got, 2, "[-5s,5s) and [0s,10s)")
	assert.False(t, w.Add(epoch.Add(3*time.Second), "a", "b", 60, "TCP"), "all its windows are out")
	assert.False(t, w.Add(epoch.Add(12*time.Second), "a", "b", 60, "TCP"), "[5s,15s) and [10s,20s) are out")
	assert.True(t, w.Add(epoch.Add(22*time.Second), "a", "b", 60, "TCP"), "its windows end at 25s and 30s")
	assert.Equal(t, int64(2), w.Late())
	assert.Equal(t, 1, w.Panes(), "emitted panes are dropped")
}

// TestWindowsLongWindowCostsNothingUpFront: a year of 2s slides reserves nothing.
func TestWindowsLongWindowCostsNothingUpFront(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	w, err := NewWindows(Config{Window: 8760 * time.Hour, Slide: 2 * time.Second})
	require.NoError(t, err)
	w.Add(epoch, "192.0.2.1", "192.0.2.2", 60, "UDP")
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<10), "bytes allocated")
	assert.Equal(t, 1, w.Panes())
}

// TestWindowsConfig: windows that are not whole slides, or too many of them, are refused.
func TestWindowsConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
	}{
		{"no window", Config{}},
		{"not a multiple", Config{Window: 10 * time.Second, Slide: 3 * time.Second}},
		{"too many panes", Config{Window: 8760 * time.Hour, Slide: time.Second}},
		{"negative slide", Config{Window: time.Second, Slide: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewWindows(tc.c)
			assert.ErrorIs(t, err, ErrWindow)
		})
	}
}

// TestWindowsBoundOverCapacity: windows merged from panes over K keep the guarantee.
func TestWindowsBoundOverCapacity(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	recs := randomTimed(r, 4000, 60*time.Second)
	for i := range recs {
		recs[i].src = recs[i].src + "-" + string(rune('a'+i%26)) // many more keys
	}
	end := epoch.Add(120 * time.Second)
	for _, kind := range allKinds {
		t.Run(kind.String(), func(t *testing.T) {
			c := Config{Key: kind, Capacity: 20, Window: 20 * time.Second, Slide: 5 * time.Second}
			for _, res := range run(t, c, recs, end) {
				var in []pkt
				for _, rec := range recs {
					if !rec.ts.Before(res.Start) && rec.ts.Before(res.End) {
						in = append(in, rec.pkt)
					}
				}
				want := bruteForce(kind, in)
				assert.Equal(t, int64(len(in)), res.Packets, "totals stay exact")
				for _, row := range res.Rows {
					truth := want[row.Key].Packets
					assert.GreaterOrEqual(t, row.Packets, truth)
					assert.LessOrEqual(t, row.Packets-row.Error, truth)
					assert.LessOrEqual(t, row.Error, res.Bound)
				}
				for k, cnt := range want {
					if cnt.Packets > res.Bound && !res.Exact {
						assert.True(t, slices.ContainsFunc(res.Rows, func(r Row) bool { return r.Key == k }), "key %v above the bound", k)
					}
				}
			}
		})
	}
}

// TestWindowsAddSeenAllocatesNothing: a packet between addresses already seen, in a pane
// that exists, costs no allocation, for every kind and with a rollup.
func TestWindowsAddSeenAllocatesNothing(t *testing.T) {
	for _, tc := range []struct {
		kind   KeyKind
		prefix Prefix
	}{{Pair, NoPrefix}, {Conversation, NoPrefix}, {Host, NoPrefix}, {Pair, Prefix{24, 64}}, {Conversation, Prefix{24, 64}}, {Host, Prefix{24, 64}}} {
		t.Run(tc.kind.String()+"/"+tc.prefix.String(), func(t *testing.T) {
			w, err := NewWindows(Config{Key: tc.kind, Prefix: tc.prefix, Window: time.Minute, Slide: 2 * time.Second})
			require.NoError(t, err)
			w.Add(epoch, "192.0.2.1", "2001:db8::1", 60, "TCP")
			assert.Zero(t, testing.AllocsPerRun(100, func() {
				w.Add(epoch, "192.0.2.1", "2001:db8::1", 60, "TCP")
			}))
		})
	}
}
