package stream

import (
	"fmt"
	"time"
)

// TimeMode names the clock that puts a record in a --top window.
type TimeMode string

// The time modes.
const (
	// TimeProcessing puts a record in the window of the batch that read it, as Spark's
	// DStreams do: a backlog read after an outage lands in "now".
	TimeProcessing TimeMode = "processing"
	// TimeRecord puts a record in the window of its Kafka timestamp (the moment bridge
	// source read the line, or the broker's append time on a LogAppendTime topic), so the
	// same records give the same windows whichever members read them, and whenever.
	TimeRecord TimeMode = "record"
	// DefaultTime is today's behaviour.
	DefaultTime = TimeProcessing
)

// idleAfter resolves IdleAfter's default.
func (c Config) idleAfter() time.Duration {
	if c.IdleAfter > 0 {
		return max(c.IdleAfter, c.Grace)
	}
	return max(DefaultIdleAfter, c.Grace)
}

func (m TimeMode) validate() error {
	switch m {
	case TimeProcessing, TimeRecord, "":
		return nil
	}
	return fmt.Errorf("time %q: want %s or %s", string(m), TimeProcessing, TimeRecord)
}
