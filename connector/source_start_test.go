package connector

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// What a source checks before it reads its first line (issue 12): a second source on the same
// offsets, an offsets location it could never write, a file that is not a regular file, temp
// files of a save that died.

// runOnce runs a new Source for cfg until it returns by itself, which it must do at start.
func runOnce(t *testing.T, cfg Config) error {
	t.Helper()
	src, err := New(cfg, discardLogger())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = src.Run(ctx)
	require.NoError(t, ctx.Err(), "Run must fail at start, not run until stopped")
	return err
}

// Two at-least-once sources on the same offsets would each produce every line: the second
// one is refused at start, naming the first one's pid, and produces nothing.
func TestSecondSourceOnSameOffsetsIsRefused(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("line", 0, 100))

	first := startSource(t, cfg)
	eventually(t, 30*time.Second, func() bool { return first.src.Stats().OffsetsSaved.Load() > 0 }, "first save")

	err := runOnce(t, cfg)
	require.ErrorIs(t, err, ErrOffsetsLocked)
	assert.Contains(t, err.Error(), fmt.Sprintf("pid %d", os.Getpid()))
	assert.Contains(t, err.Error(), cfg.OffsetsFile)
	require.NoError(t, first.stop(t))
	assert.Len(t, readN(t, c, topic, 100), 100, "only the first source produced")

	// Once the first one stopped, the offsets are free again.
	again := startSource(t, cfg)
	require.NoError(t, again.stop(t))
}

// A stop killed in the middle of a save leaves its temp file beside the offsets file: the next
// run removes it (and the save itself stays temp file, fsync, rename).
func TestStaleOffsetsTempFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "en0.log.abc.offsets.json")
	stale := filepath.Join(dir, ".en0.log.abc.offsets.json.tmp123456")
	other := filepath.Join(dir, ".other.offsets.json.tmp99")
	require.NoError(t, os.WriteFile(stale, []byte(`{"offset":`), 0o644))
	require.NoError(t, os.WriteFile(other, nil, 0o644))

	l, err := lockOffsets(path, discardLogger())
	require.NoError(t, err)
	defer l.release()
	assert.NoFileExists(t, stale)
	assert.FileExists(t, other, "another offsets file's temp is not ours")

	require.NoError(t, (&FileStore{Path: path}).Save(context.Background(), Position{Offset: 42}))
	left, err := filepath.Glob(filepath.Join(dir, tempPattern(path)))
	require.NoError(t, err)
	assert.Empty(t, left)
}

// An offsets location that cannot be written is found before the first line is produced:
// otherwise every restart re-sends the same lines before failing.
func TestUnwritableOffsetsFailAtStart(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	appendFile(t, file, numbered("line", 0, 100))
	notDir := filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(notDir, nil, 0o644))
	isDir := filepath.Join(dir, "state", "offsets.json")
	require.NoError(t, os.MkdirAll(filepath.Join(isDir, "x"), 0o755))

	for _, tc := range []struct{ name, offsets, says string }{
		{"under a regular file", filepath.Join(notDir, "offsets.json"), "not a directory"},
		{"a directory", isDir, "is not a regular file (a directory)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(c, dir, file, topic)
			cfg.OffsetsFile = tc.offsets
			err := runOnce(t, cfg)
			require.ErrorIs(t, err, ErrOffsetsUnwritable)
			assert.Contains(t, err.Error(), tc.says)
			assert.Contains(t, err.Error(), filepath.Dir(tc.offsets), "the error names the path")
		})
	}
	if os.Geteuid() != 0 { // root writes a read-only directory anyway
		t.Run("a read-only directory", func(t *testing.T) {
			ro := filepath.Join(dir, "ro")
			require.NoError(t, os.Mkdir(ro, 0o555))
			cfg := testConfig(c, dir, file, topic)
			cfg.OffsetsFile = filepath.Join(ro, "offsets.json")
			err := runOnce(t, cfg)
			require.ErrorIs(t, err, ErrOffsetsUnwritable)
			assert.Contains(t, err.Error(), "permission denied")
		})
	}
	assert.Empty(t, c.ReadEverything(t, topic, false), "nothing was produced")
}

// A FIFO blocks an open until a writer comes and cannot be read again from an offset; a
// directory has no lines. Both are refused by New (a usage error), and a FIFO that appears
// later at the path stops the run instead of blocking it.
func TestFileThatIsNotRegularIsRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "en0.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	for _, tc := range []struct{ name, file, says string }{
		{"a FIFO", fifo, "is a FIFO"},
		{"a directory", dir, "is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.File, cfg.OffsetsFile = tc.file, filepath.Join(t.TempDir(), "offsets.json")
			_, err := New(cfg, discardLogger())
			require.ErrorIs(t, err, ErrNotRegularFile)
			assert.Contains(t, err.Error(), tc.file+" "+tc.says)
			assert.NoFileExists(t, cfg.OffsetsFile)
		})
	}
	t.Run("a FIFO appearing later", func(t *testing.T) {
		c := kafkatest.New(t)
		later := filepath.Join(t.TempDir(), "later.log")
		r := startSource(t, testConfig(c, t.TempDir(), later, c.Topic(t, 1)))
		eventually(t, 30*time.Second, func() bool { return strings.Contains(r.logs.String(), "waiting for the file to appear") }, "waiting")
		require.NoError(t, syscall.Mkfifo(later, 0o644))
		require.ErrorIs(t, r.wait(t, 30*time.Second), ErrNotRegularFile)
	})
}
