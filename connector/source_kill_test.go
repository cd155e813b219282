package connector

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// Environment knobs of the kill tests; the drills run them with a million lines.
const (
	envKillLines = "BRIDGE_KILL_LINES" // lines written (default 200000)
	envKillCount = "BRIDGE_KILL_COUNT" // SIGKILLs (default 10)
	envKillSeed  = "BRIDGE_KILL_SEED"  // random seed, to replay a run
)

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	return n
}

// SIGKILL at random points of an ingest, restarting each time: no line is lost; duplicates
// are counted and reported.
func TestKill9AtLeastOnce(t *testing.T) { killTest(t, false) }

// The same with --exactly-once: a read_committed consumer sees every line exactly once.
func TestKill9ExactlyOnce(t *testing.T) { killTest(t, true) }

func killTest(t *testing.T, eos bool) {
	n := envInt(t, envKillLines, 200000)
	kills := envInt(t, envKillCount, 10)
	seed := uint64(envInt(t, envKillSeed, int(time.Now().UnixNano()%1e9)))
	t.Logf("%d lines, %d kills, %s=%d", n, kills, envKillSeed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	bin := buildBridge(t, dir)
	file := filepath.Join(dir, "en0.log")
	args := []string{"source", "--file", file, "--topic", topic, "--brokers", strings.Join(c.Brokers, ","),
		"--offsets", filepath.Join(dir, "offsets.json"), "--flush-interval", "200ms", "--poll-interval", "20ms",
		"--log-level", "warn"}
	var offsetsTopic string
	if eos {
		offsetsTopic = topic + "-offsets"
		args = append(args, "--exactly-once", "--offsets-topic", offsetsTopic, "--transactional-id", "kill-"+topic)
		t.Cleanup(func() { _, _ = kadm.NewClient(c.Client(t)).DeleteTopics(context.Background(), offsetsTopic) })
	}

	size := writeInBackground(t, file, n, 4*time.Second)
	for i := range kills {
		p := startBridge(t, bin, dir, args...)
		time.Sleep(time.Duration(150+rng.IntN(600)) * time.Millisecond)
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
		<-p.done
		t.Logf("kill %d: %d lines in the file", i+1, countLines(t, file))
	}
	final := startBridge(t, bin, dir, args...)
	want := <-size
	store := offsetStore(t, c, dir, file, offsetsTopic)
	eventually(t, 3*time.Minute, func() bool {
		time.Sleep(200 * time.Millisecond)
		pos, ok, err := store.Load(t.Context())
		return err == nil && ok && pos.Offset == want
	}, "the source never caught up; log:\n%s", final.stderr.String())
	require.Equal(t, 0, final.term(t), "log:\n%s", final.stderr.String())

	seen := make([]int, n)
	for _, r := range readEverything(t, c, topic, eos) {
		line, err := DecodeValue(r.Value)
		require.NoError(t, err)
		i, err := strconv.Atoi(strings.Fields(string(line))[1])
		require.NoError(t, err, "record %q is not a whole line", line)
		seen[i]++
	}
	lost, dups := 0, 0
	for _, k := range seen {
		if k == 0 {
			lost++
		}
		dups += max(k-1, 0)
	}
	t.Logf("kill -9 x%d over %d lines (exactly-once %v): lost %d, duplicates %d", kills, n, eos, lost, dups)
	assert.Zero(t, lost, "lines lost")
	if eos {
		assert.Zero(t, dups, "a read_committed consumer sees each line once")
	}
}

// writeInBackground appends n tshark-sized lines to file over about d, in 4096-byte writes
// like tshark's, and sends the file's final size when done.
func writeInBackground(t *testing.T, file string, n int, d time.Duration) <-chan int64 {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	done := make(chan int64, 1)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		defer f.Close()
		w := bufio.NewWriterSize(f, 4096)
		var size int64
		pause := d / time.Duration(max(n/1000, 1))
		for i := range n {
			k, _ := fmt.Fprintf(w, "kill %08d 192.168.1.%d → 10.0.0.%d TCP 66 443 → 51234 [ACK] Seq=1 Ack=1 Win=501 Len=0\n",
				i, i%250, i%200)
			size += int64(k)
			if i%1000 == 999 {
				select {
				case <-stop:
					return
				case <-time.After(pause):
				}
			}
		}
		if err := w.Flush(); err != nil {
			panic(err)
		}
		done <- size
	}()
	return done
}

func countLines(t *testing.T, file string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	return strings.Count(string(data), "\n")
}

// offsetStore reads the offsets the source saves: its offsets file, or its offsets topic.
func offsetStore(t *testing.T, c *kafkatest.Cluster, dir, file, offsetsTopic string) OffsetStore {
	t.Helper()
	if offsetsTopic == "" {
		return &FileStore{Path: filepath.Join(dir, "offsets.json")}
	}
	return &TopicStore{Client: c.Client(t), Topic: offsetsTopic, Key: OffsetKey(DefaultName, file),
		ConsumerOpts: []kgo.Opt{kgo.SeedBrokers(c.Brokers...)}, Log: slog.New(slog.DiscardHandler)}
}
