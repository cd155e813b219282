package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var parseDir = filepath.Join("..", "..", "testdata", "stream", "parse")

func TestCLIParse(t *testing.T) {
	input, err := os.ReadFile(filepath.Join(parseDir, "input.log"))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(parseDir, "tshark.tsv"))
	require.NoError(t, err)

	stdout, stderr, code := runCLI(t, string(input), "parse")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, string(want), stdout, "stdin")
	assert.Contains(t, stderr, "not_packet=5")

	file := filepath.Join(parseDir, "input.log")
	stdout, _, code = runCLI(t, "", "parse", file, file)
	require.Equal(t, 0, code)
	assert.Equal(t, string(want)+string(want), stdout, "two files, in order")

	_, _, code = runCLI(t, "", "parse", filepath.Join(t.TempDir(), "missing.log"))
	assert.Equal(t, 1, code, "a missing file is a runtime error")
}
