package progress

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/testutil"
)

type syncBuffer = testutil.SyncBuffer

// logLines decodes the JSON log lines in out.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		m := map[string]any{}
		require.NoError(t, json.Unmarshal([]byte(l), &m), "log line %q", l)
		lines = append(lines, m)
	}
	return lines
}

func newLogReporter(t *testing.T, out *syncBuffer) *Reporter {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(out, nil))
	r, err := New(Config{Name: "source", Unit: Bytes, Items: "lines", Mode: ModeLog,
		Tick: DefaultTick, LogEvery: 10 * time.Second, MinETA: DefaultMinETA, MinBehind: 8 << 20}, nil, log, nil)
	require.NoError(t, err)
	return r
}

// A source that starts 100 MiB behind a log and reads 10 MiB (100k lines) a second while
// nothing is appended: logged at once, then "caught up" on the first tick with less than
// MinBehind and half a second of work left (2.5 MiB at 9.75 s), and nothing after.
func TestLogPathReportsBacklog(t *testing.T) {
	var out syncBuffer
	r := newLogReporter(t, &out)
	start := time.Unix(1000, 0)
	const total, perSec, linesPerSec = 100 << 20, 10 << 20, 100000
	for i := 0; i <= 12*4; i++ { // ticks of 250ms for 12 s
		now := start.Add(time.Duration(i) * 250 * time.Millisecond)
		done := min(int64(i)*perSec/4, total)
		r.step(now, Sample{Behind: total - done, Done: done, Items: done * linesPerSec / perSec})
	}
	lines := logLines(t, out.String())
	require.Len(t, lines, 2, "first report and caught up: %s", out.String())

	first := lines[0]
	assert.Equal(t, "far behind: catching up", first["msg"])
	assert.Equal(t, "source", first["job"])
	assert.EqualValues(t, total, first["behind_bytes"])
	assert.EqualValues(t, 0, first["percent"])
	assert.Equal(t, "unknown", first["eta"], "no rate yet")

	last := lines[1]
	assert.Equal(t, "caught up", last["msg"])
	assert.EqualValues(t, 39*perSec/4, last["bytes"])
	assert.EqualValues(t, 39*linesPerSec/4, last["lines"])
	assert.Equal(t, "9.75s", last["took"])
}

func TestLogPathFiguresMidway(t *testing.T) {
	var out syncBuffer
	r := newLogReporter(t, &out)
	start := time.Unix(1000, 0)
	const total, perSec = 200 << 20, 10 << 20
	var last time.Time
	// 10.25 s at a steady 10 MiB/s: the smoothed rate has converged to within a few percent.
	for i := 0; i <= 41; i++ {
		last = start.Add(time.Duration(i) * 250 * time.Millisecond)
		done := int64(i) * perSec / 4
		r.step(last, Sample{Behind: total - done, Done: done, Items: int64(i) * 1000})
	}
	lines := logLines(t, out.String())
	require.Len(t, lines, 2)
	mid := lines[1]
	assert.Equal(t, "catching up", mid["msg"])
	// 100 MiB of 200 MiB read at the 10 s tick.
	assert.InDelta(t, 50.0, mid["percent"], 0.01)
	assert.EqualValues(t, total/2, mid["behind_bytes"])
	assert.InDelta(t, 4000, mid["lines_per_sec"], 400)
	eta, err := time.ParseDuration(mid["eta"].(string))
	require.NoError(t, err)
	assert.InDelta(t, 10, eta.Seconds(), 2, "100 MiB left at 10 MiB/s")
}

func TestQuietWhenKeepingUp(t *testing.T) {
	var out syncBuffer
	r := newLogReporter(t, &out)
	start := time.Unix(1000, 0)
	// tshark appends 1 MiB/s and the source keeps 64 KiB behind: never worth a report.
	for i := 0; i < 100; i++ {
		done := int64(i) << 20 / 4
		r.step(start.Add(time.Duration(i)*250*time.Millisecond), Sample{Behind: 64 << 10, Done: done, Items: int64(i)})
	}
	assert.Empty(t, out.String())
}

// A backlog under MinBehind still counts when it takes longer than MinETA to work off.
func TestSlowBacklogBelowSizeThreshold(t *testing.T) {
	var out syncBuffer
	r := newLogReporter(t, &out)
	start := time.Unix(1000, 0)
	r.step(start, Sample{Behind: 4 << 20})
	assert.Empty(t, out.String(), "4 MiB is under 8 MiB and there is no rate yet")
	for i := 1; i <= 8; i++ { // 100 KiB/s: 4 MiB is 40 s of work
		done := int64(i) * 100 << 10
		r.step(start.Add(time.Duration(i)*time.Second), Sample{Behind: 4<<20 - done, Done: done})
	}
	lines := logLines(t, out.String())
	require.NotEmpty(t, lines)
	assert.Equal(t, "far behind: catching up", lines[0]["msg"])
}

