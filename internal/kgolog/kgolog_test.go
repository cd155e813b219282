package kgolog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
)

// line is one JSON log line, as slog's JSON handler writes it.
type line struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Attrs map[string]any
}

func lines(t *testing.T, out string) []line {
	t.Helper()
	var ls []line
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l line
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "line %s", sc.Text())
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l.Attrs))
		ls = append(ls, l)
	}
	return ls
}

func TestLevel(t *testing.T) {
	for _, tt := range []struct {
		name  string
		slog  slog.Level
		want  kgo.LogLevel
		debug bool
	}{
		{"debug shows franz-go's info", slog.LevelDebug, kgo.LogLevelInfo, true},
		{"info shows only warnings", slog.LevelInfo, kgo.LogLevelWarn, false},
		{"warn shows only warnings", slog.LevelWarn, kgo.LogLevelWarn, false},
		{"error still asks for warnings", slog.LevelError, kgo.LogLevelWarn, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := slog.New(slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: tt.slog}))
			assert.Equal(t, tt.want, New(log).Level())
		})
	}
}

// The level is read at each call: a handler whose level moves is followed.
func TestLevelFollowsHandler(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(slog.LevelInfo)
	l := New(slog.New(slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: &lv})))
	assert.Equal(t, kgo.LogLevelWarn, l.Level())
	lv.Set(slog.LevelDebug)
	assert.Equal(t, kgo.LogLevelInfo, l.Level())
}

func TestLog(t *testing.T) {
	for _, tt := range []struct {
		name  string
		level kgo.LogLevel
		want  string
	}{
		{"error", kgo.LogLevelError, "ERROR"},
		{"warn", kgo.LogLevelWarn, "WARN"},
		{"info is debug", kgo.LogLevelInfo, "DEBUG"},
		{"debug is debug", kgo.LogLevelDebug, "DEBUG"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			New(log).Log(tt.level, "joined", "group", "g", "member_id", "m-1")
			ls := lines(t, buf.String())
			require.Len(t, ls, 1)
			assert.Equal(t, tt.want, ls[0].Level)
			assert.Equal(t, "kafka: joined", ls[0].Msg)
			assert.Equal(t, "g", ls[0].Attrs["group"])
			assert.Equal(t, "m-1", ls[0].Attrs["member_id"])
		})
	}
}

// A group member joining a real (or in-process) cluster: franz-go's info lines reach a
// debug logger at debug level and nothing below warn reaches an info logger; franz-go's
// own debug lines (every connection and request) reach neither.
func TestClient(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	for _, tt := range []struct {
		name     string
		level    slog.Level
		wantInfo bool
	}{
		{"debug", slog.LevelDebug, true},
		{"info", slog.LevelInfo, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out testutil.SyncBuffer
			log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: tt.level}))
			joined(t, c, topic, "g-"+topic+"-"+tt.name, log)
			var below, info, debug int
			for _, l := range lines(t, out.String()) {
				require.True(t, strings.HasPrefix(l.Msg, Prefix), "only franz-go logs here: %s", l.Msg)
				if l.Level == "DEBUG" || l.Level == "INFO" {
					below++
				}
				if l.Msg == Prefix+"beginning to manage the group lifecycle" {
					info++
				}
				if l.Msg == Prefix+"opening connection to broker" {
					debug++
				}
			}
			if tt.wantInfo {
				assert.Positive(t, info, "franz-go's info lines pass at debug:\n%s", out.String())
			} else {
				assert.Zero(t, below, "only warnings and errors:\n%s", out.String())
			}
			assert.Zero(t, debug, "franz-go's debug lines never pass")
		})
	}
}

// joined runs a member of group on topic until it is assigned its partitions, then closes it.
func joined(t *testing.T, c *kafkatest.Cluster, topic, group string, log *slog.Logger) {
	t.Helper()
	assigned := make(chan struct{})
	var once sync.Once
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(c.Brokers...),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.WithLogger(New(log)),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) {
			once.Do(func() { close(assigned) })
		}),
	)
	require.NoError(t, err)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		select {
		case <-assigned:
			return
		case <-ctx.Done():
			require.FailNow(t, "group not joined")
		default:
		}
		pctx, pcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		cl.PollFetches(pctx)
		pcancel()
	}
}
