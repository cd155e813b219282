package group

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// Partition names one partition of a topic.
type Partition struct {
	Topic     string
	Partition int32
}

// Clock keeps the watermarks of the input partitions one member owns. In record time a
// partition's watermark is the largest record timestamp read from it; a partition that
// was read to its end and has had no record for IdleAfter no longer holds the group back
// (as Flink's idle sources do): its watermark then follows the member's clock, so the
// last windows of a stream close although no later record comes. In processing time
// every owned partition's watermark is the tick the member has finished.
type Clock struct {
	idleAfter time.Duration
	parts     map[Partition]*partClock
}

type partClock struct {
	max      int64 // ms; valid when seen
	seen     bool
	kept     int64 // max as of the last Commit; valid when keptSeen
	keptSeen bool
	known    bool      // a fetch, or Resolve, told whether it is read to its end
	behind   bool      // the last fetch ended short of the partition's end
	activity time.Time // last record, or the assignment
}

// NewClock returns a clock whose partitions go idle after idleAfter without records.
func NewClock(idleAfter time.Duration) *Clock {
	return &Clock{idleAfter: idleAfter, parts: make(map[Partition]*partClock)}
}

// Assign starts the clock of a partition the member now owns. It counts as behind until
// a fetch or Resolve says it is read to its end: a partition just taken over may hold the
// backlog of a crashed owner, whose records must not come after their windows closed.
func (c *Clock) Assign(p Partition, now time.Time) {
	if _, ok := c.parts[p]; !ok {
		c.parts[p] = &partClock{activity: now, behind: true}
	}
}

// Unknown returns the owned partitions no fetch has told about yet, in order.
func (c *Clock) Unknown() []Partition {
	var out []Partition
	for _, p := range c.Owned() {
		if !c.parts[p].known {
			out = append(out, p)
		}
	}
	return out
}

// Resolve says whether a partition no fetch has told about is read to its end (its
// position against its end offset): an empty or caught-up partition that gets no record
// is never fetched with records, yet must not hold the group back.
func (c *Clock) Resolve(p Partition, caughtUp bool) {
	if pc := c.parts[p]; pc != nil && !pc.known {
		pc.known, pc.behind = true, !caughtUp
	}
}

// Settled says whether every owned partition is known to be read to its end, by a fetch
// or by Resolve: a backlog read that far is read in full.
func (c *Clock) Settled() bool {
	for _, pc := range c.parts {
		if !pc.known || pc.behind {
			return false
		}
	}
	return true
}

// Revoke forgets a partition the member no longer owns: its new owner sends its marks.
func (c *Clock) Revoke(p Partition) { delete(c.parts, p) }

// Owned returns the partitions the clock keeps, in order.
func (c *Clock) Owned() []Partition {
	return slices.SortedFunc(maps.Keys(c.parts), comparePartitions)
}

// Record notes a record of p with timestamp ts (ms) read at now.
func (c *Clock) Record(p Partition, ts int64, now time.Time) {
	pc := c.parts[p]
	if pc == nil {
		pc = &partClock{}
		c.parts[p] = pc
	}
	if !pc.seen || ts > pc.max {
		pc.max, pc.seen = ts, true
	}
	pc.activity = now
}

// Fetched notes whether the last fetch of p ended short of its end.
func (c *Clock) Fetched(p Partition, behind bool) {
	if pc := c.parts[p]; pc != nil {
		pc.known, pc.behind = true, behind
	}
}

// Commit notes that the marks and the offsets of the records read so far are committed.
func (c *Clock) Commit() {
	for _, pc := range c.parts {
		pc.kept, pc.keptSeen = pc.max, pc.seen
	}
}

// Rewind forgets the records read since the last Commit: their transaction was aborted and
// they will be read again. Without it the largest timestamp of the aborted batch would
// be the partition's mark while the records before it are still to be read again, and
// windows would close on them (their deltas then late, in no window). The partition is
// behind until a fetch says otherwise.
func (c *Clock) Rewind() {
	for _, pc := range c.parts {
		pc.max, pc.seen = pc.kept, pc.keptSeen
		pc.known, pc.behind = false, true
	}
}

// RecordMarks returns the record-time watermark of every owned partition that has one.
func (c *Clock) RecordMarks(now time.Time) []Mark {
	var out []Mark
	for _, p := range c.Owned() {
		pc := c.parts[p]
		at, ok := pc.max, pc.seen
		if pc.known && !pc.behind && now.Sub(pc.activity) >= c.idleAfter {
			at, ok = max(at, now.UnixMilli()), true
		}
		if ok {
			out = append(out, Mark{Topic: p.Topic, Partition: p.Partition, At: at})
		}
	}
	return out
}

// TickMarks returns tick (ms) as the processing-time watermark of every owned partition.
func (c *Clock) TickMarks(tick int64) []Mark {
	out := make([]Mark, 0, len(c.parts))
	for _, p := range c.Owned() {
		out = append(out, Mark{Topic: p.Topic, Partition: p.Partition, At: tick})
	}
	return out
}

func comparePartitions(a, b Partition) int {
	if c := cmp.Compare(a.Topic, b.Topic); c != 0 {
		return c
	}
	return cmp.Compare(a.Partition, b.Partition)
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
