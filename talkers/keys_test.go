package talkers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKeyKindAndMeasure(t *testing.T) {
	for _, k := range allKinds {
		t.Run(k.String(), func(t *testing.T) {
			got, err := ParseKeyKind(k.String())
			require.NoError(t, err)
			assert.Equal(t, k, got)
		})
	}
	for _, m := range allMeasures {
		t.Run(m.String(), func(t *testing.T) {
			got, err := ParseMeasure(m.String())
			require.NoError(t, err)
			assert.Equal(t, m, got)
		})
	}
	_, err := ParseKeyKind("flow")
	assert.ErrorIs(t, err, ErrKind)
	_, err = ParseMeasure("frames")
	assert.ErrorIs(t, err, ErrMeasure)
}

func TestParsePrefix(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Prefix
		err  bool
	}{
		{"", NoPrefix, false},
		{"24", Prefix{24, 128}, false},
		{"24,64", Prefix{24, 64}, false},
		{"0,0", Prefix{0, 0}, false},
		{"33", Prefix{}, true},
		{"24,129", Prefix{}, true},
		{"x", Prefix{}, true},
		{"24,", Prefix{}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePrefix(tc.in)
			if tc.err {
				assert.ErrorIs(t, err, ErrPrefix)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestRollup: IP addresses become networks; every other name stays as it is.
func TestRollup(t *testing.T) {
	p := Prefix{24, 64}
	for _, tc := range []struct{ name, in, want string }{
		{"ipv4", "10.1.2.3", "10.1.2.0/24"},
		{"ipv4 network address", "10.1.2.0", "10.1.2.0/24"},
		{"ipv6", "2001:db8:0:1234:5678:9abc:def0:1", "2001:db8:0:1234::/64"},
		{"ipv6 loopback", "::1", "::/64"},
		{"ipv6 with zone", "fe80::1%eth0", "fe80::/64"},
		{"mac", "a4:5e:60:12:34:56", "a4:5e:60:12:34:56"},
		{"vendor", "Cisco_12:34:56", "Cisco_12:34:56"},
		{"802.11 transmitter", "Apple_12:34:56 (a4:5e:60:12:34:56) (TA)", "Apple_12:34:56 (a4:5e:60:12:34:56) (TA)"},
		{"broadcast", "Broadcast", "Broadcast"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRoller(p)
			assert.Equal(t, tc.want, r.Roll(tc.in))
			assert.Equal(t, tc.want, r.RollBytes([]byte(tc.in)), "cached")
		})
	}
	t.Run("whole prefix keeps addresses", func(t *testing.T) {
		r := NewRoller(NoPrefix)
		assert.Equal(t, "10.1.2.3", r.Roll("10.1.2.3"))
		assert.Equal(t, "2001:db8::1", r.Roll("2001:db8::1"))
	})
}

// TestRollerNoAllocation: a seen address costs no allocation.
func TestRollerNoAllocation(t *testing.T) {
	r := NewRoller(Prefix{24, 64})
	b := []byte("192.0.2.77")
	r.RollBytes(b)
	assert.Zero(t, testing.AllocsPerRun(100, func() { r.RollBytes(b) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { r.Roll("192.0.2.77") }))
}

// TestRollerOwnsNames: a name kept from a reused buffer does not change with the buffer.
func TestRollerOwnsNames(t *testing.T) {
	r := NewRoller(NoPrefix)
	b := []byte("host-one")
	got := r.RollBytes(b)
	copy(b, "HOST-TWO")
	assert.Equal(t, "host-one", got)
}

// TestPrefixConversations: rolled networks order as networks, not as strings.
func TestPrefixConversations(t *testing.T) {
	tot, err := NewTotals(Config{Key: Conversation, Prefix: Prefix{24, 64}, Capacity: Unlimited})
	require.NoError(t, err)
	tot.Add("10.0.10.5", "10.0.9.5", 100, "TCP")
	tot.Add("10.0.9.6", "10.0.10.6", 50, "TCP")
	res := tot.Result()
	require.Len(t, res.Rows, 1)
	assert.Equal(t, Row{Key: Key{"10.0.9.0/24", "10.0.10.0/24"}, Counts: Counts{2, 150, 1, 50, 1, 100}}, res.Rows[0])
}