func TestNotShrinkingHasNoETA(t *testing.T) {
	var out syncBuffer
	r := newLogReporter(t, &out)
	start := time.Unix(1000, 0)
	// Reading 1 MiB/s while 2 MiB/s are appended: the gap grows.
	for i := 0; i <= 11; i++ {
		r.step(start.Add(time.Duration(i)*time.Second), Sample{Behind: int64(20+i) << 20, Done: int64(i) << 20})
	}
	lines := logLines(t, out.String())
	require.Len(t, lines, 2)
	assert.Equal(t, "unknown", lines[1]["eta"])
}

func TestBarOnTerminal(t *testing.T) {
	var screen syncBuffer
	term := NewTerminal(&screen)
	log := slog.New(slog.NewTextHandler(term, nil))
	r, err := New(Config{Name: "stream", Unit: Records, Items: "records", Mode: ModeBar,
		Tick: DefaultTick, LogEvery: DefaultLogEvery, MinETA: DefaultMinETA, MinBehind: 1000},
		nil, log, term)
	require.NoError(t, err)
	start := time.Unix(1000, 0)
	r.step(start, Sample{Behind: 1_000_000})
	r.step(start.Add(time.Second), Sample{Behind: 500_000, Done: 500_000, Items: 500_000})
	log.Info("a log line while the bar shows")
	r.step(start.Add(2*time.Second), Sample{Behind: 0, Done: 1_000_000, Items: 1_000_000})

	got := screen.String()
	assert.Contains(t, got, clearLine+"stream [            ") // 0% first
	assert.Contains(t, got, "]  50.0%  500.0k records left  500.0k records/s  ETA 1s")
	// The log line clears the bar, and the bar comes back under it.
	assert.Regexp(t, `\r\x1b\[K[^\r]*a log line while the bar shows[^\n]*\n\r?[^\n]*stream \[`, got)
	assert.Contains(t, got, clearLine+"stream [========================] 100.0%  caught up: 1.0M records in 2s\n")
	assert.True(t, strings.HasSuffix(got, "msg=\"caught up\" job=stream records=1000000 took=2s\n"),
		"caught-up line after the finished bar: %q", got)
}

func TestRunSamplesUntilCancelled(t *testing.T) {
	var out syncBuffer
	log := slog.New(slog.NewJSONHandler(&out, nil))
	var done atomic.Int64
	sample := func() Sample {
		d := min(done.Add(1<<20), 50<<20)
		return Sample{Behind: 50<<20 - d, Done: d, Items: d / 100}
	}
	r, err := New(Config{Name: "source", Unit: Bytes, Items: "lines", Mode: ModeLog,
		Tick: time.Millisecond, LogEvery: DefaultLogEvery, MinETA: DefaultMinETA, MinBehind: 8 << 20}, sample, log, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan error)
	go func() { ended <- r.Run(ctx) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), `"msg":"caught up"`) },
		10*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-ended)
	lines := logLines(t, out.String())
	assert.Equal(t, "far behind: catching up", lines[0]["msg"])
}

func TestParseMode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mode
		err  bool
	}{
		{"auto", ModeAuto, false}, {"BAR", ModeBar, false}, {"log", ModeLog, false},
		{"off", ModeOff, false}, {"tty", 0, true}, {"", 0, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			m, err := ParseMode(tc.in)
			if tc.err {
				assert.ErrorIs(t, err, ErrUnknownMode)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, m)
			assert.Equal(t, strings.ToLower(tc.in), m.String())
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for name, cfg := range map[string]Config{
		"auto unresolved": {Mode: ModeAuto},
		"negative":        {Mode: ModeLog, MinBehind: -1},
		"bad mode":        {Mode: Mode(9)},
		"no tick":         {Mode: ModeLog, LogEvery: time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, cfg.Validate(), ErrInvalidConfig)
		})
	}
	cfg := DefaultConfig()
	cfg.Mode = ModeBar
	_, err := New(cfg, nil, slog.Default(), nil)
	assert.ErrorIs(t, err, ErrInvalidConfig, "a bar needs a terminal")
}

