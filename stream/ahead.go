package stream

import (
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
)

// A poll of a backlog returns tens of thousands of records, and decoding them (envelope,
// tshark columns, interning) is half of the stream goroutine's work; the other half
// (offsets, counting into panes, or the batch's tuples) must stay on that goroutine, in
// record order. So a large poll is decoded ahead on a goroutine of its own, a chunk at a
// time, while the stream's goroutine takes in the chunks already decoded: on two cores a
// backlog of a million distinct pairs was through in about four fifths of the time
// (BENCHMARKS.md, where the time goes). A small poll (live traffic) is decoded in line,
// where a handoff would only add latency.
const (
	aheadChunk = 512            // records per handoff
	aheadMin   = 4 * aheadChunk // smaller polls are decoded in line
)

// decodedRecord is one record's decode, made ahead of its turn.
type decodedRecord struct {
	t      sink.Tuple
	reason skipReason
	err    error
}

// ahead holds the buffers of decoding ahead, reused from poll to poll.
type ahead struct {
	recs []*kgo.Record
	out  []decodedRecord
}

// addAll takes in the records of a poll in order, decoding them ahead when there are
// enough of them. The decoding goroutine only ever sends on a channel with room for
// every chunk, and addAll reads until it is closed, so it never outlives the call.
func (s *Stream) addAll(fs kgo.Fetches) {
	a := &s.ahead
	fs.EachRecord(func(r *kgo.Record) { a.recs = append(a.recs, r) })
	defer func() {
		clear(a.recs) // let the fetch's buffers go with the batch
		a.recs = a.recs[:0]
	}()
	n := len(a.recs)
	if n < aheadMin {
		for i, r := range a.recs {
			s.add(r, nil)
			s.markAt(a.recs, i)
		}
		return
	}
	if cap(a.out) < n {
		a.out = make([]decodedRecord, n)
	}
	out := a.out[:n]
	ready := make(chan int, (n+aheadChunk-1)/aheadChunk)
	go func(recs []*kgo.Record) {
		defer close(ready)
		for i := 0; i < len(recs); i += aheadChunk {
			end := min(i+aheadChunk, len(recs))
			for k := i; k < end; k++ {
				if !s.internal(recs[k]) {
					d := &out[k]
					d.reason, d.err = s.dec.decode(recs[k].Value, &d.t)
				}
			}
			ready <- end
		}
	}(a.recs)
	next := 0
	for end := range ready {
		for ; next < end; next++ {
			s.add(a.recs[next], &out[next])
			s.markAt(a.recs, next)
		}
	}
}

// internal says whether r is a record of the group's own panes topic, which is merged,
// not decoded.
func (s *Stream) internal(r *kgo.Record) bool {
	return s.grp != nil && r.Topic == s.grp.panesT
}

// markAt moves the batch's commit point past recs[i] when it is the last of its
// partition's run in the poll: a poll hands records over partition by partition, so one
// mark a run does what one a record did.
func (s *Stream) markAt(recs []*kgo.Record, i int) {
	r := recs[i]
	if i+1 < len(recs) && recs[i+1].Partition == r.Partition && recs[i+1].Topic == r.Topic {
		return
	}
	if !s.internal(r) {
		s.mark(r)
	}
}
