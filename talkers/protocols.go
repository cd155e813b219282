package talkers

// NewProtocolSummary returns an empty protocol tally, the one a window keeps beside its
// talkers: tshark's Protocol column by packets, practically exact (a window rarely sees more
// than a few dozen protocols; its capacity is protocolCapacity). Count into it with
// AddProtocol; it merges and encodes as any Summary.
func NewProtocolSummary() *Summary {
	s, err := NewSummary(Pair, Packets, protocolCapacity)
	if err != nil {
		panic(err) // constant settings
	}
	return s
}

// AddProtocol counts one packet of the protocol (tshark's Protocol column, "" when blank)
// into a tally made by NewProtocolSummary.
func (s *Summary) AddProtocol(proto string, length int) {
	s.packets++
	s.bytes += int64(length)
	s.update(Key{A: proto}, int64(length), 0)
}

// ProtocolMix returns the n first protocols of a tally, by packets, and the packets and
// bytes of the others.
func ProtocolMix(s *Summary, n int) ([]Row, Counts) {
	rows := s.Top(nil, n)
	other := Counts{Packets: s.packets, Bytes: s.bytes}
	for _, row := range rows {
		other.Packets -= row.Packets
		other.Bytes -= row.Bytes
	}
	// Approximate protocol rows may overcount; the rest is never negative.
	other.Packets, other.Bytes = max(other.Packets, 0), max(other.Bytes, 0)
	return rows, other
}
