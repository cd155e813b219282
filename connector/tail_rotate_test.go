package connector

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
	"github.com/bridge-project/bridge/internal/testutil"
)

// rename+create (logrotate's create): what the writer wrote to the old file, also after the
// rename through its open descriptor, is read before the new file.
func TestRotateRenameCreateDrainsOldFile(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	cfg.RotateWait = time.Hour // leave the old file only once the new one has data
	old, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	defer old.Close()
	_, err = old.WriteString(numbered("old", 0, 100))
	require.NoError(t, err)

	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 100 }, "old lines")
	require.NoError(t, os.Rename(file, file+".1"))
	// The writer still holds the old file: lines keep going there until it reopens.
	_, err = old.WriteString(numbered("old", 100, 200))
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond) // the source sees the path absent meanwhile
	_, err = old.WriteString(numbered("old", 200, 300))
	require.NoError(t, err)
	appendFile(t, file, numbered("new", 0, 100))

	want := append(lines("old", 0, 300), lines("new", 0, 100)...)
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
	assert.Equal(t, int64(1), r.src.Stats().Rotations.Load())
}

// The old file is left while the new one is still empty only after RotateWait of silence.
func TestRotateEmptyNewFileWaitsForIdleOld(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	cfg.RotateWait = 2 * time.Second
	appendFile(t, file, numbered("old", 0, 10))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 10 }, "old lines")
	require.NoError(t, os.Rename(file, file+".1"))
	appendFile(t, file, "")
	time.Sleep(300 * time.Millisecond) // the source sees the new, empty file many times
	assert.Zero(t, r.src.Stats().Rotations.Load(), "the old file was written to recently")
	appendFile(t, file+".1", numbered("old", 10, 20)) // tshark >> file keeps writing the old one
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().Rotations.Load() == 1 }, "rotation after the wait")
	appendFile(t, file, numbered("new", 0, 10))
	assert.Equal(t, append(lines("old", 0, 20), lines("new", 0, 10)...), readN(t, c, topic, 30))
	require.NoError(t, r.stop(t))
}

// copytruncate: the copy beside the file is finished from the saved offset, then the file is
// read again from 0. Nothing is lost when nothing was written between copy and truncate.
func TestTruncateCopytruncate(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("before", 0, 50))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 50 }, "first lines")

	appendFile(t, file, numbered("before", 50, 100)) // written, maybe not read yet, then rotated
	copyFile(t, file, file+".1")
	require.NoError(t, os.Truncate(file, 0))
	appendFile(t, file, numbered("after", 0, 50))

	want := append(lines("before", 0, 100), lines("after", 0, 50)...)
	assert.ElementsMatch(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
	assert.Len(t, c.ReadEverything(t, topic, false), len(want), "no line twice")
	assert.GreaterOrEqual(t, r.src.Stats().Truncations.Load(), int64(1))
}

// "> file" with no copy: the file is read again from 0, even when it grew back past the old
// offset before the source looked (the head tells).
func TestTruncateInPlaceRegrown(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("first", 0, 20))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 20 }, "first lines")

	// Truncate and write more than before, in one go: the size never looks smaller.
	require.NoError(t, os.WriteFile(file, []byte(numbered("second", 0, 40)), 0o644))
	want := append(lines("first", 0, 20), lines("second", 0, 40)...)
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
	assert.Equal(t, int64(1), r.src.Stats().Truncations.Load())
}

// A restart after the file was rotated (and the old one written to meanwhile) finishes the
// old file from the saved offset, then reads the new one from 0.
func TestRestartDuringRotation(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("old", 0, 100))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 100 }, "old lines")
	require.NoError(t, r.stop(t))

	appendFile(t, file, numbered("old", 100, 150)) // not read before the stop
	require.NoError(t, os.Rename(file, file+".1"))
	appendFile(t, file, numbered("new", 0, 50))

	r = startSource(t, cfg)
	want := append(lines("old", 0, 150), lines("new", 0, 50)...)
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
	assert.Len(t, c.ReadEverything(t, topic, false), len(want))
}

// A restart after a copytruncate finds the copy by its first bytes.
func TestRestartAfterCopytruncate(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("old", 0, 100))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 100 }, "old lines")
	require.NoError(t, r.stop(t))

	appendFile(t, file, numbered("old", 100, 150))
	copyFile(t, file, file+".1")
	require.NoError(t, os.Truncate(file, 0))
	appendFile(t, file, numbered("new", 0, 20))

	r = startSource(t, cfg)
	want := append(lines("old", 0, 150), lines("new", 0, 20)...)
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
}

// When the saved file is gone altogether, the current file is read from its start.
func TestRestartSavedFileGone(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("old", 0, 10))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 10 }, "old lines")
	require.NoError(t, r.stop(t))

	require.NoError(t, os.Remove(file))
	appendFile(t, file, numbered("new", 0, 10))
	r = startSource(t, cfg)
	assert.Equal(t, append(lines("old", 0, 10), lines("new", 0, 10)...), readN(t, c, topic, 20))
	require.NoError(t, r.stop(t))
}

var copyFile = testutil.CopyFile

// copyTruncate is logrotate's copytruncate of path to copy: copy it, then truncate it.
func copyTruncate(t *testing.T, path, copy string) {
	t.Helper()
	copyFile(t, path, copy)
	require.NoError(t, os.Truncate(path, 0))
}

func TestIsRotationName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"en0.log.1", true},
		{"en0.log-20240101", true},
		{"en0.log.1.gz", false},
		{"en0.log.2.zst", false},
		{"en0.logx", false},
		{"en0.log", false},
		{"other.log.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, isRotationName("en0.log", tt.name))
		})
	}
}

// Two rotations while bridge was stopped: the saved file, then the one rotated after it, then
// the current one.
func TestRestartAfterTwoRotations(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("a", 0, 10))
	r := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() == 10 }, "a")
	require.NoError(t, r.stop(t))

	appendFile(t, file, numbered("a", 10, 20))
	require.NoError(t, os.Rename(file, file+".2"))
	time.Sleep(20 * time.Millisecond)
	appendFile(t, file, numbered("b", 0, 20))
	require.NoError(t, os.Rename(file, file+".1"))
	time.Sleep(20 * time.Millisecond)
	appendFile(t, file, numbered("c", 0, 20))

	r = startSource(t, cfg)
	want := append(append(lines("a", 0, 20), lines("b", 0, 20)...), lines("c", 0, 20)...)
	assert.Equal(t, want, readN(t, c, topic, len(want)))
	require.NoError(t, r.stop(t))
}
