package connector

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestTailer opens a tailer on path, driven by hand: no Kafka, no goroutine.
func newTestTailer(t *testing.T, path string, mut func(*tailConfig)) *tailer {
	t.Helper()
	cfg := tailConfig{
		Path: path, HeadBytes: DefaultHeadBytes, MaxLine: 1000, BatchLines: 100, BufferBytes: 4096,
		PollInterval: 5 * time.Millisecond, RotateWait: time.Hour,
	}
	if mut != nil {
		mut(&cfg)
	}
	tl := newTailer(cfg, slog.New(slog.NewTextHandler(testWriter{t}, nil)), &Stats{})
	t.Cleanup(tl.close)
	require.NoError(t, tl.open(t.Context(), nil))
	return tl
}

// collect calls next until it returns no line and no move to another file within a short
// wait, and returns every line with the end offset of the last one.
func collect(t *testing.T, tl *tailer) (got []string, end int64) {
	t.Helper()
	end = tl.pos()
	for {
		before := tl.gen
		b, err := tl.next(t.Context(), 50*time.Millisecond)
		require.NoError(t, err)
		if len(b.lines) == 0 && b.gen == before {
			return got, end
		}
		for i, l := range b.lines {
			got = append(got, string(l))
			end = b.ends[i]
		}
	}
}

// A file truncated and rewritten past the offset while the tailer slept is read from 0,
// not from the old offset into the middle of a new line.
func TestTailerTruncatedAndRegrownWhileIdle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, numbered("first", 0, 3))
	tl := newTestTailer(t, path, nil)
	got, _ := collect(t, tl)
	require.Equal(t, lines("first", 0, 3), got)
	first := tl.gen

	require.NoError(t, os.WriteFile(path, []byte(numbered("second", 0, 10)), 0o644))
	got, end := collect(t, tl)
	assert.Equal(t, lines("second", 0, 10), got)
	assert.NotSame(t, first, tl.gen, "a new generation")
	assert.Equal(t, int64(len(numbered("second", 0, 10))), end)
	assert.Equal(t, int64(1), tl.stats.Truncations.Load())
}

// A line longer than the buffer is cut to MaxLine and skipped to its end with bounded memory;
// the lines around it are intact, their offsets right.
func TestTailerOversizeLines(t *testing.T) {
	long := strings.Repeat("x", 20000)
	mid := strings.Repeat("y", 500)
	tests := []struct {
		name string
		data string
		cr   bool // the long line ends in "\r\n" split across reads
	}{
		{"longer than the buffer", "a\n" + long + "\nb\n", false},
		{"longer than the buffer, crlf", "a\n" + long + "\r\nb\n", true},
		{"longer than MaxLine, inside the buffer", "a\n" + mid + "\nb\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "en0.log")
			appendFile(t, path, tt.data)
			tl := newTestTailer(t, path, func(c *tailConfig) { c.MaxLine = 100 })
			var got []string
			var overLen, overEnd int64
			for len(got) < 3 {
				b, err := tl.next(t.Context(), time.Second)
				require.NoError(t, err)
				if b.oversize {
					require.Len(t, b.lines, 1, "an oversize line comes alone")
					overLen, overEnd = b.lineLen, b.ends[0]
				}
				for _, l := range b.lines {
					got = append(got, string(l))
				}
			}
			longLine := strings.Split(tt.data, "\n")[1]
			longLine = strings.TrimSuffix(longLine, "\r")
			assert.Equal(t, []string{"a", longLine[:100], "b"}, got)
			assert.Equal(t, int64(len(longLine)), overLen)
			term := 1
			if tt.cr {
				term = 2
			}
			assert.Equal(t, int64(2+len(longLine)+term), overEnd)
			assert.Equal(t, int64(len(tt.data)), tl.pos())
		})
	}
}

