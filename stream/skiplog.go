package stream

import (
	"log/slog"
	"time"
)

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
