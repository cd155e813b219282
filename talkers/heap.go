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

func (s *Summary) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.ents[s.heap[i].ent].pos = int32(i)
	s.ents[s.heap[j].ent].pos = int32(j)
}

func (s *Summary) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			return
		}
		s.swap(i, p)
		i = p
	}
}

// down restores the heap below i after the count at i grew.
func (s *Summary) down(i int) {
	n := len(s.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			return
		}
		s.swap(i, m)
		i = m
	}
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
