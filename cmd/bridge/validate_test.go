package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// usageOf runs bridge in-process with args (and env, as BRIDGE_* variables) and returns
// the error, which must come before anything connects: the command is given a second.
func usageOf(t *testing.T, env map[string]string, args ...string) error {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cmd := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	cmd.SetArgs(args)
	return cmd.ExecuteContext(ctx)
}

// Issue 12 point 11: values that can never work exit 2 with one line, whether they come
// from a flag, a BRIDGE_* variable or a --config file, as batch.size=0 in a Connect file
// already did.
func TestValuesThatCannotWorkAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	src := []string{"source", "--file", filepath.Join(dir, "x.log"), "--offsets", filepath.Join(dir, "o.json")}
	yaml := filepath.Join(dir, "bridge.yaml")
	require.NoError(t, os.WriteFile(yaml, []byte("batch-size: 0\n"), 0o600))
	worker := filepath.Join(dir, "worker.properties")
	require.NoError(t, os.WriteFile(worker, []byte("bootstrap.servers=127.0.0.1:99999\n"), 0o600))
	conn := filepath.Join(dir, "conn.properties")
	require.NoError(t, os.WriteFile(conn, []byte("name=x\nconnector.class=FileStreamSource\nfile="+
		filepath.Join(dir, "x.log")+"\ntopic=t\n"), 0o600))
	badBatch := filepath.Join(dir, "badbatch.properties")
	require.NoError(t, os.WriteFile(badBatch, []byte("name=x\nconnector.class=FileStreamSource\nfile=x.log\ntopic=t\nbatch.size=0\n"), 0o600))
	goodWorker := filepath.Join(dir, "goodworker.properties")
	require.NoError(t, os.WriteFile(goodWorker, []byte("bootstrap.servers=127.0.0.1:9092\n"), 0o600))

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"source --batch-size 0", nil, append(src, "--batch-size", "0"), "--batch-size: 0"},
		{"source BRIDGE_BATCH_SIZE=0", map[string]string{"BRIDGE_BATCH_SIZE": "0"}, src, "--batch-size: 0"},
		{"source batch-size: 0 in --config", nil, append(src, "--config", yaml), "--batch-size: 0"},
		{"source batch.size=0 in a Connect file", nil, []string{"source", goodWorker, badBatch, "--offsets", filepath.Join(dir, "o.json")}, "batch.size"},
		{"source --max-record-bytes 0", nil, append(src, "--max-record-bytes", "0"), "--max-record-bytes: 0"},
		{"source --max-buffered-records 0", nil, append(src, "--max-buffered-records", "0"), "--max-buffered-records: 0"},
		{"source --max-buffered-bytes 0", nil, append(src, "--max-buffered-bytes", "0"), "--max-buffered-bytes: 0"},
		{"source --flush-interval 0s", nil, append(src, "--flush-interval", "0s"), "--flush-interval: 0s"},
		{"source BRIDGE_FLUSH_INTERVAL=0s", map[string]string{"BRIDGE_FLUSH_INTERVAL": "0s"}, src, "--flush-interval: 0s"},
		{"source --topic ''", nil, append(src, "--topic", ""), "--topic: must not be empty"},
		{"source --brokers port out of range", nil, append(src, "--brokers", "127.0.0.1:99999"), `"127.0.0.1:99999": port "99999"`},
		{"source --brokers malformed", nil, append(src, "--brokers", "127.0.0.1:90:92"), "want host:port"},
		{"source bootstrap.servers port out of range", nil, []string{"source", worker, conn, "--offsets", filepath.Join(dir, "o.json")}, `bootstrap.servers: "127.0.0.1:99999": port "99999"`},
		{"stream --session-timeout 1s", nil, []string{"stream", "demo2", "--session-timeout", "1s"}, "session timeout 1s"},
		{"stream --brokers port out of range", nil, []string{"stream", "demo2", "--brokers", "127.0.0.1:99999"}, `port "99999"`},
		{"stream BRIDGE_BROKERS without a host", map[string]string{"BRIDGE_BROKERS": ":9092"}, []string{"stream", "demo2"}, "no host"},
		{"stream an empty topic", nil, []string{"stream", ""}, "empty topic name"},
		{"demo --interval 0s", nil, []string{"demo", "--interval", "0s"}, "--interval: 0s"},
		{"demo --topic ''", nil, []string{"demo", "--topic", ""}, "--topic: must not be empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := usageOf(t, tc.env, tc.args...)
			require.Error(t, err)
			assert.True(t, isUsage(err), "exit 2: %v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

func TestCheckBrokers(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:9092", true},
		{"kafka", true},
		{"kafka-1.example.com:19092", true},
		{"[::1]:9092", true},
		{"[::1]", true},
		{"127.0.0.1:99999", false},
		{"127.0.0.1:0", false},
		{"127.0.0.1:", false},
		{":9092", false},
		{"127.0.0.1:port", false},
		{"a:b:c", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			err := checkBrokers("--brokers", []string{tc.addr})
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}
