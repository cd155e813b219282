package connector

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// sourceBenchLines is the size of the benchmark's log: a million tshark-sized lines (~100 MB).
const sourceBenchLines = 1_000_000

// writeBenchLog writes n tshark-sized lines to a file in dir and returns its name.
func writeBenchLog(b *testing.B, dir string, n int) string {
	b.Helper()
	name := filepath.Join(dir, "en0.log")
	f, err := os.Create(name)
	require.NoError(b, err)
	w := bufio.NewWriterSize(f, 1<<20)
	for i := range n {
		fmt.Fprintf(w, "%7d %.9f 192.168.1.%d → 93.184.216.%d TCP 66 %d → 443 [ACK] Seq=1 Ack=1 Win=2048 Len=0\n",
			i+1, float64(i)*0.000131, i%250, i%200, 40000+i%20000)
	}
	require.NoError(b, w.Flush())
	require.NoError(b, f.Close())
	return name
}

// BenchmarkSource ingests a million-line log into Kafka (kfake in-process, or the broker of
// BRIDGE_TEST_BROKERS) and reports lines per second, from start to the last acknowledgement.
func BenchmarkSource(b *testing.B) {
	c := kafkatest.New(b)
	dir := b.TempDir()
	file := writeBenchLog(b, dir, sourceBenchLines)
	for b.Loop() {
		topic := c.Topic(b, 3)
		cfg := DefaultConfig()
		cfg.File, cfg.Topic, cfg.Brokers, cfg.OffsetsFile = file, topic, c.Brokers, filepath.Join(b.TempDir(), "o.json")
		src, err := New(cfg, discardLogger())
		require.NoError(b, err)
		ctx, cancel := contextWithCancel()
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- src.Run(ctx) }()
		for src.Stats().RecordsProduced.Load() < sourceBenchLines {
			time.Sleep(time.Millisecond)
		}
		elapsed := time.Since(start)
		cancel()
		require.NoError(b, <-done)
		b.ReportMetric(float64(sourceBenchLines)/elapsed.Seconds(), "lines/s")
	}
}

// BenchmarkTailer reads and encodes the same log with no Kafka at all: the ceiling of the
// file side.
func BenchmarkTailer(b *testing.B) {
	dir := b.TempDir()
	file := writeBenchLog(b, dir, sourceBenchLines)
	for b.Loop() {
		tl := newTailer(tailConfig{Path: file, HeadBytes: DefaultHeadBytes, MaxLine: DefaultMaxRecordBytes,
			BatchLines: DefaultBatchLines, BufferBytes: defaultBufferBytes + DefaultMaxRecordBytes,
			PollInterval: time.Millisecond, RotateWait: time.Hour}, discardLogger(), &Stats{})
		require.NoError(b, tl.open(b.Context(), nil))
		p := &pump{format: FormatJSONSchema, limit: DefaultMaxRecordBytes}
		start := time.Now()
		n := 0
		for n < sourceBenchLines {
			bt, err := tl.next(b.Context(), time.Millisecond)
			require.NoError(b, err)
			for _, line := range bt.lines {
				p.encode(line)
			}
			n += len(bt.lines)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "lines/s")
		tl.close()
	}
}
