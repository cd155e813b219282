package web

import "time"

// Key kinds a Snapshot can rank, as the talkers engine names them.
const (
	KindPair         = "pair"
	KindConversation = "conversation"
	KindHost         = "host"
)

// Measures a Snapshot can rank by.
const (
	MeasurePackets = "packets"
	MeasureBytes   = "bytes"
)

// Snapshot is one window's answer, as the stream hands it to the view at every batch. The view
// keeps no reference to it after Publish returns except through its own copy of Rows and
// Protocols, so the caller may reuse its buffers.
type Snapshot struct {
	WindowStart time.Time
	WindowEnd   time.Time
	Kind        string // KindPair, KindConversation or KindHost
	Measure     string // MeasurePackets or MeasureBytes: the ranking of Rows
	Rows        []Row  // the top N keys, ranked by Measure
	// Window totals, over every key and not only Rows, so the rest shows as "Other".
	TotalPackets uint64
	TotalBytes   uint64
	DistinctKeys int
	Protocols    []Protocol
	Health       Health
}

// Row is one key of a window: a directed pair (A -> B), a conversation (A <-> B) or a host (A,
// with B empty).
type Row struct {
	A, B    string
	Packets uint64
	Bytes   uint64
	// Approx marks counts from the heavy-hitter summary: the true figure of the ranking measure
	// lies in [count-Error, count].
	Approx bool
	Error  uint64
}

// Protocol is one entry of the window's protocol mix (tshark's Protocol column).
type Protocol struct {
	Name    string
	Packets uint64
	Bytes   uint64
}

// Health is what the reader of the picture needs to trust it.
type Health struct {
	Lag         int64     // consumer lag in records, summed over partitions
	LastBatch   time.Time // when the last batch was processed
	Skipped     uint64    // records skipped (not packet lines, bad envelopes)
	Approximate bool      // whether any count of the window is approximate
}

func (s Snapshot) clone() Snapshot {
	s.Rows = append([]Row(nil), s.Rows...)
	s.Protocols = append([]Protocol(nil), s.Protocols...)
	return s
}
