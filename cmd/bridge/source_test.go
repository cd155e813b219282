package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/connector"
)

// The source's settings lay over each other as the security settings do: defaults, then
// Connect's properties files, then the --config file, then BRIDGE_* variables, then flags.
func TestSourceConfigOverlayOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	worker := write("w.properties", "bootstrap.servers=p:1\nbatch.size=7\n")
	conn := write("c.properties", "connector.class=FileStreamSource\nname=pname\nfile=pfile\ntopic=ptopic\n"+
		"offset.flush.interval.ms=250\n")
	config := write("c.yaml", "name: cname\nfile: cfile\ntopic: ctopic\n")
	t.Setenv("BRIDGE_FILE", "efile")
	t.Setenv("BRIDGE_TOPIC", "etopic")

	root := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	cmd, _, err := root.Find([]string{"source"})
	require.NoError(t, err)
	require.NoError(t, cmd.ParseFlags([]string{"--config", config, "--topic", "ftopic", "--offsets", filepath.Join(dir, "o.json")}))
	s, err := loadSettings(cmd)
	require.NoError(t, err)
	var logged bytes.Buffer
	cfg, err := sourceConfig(cmd, s, []string{worker, conn}, slog.New(slog.NewTextHandler(&logged, nil)))
	require.NoError(t, err)

	assert.Equal(t, "ftopic", cfg.Topic, "a flag beats everything")
	assert.Equal(t, "efile", cfg.File, "the environment beats the config file")
	assert.Equal(t, "cname", cfg.Name, "the config file beats the properties")
	assert.Equal(t, []string{"p:1"}, cfg.Brokers, "the properties beat the defaults")
	assert.Equal(t, 7, cfg.BatchLines)
	assert.Equal(t, connector.DefaultCompression, cfg.Compression, "a default nothing overrides")
	assert.Equal(t, connector.DefaultMaxRecordBytes, cfg.MaxRecordBytes)
	assert.Empty(t, logged.String(), "every key of the files is one bridge reads")
}
