package talkers

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// pkt is one test packet.
type pkt struct {
	src, dst, proto string
	length          int
}

// bruteForce counts packets per key the obvious way, without any summary.
func bruteForce(kind KeyKind, pkts []pkt) map[Key]Counts {
	out := make(map[Key]Counts)
	bump := func(k Key, length int, ab, ba bool) {
		c := out[k]
		c.Packets++
		c.Bytes += int64(length)
		if ab {
			c.PacketsAB++
			c.BytesAB += int64(length)
		}
		if ba {
			c.PacketsBA++
			c.BytesBA += int64(length)
		}
		out[k] = c
	}
	for _, p := range pkts {
		switch kind {
		case Pair:
			bump(Key{p.src, p.dst}, p.length, false, false)
		case Conversation:
			if lessAddr(p.dst, p.src) {
				bump(Key{p.dst, p.src}, p.length, false, true)
			} else {
				bump(Key{p.src, p.dst}, p.length, true, false)
			}
		case Host:
			bump(Key{A: p.src}, p.length, true, false)
			bump(Key{A: p.dst}, p.length, false, true)
		}
	}
	return out
}

// lessAddr is Wireshark's address order, written independently of compareNames.
func lessAddr(a, b string) bool {
	x, errX := netip.ParseAddr(a)
	y, errY := netip.ParseAddr(b)
	if errX == nil && errY == nil && x != y {
		if x.Is4() != y.Is4() {
			return x.Is4()
		}
		return x.Less(y)
	}
	return a < b
}

// measureOf is the ranking figure of c.
func measureOf(by Measure, c Counts) int64 {
	if by == Bytes {
		return c.Bytes
	}
	return c.Packets
}

// randomPackets draws n packets among hosts addresses (IPv4, IPv6 and names).
func randomPackets(r *rand.Rand, n, hosts int) []pkt {
	addr := func(i int) string {
		switch i % 3 {
		case 0:
			return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		case 1:
			return fmt.Sprintf("2001:db8::%x", i)
		}
		return "Vendor_" + strings.Repeat("a", i%4) + fmt.Sprint(i)
	}
	out := make([]pkt, n)
	protos := []string{"TCP", "UDP", "DNS", "ICMP", ""}
	for i := range out {
		out[i] = pkt{src: addr(r.IntN(hosts)), dst: addr(r.IntN(hosts)),
			proto: protos[r.IntN(len(protos))], length: r.IntN(1500)}
	}
	return out
}

// summaryOf feeds pkts to a new summary.
func summaryOf(kind KeyKind, by Measure, capacity int, pkts []pkt) *Summary {
	s, err := NewSummary(kind, by, capacity)
	if err != nil {
		panic(err)
	}
	for _, p := range pkts {
		s.Add(p.src, p.dst, p.length)
	}
	return s
}

var (
	allKinds    = []KeyKind{Pair, Conversation, Host}
	allMeasures = []Measure{Packets, Bytes}
)

// heapValid reports whether s's heap is a min-heap whose positions match its entries
// (built first if s is loose, as everything that uses the heap does).
func heapValid(s *Summary) bool {
	s.tighten()
	for i, h := range s.heap {
		e := &s.ents[h.ent]
		if int(e.pos) != i || h.count != e.count(s.by) || (i > 0 && s.less(i, (i-1)/2)) {
			return false
		}
	}
	return s.capacity == Unlimited || len(s.heap) == len(s.ents)
}
