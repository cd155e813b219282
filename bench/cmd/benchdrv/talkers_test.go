package main

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/parser"
)

func sampleTemplates(t *testing.T) []template {
	t.Helper()
	path := filepath.Join(t.TempDir(), "en0.log")
	require.NoError(t, os.WriteFile(path, []byte(sampleLines), 0o644))
	tpl, err := readTemplates(path)
	require.NoError(t, err)
	return tpl
}

func TestFloodPairsAreDistinct(t *testing.T) {
	tpl := sampleTemplates(t)
	const n = 50_000
	v4, v6 := netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")
	seen := map[[2]string]bool{}
	var line []byte
	for i := range n {
		line = floodLine(line[:0], tpl, i)
		p, err := parser.Tshark(line)
		require.NoError(t, err, "line %d: %s", i, line)
		seen[[2]string{p.Source, p.Destination}] = true
		src := netip.MustParseAddr(p.Source)
		want := tpl[i%len(tpl)]
		if templateV6(want) {
			assert.True(t, v6.Contains(src), "line %d: %s", i, line)
			assert.Equal(t, "::1", p.Destination)
		} else {
			assert.True(t, v4.Contains(src), "line %d: %s", i, line)
			assert.Equal(t, "127.0.0.1", p.Destination)
		}
		// The frame keeps the template's length: the Length field is unchanged.
		assert.Equal(t, strings.Fields(string(want.rest))[4], strings.Fields(string(line))[6])
	}
	assert.Len(t, seen, n, "every record of the flood is a pair of its own")
}

func TestExactTopicHasFewPairsAndOneTop(t *testing.T) {
	tpl := sampleTemplates(t)
	v4, v6 := splitFamilies(tpl)
	require.NotEmpty(t, v4)
	require.NotEmpty(t, v6)
	for _, n := range []int{1_000, 200_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			order := exactOrder(n)
			require.Len(t, order, n)
			c := newExactCounter(false)
			var line []byte
			for i, j := range order {
				line = exactLine(line[:0], v4, v6, i, j)
				require.True(t, c.addLine(string(line)), "%s", line)
			}
			assert.LessOrEqual(t, len(c.keys), exactPairs)
			top := c.top(topN+1, false)
			require.Len(t, top, topN+1)
			for i := 1; i < len(top); i++ {
				assert.Greater(t, top[i-1].packets, top[i].packets, "the top %d has no ties", topN)
			}
		})
	}
}

func TestExactCounter(t *testing.T) {
	lines := []string{
		"1 0.0 10.0.0.1 → 10.0.0.9 TCP 60 a",
		"2 0.1 10.0.0.2 → 10.0.0.9 TCP 1500 b",
		"3 0.2 10.0.0.1 → 10.0.0.9 UDP 100 c",
		"4 0.3 10.0.0.3 → 10.0.0.9 TCP 1500",
		"5 0.4 10.0.0.9 → 10.0.0.1 TCP 40",
	}
	pairs, hosts := newExactCounter(false), newExactCounter(true)
	for _, l := range lines {
		require.True(t, pairs.addLine(l))
		require.True(t, hosts.addLine(l))
	}
	assert.False(t, pairs.addLine("Capturing on 'lo'"))

	assert.Equal(t, []talker{
		{key: "10.0.0.1 10.0.0.9", packets: 2, bytes: 160},
		{key: "10.0.0.2 10.0.0.9", packets: 1, bytes: 1500},
		{key: "10.0.0.3 10.0.0.9", packets: 1, bytes: 1500},
	}, pairs.top(3, false), "ties go by key ascending")
	assert.Equal(t, []talker{
		{key: "10.0.0.2 10.0.0.9", packets: 1, bytes: 1500},
		{key: "10.0.0.3 10.0.0.9", packets: 1, bytes: 1500},
	}, pairs.top(2, true))
	assert.Equal(t, []talker{
		{key: "10.0.0.9", packets: 5, bytes: 3200},
		{key: "10.0.0.1", packets: 3, bytes: 200},
	}, hosts.top(2, false), "a host counts what it sent and what it received")

	ok, _ := sameTop(pairs.top(2, false), []talker{{key: "10.0.0.1 10.0.0.9", packets: 2}, {key: "10.0.0.2 10.0.0.9", packets: 1}})
	assert.True(t, ok, "rows without bytes compare on packets")
	ok, why := sameTop(pairs.top(2, false), []talker{{key: "10.0.0.1 10.0.0.9", packets: 2, bytes: 1}, {key: "10.0.0.2 10.0.0.9", packets: 1}})
	assert.False(t, ok)
	assert.Contains(t, why, "row 1")
	ok, _ = sameTop(pairs.top(2, false), pairs.top(3, false))
	assert.False(t, ok)
}

func TestPipelineAWKParsesThePayload(t *testing.T) {
	awk, err := exec.LookPath("awk")
	require.NoError(t, err, "the pipeline peer needs awk")
	tpl := sampleTemplates(t)
	var in strings.Builder
	c := newExactCounter(false)
	var want []string
	var line, env []byte
	for i := range 6 {
		line = floodLine(line[:0], tpl, i)
		env = connector.FormatJSONSchema.AppendValue(env[:0], line)
		in.Write(append(env, '\n'))
		require.True(t, c.addLine(string(line)))
		f := strings.Fields(string(line))
		want = append(want, f[2]+" "+f[4])
	}
	cmd := exec.Command(awk, pipelineAWK)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, want, strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"))
	assert.Contains(t, pipelineScript("127.0.0.1:9092", "T"), "| sort | uniq -c | sort -rn | head -n 10")

	top := filepath.Join(t.TempDir(), "top.txt")
	require.NoError(t, os.WriteFile(top, []byte("      3 10.0.0.1 ::1\n      1 10.0.0.2 ::1\n"), 0o644))
	assert.Equal(t, []talker{{key: "10.0.0.1 ::1", packets: 3}, {key: "10.0.0.2 ::1", packets: 1}}, readUniqTop(top))
}

func TestTopWatchTalkersOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "top.jsonl")
	aw := newTopWatch(path, "http://127.0.0.1:1/metrics", 5, false)
	got, err := aw.progress()
	require.NoError(t, err)
	assert.Zero(t, got, "no file yet")

	first := `{"src":"a","dst":"b","count":2,"batch_time":"t1","packets":2,"bytes":20,"window_start":"t0","window_end":"t1"}
{"window_start":"t0","window_end":"t1","total_packets":2,"total_bytes":20,"keys":1}
{"src":"a","dst":"b","count":4,"batch_time":"t2","packets":4,"bytes":40,"window_start":"t0","window_end":"t2"}
{"src":"c","dst":"d","count":1,"batch_time":"t2","packets":1,"bytes":9,"window_start":"t0","window_end":"t2"}
{"window_start":"t0","window_end":"t2","total_pa`
	require.NoError(t, os.WriteFile(path, []byte(first), 0o644))
	got, err = aw.progress()
	require.NoError(t, err)
	assert.Zero(t, got, "the window with all records is not whole yet")

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`ckets":5,"total_bytes":49,"keys":2}` + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err = aw.progress()
	require.NoError(t, err)
	assert.Equal(t, int64(5), got)
	assert.Equal(t, []talker{{key: "a b", packets: 4, bytes: 40}, {key: "c d", packets: 1, bytes: 9}}, aw.answer())
}

func TestTopWatchRowsOnlyWaitsForTheMetric(t *testing.T) {
	var records atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "# TYPE bridge_stream_records_total counter\nbridge_stream_records_total %d\nbridge_stream_tuples_total 0\n", records.Load())
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "top.jsonl")
	aw := newTopWatch(path, srv.URL, 3, false)
	appendLines := func(s string) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		require.NoError(t, err)
		_, err = f.WriteString(s)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	appendLines(`{"src":"a","dst":"b","count":1,"batch_time":"t1"}` + "\n")
	records.Store(3)
	got, err := aw.progress()
	require.NoError(t, err)
	assert.Zero(t, got, "a window written before all records were read is not the answer")

	appendLines(`{"src":"a","dst":"b","count":2,"batch_time":"t2"}` + "\n" + `{"src":"c","dst":"d","count":1,"batch_time":"t2"}` + "\n")
	got, err = aw.progress()
	require.NoError(t, err)
	assert.Equal(t, int64(3), got)
	assert.Equal(t, []talker{{key: "a b", packets: 2}, {key: "c d", packets: 1}}, aw.answer())
}

func TestMissingFlags(t *testing.T) {
	have := map[string]bool{"top": true, "window": true, "by": true}
	assert.Empty(t, missingFlags([]string{"--by", "bytes"}, have, nil))
	assert.Empty(t, missingFlags(nil, have, nil))
	assert.Equal(t, "bin/bridge stream has no --key, --top-capacity=5 (not in main yet)",
		missingFlags([]string{"--key", "host", "--top-capacity=5"}, have, nil))
	assert.True(t, hasFlag([]string{"--key", "host"}, "--key", "host"))
	assert.True(t, hasFlag([]string{"--by=bytes"}, "--by", "bytes"))
	assert.False(t, hasFlag([]string{"--by", "packets"}, "--by", "bytes"))

	n, err := scrapeCounter(strings.NewReader("x_total 1\nbridge_stream_records_total 1e+06\n"), "bridge_stream_records_total")
	require.NoError(t, err)
	assert.Equal(t, int64(1_000_000), n)
}

func TestAnswerDelayHistogram(t *testing.T) {
	text := `# HELP bridge_stream_window_answer_delay_seconds x
# TYPE bridge_stream_window_answer_delay_seconds histogram
bridge_stream_window_answer_delay_seconds_bucket{le="0.01"} 0
bridge_stream_window_answer_delay_seconds_bucket{le="0.02"} 2
bridge_stream_window_answer_delay_seconds_bucket{le="0.04"} 9
bridge_stream_window_answer_delay_seconds_bucket{le="+Inf"} 10
bridge_stream_window_answer_delay_seconds_sum 0.35
bridge_stream_window_answer_delay_seconds_count 10
bridge_stream_windows_closed_total 10
`
	h, err := parseHistogram(strings.NewReader(text), "bridge_stream_window_answer_delay_seconds")
	require.NoError(t, err)
	assert.Equal(t, int64(10), h.count)
	assert.InDelta(t, 0.35, h.sum, 1e-9)
	require.Len(t, h.buckets, 4)
	assert.Equal(t, 0.02, quantile(h.buckets, h.count, 0.2))
	assert.Equal(t, 0.04, quantile(h.buckets, h.count, 0.5))
	assert.True(t, math.IsInf(quantile(h.buckets, h.count, 0.99), 1), "the 10th is beyond the last bound")

	both := mergeBuckets(mergeBuckets(nil, h.buckets), h.buckets)
	assert.Equal(t, int64(4), both[1].count)
	assert.Equal(t, int64(2), h.buckets[1].count, "merging leaves its inputs alone")
}
