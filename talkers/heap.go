package talkers

// The summary's min-heap by count, hand-written so a counted packet moves one entry
// without container/heap's interface calls. Each slot carries its entry's count, so a
// sift compares within the heap's own array (160 KB for 10,000 keys) instead of chasing
// every entry: at capacity each new key sifts from the root, and that was the cost of a
// flood of distinct keys.

// slot is one heap node: an entry's ranking count and its index in Summary.ents.
type slot struct {
	count int64
	ent   int32
}

func (s *Summary) less(i, j int) bool { return s.heap[i].count < s.heap[j].count }

// place puts sl at heap position i and tells its entry.
func (s *Summary) place(i int, sl slot) {
	s.heap[i] = sl
	s.ents[sl.ent].pos = int32(i)
}

// up restores the heap above i after the count at i shrank (or a new one came). It moves
// a hole rather than swapping, so each level writes one entry's position, not two.
func (s *Summary) up(i int) {
	sl := s.heap[i]
	for i > 0 {
		p := (i - 1) / 2
		if sl.count >= s.heap[p].count {
			break
		}
		s.place(i, s.heap[p])
		i = p
	}
	s.place(i, sl)
}

// down restores the heap below i after the count at i grew, moving a hole as up does.
func (s *Summary) down(i int) {
	sl := s.heap[i]
	n := len(s.heap)
	for {
		m := 2*i + 1
		if m >= n {
			break
		}
		if r := m + 1; r < n && s.less(r, m) {
			m = r
		}
		if s.heap[m].count >= sl.count {
			break
		}
		s.place(i, s.heap[m])
		i = m
	}
	s.place(i, sl)
}

// heapify rebuilds the heap over every entry (after a merge or a decode).
func (s *Summary) heapify() {
	s.heap = s.heap[:0]
	if s.capacity == Unlimited {
		return
	}
	for i := range s.ents {
		s.heap = append(s.heap, slot{count: s.ents[i].count(s.by), ent: int32(i)})
		s.ents[i].pos = int32(i)
	}
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
}
