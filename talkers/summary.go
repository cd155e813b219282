package talkers

import "fmt"

// Capacity settings.
const (
	// DefaultCapacity is --top-capacity's default: 6,000 keys per summary, exact for any
	// window with no more distinct keys. It is sized for memory: a 60 s window sliding by
	// 2 s keeps 30 windows open, each of up to K entries (96 B each), and over a flood of
	// 1,000,000 distinct pairs bridge stream --top peaked at 115-125 MB RSS with 10,000
	// keys against 93-97 MB with 6,000 (BENCHMARKS.md, talkers).
	DefaultCapacity = 6000
	// Unlimited keeps every key: exact counts in memory proportional to the keys (bridge
	// parse over a whole input).
	Unlimited = -1
	// MaxCapacity bounds a limited capacity (and what a decoder accepts).
	MaxCapacity = 1 << 24
)

// entry is one tracked key. Its ranking count is err + c.of(by): err is the count it
// inherited when it took an evicted key's place (or from merges), its maximum overcount.
type entry struct {
	key Key
	c   Counts
	err int64
	pos int32  // position in Summary.heap
	h   uint32 // keyHash(key), set wherever an entry is made
}

func (e *entry) count(m Measure) int64 { return e.err + e.c.of(m) }

// Summary is a weighted Space-Saving summary of one stream of packets (Metwally, Agrawal
// and El Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data Streams",
// ICDT 2005), kept with a min-heap so a weighted update costs O(log K).
//
// Guarantee, with N the total weight of the ranking measure it has seen (packets, or
// bytes; a host key takes each packet twice, as tx and as rx) and K its capacity:
//   - while it has seen at most K distinct keys it is exact (Bound is 0);
//   - every kept key's count c satisfies true ≤ c ≤ true + err, with err ≤ Bound ≤ N/K;
//   - a key it does not keep has a true count ≤ Bound, so no key above Bound is missing.
//
// Merge keeps the same guarantee over the union of the merged streams (see merge.go).
// A Summary is not safe for concurrent use.
type Summary struct {
	kind     KeyKind
	by       Measure
	capacity int

	ents   []entry
	index  keyIndex
	heap   []slot  // smallest count first; unused when Unlimited
	counts []int64 // truncate's scratch, lent by Merge
	// loose: index and heap are not built (nil), ents alone hold the summary. A merge cut
	// back in scratch memory leaves it so: a window of the group only takes merges until
	// it is encoded, and 30 open windows of K keys would otherwise hold 30 indexes and
	// heaps they never use. Whatever needs them calls tighten first.
	loose bool

	floor      int64 // Bound: no absent key's true count exceeds it
	overflowed bool  // a key was ever evicted or merged away: rows are approximate
	weight     int64 // N, the ranking weight seen
	packets    int64 // exact totals of every packet counted
	bytes      int64
	distinct   *sketch // distinct-key estimate, started when the first key is evicted
}

// NewSummary returns an empty summary. capacity is a number of keys in 1..MaxCapacity,
// or Unlimited.
func NewSummary(kind KeyKind, by Measure, capacity int) (*Summary, error) {
	if !kind.valid() {
		return nil, ErrKind
	}
	if !by.valid() {
		return nil, ErrMeasure
	}
	if capacity != Unlimited && (capacity < 1 || capacity > MaxCapacity) {
		return nil, fmt.Errorf("capacity %d: want 1..%d or unlimited", capacity, MaxCapacity)
	}
	return &Summary{kind: kind, by: by, capacity: capacity}, nil
}

// Kind, Measure and Capacity return what the summary was made with.
func (s *Summary) Kind() KeyKind { return s.kind }

// Measure is the ranking measure.
func (s *Summary) Measure() Measure { return s.by }

// Capacity is the most keys it keeps, or Unlimited.
func (s *Summary) Capacity() int { return s.capacity }

// Bound is the largest overcount of any kept key and the most an absent key can have
// counted: 0 while the summary is exact.
func (s *Summary) Bound() int64 { return s.floor }

// Exact reports whether every count is exact (no key was ever evicted).
func (s *Summary) Exact() bool { return !s.overflowed }

// Totals are the exact packets and bytes of everything counted.
func (s *Summary) Totals() (packets, bytes int64) { return s.packets, s.bytes }

// Weight is N, the total ranking weight seen: the bound's numerator.
func (s *Summary) Weight() int64 { return s.weight }

// Len is the number of keys kept.
func (s *Summary) Len() int { return len(s.ents) }

