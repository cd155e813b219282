package main

import (
	"path/filepath"
	"testing"

	"github.com/bridge-project/bridge/internal/testutil"
	"github.com/stretchr/testify/assert"
)

func TestCLISourceUsageErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
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
