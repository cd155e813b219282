package talkers

import "time"

// Result is the answer for one window (or a whole input).
type Result struct {
	Start, End time.Time // the window [Start, End); zero for Totals
	Key        KeyKind
	By         Measure
	Rows       []Row // the top rows, in output order
	// Packets and Bytes are the exact totals of every packet in the window, so a reader
	// can show what the rows leave out as "Other".
	Packets, Bytes int64
	// Keys is how many distinct keys the window held: exact if KeysExact, else an estimate
	// (HyperLogLog, about 3% off).
	Keys      int64
	KeysExact bool
	// Exact is false once the window held more keys than the capacity; Bound is then the
	// largest error of any row and the most a key left out can have counted.
	Exact bool
	Bound int64
	// Protocols is the protocol mix (A is tshark's Protocol column, "" when blank) by
	// packets; OtherProtocols holds the packets and bytes of the protocols not shown.
	Protocols      []Row
	OtherProtocols Counts
}

// result builds the answer from a pane.
func (p *pane) result(c Config) Result {
	keys, exact := p.talk.Keys()
	r := Result{
		Key: c.Key, By: c.By,
		Rows:    p.talk.Top(nil, c.Top),
		Packets: p.talk.packets, Bytes: p.talk.bytes,
		Keys: keys, KeysExact: exact,
		Exact: p.talk.Exact(), Bound: p.talk.Bound(),
	}
	r.Protocols, r.OtherProtocols = ProtocolMix(p.proto, c.Protocols)
	return r
}
