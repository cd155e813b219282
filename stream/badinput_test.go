package stream

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/sink"
)

// binaryValue is n seeded random bytes, \r, \n and NUL included.
func binaryValue(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// badValue is one kind of bad record value and the counter it must land in.
type badValue struct {
	name  string
	value []byte
	want  skipReason
}

func badValues() []badValue {
	return []badValue{
		{"malformed json", []byte(`{"schema":{"type":"string","optional":false},"payload":"abc`), skipEnvelope},
		{"truncated object", []byte(`{"schema":`), skipEnvelope},
		{"envelope without payload", []byte(`{"schema":{"type":"string","optional":false}}`), skipNotPacket},
		{"payload null", []byte(envPrefix + `null}`), skipEnvelope},
		{"ten megabyte value", envelope(strings.Repeat("x", 10<<20)), skipTooLarge},
		{"binary value", binaryValue(1, 4096), skipNotPacket},
		{"nul bytes raw", []byte("\x00\x00\x00 10.0.0.1 \x00 10.0.0.2"), skipNotPacket},
		{"nul bytes in payload", envelope("\x00 0.1 10.0.0.1 \x00 10.0.0.2"), skipNotPacket},
		{"invalid utf-8 raw", []byte("\xff\xfe\xfd not a packet"), skipNotPacket},
		{"invalid utf-8 in payload", []byte(envPrefix + "\"\xff\xfe\xed\xa0\x80\"}"), skipNotPacket},
	}
}

// TestBadValuesDecode pins which counter each kind of bad value lands in, in tshark mode.
func TestBadValuesDecode(t *testing.T) {
	for _, tc := range badValues() {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder(ParseTshark, DefaultMaxValueBytes)
			var tp sink.Tuple
			got, _ := d.decode(tc.value, &tp)
			assert.Equal(t, tc.want, got, "reason %s", got)
		})
	}
}

// TestStreamBadInput: bad records between good ones are skipped and counted, each kind
// logged once, the job keeps running, later good records reach the sink, and every
// JSONL line written is valid JSON.
func TestStreamBadInput(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	bad := badValues()
	want := Stats{Records: int64(20 + len(bad)), Tuples: 20}
	values := packetValues(0, 10)
	for _, b := range bad {
		values = append(values, b.value)
		switch b.want {
		case skipEnvelope:
			want.Malformed++
		case skipNotPacket:
			want.NotPacket++
		case skipTooLarge:
			want.TooLarge++
		}
	}
	values = append(values, packetValues(10, 20)...)
	// The 10 MB value goes compressed, as a producer of such values would send it.
	cl := c.Client(t, kgo.DefaultProduceTopic(topic), kgo.ProducerBatchMaxBytes(16<<20),
		kgo.ProducerBatchCompression(kgo.GzipCompression()))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, v := range values { // one at a time: the order is the test
		require.NoError(t, cl.ProduceSync(ctx, &kgo.Record{Value: v}).FirstErr())
	}

	logs := &lockedBuffer{}
	out := &lockedBuffer{}
	rec := &recorder{}
	cfg := testConfig(c, topic)
	s, err := New(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx, []sink.Sink{rec, sink.NewJSONL(out)}) }()
	t.Cleanup(func() { stop(); <-done })

	require.Eventually(t, func() bool { return len(rec.tuples()) >= 20 }, 60*time.Second, 20*time.Millisecond)
	time.Sleep(3 * cfg.Interval)
	select {
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("the stream stopped by itself: %v", err)
	default:
	}
	stop()
	require.NoError(t, <-done)
	done <- nil // for the cleanup

	got := map[string]int{}
	for _, tp := range rec.tuples() {
		got[tp.Src]++
	}
	for i := 0; i < 20; i++ {
		assert.Equal(t, 1, got[packetSrc(i)], "good record %d reached the sink once", i)
	}
	st := s.Stats()
	want.Batches = st.Batches
	assert.Equal(t, want, st)

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Len(t, lines, 20)
	for _, l := range lines {
		assert.True(t, json.Valid([]byte(l)), "jsonl line %q", l)
	}
	text := logs.String()
	for _, reason := range []skipReason{skipEnvelope, skipNotPacket, skipTooLarge} {
		assert.Equal(t, 1, strings.Count(text, "reason=\""+reason.String()+"\""),
			"%s logged once:\n%s", reason, text)
	}
}
