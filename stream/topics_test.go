package stream

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
	"github.com/bridge-project/bridge/sink"
)

// startLogged runs a stream whose JSON log the test reads, looking at its topics every
// 50ms instead of every 5s.
func startLogged(t *testing.T, cfg Config, sinks ...sink.Sink) (*running, *testutil.SyncBuffer) {
	t.Helper()
	var out testutil.SyncBuffer
	s, err := New(cfg, slog.New(slog.NewJSONHandler(&out, nil)))
	require.NoError(t, err)
	s.topicEvery = 50 * time.Millisecond
	r := runStream(t, s, sinks...)
	return r, &out
}

// logged returns the JSON log lines with msg.
func logged(out *testutil.SyncBuffer, msg string) []map[string]any {
	var found []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		m := map[string]any{}
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			found = append(found, m)
		}
	}
	return found
}

const (
	msgMissing = "topic does not exist; waiting for it to be created"
	msgAppears = "topic exists now; consuming it"
	msgNoReset = "--from-beginning does nothing: the group has committed offsets and resumes from them " +
		"(a new --group starts at the earliest record)"
)

// Issue 12 point 10: a stream of a topic that does not exist (a typo) says so at info
// level, once however long it waits, and again when the topic appears; then it consumes.
func TestStreamSaysItsTopicDoesNotExist(t *testing.T) {
	c := kafkatest.New(t)
	topic := fmt.Sprintf("demo3typo-%d", time.Now().UnixNano())
	adm := kadm.NewClient(c.Client(t))
	t.Cleanup(func() { _, _ = adm.DeleteTopics(context.Background(), topic) })

	rec := &recorder{}
	cfg := testConfig(c, topic)
	_, out := startLogged(t, cfg, rec)
	require.Eventually(t, func() bool { return len(logged(out, msgMissing)) > 0 }, 30*time.Second, 10*time.Millisecond)
	assert.Equal(t, topic, logged(out, msgMissing)[0]["topic"])
	time.Sleep(300 * time.Millisecond) // several looks at the topic, all finding it missing

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := adm.CreateTopic(ctx, 1, 1, nil, topic)
	require.NoError(t, err)
	require.NoError(t, resp.Err)
	require.Eventually(t, func() bool { return len(logged(out, msgAppears)) > 0 }, 30*time.Second, 10*time.Millisecond)
	assert.Len(t, logged(out, msgMissing), 1, "said once: %s", out.String())
	assert.Len(t, logged(out, msgAppears), 1)

	produce(t, c, topic, packetValues(0, 3)...)
	require.Eventually(t, func() bool { return len(rec.tuples()) == 3 }, 60*time.Second, 20*time.Millisecond,
		"the topic, once there, is consumed")
}

// Issue 12 point 10: --from-beginning on a group that has committed offsets resumes from
// them (Kafka's reset applies only without one); the stream says so once, and says
// nothing for a group that has none.
func TestStreamSaysFromBeginningDoesNothing(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	produce(t, c, topic, packetValues(0, 5)...)
	adm := kadm.NewClient(c.Client(t))

	fresh := testConfig(c, topic)
	fresh.Group = topic + "-fresh"
	r, out := startLogged(t, fresh, &recorder{})
	require.Eventually(t, func() bool { return len(committed(t, c, fresh.Group, topic)) > 0 }, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, r.stop(t))
	assert.Empty(t, logged(out, msgNoReset), "a group without offsets does start at the beginning")

	used := testConfig(c, topic)
	used.Group = topic + "-used"
	var offs kadm.Offsets
	offs.Add(kadm.Offset{Topic: topic, Partition: 0, At: 3, LeaderEpoch: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := adm.CommitOffsets(ctx, used.Group, offs)
	require.NoError(t, err)
	require.NoError(t, resp.Error())
	rec := &recorder{}
	_, out = startLogged(t, used, rec)
	require.Eventually(t, func() bool { return len(logged(out, msgNoReset)) > 0 }, 30*time.Second, 10*time.Millisecond)
	m := logged(out, msgNoReset)
	require.Len(t, m, 1)
	assert.Equal(t, used.Group, m[0]["group"])
	require.Eventually(t, func() bool { return len(rec.tuples()) == 2 }, 60*time.Second, 20*time.Millisecond,
		"resumed at offset 3 of 5")
}
