package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	// stableWait bounds the wait for other producers' open transactions on the offsets topic
	// to end, so that read_committed sees everything committed before it.
	stableWait = 30 * time.Second
	// loadStall gives up reading the offsets topic when no record arrives for this long.
	loadStall = 15 * time.Second
)

// TopicStore keeps positions in a compacted topic, under one key per connector and file,
// written inside the source's transactions and read back read_committed. The key is
// Connect's own offset key shape: ["<name>",{"filename":"<file>"}].
type TopicStore struct {
	Client       *kgo.Client // transactional producer; Save must run inside its transaction
	Topic        string
	Key          []byte
	ConsumerOpts []kgo.Opt // seed brokers and connection options for Load's own consumer
	Log          *slog.Logger
}

var _ OffsetStore = (*TopicStore)(nil)

// OffsetKey is the offsets-topic key of connector name following file.
func OffsetKey(name, file string) []byte {
	key, _ := json.Marshal([]any{name, map[string]string{"filename": file}})
	return key
}

// Ensure creates the topic, compacted, unless it exists.
func (s *TopicStore) Ensure(ctx context.Context) error {
	compact := "compact"
	resp, err := kadm.NewClient(s.Client).CreateTopic(ctx, 1, -1,
		map[string]*string{"cleanup.policy": &compact}, s.Topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create offsets topic %s: %w", s.Topic, err)
	}
	return nil
}

// Save implements OffsetStore: it produces the position inside the client's open
// transaction; it becomes visible when the transaction commits.
func (s *TopicStore) Save(ctx context.Context, pos Position) error {
	value, err := json.Marshal(pos)
	if err != nil {
		return fmt.Errorf("save offsets: %w", err)
	}
	rec := &kgo.Record{Topic: s.Topic, Key: s.Key, Value: value}
	if err := s.Client.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return fmt.Errorf("save offsets to %s: %w", s.Topic, err)
	}
	return nil
}

// Load implements OffsetStore: the last committed value of the key. Call it after fencing the
// previous producer, so that no transaction of ours is still open.
func (s *TopicStore) Load(ctx context.Context) (Position, bool, error) {
	adm := kadm.NewClient(s.Client)
	ends, err := s.stableEnds(ctx, adm)
	if err != nil {
		return Position{}, false, err
	}
	starts, err := adm.ListStartOffsets(ctx, s.Topic)
	if err != nil {
		return Position{}, false, fmt.Errorf("load offsets: %w", err)
	}
	from := map[int32]kgo.Offset{}
	for p, end := range ends {
		if st, ok := starts.Lookup(s.Topic, p); ok && st.Err == nil && st.Offset < end {
			from[p] = kgo.NewOffset().At(st.Offset)
		}
	}
	if len(from) == 0 {
		return Position{}, false, nil
	}
	value, err := s.readLast(ctx, from, ends)
	if err != nil || value == nil {
		return Position{}, false, err
	}
	var pos Position
	if err := json.Unmarshal(value, &pos); err != nil {
		return Position{}, false, fmt.Errorf("load offsets from %s: %w", s.Topic, err)
	}
	return pos, true, nil
}

// stableEnds returns each partition's end offset once no transaction is open on it (last
// stable offset = high watermark), waiting up to stableWait; after that, the stable offsets.
func (s *TopicStore) stableEnds(ctx context.Context, adm *kadm.Client) (map[int32]int64, error) {
	deadline := time.Now().Add(stableWait)
	for {
		hw, err := adm.ListEndOffsets(ctx, s.Topic)
		if err == nil {
			err = hw.Error()
		}
		if err != nil {
			return nil, fmt.Errorf("load offsets: %w", err)
		}
		lso, err := adm.ListCommittedOffsets(ctx, s.Topic)
		if err == nil {
			err = lso.Error()
		}
		if err != nil {
			return nil, fmt.Errorf("load offsets: %w", err)
		}
		ends, stable := map[int32]int64{}, true
		lso.Each(func(o kadm.ListedOffset) {
			ends[o.Partition] = o.Offset
			if h, ok := hw.Lookup(o.Topic, o.Partition); ok && h.Offset != o.Offset {
				stable = false
			}
		})
		if stable || time.Now().After(deadline) {
			return ends, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// readLast reads the partitions from the given offsets up to ends, read_committed, and
// returns the last value of the key. Control records are kept so the read can tell it reached
// an end that is a transaction marker.
func (s *TopicStore) readLast(ctx context.Context, from map[int32]kgo.Offset, ends map[int32]int64) ([]byte, error) {
	cl, err := kgo.NewClient(append(append([]kgo.Opt(nil), s.ConsumerOpts...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{s.Topic: from}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
	)...)
	if err != nil {
		return nil, fmt.Errorf("load offsets: %w", err)
	}
	defer cl.Close()
	var last []byte
	for len(from) > 0 {
		pctx, cancel := context.WithTimeout(ctx, loadStall)
		fs := cl.PollFetches(pctx)
		stalled := pctx.Err() != nil
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if stalled {
			return nil, fmt.Errorf("load offsets from %s: no progress for %s", s.Topic, loadStall)
		}
		fs.EachError(func(_ string, p int32, err error) {
			s.Log.Debug("offsets topic fetch", "partition", p, "err", err)
		})
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() && bytes.Equal(r.Key, s.Key) {
				last = r.Value
			}
			if r.Offset+1 >= ends[r.Partition] {
				delete(from, r.Partition)
			}
		})
	}
	return last, nil
}
