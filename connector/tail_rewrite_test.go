package connector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// header is the constant start of every generation of a log, longer than the head bytes
// that take part in a file's identity.
var header = strings.Repeat("# tshark -i en0 -T fields -e frame.time -e ip.src -e ip.dst\n", 5)

// A file rewritten in place while bridge was stopped, behind a constant header (issue 12):
// same inode, same first 256 bytes, longer than the saved offset. It used to be resumed at
// the old offset, losing the new lines before it (Connect loses them too). The bytes before
// the saved offset tell the two files apart: it is read again from its start.
func TestRestartAfterRewriteBehindConstantHeader(t *testing.T) {
	require.Greater(t, len(header), DefaultHeadBytes)
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	headerLines := strings.Split(strings.TrimSuffix(header, "\n"), "\n")

	appendFile(t, file, header+numbered("old", 0, 100))
	r := startSource(t, cfg)
	first := len(headerLines) + 100
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == int64(first) }, "old lines")
	require.NoError(t, r.stop(t))
	saved, ok := loadOffsets(t, cfg)
	require.True(t, ok)
	require.Equal(t, int64(len(header+numbered("old", 0, 100))), saved.Offset)
	assert.Equal(t, DefaultHeadBytes, saved.BeforeLen)

	before, err := os.Stat(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(header+numbered("new", 0, 150)), 0o644)) // in place
	after, err := os.Stat(file)
	require.NoError(t, err)
	require.True(t, os.SameFile(before, after), "rewritten in place: the same inode")

	r = startSource(t, cfg)
	want := append(append(headerLines, lines("old", 0, 100)...), append(headerLines, lines("new", 0, 150)...)...)
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
	assert.Contains(t, r.logs.String(), "file was rewritten while stopped; reading it from the start")

	// An unchanged file still resumes where it stopped: nothing is read twice.
	appendFile(t, file, numbered("more", 0, 10))
	r = startSource(t, cfg)
	want = append(want, lines("more", 0, 10)...)
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
	assert.Len(t, c.ReadEverything(t, topic, false), len(want))
}
