package connector

import (
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
	"github.com/bridge-project/bridge/internal/testutil"
)

// The differential test: the real connect-standalone (FileStreamSource, JsonConverter) and
// bridge source read the same file of nasty lines into two topics, which must hold the same
// records byte for byte, in the same order, with null keys.
var writeProps = testutil.WriteProps

func TestDifferentialConnectStandalone(t *testing.T) {
	c := kafkatest.New(t)
	c.RequireReal(t)
	kafkaClasspath(t) // skips when the Kafka jars are not there
	script, err := filepath.Abs(filepath.Join("..", "scripts", "kafka.sh"))
	require.NoError(t, err)

	dir := t.TempDir()
	file := filepath.Join(dir, "nasty.log")
	data := connectTestFile(t)
	require.NoError(t, os.WriteFile(file, data, 0o644))
	want := len(goRecords(data))
	connectTopic, bridgeTopic := c.Topic(t, 1), c.Topic(t, 1)

	writeProps(t, filepath.Join(dir, "worker.properties"),
		"bootstrap.servers="+strings.Join(c.Brokers, ","),
		"key.converter=org.apache.kafka.connect.json.JsonConverter",
		"value.converter=org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable=true", "value.converter.schemas.enable=true",
		"offset.storage.file.filename="+filepath.Join(dir, "connect.offsets"),
		"offset.flush.interval.ms=1000",
		"listeners=http://127.0.0.1:"+itoa(freePort(t)))
	writeProps(t, filepath.Join(dir, "connector.properties"), "name=differential",
		"connector.class=FileStreamSource", "tasks.max=1", "file="+file, "topic="+connectTopic)
	connect := exec.Command(script, "connect-standalone", "worker.properties", "connector.properties")
	connect.Dir = dir
	logs := &syncBuffer{}
	connect.Stdout, connect.Stderr = logs, logs
	require.NoError(t, connect.Start())
	t.Cleanup(func() {
		_ = connect.Process.Signal(syscall.SIGTERM)
		_ = connect.Wait()
	})

	r := startSource(t, testConfig(c, dir, file, bridgeTopic))
	fromBridge := c.ReadAll(t, bridgeTopic, want, 60*time.Second)
	fromConnect := c.ReadAll(t, connectTopic, want, 120*time.Second)
	require.NoError(t, r.stop(t))
	require.Len(t, fromConnect, want, "connect-standalone's log:\n%s", logs.String())
	require.Len(t, fromBridge, want)
	mismatches := 0
	for i := range want {
		ok := assert.Equal(t, fromConnect[i].Key, fromBridge[i].Key, "record %d key", i)
		ok = assert.Nil(t, fromBridge[i].Key, "record %d key", i) && ok
		ok = assert.Equal(t, string(fromConnect[i].Value), string(fromBridge[i].Value), "record %d", i) && ok
		if !ok {
			if mismatches++; mismatches > 10 {
				t.Fatal("too many mismatches")
			}
		}
	}
	t.Logf("%d records, byte-identical to connect-standalone's", want)
}
