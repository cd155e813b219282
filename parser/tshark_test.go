package parser

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tsharkCases are hand-written lines for shapes the synthetic captures do not produce
// (tshark 1.x, wide frame numbers, multi-word protocols, reformatted spacing, …).
var tsharkCases = []struct {
	name string
	line string
	want Packet
}{
	{
		name: "default relative time",
		line: "    1 0.000906723    127.0.0.1 → 127.0.0.1    TCP 74 44626 → 18080 [SYN] Seq=0",
		want: Packet{1, "0.000906723", "127.0.0.1", "127.0.0.1", "TCP", 74, "44626 → 18080 [SYN] Seq=0"},
	},
	{
		name: "absolute date and time is two words",
		line: "    7 2026-11-27 19:04:02.123456789   192.0.2.10 → 198.51.100.53 DNS 71 Standard query 0xbeef A example.com",
		want: Packet{7, "2026-11-27 19:04:02.123456789", "192.0.2.10", "198.51.100.53", "DNS", 71, "Standard query 0xbeef A example.com"},
	},
	{
		name: "year and day of year",
		line: "  3 2026/331 19:04:02.1 a → b            UDP 60 x",
		want: Packet{3, "2026/331 19:04:02.1", "a", "b", "UDP", 60, "x"},
	},
	{
		name: "tshark 1.x arrow and three-wide number",
		line: "  1   0.000000    127.0.0.1 -> 127.0.0.1    TCP 74 44626 > 18080 [SYN] Seq=0",
		want: Packet{1, "0.000000", "127.0.0.1", "127.0.0.1", "TCP", 74, "44626 > 18080 [SYN] Seq=0"},
	},
	{
		name: "number wider than the column",
		line: "1234567 1764270242.5 ::1 → ::1          TCP 74 info",
		want: Packet{1234567, "1764270242.5", "::1", "::1", "TCP", 74, "info"},
	},
	{
		name: "vendor names",
		line: "    2 0.5 Apple_12:34:56 → Broadcast    ARP 42 Who has 192.0.2.2? Tell 192.0.2.1",
		want: Packet{2, "0.5", "Apple_12:34:56", "Broadcast", "ARP", 42, "Who has 192.0.2.2? Tell 192.0.2.1"},
	},
	{
		name: "802.11 transmitter and receiver",
		line: "    3 1.0 aa:bb:cc:dd:ee:ff (aa:bb:cc:dd:ee:ff) (TA) → Apple_12:34:56 (a4:5e:60:12:34:56) (RA) 802.11 24 Request-to-send, Flags=........",
		want: Packet{3, "1.0", "aa:bb:cc:dd:ee:ff (aa:bb:cc:dd:ee:ff) (TA)", "Apple_12:34:56 (a4:5e:60:12:34:56) (RA)", "802.11", 24, "Request-to-send, Flags=........"},
	},
	{
		name: "empty source",
		line: "    5   3.000000              → Apple_12:34:56 (a4:5e:60:12:34:56) (RA) 802.11 18 Acknowledgement, Flags=........",
		want: Packet{5, "3.000000", "", "Apple_12:34:56 (a4:5e:60:12:34:56) (RA)", "802.11", 18, "Acknowledgement, Flags=........"},
	},
	{
		name: "link type without a dissector: only number, time and length",
		line: "    1 0.000000000              →               3 ",
		want: Packet{1, "0.000000000", "", "", "", 3, ""},
	},
	{
		name: "blank columns, zero length, no trailing blank",
		line: "    3 2025-11-28 00:38:21.999999999              →               0",
		want: Packet{3, "2025-11-28 00:38:21.999999999", "", "", "", 0, ""},
	},
	{
		name: "empty destination, tshark padding",
		line: "    9 0.1 Apple_12:34:56 →              802.11 10 Acknowledgement",
		want: Packet{9, "0.1", "Apple_12:34:56", "", "802.11", 10, "Acknowledgement"},
	},
	{
		name: "empty destination, squeezed spacing",
		line: "9 0.1 Apple_12:34:56 →  802.11 10 Acknowledgement",
		want: Packet{9, "0.1", "Apple_12:34:56", "", "802.11", 10, "Acknowledgement"},
	},
	{
		name: "empty destination before a multi-word protocol",
		line: "    9 0.1 192.0.2.1 →              AFS (RX) 98 FS Request",
		want: Packet{9, "0.1", "192.0.2.1", "", "AFS (RX)", 98, "FS Request"},
	},
	{
		name: "both empty",
		line: "    9 0.1              →              LLC 10 x",
		want: Packet{9, "0.1", "", "", "LLC", 10, "x"},
	},
	{
		name: "short multi-word destination is pinned by padding",
		line: "    4 0.2 LID: 9 → LID: 5       InfiniBand 60 x",
		want: Packet{4, "0.2", "LID: 9", "LID: 5", "InfiniBand", 60, "x"},
	},
	{
		name: "multi-word protocol after a short destination",
		line: "    4 0.2 192.0.2.1 → 192.0.2.2    AFS (RX) 98 FS Request",
		want: Packet{4, "0.2", "192.0.2.1", "192.0.2.2", "AFS (RX)", 98, "FS Request"},
	},
	{
		name: "multi-word protocol after a long destination",
		line: "    4 0.2 2001:db8::1 → 2001:db8::1234:5678 3GPP2 A11 98 Registration Request",
		want: Packet{4, "0.2", "2001:db8::1", "2001:db8::1234:5678", "3GPP2 A11", 98, "Registration Request"},
	},
	{
		name: "parenthesised destination with spaces in the group",
		line: "    4 0.2 host → Apple_12:34:56 (Bob's iPhone 12) HCI_EVT 7 Rcvd Connect Complete",
		want: Packet{4, "0.2", "host", "Apple_12:34:56 (Bob's iPhone 12)", "HCI_EVT", 7, "Rcvd Connect Complete"},
	},
	{
		name: "squeezed single spaces",
		line: "1 0.0 10.0.0.1 → 10.0.0.2 TCP 54 80 → 1234 [ACK]",
		want: Packet{1, "0.0", "10.0.0.1", "10.0.0.2", "TCP", 54, "80 → 1234 [ACK]"},
	},
	{
		name: "tabs between columns",
		line: "1\t0.0\t10.0.0.1\t→\t10.0.0.2\tTCP\t54\tinfo",
		want: Packet{1, "0.0", "10.0.0.1", "10.0.0.2", "TCP", 54, "info"},
	},
	{
		name: "hours minutes seconds",
		line: "    2 1h  2m  4.876549s Apple_12:34:56 → Broadcast    ARP 60 Who has 192.0.2.2?",
		want: Packet{2, "1h  2m  4.876549s", "Apple_12:34:56", "Broadcast", "ARP", 60, "Who has 192.0.2.2?"},
	},
	{
		name: "days hours minutes seconds",
		line: "    2 2d 1h  2m  4s Apple_12:34:56 → Broadcast    ARP 60 Who has 192.0.2.2?",
		want: Packet{2, "2d 1h  2m  4s", "Apple_12:34:56", "Broadcast", "ARP", 60, "Who has 192.0.2.2?"},
	},
	{
		name: "negative hours minutes seconds",
		line: "   10 - 58m 59.000000000s  2001:db8::1 → 2001:db8::2  ICMPv6 73 Echo (ping) request",
		want: Packet{10, "- 58m 59.000000000s", "2001:db8::1", "2001:db8::2", "ICMPv6", 73, "Echo (ping) request"},
	},
	{
		name: "negative seconds and comma decimal separator",
		line: "   10 -3539,25 a → b            UDP 60 x",
		want: Packet{10, "-3539,25", "a", "b", "UDP", 60, "x"},
	},
	{
		name: "reference frame",
		line: "    3      *REF*    127.0.0.1 → 127.0.0.1    TCP 66 x",
		want: Packet{3, "*REF*", "127.0.0.1", "127.0.0.1", "TCP", 66, "x"},
	},
	{
		name: "frame without a time stamp",
		line: "    3            192.0.2.1 → 192.0.2.2    UDP 60 x",
		want: Packet{3, "", "192.0.2.1", "192.0.2.2", "UDP", 60, "x"},
	},
	{
		name: "empty info keeps the line's end",
		line: "    3 0.1 a → b            TCP 54",
		want: Packet{3, "0.1", "a", "b", "TCP", 54, ""},
	},
	{
		name: "info is verbatim, trailing space and CRLF stripped",
		line: "    3 0.1 a → b            HTTP 89 GET / HTTP/1.1 \r\n",
		want: Packet{3, "0.1", "a", "b", "HTTP", 89, "GET / HTTP/1.1 "},
	},
	{
		name: "arrow inside info does not move the destination",
		line: "    3 0.1 a → b            TCP 54 1 → 2 → 3",
		want: Packet{3, "0.1", "a", "b", "TCP", 54, "1 → 2 → 3"},
	},
}

