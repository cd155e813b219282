package talkers

import (
	"fmt"
	"net/netip"
	"strings"
)

// KeyKind says what a packet is counted under.
type KeyKind uint8

const (
	// Pair is the directed (source, destination) pair, as bridge's --top has always counted.
	Pair KeyKind = iota + 1
	// Conversation is the unordered pair, as Wireshark's Conversations: A is the smaller
	// address and the counts are split by direction (A→B, B→A).
	Conversation
	// Host is one address, as Wireshark's Endpoints: a packet counts as tx for its source
	// and rx for its destination.
	Host
)

// String returns the kind's name as --key spells it.
func (k KeyKind) String() string {
	switch k {
	case Pair:
		return "pair"
	case Conversation:
		return "conversation"
	case Host:
		return "host"
	}
	return fmt.Sprintf("KeyKind(%d)", uint8(k))
}

// ParseKeyKind reads "pair", "conversation" or "host".
func ParseKeyKind(s string) (KeyKind, error) {
	for _, k := range []KeyKind{Pair, Conversation, Host} {
		if s == k.String() {
			return k, nil
		}
	}
	return 0, fmt.Errorf("key %q: %w", s, ErrKind)
}

func (k KeyKind) valid() bool { return k >= Pair && k <= Host }

// Measure is what ranks the keys: the heavy-hitter summary guarantees its bound for it.
type Measure uint8

const (
	// Packets ranks by frame count (each packet weighs 1).
	Packets Measure = iota + 1
	// Bytes ranks by the sum of frame lengths (tshark's Length column).
	Bytes
)

// String returns the measure's name as --by spells it.
func (m Measure) String() string {
	switch m {
	case Packets:
		return "packets"
	case Bytes:
		return "bytes"
	}
	return fmt.Sprintf("Measure(%d)", uint8(m))
}

// ParseMeasure reads "packets" or "bytes".
func ParseMeasure(s string) (Measure, error) {
	for _, m := range []Measure{Packets, Bytes} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("measure %q: %w", s, ErrMeasure)
}

func (m Measure) valid() bool { return m == Packets || m == Bytes }

// Key identifies a row: A and B for pair (source, destination) and conversation (A is the
// smaller address), A alone for host.
type Key struct{ A, B string }

// name is an address after prefix rollup, with its IP form (invalid if it is not an IP
// address or network) so conversations can order their ends without parsing again.
type name struct {
	s  string
	ip netip.Addr
}

// newName parses s once; it is for callers that do not go through a Roller.
func newName(s string) name {
	n := name{s: s}
	if a, err := netip.ParseAddr(s); err == nil {
		n.ip = a
	} else if p, err := netip.ParsePrefix(s); err == nil {
		n.ip = p.Addr()
	}
	return n
}

// compareNames orders a conversation's ends: IP addresses by their binary form (IPv4
// before IPv6, as netip orders them and as Wireshark's cmp_address compares the address
// type first), anything else by its bytes. Wireshark's conversation table instead makes
// the first source it saw its address A; a key that depends on arrival order could not
// be merged across instances, so A is the smaller end and the figures are the same with
// the directions swapped (testdata/talkers/reverse.pcap pins this).
func compareNames(a, b name) int {
	if a.ip.IsValid() && b.ip.IsValid() {
		if c := a.ip.Compare(b.ip); c != 0 {
			return c
		}
	}
	return strings.Compare(a.s, b.s)
}
