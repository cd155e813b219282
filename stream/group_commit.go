package stream

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// What the group commits of the panes topic: not the position read to, but each
// merger's hold, so that whoever takes a panes partition over rebuilds its open windows.

// holds returns, per owned panes partition, the offset the group may commit: the first
// delta of a window not yet emitted (see group.Merger.Hold).
func (g *groupRun) holds() map[int32]int64 {
	out := make(map[int32]int64, len(g.mergers))
	for j, m := range g.mergers {
		if hold, ok := m.Hold(); ok {
			out[j] = hold
		}
	}
	return out
}

// holdMarks returns the holds as the marks an at-least-once batch commits.
func (g *groupRun) holdMarks() map[string]map[int32]kgo.EpochOffset {
	parts := make(map[int32]kgo.EpochOffset)
	for j, hold := range g.holds() {
		parts[j] = kgo.EpochOffset{Epoch: -1, Offset: hold}
	}
	return map[string]map[int32]kgo.EpochOffset{g.panesT: parts}
}

// holdCommit makes an exactly-once batch commit the holds of the panes partitions in
// place of the positions the client read to.
func (g *groupRun) holdCommit(ctx context.Context, holds map[int32]int64) context.Context {
	return kgo.PreTxnCommitFnContext(ctx, func(req *kmsg.TxnOffsetCommitRequest) error {
		topics := req.Topics[:0]
		for _, t := range req.Topics {
			if t.Topic != g.panesT {
				topics = append(topics, t)
			}
		}
		req.Topics = topics
		if len(holds) == 0 {
			return nil
		}
		t := kmsg.NewTxnOffsetCommitRequestTopic()
		t.Topic = g.panesT
		for j, hold := range holds {
			p := kmsg.NewTxnOffsetCommitRequestTopicPartition()
			p.Partition, p.Offset, p.LeaderEpoch = j, hold, -1
			t.Partitions = append(t.Partitions, p)
		}
		req.Topics = append(req.Topics, t)
		return nil
	})
}

// committed remembers the holds a committed transaction wrote.
func (g *groupRun) committed(holds map[int32]int64) {
	g.clock.Commit()
	clear(g.held)
	for j, hold := range holds {
		if g.mergers[j] != nil {
			g.held[j] = hold
		}
	}
}

// rewind rebuilds every merger after an aborted transaction: the windows it emitted in
// the transaction were not emitted, and the records it read will be read again, as will
// the input records whose timestamps the clock took since its last commit. The
// client reads the panes partitions again from the holds last committed (or, for a
// partition taken over since, from where the previous owner committed).
func (g *groupRun) rewind(cl *kgo.Client) {
	g.clock.Rewind()
	set := make(map[int32]kgo.EpochOffset, len(g.held))
	for j, hold := range g.held {
		set[j] = kgo.EpochOffset{Epoch: -1, Offset: hold}
	}
	for j := range g.mergers {
		held, ok := g.held[j]
		g.own(g.panesT, j, true, time.Now())
		if ok {
			g.held[j] = held
		}
	}
	cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{g.panesT: set})
}
