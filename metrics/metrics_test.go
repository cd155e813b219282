package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/stream"
)

func TestSourceCollector(t *testing.T) {
	file := filepath.Join(t.TempDir(), "en0.log")
	require.NoError(t, os.WriteFile(file, []byte(strings.Repeat("x", 1000)), 0o644))
	var st connector.Stats
	st.LinesRead.Store(7)
	st.BytesRead.Store(700)
	st.RecordsProduced.Store(6)
	st.ProduceErrors.Store(1)
	st.OffsetsSaved.Store(3)
	st.Rotations.Store(2)
	st.OversizeLines.Store(4)
	st.Position.Store(700)
	c := NewSource("local-file-source", file, "demo2", &st)

	want := `
# HELP bridge_source_behind_bytes Bytes between the read position and the end of the file now at the path.
# TYPE bridge_source_behind_bytes gauge
bridge_source_behind_bytes 300
# HELP bridge_source_file_size_bytes Size of the file now at the path (absent while there is none).
# TYPE bridge_source_file_size_bytes gauge
bridge_source_file_size_bytes 1000
# HELP bridge_source_lines_read_total Complete lines read from the log.
# TYPE bridge_source_lines_read_total counter
bridge_source_lines_read_total 7
# HELP bridge_source_records_produced_total Records Kafka acknowledged.
# TYPE bridge_source_records_produced_total counter
bridge_source_records_produced_total 6
# HELP bridge_source_rotations_total Rename+create rotations followed.
# TYPE bridge_source_rotations_total counter
bridge_source_rotations_total 2
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want),
		"bridge_source_behind_bytes", "bridge_source_file_size_bytes", "bridge_source_lines_read_total",
		"bridge_source_records_produced_total", "bridge_source_rotations_total"))
	assert.Equal(t, 16, testutil.CollectAndCount(c), "twelve counters, info, position, size and behind")
	require.NoError(t, prometheus.NewPedanticRegistry().Register(c), "descriptions match what is collected")

	t.Run("no file yet", func(t *testing.T) {
		c := NewSource("s", filepath.Join(t.TempDir(), "absent.log"), "demo2", &st)
		assert.Equal(t, 15, testutil.CollectAndCount(c), "no size without a file")
		assert.Equal(t, 0.0, gather(t, c)["bridge_source_behind_bytes"].GetMetric()[0].GetGauge().GetValue())
	})
	t.Run("position past a truncated file", func(t *testing.T) {
		st.Position.Store(5000)
		behind, ok := BytesBehind(file, &st)
		assert.True(t, ok)
		assert.Zero(t, behind)
	})
}

func TestProduceLatency(t *testing.T) {
	p := NewProduceLatency("demo2")
	p.OnProduceRecordUnbuffered(&kgo.Record{Topic: "demo2", Timestamp: time.Now().Add(-30 * time.Millisecond)}, nil)
	p.OnProduceRecordUnbuffered(&kgo.Record{Topic: "demo2", Timestamp: time.Now().Add(-3 * time.Second)}, nil)
	p.OnProduceRecordUnbuffered(&kgo.Record{Topic: "demo2", Timestamp: time.Now()}, errors.New("failed"))
	p.OnProduceRecordUnbuffered(&kgo.Record{Topic: "bridge-offsets", Timestamp: time.Now()}, nil)

	h := histogramOf(t, p, "bridge_source_produce_latency_seconds")
	assert.EqualValues(t, 2, h.GetSampleCount(), "failures and other topics are not observed")
	assert.InDelta(t, 3.03, h.GetSampleSum(), 0.5)
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == 0.064 {
			assert.EqualValues(t, 1, b.GetCumulativeCount(), "30ms falls at or under the 64ms bucket")
		}
	}
}

// gather returns the families c collects, by name.
func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := make(map[string]*dto.MetricFamily, len(mfs))
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func histogramOf(t *testing.T, c prometheus.Collector, name string) *dto.Histogram {
	t.Helper()
	mf := gather(t, c)[name]
	require.NotNil(t, mf, "no metric %s", name)
	return mf.GetMetric()[0].GetHistogram()
}

func TestStreamBatchesLag(t *testing.T) {
	o := NewStreamBatches()
	now := time.Unix(1000, 0)
	o.now = func() time.Time { return now }
	o.Polled(fetches("demo2", 0, 100, 10, 11))
	o.Polled(fetches("demo2", 1, 50, 49))
	o.Polled(fetches("demo2", 2, 70)) // fetched, nothing new: caught up
	failed := fetches("demo2", 3, 70)
	failed[0].Topics[0].Partitions[0].Err = errors.New("not leader")
	o.Polled(failed)
	assert.EqualValues(t, 88, o.Lag(), "partition 0: 100-12, partition 1: 50-50")

	want := `
# HELP bridge_stream_consumer_lag Records of a partition after the last one polled: the high watermark (counting transaction markers) as of the last fetch minus the next offset to poll.
# TYPE bridge_stream_consumer_lag gauge
bridge_stream_consumer_lag{partition="0",topic="demo2"} 88
bridge_stream_consumer_lag{partition="1",topic="demo2"} 0
bridge_stream_consumer_lag{partition="2",topic="demo2"} 0
`
	require.NoError(t, testutil.CollectAndCompare(o, strings.NewReader(want), "bridge_stream_consumer_lag"))

	now = now.Add(30 * time.Second)
	o.Polled(fetches("demo2", 0, 120, 119))
	now = now.Add(45 * time.Second)
	assert.EqualValues(t, 0, o.Lag(), "partitions 1 and 2 are forgotten after a minute without news")
	assert.Equal(t, 3, testutil.CollectAndCount(o), "two histograms and partition 0's lag")
}

func fetches(topic string, partition int32, hwm int64, offsets ...int64) kgo.Fetches {
	p := kgo.FetchPartition{Partition: partition, HighWatermark: hwm}
	for _, off := range offsets {
		p.Records = append(p.Records, &kgo.Record{Topic: topic, Partition: partition, Offset: off})
	}
	return kgo.Fetches{{Topics: []kgo.FetchTopic{{Topic: topic, Partitions: []kgo.FetchPartition{p}}}}}
}

func TestStreamBatchesHistograms(t *testing.T) {
	o := NewStreamBatches()
	o.BatchDone(0, time.Millisecond)
	o.BatchDone(1000, 200*time.Millisecond)
	h := histogramOf(t, o, "bridge_stream_batch_records")
	assert.EqualValues(t, 2, h.GetSampleCount())
	assert.EqualValues(t, 1000, h.GetSampleSum())
	d := histogramOf(t, o, "bridge_stream_batch_duration_seconds")
	assert.InDelta(t, 0.201, d.GetSampleSum(), 1e-9)
}

func TestStreamStats(t *testing.T) {
	c := NewStreamStats("g", []string{"demo2", "other"}, func() stream.Stats {
		return stream.Stats{Records: 10, Tuples: 7, NotPacket: 2, Malformed: 1, Batches: 4}
	})
	want := `
# HELP bridge_stream_info The stream's consumer group and topics; always 1.
# TYPE bridge_stream_info gauge
bridge_stream_info{group="g",topics="demo2,other"} 1
# HELP bridge_stream_skipped_records_total Records that gave no tuple (parse failures): not_packet (not a tshark packet line), malformed (a broken Connect envelope), too_large (over the value limit).
# TYPE bridge_stream_skipped_records_total counter
bridge_stream_skipped_records_total{reason="malformed"} 1
bridge_stream_skipped_records_total{reason="not_packet"} 2
bridge_stream_skipped_records_total{reason="too_large"} 0
# HELP bridge_stream_batches_total Batches written and committed, empty ones included.
# TYPE bridge_stream_batches_total counter
bridge_stream_batches_total 4
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want),
		"bridge_stream_info", "bridge_stream_skipped_records_total", "bridge_stream_batches_total"))
	require.NoError(t, prometheus.NewPedanticRegistry().Register(c))
}

