package connector

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// freePort returns a loopback port nothing listens on (yet).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// startFake starts a kfake broker on port, keeping its data in dir when dir is set.
func startFake(t *testing.T, port int, dir, topic string) *kafkatest.Cluster {
	t.Helper()
	opts := []kfake.Opt{kfake.Ports(port), kfake.SeedTopics(1, topic)}
	if dir != "" {
		opts = append(opts, kfake.DataDir(dir), kfake.SyncWrites())
	}
	var fake *kfake.Cluster
	var err error
	// The port was free a moment ago; a late TIME_WAIT or another test may hold it briefly.
	for range 50 {
		if fake, err = kfake.NewCluster(opts...); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, err)
	t.Cleanup(fake.Close)
	return &kafkatest.Cluster{Brokers: fake.ListenAddrs(), Fake: fake}
}

func requireFake(t *testing.T) {
	t.Helper()
	if os.Getenv(kafkatest.EnvBrokers) != "" {
		t.Skip("stops and starts its own broker: runs on kfake only (the drills stop real Kafka)")
	}
}

// The broker is down when the source starts: it reads until its buffer is full, waits, and
// delivers everything once the broker is up.
func TestSourceBrokerDownAtStart(t *testing.T) {
	requireFake(t)
	port := freePort(t)
	topic := "late"
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	appendFile(t, file, numbered("line", 0, 2000))
	cfg := DefaultConfig()
	cfg.File, cfg.Topic, cfg.Brokers = file, topic, []string{fmt.Sprintf("127.0.0.1:%d", port)}
	cfg.OffsetsFile, cfg.FlushInterval = filepath.Join(dir, "offsets.json"), 100*time.Millisecond
	cfg.PollInterval, cfg.BatchLines, cfg.MaxBufferedRecords = 20*time.Millisecond, 50, 100
	r := startSource(t, cfg)
	time.Sleep(time.Second)
	assert.Zero(t, r.src.Stats().RecordsProduced.Load())
	assert.LessOrEqual(t, r.src.Stats().LinesRead.Load(), int64(100+2*50), "reading paused on the full buffer")
	if pos, saved := loadOffsets(t, cfg); saved {
		assert.Zero(t, pos.Offset, "nothing acknowledged, nothing passed")
	}

	c := startFake(t, port, "", topic)
	assert.Equal(t, lines("line", 0, 2000), readN(t, c, topic, 2000))
	require.NoError(t, r.stop(t))
	pos, _ := loadOffsets(t, cfg)
	assert.Equal(t, int64(len(numbered("line", 0, 2000))), pos.Offset)
}

// The broker goes away mid-run and comes back: nothing is lost.
func TestSourceBrokerDownMidRun(t *testing.T) {
	requireFake(t)
	port := freePort(t)
	topic := "bounce"
	data := t.TempDir()
	c := startFake(t, port, data, topic)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("before", 0, 1000))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 1000 }, "before the outage")

	c.Fake.Close()
	appendFile(t, file, numbered("during", 0, 1000))
	time.Sleep(500 * time.Millisecond)
	c = startFake(t, port, data, topic)
	appendFile(t, file, numbered("after", 0, 1000))
	want := append(append(lines("before", 0, 1000), lines("during", 0, 1000)...), lines("after", 0, 1000)...)
	eventually(t, 60*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() >= 3000 }, "after the outage")
	require.NoError(t, r.stop(t))
	got := payloads(t, c.ReadEverything(t, topic, false))
	assert.Subset(t, got, want, "every line is there")
	t.Logf("broker bounce: %d records for %d lines (%d duplicates)", len(got), len(want), len(got)-len(want))
}
