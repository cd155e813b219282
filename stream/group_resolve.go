package stream

import (
	"context"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/stream/internal/group"
)

// resolve tells the clock, for every owned input partition no fetch has told about yet,
// whether it is read to its end: its position (where this member reads from) against its
// end offset. Only then may a quiet partition stop holding the group back (see
// group.Clock); a partition taken over from a crashed member is behind until its backlog
// is read. A failed lookup is retried at the next batch.
func (g *groupRun) resolve(ctx context.Context, cl *kgo.Client) {
	unknown := g.clock.Unknown()
	if len(unknown) == 0 {
		return
	}
	topics := make([]string, 0, len(g.inputs))
	for t := range g.inputs {
		topics = append(topics, t)
	}
	adm := kadm.NewClient(cl)
	list := adm.ListEndOffsets
	if g.eos {
		list = adm.ListCommittedOffsets // read_committed reads to the last stable offset
	}
	ends, err := list(ctx, topics...)
	if err != nil {
		g.log.Debug("end offsets of new partitions; retrying next batch", "err", err)
		return
	}
	var starts kadm.ListedOffsets
	if g.fromStart {
		if starts, err = adm.ListStartOffsets(ctx, topics...); err != nil {
			return
		}
	}
	read, committed := cl.UncommittedOffsets(), cl.CommittedOffsets()
	for _, p := range unknown {
		end, ok := ends.Lookup(p.Topic, p.Partition)
		if !ok || end.Err != nil {
			continue
		}
		pos, ok := offsetOf(read, p)
		if !ok {
			pos, ok = offsetOf(committed, p)
		}
		if !ok && !g.fromStart {
			g.clock.Resolve(p, true) // a new group reads from the end: nothing is behind
			continue
		}
		if !ok {
			start, found := starts.Lookup(p.Topic, p.Partition)
			if !found || start.Err != nil {
				continue
			}
			pos = start.Offset
		}
		// One offset of slack: a committed position sits before the marker that ended the
		// input's last transaction, which is no record.
		g.clock.Resolve(p, end.Offset-pos <= 1)
	}
}

func offsetOf(m map[string]map[int32]kgo.EpochOffset, p group.Partition) (int64, bool) {
	eo, ok := m[p.Topic][p.Partition]
	return eo.Offset, ok && eo.Offset >= 0
}
