package connector

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With an hour between looks, only nxadm/tail's watchers can wake the tailer: a new file and
// an appended line must both be noticed through them, with inotify and with stat polling.
func TestNotifierWakesTailer(t *testing.T) {
	for _, poll := range []bool{false, true} {
		name := map[bool]string{false: "inotify", true: "poll"}[poll]
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "en0.log")
			tl := newTailer(tailConfig{
				Path: path, HeadBytes: DefaultHeadBytes, MaxLine: 1000, BatchLines: 100, BufferBytes: 4096,
				PollInterval: time.Hour, RotateWait: time.Hour, Poll: poll,
			}, slog.New(slog.NewTextHandler(testWriter{t}, nil)), &Stats{})
			t.Cleanup(tl.close)
			go func() {
				time.Sleep(100 * time.Millisecond)
				appendFile(t, path, "first\n")
			}()
			require.NoError(t, tl.open(t.Context(), nil), "woken by the file's creation")
			got, _ := collect(t, tl)
			assert.Equal(t, []string{"first"}, got)

			go func() {
				time.Sleep(100 * time.Millisecond)
				appendFile(t, path, "second\n")
			}()
			b, err := tl.next(t.Context(), 20*time.Second)
			require.NoError(t, err)
			require.Len(t, b.lines, 1, "woken by the write")
			assert.Equal(t, "second", string(b.lines[0]))
		})
	}
}
