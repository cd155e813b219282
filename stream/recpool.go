package stream

import (
	"math/bits"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// recordPool lends franz-go the slabs it decodes a fetch's records into (kgo.WithPools),
// and the stream gives each record back once it has taken it in (recycle). Reading a
// backlog, those slabs were 155 MB of every million records the stream read: the
// second largest allocation after the fetch bodies themselves, and so a large share of
// the collector's work (BENCHMARKS.md, where the time goes). Slabs are kept by size
// class, a power of two, so a batch of any size gets one at most twice as large.
type recordPool struct {
	classes [maxRecordClass + 1]sync.Pool
}

// maxRecordClass bounds the slabs kept: 2^16 records (about 10 MB); a batch claiming more
// (Kafka's default batch limit is 1 MB, some 5,000 records of a capture) gets a slab of
// its own, left to the collector.
const maxRecordClass = 16

var _ kgo.PoolRecords = (*recordPool)(nil)

// GetRecords returns a slab with room for n records.
func (p *recordPool) GetRecords(n int) []kgo.Record {
	c := bits.Len(uint(max(n, 1) - 1))
	if c > maxRecordClass {
		return make([]kgo.Record, 0, n)
	}
	if s, ok := p.classes[c].Get().(*[]kgo.Record); ok {
		return (*s)[:0]
	}
	return make([]kgo.Record, 0, 1<<c)
}

// PutRecords takes back a slab whose every record was recycled (franz-go zeroes them).
func (p *recordPool) PutRecords(recs []kgo.Record) {
	c := bits.Len(uint(cap(recs))) - 1
	if c < 0 || c > maxRecordClass || cap(recs) != 1<<c {
		return
	}
	recs = recs[:0]
	p.classes[c].Put(&recs)
}

// recycle hands the records of a poll back to their slabs once the stream is done with
// them: decoded (the tuples' strings are copies), counted and marked. A record of the
// group's panes topic is not recycled, as the merger may keep slices of its value; its
// slab is then left to the collector.
func (s *Stream) recycle(fs kgo.Fetches) {
	fs.EachRecord(func(r *kgo.Record) {
		if !s.internal(r) {
			r.Recycle()
		}
	})
}
