package stream

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/sink"
)

// aheadPoll is a poll of n records over two partitions of topic, every 97th a bad value
// of a kind that rotates, as a fetch hands them over: by partition, offsets in order.
func aheadPoll(topic string, n int) kgo.Fetches {
	bad := badValues()
	parts := []kgo.FetchPartition{{Partition: 0}, {Partition: 1}}
	for i := range n {
		v := envelope(packetLine(i))
		if i%97 == 96 {
			v = bad[i/97%len(bad)].value
		}
		p := &parts[i%2]
		p.Records = append(p.Records, &kgo.Record{Topic: topic, Partition: p.Partition,
			Offset: int64(len(p.Records)), Value: v})
	}
	return kgo.Fetches{{Topics: []kgo.FetchTopic{{Topic: topic, Partitions: parts}}}}
}

// TestAddAllDecodesAheadInOrder: a poll decoded on the side gives the batch the same
// tuples, in the same order, the same skip counts and the same commit points as one
// decoded record by record, below, at and above the size where decoding goes ahead, with
// no helper, one or several, whose chunks come back in any order.
func TestAddAllDecodesAheadInOrder(t *testing.T) {
	c := kafkatest.New(t)
	for _, decoders := range []int{0, 1, 2} {
		for _, n := range []int{1, aheadMin - 1, aheadMin, 3*aheadMin + 7, 10*aheadChunk + 1} {
			t.Run(fmt.Sprintf("%d helpers/%d records", decoders, n), func(t *testing.T) {
				testAddAllInOrder(t, c, decoders, n)
			})
		}
	}
}

func testAddAllInOrder(t *testing.T, c *kafkatest.Cluster, decoders, n int) {
	s, err := New(testConfig(c, "ahead"), testLog())
	require.NoError(t, err)
	defer s.cl.Close()
	for range decoders {
		s.ahead.decs = append(s.ahead.decs, newDecoder(ParseTshark, DefaultMaxValueBytes))
	}
	fs := aheadPoll("ahead", n)

	want := []sink.Tuple(nil)
	var wantStats Stats
	d := newDecoder(ParseTshark, DefaultMaxValueBytes)
	fs.EachRecord(func(r *kgo.Record) {
		wantStats.Records++
		var tp sink.Tuple
		switch reason, _ := d.decode(r.Value, &tp); reason {
		case kept:
			wantStats.Tuples++
			tp.Topic, tp.Partition, tp.Offset = r.Topic, r.Partition, r.Offset
			want = append(want, tp)
		case skipNotPacket:
			wantStats.NotPacket++
		case skipEnvelope:
			wantStats.Malformed++
		case skipTooLarge:
			wantStats.TooLarge++
		}
	})

	s.addAll(fs)
	assert.Equal(t, want, s.tuples)
	assert.Equal(t, wantStats, s.Stats())
	assert.Equal(t, n, s.polled)
	last := map[int32]kgo.EpochOffset{0: {Offset: int64((n + 1) / 2)}}
	if n > 1 {
		last[1] = kgo.EpochOffset{Offset: int64(n / 2)}
	}
	assert.Equal(t, last, s.marks["ahead"], "commit points past each partition's last record")
	assert.Empty(t, s.ahead.recs, "no record is held after the poll")
}