func TestTshark(t *testing.T) {
	for _, tc := range tsharkCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Tshark([]byte(tc.line))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)

			gotS, err := TsharkString(tc.line)
			require.NoError(t, err)
			assert.Equal(t, tc.want, gotS)

			var pb PacketBytes
			require.NoError(t, ParseInto([]byte(tc.line), &pb))
			assert.Equal(t, tc.want, pb.Packet())
		})
	}
}

func TestTsharkNotPacket(t *testing.T) {
	for _, line := range []string{
		"",
		"\n",
		"   ",
		"Capturing on 'Loopback: lo'",
		"Running as user \"root\" and group \"root\". This could be dangerous.",
		"16 packets captured",
		"1 packet dropped from lo",
		"tshark: ",
		"0000  ff ff ff ff ff ff a4 5e 60 12 34 56 08 06 00 01   .......^`.4V....",
		"    1 0.000000000    127.0.0.1 → 127.0.0.1    TCP",      // no length
		"    1 0.000000000    127.0.0.1 → 127.0.0.1",             // no protocol
		"    1 0.000000000    127.0.0.1 →",                       // no destination
		"    1 0.000000000    127.0.0.1 127.0.0.1 TCP 54 x",      // no arrow
		"    1 0.000000000    127.0.0.1→127.0.0.1    TCP 54 x",   // arrow not a separator
		"    x 0.000000000    127.0.0.1 → 127.0.0.1    TCP 54 x", // no number
		"   -1 0.000000000    127.0.0.1 → 127.0.0.1    TCP 54 x", // negative number
		"1234567890123456789 0.0 a → b            TCP 54 x",      // number overflows
		"    1 0.0 a → b            TCP 1234567890123456789 x",   // length overflows
		"    1",
		"Frame 1: 74 bytes on wire (592 bits), 74 bytes captured (592 bits) on interface lo, id 0",
	} {
		t.Run(line, func(t *testing.T) {
			_, err := Tshark([]byte(line))
			assert.ErrorIs(t, err, ErrNotPacket)
			_, err = TsharkString(line)
			assert.ErrorIs(t, err, ErrNotPacket)
			pb := PacketBytes{Number: 42}
			assert.ErrorIs(t, ParseInto([]byte(line), &pb), ErrNotPacket)
			assert.Equal(t, int64(42), pb.Number, "p is left unchanged")
		})
	}
}

