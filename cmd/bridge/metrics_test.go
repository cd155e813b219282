package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
	"github.com/bridge-project/bridge/metrics"
)

type lockedBuffer = testutil.SyncBuffer

// cliRun is a bridge command running in-process.
type cliRun struct {
	stderr *lockedBuffer
	cancel context.CancelFunc
	done   chan error
}

// startCLI runs bridge with args (and JSON logs) until the test stops it.
func startCLI(t *testing.T, args ...string) *cliRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &cliRun{stderr: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	cmd := newRootCmd(strings.NewReader(""), io.Discard, r.stderr)
	cmd.SetArgs(append(args, "--log-format", "json"))
	go func() { r.done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			t.Error("command did not stop")
		}
	})
	return r
}

// stop cancels the command, as a signal does, and returns what it returned.
func (r *cliRun) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("command did not stop")
		return nil
	}
}

// logged returns the first JSON log line with msg, waiting for it.
func (r *cliRun) logged(t *testing.T, msg string) map[string]any {
	t.Helper()
	var found map[string]any
	require.Eventually(t, func() bool {
		sc := bufio.NewScanner(strings.NewReader(r.stderr.String()))
		for sc.Scan() {
			m := map[string]any{}
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
				found = m
				return true
			}
		}
		return false
	}, 20*time.Second, 10*time.Millisecond, "no %q in the log:\n%s", msg, r.stderr.String())
	return found
}

// metricsAddr waits for the command to say where it serves metrics.
func (r *cliRun) metricsAddr(t *testing.T) string {
	t.Helper()
	addr, _ := r.logged(t, "serving metrics")["addr"].(string)
	require.NotEmpty(t, addr)
	return addr
}

