package connector

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/connectvalue"
	"github.com/bridge-project/bridge/internal/kafkatest"
)

// requireJSONValues asserts every record value is valid JSON and returns the payload lines.
func requireJSONValues(t *testing.T, recs []*kgo.Record) []string {
	t.Helper()
	for _, r := range recs {
		require.True(t, json.Valid(r.Value), "record value at offset %d is not valid JSON: %.200q", r.Offset, r.Value)
	}
	return payloads(t, recs)
}

// splitLines is what the source must produce for data: its complete lines split as Connect
// does, each re-encoded as Connect's UTF-8 decoder would; an incomplete tail is not a line.
func splitLines(data []byte) []string {
	var out []string
	for {
		line, n := nextLine(data)
		if n == 0 {
			return out
		}
		out = append(out, string(connectvalue.AppendJavaUTF8(nil, line)))
		data = data[n:]
	}
}

// ingest runs a source over data and returns the produced values once want lines arrived.
func ingest(t *testing.T, data string, want int) (*running, []*kgo.Record) {
	t.Helper()
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "in.log")
	appendFile(t, file, data)
	r := startSource(t, testConfig(c, dir, file, topic))
	eventually(t, 60*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() >= int64(want) },
		"%d records produced", want)
	require.NoError(t, r.stop(t))
	return r, c.ReadEverything(t, topic, false)
}

// TestSourceBadInputLines: NUL bytes, invalid UTF-8 and CR-only line ends come out as valid
// JSON records holding what Connect would have produced.
func TestSourceBadInputLines(t *testing.T) {
	tests := []struct {
		name          string
		data          string
		want          []string
		nul, badUTF8  int64
		warningPrefix string
	}{
		{"nul bytes", "a\x00b\n\x00\x00\x00\nend\n", []string{"a\x00b", "\x00\x00\x00", "end"}, 2, 0, "a line holds NUL bytes"},
		{"invalid utf-8", "\xff\xfe ok\nx\xe2\x82y\n\xed\xa0\x80\nend\n",
			[]string{"\uFFFD\uFFFD ok", "x\uFFFDy", "\uFFFD", "end"}, 0, 3, "a line is not valid UTF-8"},
		{"cr only", "one\rtwo\r\rthree\r\nfour\n", []string{"one", "two", "", "three", "four"}, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, recs := ingest(t, tc.data, len(tc.want))
			assert.Equal(t, tc.want, requireJSONValues(t, recs))
			assert.Equal(t, int64(len(tc.want)), r.src.Stats().LinesRead.Load())
			assert.Zero(t, r.src.Stats().OversizeLines.Load())
			assert.Equal(t, tc.nul, r.src.Stats().NULLines.Load(), "lines with NUL counted")
			assert.Equal(t, tc.badUTF8, r.src.Stats().InvalidUTF8.Load(), "lines with bad UTF-8 counted")
			if tc.warningPrefix != "" {
				assert.Equal(t, 1, strings.Count(r.logs.String(), tc.warningPrefix), "logged once: %s", r.logs.String())
			}
		})
	}
}

// TestSourceTenMegabyteLine: with the default truncate policy one 10 MB line becomes one
// record no larger than MaxRecordBytes, is counted and logged once, and the lines after it
// still arrive.
func TestSourceTenMegabyteLine(t *testing.T) {
	data := "before\n" + strings.Repeat("x", 10<<20) + "\nafter 1\nafter 2\n"
	r, recs := ingest(t, data, 4)
	got := requireJSONValues(t, recs)
	require.Len(t, got, 4)
	assert.Equal(t, "before", got[0])
	assert.Equal(t, []string{"after 1", "after 2"}, got[2:])
	assert.LessOrEqual(t, len(recs[1].Value), DefaultMaxRecordBytes)
	assert.Greater(t, len(got[1]), DefaultMaxRecordBytes/2, "the longest prefix that fits")
	assert.Equal(t, strings.Repeat("x", len(got[1])), got[1])
	assert.Equal(t, int64(1), r.src.Stats().OversizeLines.Load())
	assert.Equal(t, 1, strings.Count(r.logs.String(), "truncated a line over the record size limit"), r.logs.String())
}

// TestSourceBinaryFile: 1 MB of random bytes (\r, \n and NUL among them) gives exactly the
// lines Connect would split and decode, every record valid JSON.
func TestSourceBinaryFile(t *testing.T) {
	data := make([]byte, 1<<20)
	rand.New(rand.NewSource(42)).Read(data)
	want := splitLines(data)
	require.Greater(t, len(want), 1000)
	r, recs := ingest(t, string(data), len(want))
	assert.Equal(t, want, requireJSONValues(t, recs))
	assert.Equal(t, int64(len(want)), r.src.Stats().LinesRead.Load())
}

// TestSourceFileReplacedByDirectory: the followed path becomes a directory mid-run.
func TestSourceFileReplacedByDirectory(t *testing.T) {
	c := kafkatest.New(t)
	topic := c.Topic(t, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "in.log")
	appendFile(t, file, numbered("line", 0, 100))
	cfg := testConfig(c, dir, file, topic)
	r := startSource(t, cfg)
	eventually(t, 60*time.Second, func() bool { return r.src.Stats().RecordsProduced.Load() >= 100 }, "100 records")
	require.NoError(t, os.Remove(file))
	require.NoError(t, os.Mkdir(file, 0o755))
	// The source refuses the directory as the next file of a rotation and stops rather than
	// waiting: a clear, non-silent failure.
	err := r.wait(t, 30*time.Second)
	require.ErrorIs(t, err, ErrNotRegularFile)
	assert.Contains(t, err.Error(), "is a directory")
	assert.Contains(t, err.Error(), file)

	// Nothing read before is lost, nothing duplicated, and the position saved is the end
	// of the old file's lines.
	got := requireJSONValues(t, c.ReadEverything(t, topic, false))
	assert.Equal(t, lines("line", 0, 100), got)
	// The position saved is the old file's end: the directory was never taken for a file
	// (issue 12: it used to get an offsets entry of its own).
	pos, ok := loadOffsets(t, cfg)
	require.True(t, ok)
	assert.Equal(t, int64(len(numbered("line", 0, 100))), pos.Offset)

	// Once a file is back, a restart reads it from its start: no line is produced twice.
	require.NoError(t, os.Remove(file))
	appendFile(t, file, numbered("after", 0, 10))
	r2 := startSource(t, cfg)
	eventually(t, 60*time.Second, func() bool { return r2.src.Stats().RecordsProduced.Load() >= 10 }, "10 records")
	require.NoError(t, r2.stop(t))
	got = requireJSONValues(t, c.ReadEverything(t, topic, false))
	assert.Equal(t, append(lines("line", 0, 100), lines("after", 0, 10)...), got)
}