// requestJSON sends method to url and returns the status code and the body of a JSON answer.
func requestJSON(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, http.NoBody)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestStatus(t *testing.T) {
	st := NewStatus("local-file-source", "host1:8083", ServerInfo{Version: "v1", Commit: "abc"})
	mux := http.NewServeMux()
	st.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path string) (int, string) { return requestJSON(t, "GET", srv.URL+path) }
	for _, tc := range []struct {
		name, path string
		prepare    func()
		code       int
		body       string
	}{
		{"root", "/", nil, 200, `{"version":"v1","commit":"abc"}`},
		{"list", "/connectors", nil, 200, `["local-file-source"]`},
		{"unassigned", "/connectors/local-file-source/status", nil, 200,
			`{"name":"local-file-source","connector":{"state":"UNASSIGNED","worker_id":"host1:8083"},"tasks":[{"id":0,"state":"UNASSIGNED","worker_id":"host1:8083"}],"type":"source"}`},
		{"running", "/connectors/local-file-source/status", st.Running, 200,
			`{"name":"local-file-source","connector":{"state":"RUNNING","worker_id":"host1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"host1:8083"}],"type":"source"}`},
		{"unknown connector", "/connectors/other/status", nil, 404,
			`{"error_code":404,"message":"No status found for connector other"}`},
		{"failed", "/connectors/local-file-source/status", func() { st.Failed(errors.New("produce line: boom")) }, 200,
			`{"name":"local-file-source","connector":{"state":"FAILED","worker_id":"host1:8083","trace":"produce line: boom"},"tasks":[{"id":0,"state":"FAILED","worker_id":"host1:8083","trace":"produce line: boom"}],"type":"source"}`},
		{"task", "/connectors/local-file-source/tasks/0/status", nil, 200,
			`{"id":0,"state":"FAILED","worker_id":"host1:8083","trace":"produce line: boom"}`},
		{"unknown task", "/connectors/local-file-source/tasks/1/status", nil, 404,
			`{"error_code":404,"message":"No status found for task local-file-source-1"}`},
		{"expanded", "/connectors?expand=status", nil, 200,
			`{"local-file-source":{"status":{"name":"local-file-source","connector":{"state":"FAILED","worker_id":"host1:8083","trace":"produce line: boom"},"tasks":[{"id":0,"state":"FAILED","worker_id":"host1:8083","trace":"produce line: boom"}],"type":"source"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != nil {
				tc.prepare()
			}
			code, body := get(tc.path)
			assert.Equal(t, tc.code, code)
			assert.JSONEq(t, tc.body, body)
		})
	}
	resp, err := http.Post(srv.URL+"/connectors", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "read-only")
}

func TestServeUntilCancelled(t *testing.T) {
	reg := NewRegistry()
	var st connector.Stats
	st.LinesRead.Store(42)
	reg.MustRegister(NewSource("s", "absent", "t", &st))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Serve(ctx, ln, NewMux(reg, slog.New(slog.DiscardHandler))) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(body), "bridge_source_lines_read_total 42\n")
	assert.Contains(t, string(body), "go_goroutines ", "runtime collector")
	cancel()
	require.NoError(t, <-done)
	_, err = http.Get("http://" + ln.Addr().String() + "/metrics")
	assert.Error(t, err, "closed after the stop")
}

func TestStatusJSONRoundTrip(t *testing.T) {
	st := NewStatus("n", "w:1", ServerInfo{})
	st.Running()
	b, err := json.Marshal(st.Snapshot())
	require.NoError(t, err)
	var back ConnectorStatus
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, st.Snapshot(), back)
}

func TestStreamGroupMetrics(t *testing.T) {
	c := NewStreamStats("g", []string{"demo2"}, func() stream.Stats {
		return stream.Stats{LateRecords: 3, WindowsOpen: 2, WindowsClosed: 9, SummaryBytes: 4096}
	})
	want := `
# HELP bridge_stream_late_records_total With --top: records whose window was already answered when they came (later than --grace); counted here and in no window.
# TYPE bridge_stream_late_records_total counter
bridge_stream_late_records_total 3
# HELP bridge_stream_windows_open With --top: windows this member merges (it owns their panes partition) not yet answered.
# TYPE bridge_stream_windows_open gauge
bridge_stream_windows_open 2
# HELP bridge_stream_windows_closed_total With --top: windows this member answered.
# TYPE bridge_stream_windows_closed_total counter
bridge_stream_windows_closed_total 9
# HELP bridge_stream_summary_bytes_total With --top: bytes of pane summaries this member produced to the group's panes topic.
# TYPE bridge_stream_summary_bytes_total counter
bridge_stream_summary_bytes_total 4096
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want), "bridge_stream_late_records_total",
		"bridge_stream_windows_open", "bridge_stream_windows_closed_total", "bridge_stream_summary_bytes_total"))

	o := NewStreamBatches()
	assert.Equal(t, 0, testutil.CollectAndCount(o, "bridge_stream_window_answer_delay_seconds"),
		"no window answered, no histogram")
	o.WindowAnswered(1500 * time.Millisecond)
	assert.Equal(t, 1, testutil.CollectAndCount(o, "bridge_stream_window_answer_delay_seconds"))
	require.NoError(t, prometheus.NewPedanticRegistry().Register(o))
}

