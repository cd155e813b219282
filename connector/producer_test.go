package connector

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/kafkatest"
)

// sendN puts n lines in flight, ending at 10, 20, ... and returns their records.
func sendN(t *testing.T, a *acks, g *generation, n int) []*kgo.Record {
	t.Helper()
	recs := make([]*kgo.Record, n)
	for i := range n {
		p, err := a.reserve(t.Context())
		require.NoError(t, err)
		p.rec = kgo.Record{Context: p}
		p.gen, p.end = g, int64(10*(i+1))
		a.publish()
		recs[i] = &p.rec
	}
	return recs
}

// Acknowledgements arrive out of order across partitions; the watermark moves only over a
// contiguous acknowledged run.
func TestAcksWatermarkOutOfOrder(t *testing.T) {
	g := &generation{}
	a := newAcks(8, mark{g, 0}, &Stats{})
	recs := sendN(t, a, g, 5)
	steps := []struct {
		ack  int
		want int64
	}{
		{2, 0}, {0, 10}, {1, 30}, {4, 30}, {3, 50},
	}
	for _, s := range steps {
		a.promise(recs[s.ack], nil)
		assert.Equal(t, s.want, a.watermark().off, "after acking line %d", s.ack)
	}
	assert.True(t, a.idle())
	assert.Equal(t, int64(5), a.stats.RecordsProduced.Load())
}

// A failed line holds the watermark before it for good, and is reported.
func TestAcksFailureHoldsWatermark(t *testing.T) {
	g := &generation{}
	a := newAcks(3, mark{g, 0}, &Stats{})
	recs := sendN(t, a, g, 3)
	a.promise(recs[0], nil)
	a.promise(recs[1], errors.New("boom"))
	a.promise(recs[2], nil)
	assert.Equal(t, int64(10), a.watermark().off)
	require.ErrorContains(t, a.failure(), "boom")
	assert.ErrorContains(t, a.failure(), "offset 20")
	_, err := a.reserve(t.Context())
	require.NoError(t, err, "one slot is free")
	a.publish()
	_, err = a.reserve(t.Context())
	assert.ErrorContains(t, err, "boom", "a full ring behind a failure reports it instead of blocking")
}

// A full ring blocks the reader until a line is acknowledged, or the context ends.
func TestAcksFullRingBlocks(t *testing.T) {
	g := &generation{}
	a := newAcks(2, mark{g, 0}, &Stats{})
	recs := sendN(t, a, g, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, err := a.reserve(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	got := make(chan error, 1)
	go func() {
		_, err := a.reserve(t.Context())
		got <- err
	}()
	time.Sleep(10 * time.Millisecond)
	a.promise(recs[0], nil)
	select {
	case err := <-got:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("reserve did not wake up")
	}
}

// A skipped position (a skipped line, a new file) counts once everything before it did.
func TestAcksSkip(t *testing.T) {
	g, g2 := &generation{}, &generation{}
	a := newAcks(4, mark{g, 0}, &Stats{})
	recs := sendN(t, a, g, 1)
	p, err := a.reserve(t.Context())
	require.NoError(t, err)
	a.skip(p, g2, 0)
	assert.Equal(t, mark{g, 0}, a.watermark(), "the line before is still in flight")
	a.promise(recs[0], nil)
	assert.Equal(t, mark{g2, 0}, a.watermark())
}

func TestPumpTruncateFits(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		line   string
	}{
		{"ascii", FormatJSONSchema, strings.Repeat("a", 500)},
		{"escapes", FormatJSON, strings.Repeat("\x01\"", 300)},
		{"multibyte", FormatString, strings.Repeat("é€😀", 100)},
		{"invalid utf-8", FormatString, strings.Repeat("\xff", 300)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &pump{format: tt.format, limit: 100}
			v := p.truncate([]byte(tt.line))
			assert.LessOrEqual(t, len(v), 100)
			assert.Greater(t, len(v), 80, "not cut much shorter than needed")
			decoded, err := connectvalue.DecodeValue(v)
			if tt.format != FormatString {
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(tt.line, string(decoded)) || tt.name == "invalid utf-8")
			}
		})
	}
}

// Lines over the record limit: truncated, skipped or fatal, never a stuck pipeline.
func TestSourceOversizePolicies(t *testing.T) {
	c := kafkatest.New(t)
	long := strings.Repeat("L", 3<<20) // longer than the read buffer
	data := "before\n" + long + "\nafter\n"
	limit := 200
	tests := []struct {
		policy Oversize
		want   []string
	}{
		{OversizeTruncate, []string{"before", long[:limit-len(`{"schema":{"type":"string","optional":false},"payload":""}`)], "after"}},
		{OversizeSkip, []string{"before", "after"}},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			topic := c.Topic(t, 1)
			dir := t.TempDir()
			file := filepath.Join(dir, "en0.log")
			appendFile(t, file, data)
			cfg := testConfig(c, dir, file, topic)
			cfg.MaxRecordBytes, cfg.Oversize = limit, tt.policy
			r := startSource(t, cfg)
			assert.Equal(t, tt.want, readN(t, c, topic, len(tt.want)))
			eventually(t, 10*time.Second, func() bool {
				pos, _ := loadOffsets(t, cfg)
				return pos.Offset == int64(len(data))
			}, "offset past the oversize line")
			require.NoError(t, r.stop(t))
			assert.Equal(t, int64(1), r.src.Stats().OversizeLines.Load())
			assert.Contains(t, r.logs.String(), "over the record size limit")
		})
	}
	t.Run("fail", func(t *testing.T) {
		topic := c.Topic(t, 1)
		dir := t.TempDir()
		file := filepath.Join(dir, "en0.log")
		appendFile(t, file, data)
		cfg := testConfig(c, dir, file, topic)
		cfg.MaxRecordBytes, cfg.Oversize = limit, OversizeFail
		r := startSource(t, cfg)
		err := r.wait(t, 30*time.Second)
		require.ErrorIs(t, err, ErrOversizeLine)
		assert.Contains(t, err.Error(), "3145728 bytes")
		pos, ok := loadOffsets(t, cfg)
		require.True(t, ok)
		assert.Equal(t, int64(len("before\n")), pos.Offset, "the offset stops before the line")
	})
}