// scrape returns every sample of /metrics by its name and labels, as "name{k=v,...}".
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	out := map[string]float64{}
	for name, mf := range fams {
		for _, m := range mf.GetMetric() {
			key := name
			if len(m.GetLabel()) > 0 {
				var labels []string
				for _, l := range m.GetLabel() {
					labels = append(labels, l.GetName()+"="+l.GetValue())
				}
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				out[key+"_count"] = float64(m.GetHistogram().GetSampleCount())
				out[key+"_sum"] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	return out
}

// waitMetric waits until /metrics shows name at want.
func waitMetric(t *testing.T, addr, name string, want float64) map[string]float64 {
	t.Helper()
	var got map[string]float64
	require.Eventually(t, func() bool {
		got = scrape(t, addr)
		return got[name] == want
	}, 30*time.Second, 20*time.Millisecond, "%s never reached %v", name, want)
	return got
}

func getStatus(t *testing.T, addr, name string) metrics.ConnectorStatus {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/connectors/" + name + "/status")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var st metrics.ConnectorStatus
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	return st
}

// demoLines returns the bundled capture's lines.
func demoLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "demo", "en0.log"))
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func appendLines(t *testing.T, file string, lines []string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func TestSourceMetricsAndStatus(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	lines := demoLines(t)
	first, second := lines[:2000], lines[2000:]
	appendLines(t, file, first)

	r := startCLI(t, "source", "--file", file, "--offsets", filepath.Join(dir, "offsets.json"),
		"--brokers", strings.Join(c.Brokers, ","), "--topic", topic, "--name", "en0-source",
		"--metrics-addr", "127.0.0.1:0", "--flush-interval", "100ms", "--progress", "off")
	addr := r.metricsAddr(t)

	got := waitMetric(t, addr, "bridge_source_records_produced_total", float64(len(first)))
	size := fileSizeOf(t, file)
	assert.EqualValues(t, len(first), got["bridge_source_lines_read_total"])
	assert.EqualValues(t, size, got["bridge_source_read_bytes_total"])
	assert.EqualValues(t, size, got["bridge_source_file_size_bytes"])
	assert.EqualValues(t, size, got["bridge_source_file_position_bytes"])
	assert.Zero(t, got["bridge_source_behind_bytes"])
	assert.Zero(t, got["bridge_source_produce_errors_total"])
	assert.EqualValues(t, len(first), got["bridge_source_produce_latency_seconds_count"])
	assert.Positive(t, got["bridge_source_produce_latency_seconds_sum"])
	assert.EqualValues(t, 1, got["bridge_source_info{connector=en0-source,file="+file+",topic="+topic+"}"])
	assert.Positive(t, got["go_goroutines"], "runtime metrics on the same registry")

	st := getStatus(t, addr, "en0-source")
	assert.Equal(t, "en0-source", st.Name)
	assert.Equal(t, "source", st.Type)
	assert.Equal(t, metrics.StateRunning, st.Connector.State)
	assert.Equal(t, addr, st.Connector.WorkerID)
	require.Len(t, st.Tasks, 1)
	assert.Equal(t, metrics.StateRunning, st.Tasks[0].State)
	assert.Empty(t, st.Tasks[0].Trace)

	appendLines(t, file, second)
	got = waitMetric(t, addr, "bridge_source_records_produced_total", float64(len(lines)))
	assert.EqualValues(t, len(lines), got["bridge_source_lines_read_total"])
	require.Eventually(t, func() bool {
		return scrape(t, addr)["bridge_source_offsets_saved_total"] > 0
	}, 10*time.Second, 20*time.Millisecond)

	recs := c.ReadAll(t, topic, len(lines), 30*time.Second)
	assert.Len(t, recs, len(lines), "every line reached Kafka")
	require.NoError(t, r.stop(t))
	_, err := http.Get("http://" + addr + "/metrics")
	assert.Error(t, err, "the server stops with the source")
}

func fileSizeOf(t *testing.T, file string) int64 {
	t.Helper()
	fi, err := os.Stat(file)
	require.NoError(t, err)
	return fi.Size()
}

// A source that fails shows FAILED, with the error as the trace, for --status-linger, then
// returns the error (exit 1).
func TestSourceFailedStatus(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	appendLines(t, file, []string{"short line", strings.Repeat("x", 500)})

	r := startCLI(t, "source", "--file", file, "--offsets", filepath.Join(dir, "offsets.json"),
		"--brokers", strings.Join(c.Brokers, ","), "--topic", topic,
		"--max-record-bytes", "100", "--oversize", "fail",
		"--metrics-addr", "127.0.0.1:0", "--status-linger", "1m", "--progress", "off")
	addr := r.metricsAddr(t)
	var st metrics.ConnectorStatus
	require.Eventually(t, func() bool {
		st = getStatus(t, addr, "local-file-source")
		return st.Connector.State == metrics.StateFailed
	}, 20*time.Second, 20*time.Millisecond)
	assert.Contains(t, st.Connector.Trace, "line over the record size limit")
	require.Len(t, st.Tasks, 1)
	assert.Equal(t, metrics.StateFailed, st.Tasks[0].State)
	assert.Equal(t, st.Connector.Trace, st.Tasks[0].Trace)
	assert.EqualValues(t, 1, scrape(t, addr)["bridge_source_oversize_lines_total"])

	err := r.stop(t) // a signal ends the linger
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line over the record size limit")
	assert.False(t, isUsage(err), "a failure exits 1, not 2")
}

func TestStreamMetrics(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 2)
	lines := demoLines(t)
	p := c.Client(t)
	for i, l := range lines {
		env := fmt.Sprintf(`{"schema":{"type":"string","optional":false},"payload":%s}`, strconv.Quote(l))
		p.Produce(context.Background(), &kgo.Record{Topic: topic, Partition: int32(i % 2), Value: []byte(env)}, nil)
	}
	require.NoError(t, p.Flush(context.Background()))

	out := filepath.Join(t.TempDir(), "pairs.jsonl")
	r := startCLI(t, "stream", topic, "--brokers", strings.Join(c.Brokers, ","), "--group", "g-"+topic,
		"--from-beginning", "--interval", "200ms", "--sink", "jsonl:"+out,
		"--metrics-addr", "127.0.0.1:0", "--progress", "off")
	addr := r.metricsAddr(t)
	got := waitMetric(t, addr, "bridge_stream_records_total", float64(len(lines)))
	require.Eventually(t, func() bool {
		got = scrape(t, addr)
		return got["bridge_stream_batch_records_sum"] == float64(len(lines))
	}, 20*time.Second, 20*time.Millisecond, "the records' batches were committed")
	assert.Positive(t, got["bridge_stream_batches_total"])
	assert.GreaterOrEqual(t, got["bridge_stream_batch_records_count"], 1.0)
	assert.Positive(t, got["bridge_stream_tuples_total"])
	assert.Equal(t, float64(len(lines)), got["bridge_stream_tuples_total"]+
		got["bridge_stream_skipped_records_total{reason=not_packet}"]+
		got["bridge_stream_skipped_records_total{reason=malformed}"]+
		got["bridge_stream_skipped_records_total{reason=too_large}"], "every record gave a tuple or was counted as skipped")
	for _, part := range []string{"0", "1"} {
		key := "bridge_stream_consumer_lag{partition=" + part + ",topic=" + topic + "}"
		require.Contains(t, got, key)
		assert.Zero(t, got[key], "everything was consumed")
	}
	assert.EqualValues(t, 1, got["bridge_stream_info{group=g-"+topic+",topics="+topic+"}"])
	require.NoError(t, r.stop(t))
}

