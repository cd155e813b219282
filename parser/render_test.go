package parser

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// renderLine lays a packet out exactly as tshark's print_columns does: No. right-aligned
// in 5, Time right-aligned in 10, Source right-aligned in 12, " → ", Destination
// left-aligned in 12, then Protocol, Length and Info separated by single spaces.
func renderLine(p Packet) string {
	return fmt.Sprintf("%5d %10s %12s → %-12s %s %d %s",
		p.Number, p.Time, p.Source, p.Destination, p.Protocol, p.Length, p.Info)
}

// Column values of the shapes tshark produces, including the awkward ones.
var (
	renderAddrs = []string{
		"", "::1", "127.0.0.1", "192.0.2.1", "198.51.100.53", "2001:db8::1",
		"2001:db8:0:1234:5678:9abc:def0:1", "a4:5e:60:12:34:56", "Apple_12:34:56", "Broadcast",
		"Spanning-tree-(for-bridges)_00", "All-HSRP-routers_01", "client.example",
		"a-rather-long-host-name.example", "LID: 9", "host", "controller", "1.2.0",
		"00000000.ffffffffffff", "02:00:5e:10:00:01 (RA)", "Apple_12:34:56 (a4:5e:60:12:34:56) (TA)",
		"Broadcast (ff:ff:ff:ff:ff:ff) (RA)", "Apple_12:34:56 (a4:5e:60:12:34:56) (BSSID)",
		"Apple_12:34:56 (Bob's iPhone 12)", "Intel_12:34 (RA)",
	}
	renderProtos = []string{
		"TCP", "UDP", "ARP", "802.11", "ICMPv6", "0x88b5", "TLSv1.3", "HTTP/JSON", "STP",
		"AFS (RX)", "3GPP2 A11", "GSM A-bis OML", "EAPOL", "DHCPv6",
	}
	renderInfos = []string{
		"", " ", "Len=0", "40000 → 8080 [SYN] Seq=0 Win=65535 Len=0", "Who has 192.0.2.2? Tell 192.0.2.1",
		"Echo (ping) request  id=0x0001, seq=1/256, ttl=64", "GET / HTTP/1.1 ", "1 → 2 → 3",
		"802.11 Block Ack, Flags=........", "Standard query 0xbeef A example.com", "a -> b 5 6",
	}
)

// renderTime returns a time column in one of tshark's formats.
func renderTime(rng *rand.Rand) string {
	frac := func() string {
		d := rng.IntN(10)
		if d == 0 {
			return ""
		}
		return "." + fmt.Sprintf("%09d", rng.IntN(1e9))[:d]
	}
	sec := rng.IntN(100000)
	switch rng.IntN(8) {
	case 0:
		return fmt.Sprintf("%d%s", sec, frac())
	case 1:
		return fmt.Sprintf("-%d%s", sec, frac())
	case 2:
		return fmt.Sprintf("%d%s", 1764270242+sec, frac())
	case 3:
		return fmt.Sprintf("%02d:%02d:%02d%s", sec/3600%24, sec/60%60, sec%60, frac())
	case 4:
		return fmt.Sprintf("2026-11-%02d %02d:%02d:%02d%s", 1+sec%28, sec/3600%24, sec/60%60, sec%60, frac())
	case 5:
		return fmt.Sprintf("2026/%03d %02d:%02d:%02d%s", 1+sec%365, sec/3600%24, sec/60%60, sec%60, frac())
	case 6:
		return "*REF*"
	default: // -u hms, as set_time_hour_min_sec formats it
		neg := ""
		if rng.IntN(4) == 0 {
			neg = "- "
		}
		switch {
		case sec >= 3600:
			return fmt.Sprintf("%s%dh %2dm %2d%ss", neg, sec/3600, sec/60%60, sec%60, frac())
		case sec >= 60:
			return fmt.Sprintf("%s%dm %2d%ss", neg, sec/60, sec%60, frac())
		default:
			return fmt.Sprintf("%s%d%ss", neg, sec, frac())
		}
	}
}

// TestTsharkRenderedRoundTrip renders random packets made of realistic column values with
// tshark's exact layout and requires the parser to recover every column.
func TestTsharkRenderedRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	for i := range 20000 {
		want := Packet{
			Number: int64(1 + rng.IntN(2_000_000)), Time: renderTime(rng),
			Source: pick(renderAddrs), Destination: pick(renderAddrs), Protocol: pick(renderProtos),
			Length: rng.IntN(70000), Info: pick(renderInfos),
		}
		line := renderLine(want)
		got, err := TsharkString(line)
		require.NoError(t, err, "line %d %q", i, line)
		require.Equal(t, want, got, "line %d %q", i, line)
		// The same line with every run of blanks squeezed to one space (as some log
		// shippers do) loses the padding; the shapes above still parse, except an empty
		// column, which then cannot be told from its neighbours, and a destination whose
		// second word is a number ("LID: 9" could be Protocol "LID:" and Length 9).
		if want.Source == "" || want.Destination == "" || want.Destination == "LID: 9" ||
			want.Info == "" || want.Info == " " {
			continue
		}
		squeezed := strings.Join(strings.Fields(line), " ")
		sq := want
		sq.Time = strings.Join(strings.Fields(want.Time), " ")
		sq.Info = strings.Join(strings.Fields(want.Info), " ")
		got, err = TsharkString(squeezed)
		require.NoError(t, err, "squeezed line %d %q", i, squeezed)
		require.Equal(t, sq, got, "squeezed line %d %q", i, squeezed)
	}
}
