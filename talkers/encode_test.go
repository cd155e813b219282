package talkers

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encodingCases are summaries in every state: empty, exact, over capacity (with a
// distinct sketch), unlimited.
func encodingCases() map[string]*Summary {
	r := rand.New(rand.NewPCG(9, 10))
	small := randomPackets(r, 300, 10)
	big := adversarial(r, 3000, 3, 100)
	out := map[string]*Summary{}
	for _, kind := range allKinds {
		for _, by := range allMeasures {
			name := kind.String() + "/" + by.String()
			out[name+"/empty"] = summaryOf(kind, by, 50, nil)
			out[name+"/exact"] = summaryOf(kind, by, 1000, small)
			out[name+"/over"] = summaryOf(kind, by, 50, big)
			out[name+"/unlimited"] = summaryOf(kind, by, Unlimited, small)
		}
	}
	return out
}

// TestEncodingRoundTrip: a decoded summary answers as the original and keeps counting as
// the original does.
func TestEncodingRoundTrip(t *testing.T) {
	more := randomPackets(rand.New(rand.NewPCG(11, 12)), 500, 40)
	for name, s := range encodingCases() {
		t.Run(name, func(t *testing.T) {
			b, err := s.MarshalBinary()
			require.NoError(t, err)
			var d Summary
			require.NoError(t, d.UnmarshalBinary(b))
			assertSameSummary(t, s, &d)
			again, err := d.AppendBinary([]byte("prefix"))
			require.NoError(t, err)
			assert.Equal(t, b, again[len("prefix"):])
			for _, p := range more {
				s.Add(p.src, p.dst, p.length)
				d.Add(p.src, p.dst, p.length)
			}
			assertSameSummary(t, s, &d)
		})
	}
}

func assertSameSummary(t *testing.T, want, got *Summary) {
	t.Helper()
	assert.Equal(t, want.Kind(), got.Kind())
	assert.Equal(t, want.Measure(), got.Measure())
	assert.Equal(t, want.Capacity(), got.Capacity())
	assert.Equal(t, want.Bound(), got.Bound())
	assert.Equal(t, want.Exact(), got.Exact())
	assert.Equal(t, want.Weight(), got.Weight())
	wp, wb := want.Totals()
	gp, gb := got.Totals()
	assert.Equal(t, [2]int64{wp, wb}, [2]int64{gp, gb})
	wn, wx := want.Keys()
	gn, gx := got.Keys()
	assert.Equal(t, wn, gn)
	assert.Equal(t, wx, gx)
	assert.Equal(t, want.Top(nil, 0), got.Top(nil, 0))
}

// TestDecodeRejects: truncations and corruptions are errors, and the target is unchanged.
func TestDecodeRejects(t *testing.T) {
	s := encodingCases()["conversation/bytes/over"]
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic", append([]byte("XX"), b[2:]...)},
		{"version", append([]byte{'T', 'K', 9}, b[3:]...)},
		{"kind", append([]byte{'T', 'K', 1, 7}, b[4:]...)},
		{"truncated", b[:len(b)/2]},
		{"trailing", append(append([]byte{}, b...), 0)},
		{"huge key count", []byte{'T', 'K', 1, 1, 1, 2 * 50, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x0f}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := summaryOf(Host, Packets, 5, []pkt{{src: "a", dst: "b", length: 1}})
			assert.ErrorIs(t, d.UnmarshalBinary(tc.data), ErrEncoding)
			p, _ := d.Totals()
			assert.Equal(t, int64(1), p, "unchanged")
		})
	}
}

// FuzzUnmarshal: hostile bytes never panic; what decodes re-encodes stably and still
// counts and merges.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range encodingCases() {
		b, err := s.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Summary
		if err := s.UnmarshalBinary(data); err != nil {
			return
		}
		// The decoder rebuilds the heap, so the first re-encoding may order keys differently;
		// from then on it is stable.
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var again Summary
		if err := again.UnmarshalBinary(b); err != nil {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		if c, _ := again.MarshalBinary(); string(c) != string(b) {
			t.Fatal("re-encoding is not stable")
		}
		s.Add("192.0.2.1", "192.0.2.2", 60)
		o, err := NewSummary(s.Kind(), s.Measure(), s.Capacity())
		if err != nil {
			t.Fatal(err)
		}
		o.Add("192.0.2.3", "192.0.2.1", 70)
		if err := s.Merge(o); err != nil {
			t.Fatal(err)
		}
		s.Top(nil, 10)
	})
}