// Far behind a large log, with stderr not a terminal, the source logs its progress.
func TestSourceProgressLogLines(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	lines := demoLines(t)
	var big []string
	for len(strings.Join(big, "\n")) < 12<<20 {
		big = append(big, lines...)
	}
	appendLines(t, file, big)

	r := startCLI(t, "source", "--file", file, "--offsets", filepath.Join(dir, "offsets.json"),
		"--brokers", strings.Join(c.Brokers, ","), "--topic", topic)
	start := r.logged(t, "far behind: catching up")
	assert.Equal(t, "source", start["job"])
	assert.Greater(t, start["behind_bytes"], float64(8<<20))
	assert.Contains(t, start, "percent")
	assert.Contains(t, start, "lines_per_sec")
	assert.Contains(t, start, "eta")
	done := r.logged(t, "caught up")
	assert.Equal(t, "source", done["job"])
	assert.Positive(t, done["lines"])
	// What was read while reporting plus what was left when the report began is the file.
	assert.InDelta(t, fileSizeOf(t, file)-int64(start["behind_bytes"].(float64)), 0, 4<<20,
		"the backlog began near the start of the file")
	require.NoError(t, r.stop(t))
}

func TestObserveFlagUsageErrors(t *testing.T) {
	for _, tc := range []struct{ name, flag, value, want string }{
		{"progress mode", "--progress", "fancy", "invalid value for --progress"},
		{"metrics address", "--metrics-addr", "9100", "invalid value for --metrics-addr"},
		{"linger", "--status-linger", "-1s", "invalid value for --status-linger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
			cmd.SetArgs([]string{"source", "--file", "x.log", "--offsets", filepath.Join(t.TempDir(), "o"), tc.flag, tc.value})
			err := cmd.Execute()
			require.Error(t, err)
			assert.True(t, isUsage(err), "exit 2: %v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMetricsPortBusyIsNotUsage(t *testing.T) {
	c := kafkatest.New(t)
	dir := t.TempDir()
	first := startCLI(t, "source", "--file", filepath.Join(dir, "a.log"), "--offsets", filepath.Join(dir, "a.json"),
		"--brokers", strings.Join(c.Brokers, ","), "--metrics-addr", "127.0.0.1:0")
	addr := first.metricsAddr(t)

	cmd := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	cmd.SetArgs([]string{"source", "--file", filepath.Join(dir, "b.log"), "--offsets", filepath.Join(dir, "b.json"),
		"--brokers", strings.Join(c.Brokers, ","), "--metrics-addr", addr})
	err := cmd.Execute()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "metrics:")
	assert.False(t, isUsage(err))
}

// --log-level and --log-format reach every logger, franz-go's included (through
// kgo.WithLogger: its lines start with "kafka: ").
func TestLogFlags(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	levels := func(r *cliRun) (map[string]int, int) {
		seen, kafka := map[string]int{}, 0
		sc := bufio.NewScanner(strings.NewReader(r.stderr.String()))
		for sc.Scan() {
			m := map[string]any{}
			require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "every line is JSON: %s", sc.Text())
			seen[m["level"].(string)]++
			if strings.HasPrefix(m["msg"].(string), "kafka: ") {
				kafka++
			}
		}
		return seen, kafka
	}
	args := []string{"stream", topic, "--brokers", strings.Join(c.Brokers, ","), "--group", "g-" + topic,
		"--interval", "100ms", "--sink", "jsonl:" + filepath.Join(t.TempDir(), "out.jsonl")}

	debug := startCLI(t, append(args, "--log-level", "debug")...)
	debug.logged(t, "partitions assigned")
	require.NoError(t, debug.stop(t))
	seen, kafka := levels(debug)
	assert.Positive(t, seen["DEBUG"])
	assert.Positive(t, kafka, "franz-go logs through slog")

	warn := startCLI(t, append(args, "--log-level", "warn", "--metrics-addr", "127.0.0.1:0")...)
	time.Sleep(500 * time.Millisecond) // long enough to join the group and log if it would
	require.NoError(t, warn.stop(t))
	seen, _ = levels(warn)
	assert.Zero(t, seen["INFO"]+seen["DEBUG"], "only warnings and errors: %s", warn.stderr.String())
}
