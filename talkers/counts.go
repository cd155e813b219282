package talkers

// Counts are one key's figures. Packets and Bytes are the key's totals. The directed
// figures depend on the kind: for a conversation AB is A→B and BA is B→A; for a host AB is
// what it sent (tx) and BA what it received (rx); a pair has none (both zero).
type Counts struct {
	Packets, Bytes     int64
	PacketsAB, BytesAB int64
	PacketsBA, BytesBA int64
}

// add counts one packet of length bytes; dir is +1 for A→B (or tx), -1 for B→A (or rx)
// and 0 for a pair.
func (c *Counts) add(length int64, dir int) {
	c.Packets++
	c.Bytes += length
	switch dir {
	case 1:
		c.PacketsAB++
		c.BytesAB += length
	case -1:
		c.PacketsBA++
		c.BytesBA += length
	}
}

func (c *Counts) merge(o Counts) {
	c.Packets += o.Packets
	c.Bytes += o.Bytes
	c.PacketsAB += o.PacketsAB
	c.BytesAB += o.BytesAB
	c.PacketsBA += o.PacketsBA
	c.BytesBA += o.BytesBA
}

// of returns the figure m ranks by.
func (c *Counts) of(m Measure) int64 {
	if m == Bytes {
		return c.Bytes
	}
	return c.Packets
}

// weight is what one packet of length bytes adds to the ranking measure m.
func weight(m Measure, length int64) int64 {
	if m == Bytes {
		return length
	}
	return 1
}
