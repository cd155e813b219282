package stream

import (
	"fmt"
	"time"

	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/talkers"
)

// talkSum is a talkers summary as the group ships it: addresses rolled up to --prefix
// on the way in, merged from its binary encoding.
type talkSum struct {
	*talkers.Summary
	roll *talkers.Roller
	cfg  talkers.Config
}

var _ groupSummary = (*talkSum)(nil)

// Add counts one packet.
func (t *talkSum) Add(src, dst string, length int) {
	t.Summary.Add(t.roll.Roll(src), t.roll.Roll(dst), length)
}

// MergeBinary merges an encoded summary of the same kind, measure and capacity.
func (t *talkSum) MergeBinary(b []byte) error {
	o := newTalkSummary(t.cfg, t.roll)
	if err := o.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("decode summary: %w", err)
	}
	return t.Merge(o.Summary)
}

func newTalkSummary(c talkers.Config, roll *talkers.Roller) *talkSum {
	s, err := talkers.NewSummary(c.Key, c.By, c.Capacity)
	if err != nil {
		// Config.Validate checked the settings; a failure here is a bug.
		panic(fmt.Sprintf("talkers summary: %v", err))
	}
	return &talkSum{Summary: s, roll: roll, cfg: c}
}

// talkConfig is the talkers' view of the stream's settings.
func (c Config) talkConfig() talkers.Config {
	tc := talkers.Config{Key: c.Key, By: c.By, Prefix: c.Prefix, Capacity: c.TopCapacity, Top: c.Top}
	if tc.Key == 0 {
		tc.Key = talkers.Pair
	}
	if tc.By == 0 {
		tc.By = talkers.Packets
	}
	if tc.Prefix == (talkers.Prefix{}) {
		tc.Prefix = talkers.NoPrefix
	}
	if tc.Capacity == 0 {
		tc.Capacity = talkers.DefaultCapacity
	}
	return tc
}

// talkSummaries makes the group's summaries from the talkers settings of cfg. One
// roller serves every summary: only Run's goroutine adds packets.
func talkSummaries(cfg Config) summaries {
	tc := cfg.talkConfig()
	roll := talkers.NewRoller(tc.Prefix)
	return summaries{
		new: func() groupSummary { return newTalkSummary(tc, roll) },
		batch: func(sum groupSummary, start, end time.Time) sink.Batch {
			return sink.Batch{Time: end, Aggregate: true, Talkers: windowResult(tc, sum.(*talkSum).Summary, start, end)}
		},
	}
}

// windowResult is the answer of a window from its merged summary.
func windowResult(tc talkers.Config, s *talkers.Summary, start, end time.Time) *talkers.Result {
	keys, keysExact := s.Keys()
	packets, bytes := s.Totals()
	return &talkers.Result{
		Start: start, End: end, Key: tc.Key, By: tc.By,
		Rows:    s.Top(nil, tc.Top),
		Packets: packets, Bytes: bytes, Keys: keys, KeysExact: keysExact,
		Exact: s.Exact(), Bound: s.Bound(),
	}
}
