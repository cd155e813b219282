package connector

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// When the offsets file cannot be written (disk full, read-only), the source must not go
// on producing lines it cannot account for: it stops with ErrOffsetsUnsaved, and what it
// saved before the fault still points at lines Kafka acknowledged.
func TestSourceStopsWhenOffsetsCannotBeSaved(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	cfg := testConfig(c, dir, file, topic)
	appendFile(t, file, numbered("before", 0, 500))

	r := startSource(t, cfg)
	// The first save may come before the first line is acknowledged (offset 0): wait for
	// one past it, or the check below fails on a slow machine.
	eventually(t, 30*time.Second, func() bool {
		p, ok := loadOffsets(t, cfg)
		return ok && p.Offset > 0
	}, "a save past the first line")

	// A non-empty directory where the offsets file was: every later rename onto it fails.
	require.NoError(t, os.Remove(cfg.OffsetsFile))
	require.NoError(t, os.MkdirAll(filepath.Join(cfg.OffsetsFile, "blocked"), 0o755))
	appendFile(t, file, numbered("during", 0, 500))

	err := r.wait(t, 30*time.Second)
	require.ErrorIs(t, err, ErrOffsetsUnsaved)
	assert.Contains(t, r.logs.String(), "cannot save offsets")
}