// An oversize line still being written is not handed out until it ends.
func TestTailerOversizeLineWaitsForItsEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, strings.Repeat("z", 10000)+"\r")
	tl := newTestTailer(t, path, func(c *tailConfig) { c.MaxLine = 100 })
	b, err := tl.next(t.Context(), 50*time.Millisecond)
	require.NoError(t, err)
	assert.Empty(t, b.lines, "no terminator yet: a lone \\r at the end waits for the next byte")
	appendFile(t, path, "\nafter\n")
	got, end := collect(t, tl)
	assert.Equal(t, []string{strings.Repeat("z", 100), "after"}, got)
	assert.Equal(t, int64(10000+2+6), end)
}

func TestTailerBatchLimitAndHead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, numbered("l", 0, 250))
	tl := newTestTailer(t, path, func(c *tailConfig) { c.BatchLines = 100; c.HeadBytes = 50 })
	b, err := tl.next(t.Context(), time.Second)
	require.NoError(t, err)
	assert.Len(t, b.lines, 100)
	got, _ := collect(t, tl)
	assert.Len(t, got, 150)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, data[:50], tl.gen.head, "the head is the file's first HeadBytes")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	dev, ino := fileKey(fi)
	assert.Equal(t, headID(dev, ino, data[:50]), tl.gen.id())
}

// A file that never existed is waited for until the context ends.
func TestTailerOpenWaitsUntilCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "never.log")
	tl := newTailer(tailConfig{Path: path, PollInterval: 5 * time.Millisecond, BufferBytes: 4096, MaxLine: 100,
		BatchLines: 10, HeadBytes: 10}, slog.New(slog.DiscardHandler), &Stats{})
	defer tl.close()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, tl.open(ctx, nil), context.DeadlineExceeded)
}

func TestTailerUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file; the CLI test covers this as another user")
	}
	path := filepath.Join(t.TempDir(), "secret.log")
	appendFile(t, path, "x\n")
	require.NoError(t, os.Chmod(path, 0))
	tl := newTailer(tailConfig{Path: path, PollInterval: time.Millisecond, BufferBytes: 4096, MaxLine: 100,
		BatchLines: 10, HeadBytes: 10}, slog.New(slog.DiscardHandler), &Stats{})
	defer tl.close()
	assert.ErrorIs(t, tl.open(t.Context(), nil), os.ErrPermission)
}

// Rotations faster than the reader (or a lagging reader: broker down, buffer full): every
// rotated file is read, oldest first, none skipped.
func TestTailerReadsEveryRotatedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, numbered("a", 0, 10))
	tl := newTestTailer(t, path, func(c *tailConfig) { c.BatchLines = 5 })
	b, err := tl.next(t.Context(), time.Second)
	require.NoError(t, err)
	require.Len(t, b.lines, 5, "the reader is behind: half of a is left")

	for i, name := range []string{"b", "c"} {
		time.Sleep(20 * time.Millisecond) // coarse file times: keep the rotations apart
		require.NoError(t, os.Rename(path, fmt.Sprintf("%s.%d", path, i+1)))
		appendFile(t, path, numbered(name, 0, 10))
	}
	got, _ := collect(t, tl)
	want := append(append(lines("a", 5, 10), lines("b", 0, 10)...), lines("c", 0, 10)...)
	assert.Equal(t, want, got)
	assert.Equal(t, int64(2), tl.stats.Rotations.Load())
}

// A tailer starved while a copytruncate ran (a loaded machine): the generation it had just
// started, of which it had read no byte, was written, copied and truncated, and the next one
// written, before it read again. With no head to compare, it used to take the new content for
// the file it was reading and never read the copy: every line of that generation was lost.
func TestTailerCopytruncateOfAnUnreadGeneration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, "")
	tl := newTestTailer(t, path, nil)
	got, _ := collect(t, tl)
	require.Empty(t, got)

	appendFile(t, path, numbered("gen1", 0, 30))
	copyTruncate(t, path, path+".1")
	appendFile(t, path, numbered("gen2", 0, 40))

	got, _ = collect(t, tl)
	assert.Equal(t, append(lines("gen1", 0, 30), lines("gen2", 0, 40)...), got)

	// Rotations that were there before the generation started are not taken for its copy.
	appendFile(t, path, numbered("gen2", 40, 50))
	got, _ = collect(t, tl)
	assert.Equal(t, lines("gen2", 40, 50), got)
}

