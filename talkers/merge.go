package talkers

import (
	"slices"
	"sync"
)

// Merge adds the others' streams to s, so that s summarises all of them with the guarantee
// of a Summary over their concatenation: true ≤ count ≤ true + err, err ≤ Bound ≤ N/K with
// N the combined weight, and no absent key above Bound. The others are not changed (s
// itself is not a valid other: ErrMismatch). It
// costs O(M log M) for the M keys the summaries hold together.
//
// This is the merge of Agarwal, Cormode, Huang, Phillips, Wei and Yi, "Mergeable
// Summaries" (PODS 2012; TODS 2013), written for Space-Saving: a Space-Saving summary with
// K counters is a Misra-Gries summary with K-1 counters plus its minimum (their §2), a
// key absent from one side counts that side's Bound (as in Cafaro, Pulimeno and Tempesta,
// "A parallel space saving algorithm for frequent items and the Hurwitz zeta
// distribution", 2016), and the combined counters are cut back to the K largest, the
// largest dropped count becoming the new Bound (no larger than the Misra-Gries cut at the
// K-th largest, so their N/(k+1) bound holds). Merging exact summaries whose keys together
// fit in K is exact.
func (s *Summary) Merge(others ...*Summary) error {
	for _, o := range others {
		if o == s || s.kind != o.kind || s.by != o.by || s.capacity != o.capacity {
			return ErrMismatch
		}
	}
	total := len(s.ents)
	for _, o := range others {
		total += len(o.ents)
	}
	if s.capacity == Unlimited {
		s.union(others, total) // nothing to cut back, and no heap
		return nil
	}
	// The union may hold up to total keys before it is cut back to capacity: it is built in
	// scratch memory and only the kept keys come back, so a summary's entries stay sized
	// for its capacity rather than for the largest union it ever took part in (a window of
	// the group merges a pane of K keys 30 times). The result is loose: its index and heap
	// are built when something needs them, the next merge needing neither.
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	u := *s
	u.ents = append(sc.ents[:0], s.ents...)
	u.index = sc.index
	u.index.rebuild(u.ents)
	u.counts = sc.counts
	u.union(others, total)
	kept := append(s.ents[:0], u.ents...)
	clear(u.ents) // the scratch keeps no key's strings alive
	sc.ents, sc.counts, sc.index = u.ents[:0], u.counts[:0], u.index
	u.ents, u.heap, u.counts, u.loose = kept, nil, nil, true
	u.index.drop()
	*s = u
	return nil
}

// scratch is the memory of a union being cut back.
type scratch struct {
	ents   []entry
	index  keyIndex
	counts []int64
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// union merges the others into s, making room for total keys, and cuts the result back
// to capacity, leaving the index of a cut-back union and the heap to be rebuilt.
func (s *Summary) union(others []*Summary, total int) {
	// A key's count is the sum over the summaries, one that does not keep it counting its
	// Bound. With d the sum of the Bounds that is d plus, over the summaries that keep the
	// key, count - Bound (never negative: no error exceeds its Bound); errors likewise. So
	// every summary is read once and the union is cut back once.
	s.ents = slices.Grow(s.ents, total-len(s.ents))
	d := s.floor
	for i := range s.ents {
		s.ents[i].err -= s.floor
	}
	for _, o := range others {
		s.absorb(o)
		d += o.floor
	}
	for i := range s.ents {
		s.ents[i].err += d
	}
	s.floor = d
	s.truncate()
}

// reindex rebuilds the index of the entries.
func (s *Summary) reindex() { s.index.rebuild(s.ents) }

// absorb adds o's keys, with their counts and errors less o's Bound, and its totals.
func (s *Summary) absorb(o *Summary) {
	s.mergeDistinct(o)
	for j := range o.ents {
		oe := &o.ents[j]
		if i, ok := s.index.find(s.ents, oe.key, oe.h); ok {
			s.ents[i].err += oe.err - o.floor
			s.ents[i].c.merge(oe.c)
			continue
		}
		s.index.insert(oe.h, int32(len(s.ents)))
		s.ents = append(s.ents, entry{key: oe.key, c: oe.c, err: oe.err - o.floor, h: oe.h})
	}
	s.overflowed = s.overflowed || o.overflowed
	s.weight += o.weight
	s.packets += o.packets
	s.bytes += o.bytes
}

// truncate keeps the capacity largest counts; the largest dropped one bounds every key
// that is no longer kept. It selects rather than sorts (O(M) for M keys): of the keys
// tied at the cut, the first in merge order stay, so the same summaries merged in the
// same order keep the same keys.
func (s *Summary) truncate() {
	if s.capacity == Unlimited || len(s.ents) <= s.capacity {
		return
	}
	s.startDistinct()
	s.counts = s.counts[:0]
	for i := range s.ents {
		s.counts = append(s.counts, s.ents[i].count(s.by))
	}
	counts := s.counts
	cut := kthLargest(counts, s.capacity)
	above := 0 // keys above the cut, all kept
	for i := range s.ents {
		if s.ents[i].count(s.by) > cut {
			above++
		}
	}
	ties := s.capacity - above
	kept := s.ents[:0]
	dropped := int64(0)
	for _, e := range s.ents {
		c := e.count(s.by)
		switch {
		case c > cut:
			kept = append(kept, e)
		case c == cut && ties > 0:
			kept = append(kept, e)
			ties--
		default:
			dropped = max(dropped, c)
		}
	}
	s.floor = max(s.floor, dropped)
	s.overflowed = true
	s.ents = kept
}

// kthLargest returns the k-th largest of v (1 ≤ k ≤ len(v)), reordering v: Hoare's
// quickselect with a median-of-three pivot, O(len(v)) expected.
func kthLargest(v []int64, k int) int64 {
	lo, hi, want := 0, len(v)-1, k-1 // want: index in descending order
	for lo < hi {
		mid := lo + (hi-lo)/2
		pivot := median3(v[lo], v[mid], v[hi])
		i, j := lo, hi
		for i <= j {
			for v[i] > pivot {
				i++
			}
			for v[j] < pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case want <= j:
			hi = j
		case want >= i:
			lo = i
		default:
			return v[want]
		}
	}
	return v[want]
}

func median3(a, b, c int64) int64 {
	return max(min(a, b), min(max(a, b), c))
}

// mergeDistinct combines the distinct-key sketches; a side without one still keeps every
// key it has seen, so its keys stand in for its sketch.
func (s *Summary) mergeDistinct(o *Summary) {
	switch {
	case o.distinct != nil:
		s.startDistinct()
		s.distinct.merge(o.distinct)
	case s.distinct != nil:
		for i := range o.ents {
			s.distinct.add(o.ents[i].key)
		}
	}
}
