package connector

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kafkatest"
)

// A path appears once in an error: os.PathError already names it, so wrapping it with the
// path again read "open X: open X: not a directory".
func TestFileErrorsNameThePathOnce(t *testing.T) {
	c := kafkatest.New(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(plain, nil, 0o644))
	file := filepath.Join(plain, "en0.log") // under a regular file: every open fails
	err := runOnce(t, testConfig(c, dir, file, c.Topic(t, 1)))
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), file), "%v", err)
}

// A failed record names the topic it was for, not only its offset in the file.
func TestProduceErrorNamesTheTopic(t *testing.T) {
	a := newAcks(4, mark{}, &Stats{})
	p, err := a.reserve(context.Background())
	require.NoError(t, err)
	p.rec = kgo.Record{Topic: "demo3typo", Context: p}
	p.end = 4242
	a.publish()
	a.onPromise(&p.rec, kerr.UnknownTopicOrPartition)
	err = a.failure()
	require.ErrorIs(t, err, kerr.UnknownTopicOrPartition)
	assert.Contains(t, err.Error(), "topic demo3typo")
	assert.Contains(t, err.Error(), "offset 4242")
}