// Issue 12 point 13: a path or method no resource serves is answered as Connect answers
// it, with its JSON error body; GET /health answers as Connect's worker does.
func TestStatusErrorsAndHealth(t *testing.T) {
	st := NewStatus("local-file-source", "host1:8083", ServerInfo{})
	mux := NewMux(NewRegistry(), slog.New(slog.DiscardHandler))
	st.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, tc := range []struct {
		name, method, path string
		prepare            func()
		code               int
		body               string
	}{
		{"unknown path", "GET", "/nope", nil, 404, `{"error_code":404,"message":"HTTP 404 Not Found"}`},
		{"unknown connector resource", "GET", "/connectors/local-file-source/config", nil, 404, `{"error_code":404,"message":"HTTP 404 Not Found"}`},
		{"create a connector", "POST", "/connectors", nil, 405, `{"error_code":405,"message":"HTTP 405 Method Not Allowed"}`},
		{"delete a status", "DELETE", "/connectors/local-file-source/status", nil, 405, `{"error_code":405,"message":"HTTP 405 Method Not Allowed"}`},
		{"POST to nowhere", "POST", "/nope", nil, 404, `{"error_code":404,"message":"HTTP 404 Not Found"}`},
		{"health while starting", "GET", "/health", nil, 503, `{"status":"starting","message":"Worker is still starting up."}`},
		{"health while running", "GET", "/health", st.Running, 200,
			`{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}`},
		{"health once failed", "GET", "/health", func() { st.Failed(errors.New("produce line: boom")) }, 500,
			`{"status":"unhealthy","message":"Connector local-file-source has failed: produce line: boom"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != nil {
				tc.prepare()
			}
			code, body := requestJSON(t, tc.method, srv.URL+tc.path)
			assert.Equal(t, tc.code, code)
			assert.JSONEq(t, tc.body, body)
		})
	}
	resp, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the catch-all leaves /metrics alone")
}
