package stream

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// offsets holds the offsets of written batches that Kafka has not yet confirmed as
// committed. The revoke callback reads it from the client's goroutine.
type offsets struct {
	mu      sync.Mutex
	pending map[string]map[int32]kgo.EpochOffset
}

func (o *offsets) add(marks map[string]map[int32]kgo.EpochOffset) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for topic, parts := range marks {
		for p, eo := range parts {
			dst := o.pending[topic]
			if dst == nil {
				dst = make(map[int32]kgo.EpochOffset)
				o.pending[topic] = dst
			}
			dst[p] = eo
		}
	}
}

func (o *offsets) forget(parts map[string][]int32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for topic, ps := range parts {
		for _, p := range ps {
			delete(o.pending[topic], p)
		}
	}
}

// commit commits every pending offset and drops the ones Kafka confirmed.
func (o *offsets) commit(ctx context.Context, cl *kgo.Client) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if countOffsets(o.pending) == 0 {
		return nil
	}
	send := make(map[string]map[int32]kgo.EpochOffset, len(o.pending))
	for topic, parts := range o.pending {
		if len(parts) > 0 {
			send[topic] = maps.Clone(parts)
		}
	}
	var errs []error
	cl.CommitOffsetsSync(ctx, send, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					errs = append(errs, fmt.Errorf("%s[%d]: %w", t.Topic, p.Partition, err))
					continue
				}
				delete(o.pending[t.Topic], p.Partition)
			}
		}
	})
	return errors.Join(errs...)
}

func countOffsets(m map[string]map[int32]kgo.EpochOffset) int {
	n := 0
	for _, parts := range m {
		n += len(parts)
	}
	return n
}
