package e2e

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

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/harness"
	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
)

// startInDir runs bin in dir; its stdout and stderr go to one log, p.Stderr.
func startInDir(t *testing.T, bin, dir string, args ...string) *harness.Proc {
	t.Helper()
	return harness.Start(t, bin, harness.Options{Dir: dir, MergeOutput: true}, args...)
}

// An unreadable log is a clear error and exit code 1, not a wait.
func TestCLIUnreadableFileExits1(t *testing.T) {
	dir, err := os.MkdirTemp("", "bridge-cli-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	bin := harness.Bridge(t)
	file := filepath.Join(dir, "secret.log")
	appendFile(t, file, "x\n")
	require.NoError(t, os.Chmod(file, 0o600))

	var opts harness.Options
	if os.Geteuid() == 0 {
		// root reads every file: run as nobody, who cannot read this one.
		opts.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		opts.Env = []string{"HOME=" + dir}
	} else {
		require.NoError(t, os.Chmod(file, 0))
	}
	p := harness.Start(t, bin, opts, "source", "--file", file, "--brokers", "127.0.0.1:1",
		"--offsets", filepath.Join(dir, "o.json"))
	assert.Equal(t, 1, p.ExitCode(t, 30*time.Second))
	assert.Contains(t, p.Stderr.String(), "permission denied")
	assert.Contains(t, p.Stderr.String(), "secret.log")
}

// Kafka's stock connect-standalone.properties and connect-file-source.properties work
// unchanged; flags override what they say; SIGTERM stops with exit 0.
func TestCLIStockProperties(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	bin := harness.Bridge(t)
	file := filepath.Join(dir, "en0.log")
	appendFile(t, file, "one\ntwo\n")
	stock := filepath.Join("..", "..", "testdata", "connect")
	worker, err := filepath.Abs(filepath.Join(stock, "connect-standalone.properties"))
	require.NoError(t, err)
	conn, err := filepath.Abs(filepath.Join(stock, "connect-file-source.properties"))
	require.NoError(t, err)

	p := startInDir(t, bin, dir, "source", worker, conn, "--brokers", strings.Join(c.Brokers, ","),
		"--file", file, "--topic", topic, "--offsets", filepath.Join(dir, "o.json"),
		"--connect-offsets", filepath.Join(dir, "no-connect-offsets"))
	recs := c.ReadAll(t, topic, 2, 30*time.Second)
	require.Len(t, recs, 2, "log:\n%s", p.Stderr.String())
	assert.Equal(t, `{"schema":{"type":"string","optional":false},"payload":"one"}`, string(recs[0].Value))
	assert.Equal(t, uint8(2), recs[0].Attrs.CompressionType(), "snappy by default")
	assert.Equal(t, 0, p.Term(t, 30*time.Second), "log:\n%s", p.Stderr.String())
	assert.NotContains(t, p.Stderr.String(), "level=ERROR")
}

// A worker that names Connect's offsets file makes bridge resume where Connect stopped: the
// real Connect run's fixture consumed all of in.log, so only lines added later are produced.
func TestCLIMigratesConnectOffsets(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	bin := harness.Bridge(t)
	fixture := filepath.Join("..", "..", "connector", "testdata", "connectoffsets", "real-standalone")
	for _, name := range []string{"worker.properties", "connector.properties", "connect.offsets", "in.log"} {
		copyFile(t, filepath.Join(fixture, name), filepath.Join(dir, name))
	}
	before, err := os.ReadFile(filepath.Join(dir, "connect.offsets"))
	require.NoError(t, err)

	p := startInDir(t, bin, dir, "source", "worker.properties", "connector.properties",
		"--brokers", strings.Join(c.Brokers, ","), "--topic", topic, "--offsets", filepath.Join(dir, "o.json"))
	harness.Eventually(t, 30*time.Second, func() bool { return strings.Contains(p.Stderr.String(), "migrating from Kafka Connect") },
		"migration log")
	appendFile(t, filepath.Join(dir, "in.log"), "added after the switch\n")
	recs := c.ReadAll(t, topic, 1, 30*time.Second)
	require.Len(t, recs, 1)
	assert.Equal(t, `{"schema":{"type":"string","optional":false},"payload":"added after the switch"}`, string(recs[0].Value))
	assert.Equal(t, 0, p.Term(t, 30*time.Second))
	assert.Len(t, c.ReadEverything(t, topic, false), 1, "nothing Connect already sent is sent again")
	after, err := os.ReadFile(filepath.Join(dir, "connect.offsets"))
	require.NoError(t, err)
	assert.Equal(t, before, after, "Connect's offsets file is never written")
	_, err = os.Stat(filepath.Join(dir, "o.json"))
	assert.NoError(t, err, "bridge keeps its own offsets")
}

// Converter settings map to formats, the producer's compression.type to --compression;
// unknown keys are logged once and are not fatal.
func TestCLIConverterAndUnknownKeys(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	bin := harness.Bridge(t)
	file := filepath.Join(dir, "en0.log")
	// Repeated so that the batch compresses: franz-go sends a batch that does not uncompressed.
	appendFile(t, file, strings.Repeat("raw \"line\"\n", 20))
	writeProps(t, filepath.Join(dir, "w.properties"), "bootstrap.servers="+strings.Join(c.Brokers, ","),
		"value.converter=org.apache.kafka.connect.storage.StringConverter", "key.converter=org.apache.kafka.connect.storage.StringConverter",
		"offset.flush.interval.ms=200", "rest.port=8083", "plugin.path=/opt/connectors", "producer.compression.type=gzip")
	writeProps(t, filepath.Join(dir, "c.properties"), "name=en0", "connector.class=FileStreamSource",
		"tasks.max=1", "file="+file, "topic="+topic, "batch.size=500", "producer.override.compression.type=LZ4")

	p := startInDir(t, bin, dir, "source", "w.properties", "c.properties", "--offsets", filepath.Join(dir, "o.json"))
	recs := c.ReadAll(t, topic, 20, 30*time.Second)
	require.Len(t, recs, 20, "log:\n%s", p.Stderr.String())
	assert.Equal(t, `raw "line"`, string(recs[0].Value), "StringConverter: the raw line")
	assert.Equal(t, uint8(3), recs[0].Attrs.CompressionType(), "the connector's lz4 override wins over the worker's gzip")
	assert.Equal(t, 0, p.Term(t, 30*time.Second))
	log := p.Stderr.String()
	assert.Equal(t, 1, strings.Count(log, "ignoring Connect settings"), log)
	assert.Contains(t, log, "plugin.path,rest.port")
}

var writeProps = testutil.WriteProps

// Environment knobs of the kill tests; the drills run them with a million lines.
const (
	envKillLines = "BRIDGE_KILL_LINES" // lines written (default 200000)
	envKillCount = "BRIDGE_KILL_COUNT" // SIGKILLs (default 10)
	envKillSeed  = "BRIDGE_KILL_SEED"  // random seed, to replay a run
)

var envInt = testutil.EnvInt

// SIGKILL at random points of an ingest, restarting each time: no line is lost; duplicates
// are counted and reported.
func TestSourceKill9AtLeastOnce(t *testing.T) { killTest(t, false) }

// The same with --exactly-once: a read_committed consumer sees every line exactly once.
func TestSourceKill9ExactlyOnce(t *testing.T) { killTest(t, true) }

func killTest(t *testing.T, eos bool) {
	n := envInt(t, envKillLines, 200000)
	kills := envInt(t, envKillCount, 10)
	seed := uint64(envInt(t, envKillSeed, int(time.Now().UnixNano()%1e9)))
	t.Logf("%d lines, %d kills, %s=%d", n, kills, envKillSeed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	c := kafkatest.New(t)
	topic := c.Topic(t, 3)
	dir := t.TempDir()
	bin := harness.Bridge(t)
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
		p := startInDir(t, bin, dir, args...)
		time.Sleep(time.Duration(150+rng.IntN(600)) * time.Millisecond)
		p.Kill()
		t.Logf("kill %d: %d lines in the file", i+1, countLines(t, file))
	}
	final := startInDir(t, bin, dir, args...)
	want := <-size
	store := offsetStore(t, c, dir, file, offsetsTopic)
	harness.Eventually(t, 3*time.Minute, func() bool {
		time.Sleep(200 * time.Millisecond)
		pos, ok, err := store.Load(t.Context())
		return err == nil && ok && pos.Offset == want
	}, "the source never caught up; log:\n%s", final.Stderr.String())
	require.Equal(t, 0, final.Term(t, 30*time.Second), "log:\n%s", final.Stderr.String())

	seen := make([]int, n)
	for _, r := range c.ReadEverything(t, topic, eos) {
		line, err := connectvalue.DecodeValue(r.Value)
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
func offsetStore(t *testing.T, c *kafkatest.Cluster, dir, file, offsetsTopic string) connector.OffsetStore {
	t.Helper()
	if offsetsTopic == "" {
		return &connector.FileStore{Path: filepath.Join(dir, "offsets.json")}
	}
	return &connector.TopicStore{Client: c.Client(t), Topic: offsetsTopic, Key: connector.OffsetKey(connector.DefaultName, file),
		ConsumerOpts: []kgo.Opt{kgo.SeedBrokers(c.Brokers...)}, Log: slog.New(slog.DiscardHandler)}
}