// TestParseIntoAliasesLine checks the zero-copy contract: fields are sub-slices of the line
// whose capacity ends with the field.
func TestParseIntoAliasesLine(t *testing.T) {
	line := []byte("    1 0.1 192.0.2.1 → 192.0.2.2    UDP 60 hello")
	var p PacketBytes
	require.NoError(t, ParseInto(line, &p))
	assert.Equal(t, "192.0.2.1", string(p.Source))
	assert.Equal(t, len(p.Source), cap(p.Source))
	p.Source = append(p.Source, 'X') // must reallocate, not overwrite " →"
	assert.Equal(t, "    1 0.1 192.0.2.1 → 192.0.2.2    UDP 60 hello", string(line))
	line[bytes.Index(line, []byte("192.0.2.2"))+8] = '9'
	assert.Equal(t, "192.0.2.9", string(p.Destination), "Destination aliases the line")
}

func TestParseAllocations(t *testing.T) {
	line := []byte("    1 2026-11-27 19:04:02.123456789 Apple_12:34:56 (a4:5e:60:12:34:56) (TA) → Broadcast    802.11 24 Beacon frame")
	s := string(line)
	var p PacketBytes
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = ParseInto(line, &p) }), "ParseInto")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = TsharkString(s) }), "TsharkString")
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _, _ = Tshark(line) }), "Tshark copies once")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = Tshark([]byte("Capturing on 'lo'")) }), "rejects are free")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = Seed(s) }), "Seed")
	require.NoError(t, ParseInto(line, &p))
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = p.Packet() }), "PacketBytes.Packet copies once")
}
