package connector

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/harness"
	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
)

type syncBuffer = testutil.SyncBuffer

// running is a Source running in the background of a test.
type running struct {
	src    *Source
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error         // what Run returned
	logs   *syncBuffer
}

// stop cancels the source and returns what Run returned.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		return r.err
	case <-time.After(60 * time.Second):
		t.Fatal("source did not stop")
		return nil
	}
}

// wait returns what Run returned once it returns by itself.
func (r *running) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(timeout):
		t.Fatal("source still running")
		return nil
	}
}

// testConfig is a Config for file and topic on cluster c, with test-friendly timings.
func testConfig(c *kafkatest.Cluster, dir, file, topic string) Config {
	cfg := DefaultConfig()
	cfg.File, cfg.Topic, cfg.Brokers = file, topic, c.Brokers
	cfg.OffsetsFile = filepath.Join(dir, "offsets.json")
	cfg.FlushInterval = 100 * time.Millisecond
	cfg.PollInterval = 20 * time.Millisecond
	cfg.RotateWait = 300 * time.Millisecond
	cfg.ShutdownTimeout = 10 * time.Second
	return cfg
}

// startSource runs a Source for cfg until the test stops it (or ends).
func startSource(t *testing.T, cfg Config) *running {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(logs, testWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	src, err := New(cfg, log)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{src: src, cancel: cancel, done: make(chan struct{}), logs: logs}
	go func() { r.err = src.Run(ctx); close(r.done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
		}
	})
	return r
}

// testWriter sends log lines to t.Log while the test runs, so failures show them.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	defer func() { _ = recover() }() // a log line after the test ended
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// appendFile appends data to name, creating it.
var appendFile = testutil.AppendFile

// numbered returns lines "<prefix> <i>\n" for i in [from, to).
func numbered(prefix string, from, to int) string {
	var b bytes.Buffer
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "%s %06d\n", prefix, i)
	}
	return b.String()
}

func lines(prefix string, from, to int) []string {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s %06d", prefix, i))
	}
	return out
}

// payloads decodes record values back into lines.
func payloads(t *testing.T, recs []*kgo.Record) []string {
	t.Helper()
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		line, err := connectvalue.DecodeValue(r.Value)
		require.NoError(t, err, "value %q", r.Value)
		out = append(out, string(line))
	}
	return out
}

// readN reads topic until n records arrived (or timeout) and returns their lines.
func readN(t *testing.T, c *kafkatest.Cluster, topic string, n int) []string {
	t.Helper()
	return payloads(t, c.ReadAll(t, topic, n, 30*time.Second))
}

// eventually polls cond until it holds or the timeout passes.
var eventually = harness.Eventually

// loadOffsets reads the offsets file of cfg.
func loadOffsets(t *testing.T, cfg Config) (Position, bool) {
	t.Helper()
	pos, ok, err := (&FileStore{Path: cfg.OffsetsFile}).Load(context.Background())
	require.NoError(t, err)
	return pos, ok
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
