package stream

import (
	"runtime"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
)

// A poll of a backlog returns thousands of records, and decoding them (envelope, tshark
// columns, interning) is more than half of the stream's work; the rest (offsets, counting
// into panes, or the batch's tuples) must stay on the stream's goroutine, in record order.
// So a large poll is decoded ahead, a chunk at a time, by a decoder a core, while the
// stream's goroutine takes in the chunks already decoded, in order. On two cores a
// backlog of a million distinct pairs went through in about four fifths of the time with
// one decoder, and the decoder was then the slowest stage, waiting at the end of each
// poll for the stream's goroutine to take in the last chunk (BENCHMARKS.md, where the
// time goes); a decoder a core fills those gaps. A small poll (live traffic) is decoded in
// line, where a handoff would only add latency.
const (
	aheadChunk = 512            // records per handoff
	aheadMin   = 4 * aheadChunk // smaller polls are decoded in line
	maxAhead   = 4              // decoders at most, whatever the cores
)

// decodedRecord is one record's decode, made ahead of its turn.
type decodedRecord struct {
	t      sink.Tuple
	reason skipReason
	err    error
}

// ahead holds the buffers of decoding ahead, reused from poll to poll, and the decoders
// beside the stream's own: each has its scratch packet and interner.
type ahead struct {
	recs []*kgo.Record
	out  []decodedRecord
	done []bool // chunks decoded but not taken in yet
	decs []*decoder
}

// addAll takes in the records of a poll in order, decoding them ahead when there are
// enough of them. Each decoding goroutine only ever sends on a channel with room for
// every chunk, and addAll receives once a chunk, so none outlives the call.
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
	chunks := (n + aheadChunk - 1) / aheadChunk
	ready := make(chan int, chunks)
	decs := s.decoders()
	for w, d := range decs {
		go s.decodeChunks(d, a.recs, a.out[:n], w, len(decs), ready)
	}
	if cap(a.done) < chunks {
		a.done = make([]bool, chunks)
	}
	a.done = a.done[:chunks]
	clear(a.done)
	next := 0 // the first chunk not taken in
	for range chunks {
		a.done[<-ready] = true
		for ; next < chunks && a.done[next]; next++ {
			for k := next * aheadChunk; k < min((next+1)*aheadChunk, n); k++ {
				s.add(a.recs[k], &a.out[k])
				s.markAt(a.recs, k)
			}
		}
	}
}

// decodeChunks decodes chunks w, w+every, w+2·every, ... of recs into out with d, and
// says on ready which chunk it finished.
func (s *Stream) decodeChunks(d *decoder, recs []*kgo.Record, out []decodedRecord, w, every int, ready chan<- int) {
	for c := w; c*aheadChunk < len(recs); c += every {
		for k := c * aheadChunk; k < min((c+1)*aheadChunk, len(recs)); k++ {
			if !s.internal(recs[k]) {
				o := &out[k]
				o.reason, o.err = d.decode(recs[k].Value, &o.t)
			}
		}
		ready <- c
	}
}

// decoders returns the decoders of a large poll, one a core (at most maxAhead), made on
// first use. Each is used by one goroutine at a time: a poll's decoding goroutines have
// all sent their last chunk before addAll returns, and the stream's own decoder (s.dec)
// stays with the stream's goroutine.
func (s *Stream) decoders() []*decoder {
	a := &s.ahead
	if a.decs == nil {
		for range min(max(runtime.GOMAXPROCS(0), 1), maxAhead) {
			a.decs = append(a.decs, newDecoder(s.dec.mode, s.dec.maxValue))
		}
	}
	return a.decs
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
