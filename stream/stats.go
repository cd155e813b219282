package stream

import "sync/atomic"

// Stats counts what the stream consumed and what it had to skip.
type Stats struct {
	Records   int64 // records consumed
	Tuples    int64 // tuples handed to the sinks (before --top aggregation)
	NotPacket int64 // tshark mode: lines that are not packet summaries
	Malformed int64 // values that are malformed Connect envelopes
	TooLarge  int64 // values larger than MaxValueBytes
	Batches   int64 // batches completed (written and committed)
	Aborted   int64 // exactly-once batches whose transaction aborted and will be reprocessed

	// With --top (the group's windows, see group.go):
	LateRecords   int64 // records whose window was already answered: counted here, in no window
	WindowsOpen   int64 // windows this member merges that are not answered yet
	WindowsClosed int64 // windows this member answered
	SummaryBytes  int64 // bytes of pane summaries this member produced to the panes topic
}

// Skipped is the number of records that yielded no tuple.
func (s Stats) Skipped() int64 { return s.NotPacket + s.Malformed + s.TooLarge }

// counters is the live, concurrently readable form of Stats.
type counters struct {
	records, tuples, notPacket, malformed, tooLarge, batches, aborted atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Records: c.records.Load(), Tuples: c.tuples.Load(), NotPacket: c.notPacket.Load(),
		Malformed: c.malformed.Load(), TooLarge: c.tooLarge.Load(), Batches: c.batches.Load(),
		Aborted: c.aborted.Load(),
	}
}

func (c *counters) count(r skipReason) {
	switch r {
	case skipNotPacket:
		c.notPacket.Add(1)
	case skipEnvelope:
		c.malformed.Add(1)
	case skipTooLarge:
		c.tooLarge.Add(1)
	}
}