func TestAmounts(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		u    Unit
		want string
	}{
		{512, Bytes, "512 B"}, {8 << 20, Bytes, "8.0 MiB"}, {3 << 30, Bytes, "3.0 GiB"},
		{999, Records, "999 records"}, {25_000, Records, "25.0k records"}, {2_500_000, Records, "2.5M records"},
	} {
		t.Run(tc.want, func(t *testing.T) { assert.Equal(t, tc.want, amount(tc.n, tc.u)) })
	}
}

// A job hovering around MinBehind reports one backlog, not one per crossing.
func TestHoveringAtThresholdIsOneBacklog(t *testing.T) {
	var out syncBuffer
	r := newLogReporter(t, &out)
	start := time.Unix(1000, 0)
	var done int64
	for i := 0; i < 40; i++ {
		behind := int64(9 << 20)
		if i%2 == 1 {
			behind = 7 << 20 // under MinBehind, but 7 s of work at 1 MiB/s
		}
		done += 1 << 20
		r.step(start.Add(time.Duration(i)*time.Second), Sample{Behind: behind, Done: done})
	}
	var starts int
	for _, l := range logLines(t, out.String()) {
		assert.NotEqual(t, "caught up", l["msg"])
		if l["msg"] == "far behind: catching up" {
			starts++
		}
	}
	assert.Equal(t, 1, starts)
}

func TestETAString(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "unknown"}, {-time.Second, "unknown"}, {50 * time.Millisecond, "<1s"},
		{1400 * time.Millisecond, "1s"}, {72*time.Second + 600*time.Millisecond, "1m13s"},
	} {
		t.Run(tc.want, func(t *testing.T) { assert.Equal(t, tc.want, etaString(tc.d)) })
	}
}

// A backlog that appears at once (the stream's lag is unknown until its first poll) gets
// an ETA from how fast it then shrinks, not from the jump.
func TestETAAfterSuddenBacklog(t *testing.T) {
	var out syncBuffer
	log := slog.New(slog.NewJSONHandler(&out, nil))
	r, err := New(Config{Name: "stream", Unit: Records, Items: "records", Mode: ModeLog,
		Tick: DefaultTick, LogEvery: time.Second, MinETA: DefaultMinETA, MinBehind: 100_000}, nil, log, nil)
	require.NoError(t, err)
	start := time.Unix(1000, 0)
	r.step(start, Sample{})
	r.step(start.Add(time.Second), Sample{Behind: 1_500_000, Done: 500_000, Items: 500_000})
	r.step(start.Add(2*time.Second), Sample{Behind: 1_000_000, Done: 1_000_000, Items: 1_000_000})
	lines := logLines(t, out.String())
	require.Len(t, lines, 2)
	assert.Equal(t, "3s", lines[0]["eta"], "issue 12.13: 1.5M left at the 500k/s worked so far, not unknown")
	assert.Equal(t, "2s", lines[1]["eta"], "1M left, shrinking 500k/s")
}

// Issue 12 point 13: a stream started 1.5M records behind learns its lag only from its
// first poll, which already took a batch. Its first report, the only one when the
// backlog is worked off within LogEvery, said percent=0 and eta=unknown; it now counts
// that batch as done and estimates the ETA from the rate so far.
func TestFirstReportOfSuddenBacklog(t *testing.T) {
	var out syncBuffer
	log := slog.New(slog.NewJSONHandler(&out, nil))
	r, err := New(Config{Name: "stream", Unit: Records, Items: "records", Mode: ModeLog,
		Tick: DefaultTick, LogEvery: 10 * time.Second, MinETA: DefaultMinETA, MinBehind: 100_000}, nil, log, nil)
	require.NoError(t, err)
	start := time.Unix(1000, 0)
	const total, perTick = 1_500_000, 150_000 // 300k records/s at 500ms ticks
	r.step(start, Sample{})                   // before the first poll: no lag known
	for i := int64(1); i*perTick <= total; i++ {
		done := i * perTick
		r.step(start.Add(time.Duration(i)*DefaultTick), Sample{Behind: total - done, Done: done, Items: done})
	}
	lines := logLines(t, out.String())
	require.Len(t, lines, 2, out.String())
	first := lines[0]
	assert.Equal(t, "far behind: catching up", first["msg"])
	assert.EqualValues(t, 1_350_000, first["behind_records"])
	assert.EqualValues(t, 10, first["percent"], "the first poll's 150k of 1.5M")
	assert.Equal(t, "5s", first["eta"], "1.35M left at 300k/s")
	last := lines[1]
	assert.Equal(t, "caught up", last["msg"])
	assert.EqualValues(t, total, last["records"], "the whole backlog, the first poll's batch included")
}
