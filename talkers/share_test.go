package talkers

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSharedPanes: two instances that each count half the records and exchange their
// panes through the binary encoding answer every window as one instance over all the
// records does.
func TestSharedPanes(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	recs := randomTimed(r, 2000, 60*time.Second)
	end := epoch.Add(120 * time.Second)
	for _, kind := range allKinds {
		t.Run(kind.String(), func(t *testing.T) {
			c := Config{Key: kind, By: Bytes, Window: 10 * time.Second, Slide: 5 * time.Second}
			want := run(t, c, recs, end)
			a, err := NewWindows(c)
			require.NoError(t, err)
			b, err := NewWindows(c)
			require.NoError(t, err)
			for i, rec := range recs {
				into := a
				if i%2 == 1 {
					into = b
				}
				require.True(t, into.Add(rec.ts, rec.src, rec.dst, rec.length, rec.proto))
			}
			b.EachPane(func(start time.Time, talk, proto *Summary) {
				ok, err := a.MergePane(start, decoded(t, talk), decoded(t, proto))
				require.NoError(t, err)
				assert.True(t, ok)
			})
			var got []Result
			a.Advance(end, func(r Result) { got = append(got, r) })
			assert.Equal(t, want, got)
		})
	}
}

func decoded(t *testing.T, s *Summary) *Summary {
	t.Helper()
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	var d Summary
	require.NoError(t, d.UnmarshalBinary(b))
	return &d
}

// TestMergePaneMismatch: summaries of another shape are refused.
func TestMergePaneMismatch(t *testing.T) {
	w, err := NewWindows(Config{Window: time.Second})
	require.NoError(t, err)
	talk, err := NewSummary(Host, Packets, DefaultCapacity)
	require.NoError(t, err)
	proto, err := NewSummary(Pair, Packets, protocolCapacity)
	require.NoError(t, err)
	_, err = w.MergePane(epoch, talk, proto)
	assert.ErrorIs(t, err, ErrMismatch)
}
