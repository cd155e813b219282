package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed pcap is what netgen writes today: same seed, same start, same bytes.
func TestCommittedPcapIsNetgenOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "office.pcap")
	require.NoError(t, run(path))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "demo", "office.pcap"))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "testdata/demo/office.pcap is stale: run make demo-capture")
}
