package talkers

import (
	"cmp"
	"slices"
)

// Merge adds o's stream to s, so that s summarises both streams with the guarantee of a
// Summary over their concatenation: true ≤ count ≤ true + err, err ≤ Bound ≤ N/K with N
// the combined weight, and no absent key above Bound. o is not changed.
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
func (s *Summary) Merge(o *Summary) error {
	if s.kind != o.kind || s.by != o.by || s.capacity != o.capacity {
		return ErrMismatch
	}
	s.mergeDistinct(o)
	sFloor := s.floor
	for i := range s.ents {
		e := &s.ents[i]
		if j, ok := o.index[e.key]; ok {
			e.err += o.ents[j].err
			e.c.merge(o.ents[j].c)
		} else {
			e.err += o.floor
		}
	}
	for j := range o.ents {
		oe := &o.ents[j]
		if _, ok := s.index[oe.key]; !ok {
			s.ents = append(s.ents, entry{key: oe.key, c: oe.c, err: oe.err + sFloor})
			s.index[oe.key] = int32(len(s.ents) - 1)
		}
	}
	s.floor += o.floor
	s.overflowed = s.overflowed || o.overflowed
	s.weight += o.weight
	s.packets += o.packets
	s.bytes += o.bytes
	s.truncate()
	s.heapify()
	return nil
}

// truncate keeps the capacity largest counts; the largest dropped one bounds every key
// that is no longer kept.
func (s *Summary) truncate() {
	if s.capacity == Unlimited || len(s.ents) <= s.capacity {
		return
	}
	s.startDistinct()
	slices.SortFunc(s.ents, func(a, b entry) int { return cmp.Compare(b.count(s.by), a.count(s.by)) })
	s.floor = max(s.floor, s.ents[s.capacity].count(s.by))
	s.overflowed = true
	s.ents = s.ents[:s.capacity]
	clear(s.index)
	for i := range s.ents {
		s.index[s.ents[i].key] = int32(i)
	}
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
