package stream

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what the stream consumed and what it had to skip.
type Stats struct {
	Records   int64 // records consumed
	Tuples    int64 // tuples handed to the sinks (before --top aggregation)
	NotPacket int64 // tshark mode: lines that are not packet summaries
	Malformed int64 // values that are malformed Connect envelopes
	TooLarge  int64 // values larger than MaxValueBytes
	Batches   int64 // batches completed (written and committed)
	Aborted   int64 // exactly-once batches whose transaction aborted and will be reprocessed
}

// Skipped is the number of records that yielded no tuple.
func (s Stats) Skipped() int64 { return s.NotPacket + s.Malformed + s.TooLarge }

// counters is the live, concurrently readable form of Stats.
type counters struct {
	records, tuples, notPacket, malformed, tooLarge, batches, aborted atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Records: c.records.Load(), Tuples: c.tuples.Load(), NotPacket: c.notPacket.Load(),
		Malformed: c.malformed.Load(), TooLarge: c.tooLarge.Load(), Batches: c.batches.Load(),
		Aborted: c.aborted.Load(),
	}
}

func (c *counters) count(r skipReason) {
	switch r {
	case skipNotPacket:
		c.notPacket.Add(1)
	case skipEnvelope:
		c.malformed.Add(1)
	case skipTooLarge:
		c.tooLarge.Add(1)
	}
}

// skipLog reports skipped input without flooding: the first record of each kind at
// once, with its detail, then a summary of the counters at most every `every` while
// they keep changing.
type skipLog struct {
	log    *slog.Logger
	every  time.Duration
	seen   [skipTooLarge + 1]bool
	last   time.Time
	logged Stats
}

func (l *skipLog) first(r skipReason, topic string, partition int32, offset int64, err error) {
	if l.seen[r] {
		return
	}
	l.seen[r] = true
	args := []any{"reason", r.String(), "topic", topic, "partition", partition, "offset", offset}
	if err != nil {
		args = append(args, "err", err)
	}
	l.log.Warn("skipping record (first of its kind; later ones are counted)", args...)
}

func (l *skipLog) maybeSummary(now time.Time, s Stats) {
	if l.every == 0 || now.Sub(l.last) < l.every || s.Skipped() == l.logged.Skipped() {
		return
	}
	l.last, l.logged = now, s
	l.log.Info("skipped input", "not_packet", s.NotPacket, "malformed", s.Malformed,
		"too_large", s.TooLarge, "records", s.Records, "tuples", s.Tuples)
}

func (r skipReason) String() string {
	switch r {
	case skipNotPacket:
		return "not a packet line"
	case skipEnvelope:
		return "malformed envelope"
	case skipTooLarge:
		return "value too large"
	default:
		return "kept"
	}
}

// limiter logs a repeated warning at most once per `every` per message and error text
// (other values may differ), saying how many it held back meanwhile: a broker that is
// down must not flood the log.
type limiter struct {
	every time.Duration
	mu    sync.Mutex
	seen  map[string]*limited
}

type limited struct {
	last       time.Time
	suppressed int
}

func (l *limiter) warn(log *slog.Logger, msg string, args ...any) {
	key := msg
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == "err" {
			key += ": " + fmt.Sprint(args[i+1])
		}
	}
	l.mu.Lock()
	if l.seen == nil {
		l.seen = make(map[string]*limited)
	}
	e := l.seen[key]
	if e == nil {
		if len(l.seen) > 1000 { // distinct messages are few; this only bounds memory
			clear(l.seen)
		}
		e = &limited{}
		l.seen[key] = e
	}
	now := time.Now()
	if !e.last.IsZero() && now.Sub(e.last) < l.every {
		e.suppressed++
		l.mu.Unlock()
		return
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	l.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Warn(msg, args...)
}
