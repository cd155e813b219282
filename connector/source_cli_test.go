package connector

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// buildBridge builds the bridge binary into dir (made world-readable, for tests that run it
// as another user).
func buildBridge(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(dir, "bridge")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/bridge")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// proc is a bridge process started by a test.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

func startBridge(t *testing.T, bin, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stderr = p.stderr
	p.cmd.Stdout = p.stderr
	require.NoError(t, p.cmd.Start())
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// exitCode waits for the process and returns its exit code.
func (p *proc) exitCode(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("bridge still running; its log:\n%s", p.stderr.String())
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, p.err)
	return 0
}

// term stops the process as systemd or Ctrl-C would and returns its exit code.
func (p *proc) term(t *testing.T) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	return p.exitCode(t, 30*time.Second)
}

// An unreadable log is a clear error and exit code 1, not a wait.
func TestCLIUnreadableFileExits1(t *testing.T) {
	dir, err := os.MkdirTemp("", "bridge-cli-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	bin := buildBridge(t, dir)
	file := filepath.Join(dir, "secret.log")
	appendFile(t, file, "x\n")
	require.NoError(t, os.Chmod(file, 0o600))

	p := &proc{cmd: exec.Command(bin, "source", "--file", file, "--brokers", "127.0.0.1:1",
		"--offsets", filepath.Join(dir, "o.json")), stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stderr = p.stderr
	if os.Geteuid() == 0 {
		// root reads every file: run as nobody, who cannot read this one.
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		p.cmd.Env = append(os.Environ(), "HOME="+dir)
	} else {
		require.NoError(t, os.Chmod(file, 0))
	}
	require.NoError(t, p.cmd.Start())
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	assert.Equal(t, 1, p.exitCode(t, 30*time.Second))
	assert.Contains(t, p.stderr.String(), "permission denied")
	assert.Contains(t, p.stderr.String(), "secret.log")
}

// Kafka's stock connect-standalone.properties and connect-file-source.properties work
// unchanged; flags override what they say; SIGTERM stops with exit 0.
func TestCLIStockProperties(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	bin := buildBridge(t, dir)
	file := filepath.Join(dir, "en0.log")
	appendFile(t, file, "one\ntwo\n")
	stock := filepath.Join("..", "testdata", "connect")
	worker, err := filepath.Abs(filepath.Join(stock, "connect-standalone.properties"))
	require.NoError(t, err)
	conn, err := filepath.Abs(filepath.Join(stock, "connect-file-source.properties"))
	require.NoError(t, err)

	p := startBridge(t, bin, dir, "source", worker, conn, "--brokers", strings.Join(c.Brokers, ","),
		"--file", file, "--topic", topic, "--offsets", filepath.Join(dir, "o.json"),
		"--connect-offsets", filepath.Join(dir, "no-connect-offsets"))
	recs := c.ReadAll(t, topic, 2, 30*time.Second)
	require.Len(t, recs, 2, "log:\n%s", p.stderr.String())
	assert.Equal(t, `{"schema":{"type":"string","optional":false},"payload":"one"}`, string(recs[0].Value))
	assert.Equal(t, uint8(2), recs[0].Attrs.CompressionType(), "snappy by default")
	assert.Equal(t, 0, p.term(t), "log:\n%s", p.stderr.String())
	assert.NotContains(t, p.stderr.String(), "level=ERROR")
}

// A worker that names Connect's offsets file makes bridge resume where Connect stopped: the
// real Connect run's fixture consumed all of in.log, so only lines added later are produced.
func TestCLIMigratesConnectOffsets(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	bin := buildBridge(t, dir)
	fixture := filepath.Join("testdata", "connectoffsets", "real-standalone")
	for _, name := range []string{"worker.properties", "connector.properties", "connect.offsets", "in.log"} {
		copyFile(t, filepath.Join(fixture, name), filepath.Join(dir, name))
	}
	before, err := os.ReadFile(filepath.Join(dir, "connect.offsets"))
	require.NoError(t, err)

	p := startBridge(t, bin, dir, "source", "worker.properties", "connector.properties",
		"--brokers", strings.Join(c.Brokers, ","), "--topic", topic, "--offsets", filepath.Join(dir, "o.json"))
	eventually(t, 30*time.Second, func() bool { return strings.Contains(p.stderr.String(), "migrating from Kafka Connect") },
		"migration log")
	appendFile(t, filepath.Join(dir, "in.log"), "added after the switch\n")
	recs := c.ReadAll(t, topic, 1, 30*time.Second)
	require.Len(t, recs, 1)
	assert.Equal(t, `{"schema":{"type":"string","optional":false},"payload":"added after the switch"}`, string(recs[0].Value))
	assert.Equal(t, 0, p.term(t))
	assert.Len(t, readEverything(t, c, topic, false), 1, "nothing Connect already sent is sent again")
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
	bin := buildBridge(t, dir)
	file := filepath.Join(dir, "en0.log")
	// Repeated so that the batch compresses: franz-go sends a batch that does not uncompressed.
	appendFile(t, file, strings.Repeat("raw \"line\"\n", 20))
	writeProps(t, filepath.Join(dir, "w.properties"), "bootstrap.servers="+strings.Join(c.Brokers, ","),
		"value.converter=org.apache.kafka.connect.storage.StringConverter", "key.converter=org.apache.kafka.connect.storage.StringConverter",
		"offset.flush.interval.ms=200", "rest.port=8083", "plugin.path=/opt/connectors", "producer.compression.type=gzip")
	writeProps(t, filepath.Join(dir, "c.properties"), "name=en0", "connector.class=FileStreamSource",
		"tasks.max=1", "file="+file, "topic="+topic, "batch.size=500", "producer.override.compression.type=LZ4")

	p := startBridge(t, bin, dir, "source", "w.properties", "c.properties", "--offsets", filepath.Join(dir, "o.json"))
	recs := c.ReadAll(t, topic, 20, 30*time.Second)
	require.Len(t, recs, 20, "log:\n%s", p.stderr.String())
	assert.Equal(t, `raw "line"`, string(recs[0].Value), "StringConverter: the raw line")
	assert.Equal(t, uint8(3), recs[0].Attrs.CompressionType(), "the connector's lz4 override wins over the worker's gzip")
	assert.Equal(t, 0, p.term(t))
	log := p.stderr.String()
	assert.Equal(t, 1, strings.Count(log, "ignoring Connect settings"), log)
	assert.Contains(t, log, "plugin.path,rest.port")
}

func TestCLIUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bin := buildBridge(t, dir)
	writeProps(t, filepath.Join(dir, "w.properties"), "bootstrap.servers=127.0.0.1:1")
	writeProps(t, filepath.Join(dir, "sink.properties"), "name=x", "connector.class=FileStreamSink", "file=/tmp/x")
	writeProps(t, filepath.Join(dir, "avro.properties"), "name=x", "connector.class=FileStreamSource",
		"value.converter=io.confluent.connect.avro.AvroConverter")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad oversize", []string{"--oversize", "drop"}, "--oversize"},
		{"bad format", []string{"--format", "avro"}, "--format"},
		{"bad compression", []string{"--compression", "brotli"}, "compression \"brotli\""},
		{"one properties file", []string{"w.properties"}, "WORKER.properties CONNECTOR.properties"},
		{"missing properties file", []string{"w.properties", "nope.properties"}, "nope.properties"},
		{"not a file source", []string{"w.properties", "sink.properties"}, "FileStreamSource"},
		{"unknown converter", []string{"w.properties", "avro.properties"}, "AvroConverter"},
		{"offsets file is Connect's", []string{"--offsets", "c.offsets", "--connect-offsets", "c.offsets"}, "Connect's offsets file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startBridge(t, bin, dir, append([]string{"source"}, tt.args...)...)
			assert.Equal(t, 2, p.exitCode(t, 30*time.Second))
			assert.Contains(t, p.stderr.String(), tt.want)
		})
	}
}

func writeProps(t *testing.T, name string, lines ...string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# written by a test\n")
	for _, l := range lines {
		fmt.Fprintln(&b, l)
	}
	require.NoError(t, os.WriteFile(name, b.Bytes(), 0o644))
}