// The same race one step later: the tailer opened a generation and, starved, read its first
// bytes only after logrotate had copied and truncated it and the writer had filled it again.
// Those first bytes used to become the generation's head, so the new content passed for the
// file that was opened, and the copied lines were never read.
func TestTailerCopytruncateBetweenOpenAndFirstRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, numbered("gen1", 0, 30))
	tl := newTestTailer(t, path, nil) // opened, nothing read yet

	copyTruncate(t, path, path+".1")
	appendFile(t, path, numbered("gen2", 0, 40))

	got, _ := collect(t, tl)
	assert.Equal(t, append(lines("gen1", 0, 30), lines("gen2", 0, 40)...), got)
}

// A tailer two copytruncates behind: it had read part of gen2 when logrotate copied and
// truncated it (.2), the writer filled gen3, and logrotate copied and truncated that too
// (.3) before the tailer looked again.
func TestTailerTwoCopytruncatesBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, numbered("gen2", 0, 10))
	tl := newTestTailer(t, path, nil)
	got, _ := collect(t, tl)
	require.Equal(t, lines("gen2", 0, 10), got)

	appendFile(t, path, numbered("gen2", 10, 30))
	copyTruncate(t, path, path+".2")
	appendFile(t, path, numbered("gen3", 0, 40))
	copyTruncate(t, path, path+".3")
	appendFile(t, path, numbered("gen4", 0, 5))

	got, _ = collect(t, tl)
	assert.Equal(t, append(append(lines("gen2", 10, 30), lines("gen3", 0, 40)...), lines("gen4", 0, 5)...), got)
}

// A tailer two copytruncates behind that had read past its generation's copy: logrotate
// copied gen2 (.2), the writer wrote more and the tailer read that too before the
// truncation, so .2 ends before the tailer's offset; then gen3 was written, copied (.3) and
// truncated before the tailer looked again. gen3 lives only in .3 and must be read from
// it: restarting at the path's start would skip it (the loss a starved tailer showed in
// CI's copytruncate storm).
func TestTailerTwoCopytruncatesBehindPastItsCopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "en0.log")
	appendFile(t, path, numbered("gen2", 0, 10))
	tl := newTestTailer(t, path, nil)
	copyFile(t, path, path+".2")
	appendFile(t, path, numbered("gen2", 10, 15)) // between the copy and the truncation
	got, _ := collect(t, tl)
	require.Equal(t, lines("gen2", 0, 15), got)

	require.NoError(t, os.Truncate(path, 0))
	appendFile(t, path, numbered("gen3", 0, 40))
	copyTruncate(t, path, path+".3")
	appendFile(t, path, numbered("gen4", 0, 5))

	got, _ = collect(t, tl)
	assert.Equal(t, append(lines("gen3", 0, 40), lines("gen4", 0, 5)...), got)
}

// rotate's race: the tailer had finished a rotated file (.1), found no newer one, and opened
// the path; before it read the path's head, logrotate copied it to .2 and truncated it, and
// the writer wrote again. The second look finds .2 and reads it before the path.
func TestTailerRotationBetweenLookAndOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "en0.log")
	appendFile(t, path+".1", numbered("gen1", 0, 10))
	cur, err := os.Stat(path + ".1")
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond) // .2 is newer than .1 by its modification time
	appendFile(t, path+".2", numbered("gen2", 0, 20))
	appendFile(t, path, numbered("gen3", 0, 30))

	tl := newTestTailer(t, path, nil) // the path, opened after the first look
	require.NoError(t, tl.missedRotation(cur))
	assert.Equal(t, path+".2", tl.gen.name)
	got, _ := collect(t, tl)
	assert.Equal(t, append(lines("gen2", 0, 20), lines("gen3", 0, 30)...), got)

	// A rotated file that is a copy of what the path holds (not truncated yet) is no miss.
	cur2, err := os.Stat(path + ".2")
	require.NoError(t, err)
	tl2 := newTestTailer(t, path, nil)
	copyFile(t, path, path+".3")
	require.NoError(t, tl2.missedRotation(cur2))
	assert.Equal(t, path, tl2.gen.name, "the .3 copy starts as the path does")
}
