package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/talkers"
)

// talkSum is a talkers summary as the group ships it: addresses rolled up to --prefix
// on the way in, merged from its binary encoding. The window's protocol mix travels with
// it: the encoding is the talkers summary's, its length first, then the protocol tally's.
type talkSum struct {
	*talkers.Summary
	proto *talkers.Summary
	roll  *talkers.Roller // nil without --prefix
	last  *decoded
}

var _ groupSummary = (*talkSum)(nil)

// Add counts one packet. Without a prefix the addresses go in as they are: the stream's
// tuples hold owned strings (its interner's), which is all a Roller would add.
func (t *talkSum) Add(src, dst, proto string, length int) {
	if t.roll != nil {
		src, dst = t.roll.Roll(src), t.roll.Roll(dst)
	}
	t.Summary.Add(src, dst, length)
	t.proto.AddProtocol(proto, length)
}

// AppendBinary appends the talkers summary, then the protocol tally.
func (t *talkSum) AppendBinary(b []byte) ([]byte, error) {
	at := len(b)
	b = append(b, 0, 0, 0, 0) // the talkers summary's length, filled in below
	b, err := t.Summary.AppendBinary(b)
	if err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return t.proto.AppendBinary(b)
}

// MergeBinary merges an encoded summary of the same kind, measure and capacity.
func (t *talkSum) MergeBinary(b []byte) error {
	if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
		return errors.New("decode summary: truncated")
	}
	n := int(binary.BigEndian.Uint32(b))
	o, err := t.last.decode(b[4 : 4+n])
	if err != nil {
		return fmt.Errorf("decode summary: %w", err)
	}
	p := talkers.NewProtocolSummary()
	if err := p.UnmarshalBinary(b[4+n:]); err != nil {
		return fmt.Errorf("decode protocol mix: %w", err)
	}
	if err := t.Merge(o); err != nil {
		return err
	}
	return t.proto.Merge(p)
}

// decoded remembers the last summary decoded for the summaries of one group. A pane's
// delta is merged into each window the pane is part of (30 for a 60 s window sliding by
// 2 s), the same bytes each time and one after the other: decoding them once, and merging
// the one decoded summary into every window, saves 29 decodes of up to K keys and lets
// the windows share the keys' strings instead of holding 30 copies. Merge does not change
// the summary it reads, so it can be shared. The answers' reader decodes too, from its own
// goroutine, hence the lock.
type decoded struct {
	c  talkers.Config
	mu sync.Mutex
	b  []byte
	s  *talkers.Summary
}

func (d *decoded) decode(b []byte) (*talkers.Summary, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.s != nil && bytes.Equal(d.b, b) {
		return d.s, nil
	}
	s := newSummary(d.c)
	if err := s.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	d.b, d.s = append(d.b[:0], b...), s
	return s, nil
}

func newSummary(c talkers.Config) *talkers.Summary {
	s, err := talkers.NewSummary(c.Key, c.By, c.Capacity)
	if err != nil {
		// Config.Validate checked the settings; a failure here is a bug.
		panic(fmt.Sprintf("talkers summary: %v", err))
	}
	return s
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
	var roll *talkers.Roller
	if tc.Prefix != talkers.NoPrefix {
		roll = talkers.NewRoller(tc.Prefix)
	}
	last := &decoded{c: tc}
	return summaries{
		new: func() groupSummary {
			return &talkSum{Summary: newSummary(tc), proto: talkers.NewProtocolSummary(), roll: roll, last: last}
		},
		batch: func(sum groupSummary, start, end time.Time) sink.Batch {
			return sink.Batch{Time: end, Aggregate: true, Talkers: windowResult(tc, sum.(*talkSum), start, end)}
		},
	}
}

// windowResult is the answer of a window from its merged summary.
func windowResult(tc talkers.Config, t *talkSum, start, end time.Time) *talkers.Result {
	s := t.Summary
	keys, keysExact := s.Keys()
	packets, bytes := s.Totals()
	r := &talkers.Result{
		Start: start, End: end, Key: tc.Key, By: tc.By,
		Rows:    s.Top(nil, tc.Top),
		Packets: packets, Bytes: bytes, Keys: keys, KeysExact: keysExact,
		Exact: s.Exact(), Bound: s.Bound(),
	}
	r.Protocols, r.OtherProtocols = talkers.ProtocolMix(t.proto, talkers.DefaultProtocols)
	return r
}
