package stream

import (
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// BatchObserver hears of every poll and every finished batch, for metrics and progress
// reports. Its methods are called from Run's goroutine and must return quickly; a nil
// Config.BatchObserver costs nothing.
type BatchObserver interface {
	// Polled is given every poll's fetches before their records are decoded: the
	// partitions' high watermarks against the records' offsets give the consumer lag.
	Polled(kgo.Fetches)
	// BatchDone is told how many records a batch held and how long writing and
	// committing it took, once it is committed.
	BatchDone(records int, took time.Duration)
}
