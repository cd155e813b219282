package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An unknown key in a --config file is a usage error naming the key and the nearest flag.
func TestConfigFileUnknownKey(t *testing.T) {
	for _, tc := range []struct {
		name, file, body, want string
	}{
		{"typo", "c.yaml", "log-levle: debug\n", `unknown key "log-levle": did you mean "log-level"?`},
		{"env spelling", "c.yaml", "exactly_once: true\n", `unknown key "exactly_once": did you mean "exactly-once"?`},
		{"plural typo", "c.json", `{"brokerz": "x"}`, `unknown key "brokerz": did you mean "brokers"?`},
		{"toml", "c.toml", "topik = \"t\"\n", `unknown key "topik": did you mean "topic"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), tc.file)
			require.NoError(t, os.WriteFile(file, []byte(tc.body), 0o600))
			// A bad --format too, so that the command stops with a usage error either way.
			_, err := execute("source", "--config", file, "--format", "bogus")
			require.Error(t, err)
			assert.True(t, isUsage(err), "want a usage error (exit 2), got %v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), file)
		})
	}
}

// Keys that are flags, of this command or a sibling, are accepted: one file may configure
// both source and stream.
func TestConfigFileKnownKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(file, []byte("log-level: debug\ngroup: g\nfile: x.log\n"), 0o600))
	out, err := execute("version", "--config", file)
	require.NoError(t, err)
	assert.NotEmpty(t, out)
}

func TestNearestFlag(t *testing.T) {
	names := []string{"brokers", "log-level", "log-format", "exactly-once"}
	for key, want := range map[string]string{
		"brokerz":      "brokers",
		"log_format":   "log-format",
		"exactly_once": "exactly-once",
		"loglevel":     "log-level",
	} {
		t.Run(key, func(t *testing.T) { assert.Equal(t, want, nearest(key, names)) })
	}
}
