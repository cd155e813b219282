package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bridge-project/bridge/internal/testutil"
	"github.com/stretchr/testify/assert"
)

func TestCLISourceUsageErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeProps(t, filepath.Join(dir, "w.properties"), "bootstrap.servers=127.0.0.1:1")
	if err := syscall.Mkfifo(filepath.Join(dir, "en0.fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
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
		{"a directory as --file", []string{"--file", dir, "--offsets", "o.json"}, "is a directory: not a regular file"},
		{"a FIFO as --file", []string{"--file", "en0.fifo", "--offsets", "o.json"}, "en0.fifo is a FIFO: not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", append([]string{"source"}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stdout+stderr, tt.want)
		})
	}
}

var writeProps = testutil.WriteProps

// Typos in Connect's properties files (issue 12) used to run with the blog's defaults: now
// each unknown key is a warning naming the key meant, and the settings they hid are missing.
func TestCLISourcePropertiesTypos(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeProps(t, filepath.Join(dir, "w.properties"), "bootstrap.server=127.0.0.1:1", "rest.port=8083")
	writeProps(t, filepath.Join(dir, "c.properties"), "name=x", "connector.class=FileStreamSource",
		"fiel=/var/log/en0.log", "topc=en0")
	stdout, stderr, code := runCLI(t, "", "source", "w.properties", "c.properties")
	out := stdout + stderr
	assert.Equal(t, 2, code, out)
	assert.Contains(t, out, "missing setting: bootstrap.servers, file, topic")
	for _, typo := range []string{"key=bootstrap.server nearest=bootstrap.servers", "key=fiel nearest=file", "key=topc nearest=topic"} {
		assert.Contains(t, out, typo)
	}
	assert.Contains(t, out, "keys=rest.port", "a key Connect knows stays an INFO line")
	assert.NotContains(t, out, "key=rest.port")
}

// A second source on the same offsets (issue 12: every line produced twice) exits 1 at start,
// naming the pid that holds them; the first one runs on.
func TestCLISecondSourceOnSameOffsets(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	broker := fakeBroker(t)
	writeFile(t, dir, "in.log", []byte("a\n"))
	args := []string{"source", "--brokers", broker, "--file", "in.log", "--topic", "t", "--offsets", "o.json"}
	first := startCLIProc(t, args...)
	first.waitFor(t, 30*time.Second, "first save", func() bool { // the lock is taken before it
		_, err := os.Stat(filepath.Join(dir, "o.json"))
		return err == nil
	})

	_, stderr, code := runCLI(t, "", args...)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "o.json: in use by another bridge source (pid ")
	assert.Equal(t, 0, first.stop(t))
}
