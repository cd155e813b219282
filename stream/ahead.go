package stream

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
)

// A poll of a backlog returns thousands of records, and decoding them (envelope, tshark
// columns, interning) is more than half of the stream's work; the rest (offsets, counting
// into panes, or the batch's tuples) must stay on the stream's goroutine, in record order.
// So a large poll is cut into chunks that helpers decode ahead while the stream's
// goroutine takes in the chunks already decoded, in order; when the next chunk is not
// decoded yet, the stream's goroutine decodes a chunk no one took instead of waiting.
// There is one helper fewer than cores: with as many as cores, the stream's goroutine,
// woken by a helper, waited behind it for the core (Go runs a woken goroutine after its
// waker's time slice), and franz-go's fetch goroutine waited too, so reading went in
// fits (BENCHMARKS.md, where the time goes). A small poll (live traffic) is decoded in
// line, where a handoff would only add latency.
const (
	aheadChunk = 512            // records per handoff
	aheadMin   = 4 * aheadChunk // smaller polls are decoded in line
	maxHelpers = 3              // decoding helpers at most, whatever the cores
)

// decodedRecord is one record's decode, made ahead of its turn.
type decodedRecord struct {
	t      sink.Tuple
	reason skipReason
	err    error
}

// ahead holds the buffers of decoding ahead, reused from poll to poll, and the helpers'
// decoders: each has its scratch packet and interner.
type ahead struct {
	recs []*kgo.Record
	out  []decodedRecord
	done []bool // chunks decoded but not taken in yet
	decs []*decoder
}

// addAll takes in the records of a poll in order, decoding them ahead when there are
// enough of them. It waits for its helpers before it returns.
func (s *Stream) addAll(fs kgo.Fetches) {
	a := &s.ahead
	fs.EachRecord(func(r *kgo.Record) { a.recs = append(a.recs, r) })
	defer func() {
		clear(a.recs) // let the fetch's buffers go with the batch
		a.recs = a.recs[:0]
	}()
	n := len(a.recs)
	if n < aheadMin || len(s.helpers()) == 0 {
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
	if cap(a.done) < chunks {
		a.done = make([]bool, chunks)
	}
	a.done = a.done[:chunks]
	clear(a.done)
	var (
		claimed atomic.Int32 // chunks handed out
		wg      sync.WaitGroup
	)
	ready := make(chan int, chunks) // room for every chunk: a helper never blocks
	for _, d := range s.helpers() {
		wg.Go(func() {
			for c := int(claimed.Add(1)) - 1; c < chunks; c = int(claimed.Add(1)) - 1 {
				s.decodeChunk(d, c)
				ready <- c
			}
		})
	}
	for next := 0; next < chunks; {
		switch {
		case a.done[next]:
			s.takeChunk(next)
			next++
		default:
			select {
			case c := <-ready:
				a.done[c] = true
			default:
				if c := int(claimed.Add(1)) - 1; c < chunks {
					s.decodeChunk(s.dec, c)
					a.done[c] = true
				} else {
					a.done[<-ready] = true
				}
			}
		}
	}
	wg.Wait()
}

// chunkAt returns the bounds of chunk c of the poll being taken in.
func (s *Stream) chunkAt(c int) (int, int) {
	return c * aheadChunk, min((c+1)*aheadChunk, len(s.ahead.recs))
}

// decodeChunk decodes chunk c of the poll with d.
func (s *Stream) decodeChunk(d *decoder, c int) {
	a := &s.ahead
	from, to := s.chunkAt(c)
	for k := from; k < to; k++ {
		if !s.internal(a.recs[k]) {
			o := &a.out[k]
			o.reason, o.err = d.decode(a.recs[k].Value, &o.t)
		}
	}
}

// takeChunk takes in the decoded chunk c, on the stream's goroutine.
func (s *Stream) takeChunk(c int) {
	a := &s.ahead
	from, to := s.chunkAt(c)
	for k := from; k < to; k++ {
		s.add(a.recs[k], &a.out[k])
		s.markAt(a.recs, k)
	}
}

// helpers returns the decoders of the helpers, one a core but one (at most maxHelpers),
// made on first use. Each is used by one helper at a time; the stream's own decoder
// (s.dec) stays with the stream's goroutine.
func (s *Stream) helpers() []*decoder {
	a := &s.ahead
	if a.decs == nil {
		a.decs = []*decoder{}
		for range min(runtime.GOMAXPROCS(0)-1, maxHelpers) {
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