// Keys returns how many distinct keys the summary has seen: exact while it is, else an
// estimate (exact false).
func (s *Summary) Keys() (n int64, exact bool) {
	if s.distinct == nil {
		return int64(len(s.ents)), true
	}
	return max(s.distinct.estimate(), int64(len(s.ents))), false
}

// Reset empties the summary, keeping its memory.
func (s *Summary) Reset() {
	s.loose = false
	s.ents = s.ents[:0]
	s.heap = s.heap[:0]
	s.index.reset(0)
	s.floor, s.overflowed, s.weight, s.packets, s.bytes = 0, false, 0, 0, 0
	s.distinct = nil
}

// Add counts one packet from src to dst of length bytes, parsing the addresses to order
// a conversation's ends (only a conversation needs them parsed). Windows and Totals go
// through a Roller instead.
func (s *Summary) Add(src, dst string, length int) {
	if s.kind != Conversation {
		s.add(name{s: src}, name{s: dst}, int64(length))
		return
	}
	s.add(newName(src), newName(dst), int64(length))
}

func (s *Summary) add(src, dst name, length int64) {
	s.tighten()
	s.packets++
	s.bytes += length
	switch s.kind {
	case Pair:
		s.update(Key{A: src.s, B: dst.s}, length, 0)
	case Conversation:
		if compareNames(src, dst) <= 0 {
			s.update(Key{A: src.s, B: dst.s}, length, 1)
		} else {
			s.update(Key{A: dst.s, B: src.s}, length, -1)
		}
	case Host:
		s.update(Key{A: src.s}, length, 1)
		s.update(Key{A: dst.s}, length, -1)
	}
}

// update is Space-Saving's step for one weighted occurrence of k.
func (s *Summary) update(k Key, length int64, dir int) {
	s.weight += weight(s.by, length)
	h := keyHash(k)
	if i, ok := s.index.find(s.ents, k, h); ok {
		e := &s.ents[i]
		e.c.add(length, dir)
		if s.capacity != Unlimited {
			s.heap[e.pos].count = e.count(s.by)
			s.down(int(e.pos))
		}
		return
	}
	var c Counts
	c.add(length, dir)
	if s.capacity == Unlimited || len(s.ents) < s.capacity {
		if s.distinct != nil {
			s.distinct.add(k)
		}
		s.push(entry{key: k, c: c, err: s.floor, h: h})
		return
	}
	// The new key takes the place of the smallest count and inherits it as its error.
	s.startDistinct()
	s.distinct.add(k)
	at := s.victim()
	i := s.heap[at].ent
	e := &s.ents[i]
	least := e.count(s.by)
	s.floor = max(s.floor, least)
	s.overflowed = true
	s.index.remove(e.h, i)
	*e = entry{key: k, c: c, err: least, pos: int32(at), h: h}
	s.index.insert(h, i)
	s.heap[at].count = e.count(s.by)
	s.down(at)
}

// victim returns the heap position of an entry with the smallest count, whose place a new
// key takes. Space-Saving may take any of them; the root is one, but its successor,
// counting one more, then sifts down through every level still holding the smallest
// count, which under a flood of distinct keys is nearly all of them. A leaf with the
// smallest count takes no sift at all, so one leaf is tried first: under a flood of
// distinct keys about half the evictions find one, and a flood's update costs a quarter
// less (BenchmarkAdd). The leaf tried follows the weight seen, so it moves on with each
// packet and a decoded summary goes on choosing as the one encoded would.
func (s *Summary) victim() int {
	n := len(s.heap)
	leaves := n - n/2
	at := n/2 + int(uint64(s.weight)%uint64(leaves))
	if s.heap[at].count == s.heap[0].count {
		return at
	}
	return 0
}

// tighten builds the index and the heap of a loose summary.
func (s *Summary) tighten() {
	if !s.loose {
		return
	}
	s.reindex()
	s.heapify()
	s.loose = false
}

// push adds a new entry at its place in the heap.
func (s *Summary) push(e entry) {
	i := int32(len(s.ents))
	e.pos = int32(len(s.heap))
	s.ents = append(s.ents, e)
	s.index.insert(e.h, i)
	if s.capacity != Unlimited {
		s.heap = append(s.heap, slot{count: e.count(s.by), ent: i})
		s.up(len(s.heap) - 1)
	}
}

// startDistinct begins the distinct-key sketch with the keys kept so far, which are all
// the keys seen while nothing was evicted.
func (s *Summary) startDistinct() {
	if s.distinct != nil {
		return
	}
	s.distinct = newSketch()
	for i := range s.ents {
		s.distinct.add(s.ents[i].key)
	}
}
