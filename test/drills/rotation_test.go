//go:build drills

package drills

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stormWriter plays tshark plus logrotate: it appends whole lines (each write ends at a line
// end, as tshark's do) while another goroutine rotates the file under it.
type stormWriter struct {
	mu   sync.Mutex
	path string
	f    *os.File
	next int   // index of the next line
	win  []int // copytruncate: lines written after the copy was read and before the truncation
}

func (w *stormWriter) open() error {
	f, err := os.OpenFile(w.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	w.f = f
	return err
}

func (w *stormWriter) write(k int) error {
	var b bytes.Buffer
	w.mu.Lock()
	defer w.mu.Unlock()
	for range k {
		fmt.Fprintf(&b, "%d drill %09d 192.168.1.%d → 10.0.0.%d TCP 66 443 → 51234 [ACK] Seq=1 Ack=1 Win=501 Len=0\n",
			w.next%1000, w.next, w.next%250, w.next%200)
		w.next++
	}
	_, err := w.f.Write(b.Bytes())
	return err
}

// renameCreate is logrotate's default: move the file aside, the writer reopens the path.
func (w *stormWriter) renameCreate(i int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := os.Rename(w.path, w.path+"."+strconv.Itoa(i)); err != nil {
		return err
	}
	w.f.Close()
	return w.open()
}

// copyTruncate copies the file beside it while the writer goes on, then truncates it; the
// lines written between the end of the copy and the truncation exist nowhere any more.
func (w *stormWriter) copyTruncate(i int) error {
	src, err := os.Open(w.path)
	if err != nil {
		return err
	}
	defer src.Close()
	var copied bytes.Buffer
	if _, err := io.Copy(&copied, src); err != nil {
		return err
	}
	if err := os.WriteFile(w.path+"."+strconv.Itoa(i), copied.Bytes(), 0o644); err != nil {
		return err
	}
	last := lastIndex(copied.Bytes())
	w.mu.Lock()
	defer w.mu.Unlock()
	for k := last + 1; k < w.next; k++ {
		w.win = append(w.win, k)
	}
	return os.Truncate(w.path, 0)
}

// lastIndex is the index of the last whole line in b (-1: none).
func lastIndex(b []byte) int {
	end := bytes.LastIndexByte(b, '\n')
	if end < 0 {
		return -1
	}
	start := bytes.LastIndexByte(b[:end], '\n') + 1
	i, ok := lineIndex(b[start:end])
	if !ok {
		return -1
	}
	return i
}

// 50 rename+create and 50 copytruncate rotations, one every 200 ms, while 20k lines/s are
// written: nothing may be lost by rename+create; copytruncate may lose only lines of its
// copy->truncate windows.
func TestRotationStorm(t *testing.T) {
	seeds := upCluster(t, 1)
	for _, mode := range []string{"rename+create", "copytruncate"} {
		t.Run(mode, func(t *testing.T) { rotationStorm(t, seeds, mode) })
	}
}

func rotationStorm(t *testing.T, seeds []string, mode string) {
	const rotations, rate, chunk = 50, 20000, 200
	adm, _ := admin(t, seeds)
	topic := "drill-rotate-" + map[string]string{"rename+create": "rename", "copytruncate": "copytruncate"}[mode]
	createTopic(t, adm, topic, 3, 1, nil)
	dir := t.TempDir()
	w := &stormWriter{path: filepath.Join(dir, "en0.log")}
	require.NoError(t, w.open())
	src := start(t, bridgeBin(t), nil, sourceArgs(seeds, dir, w.path, topic)...)

	ctx, cancel := context.WithCancel(t.Context())
	writerDone := make(chan error, 1)
	go func() { // 200-line writes every 10 ms: 20k lines/s
		tick := time.NewTicker(time.Second * chunk / rate)
		defer tick.Stop()
		for ctx.Err() == nil {
			if err := w.write(chunk); err != nil {
				writerDone <- err
				return
			}
			<-tick.C
		}
		writerDone <- nil
	}()
	time.Sleep(time.Second)
	for i := 1; i <= rotations; i++ {
		if mode == "rename+create" {
			require.NoError(t, w.renameCreate(i))
		} else {
			require.NoError(t, w.copyTruncate(i))
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	cancel()
	require.NoError(t, <-writerDone)
	total := w.next

	seen := tallySeen(t, seeds, topic, total, false, 3*time.Minute, 20*time.Second)
	assert.Equal(t, 0, src.term(t, 30*time.Second), "log:\n%s", src.stderr.String())
	inWindow := map[int]bool{}
	for _, k := range w.win {
		inWindow[k] = true
	}
	lostIn, lostOut := 0, 0
	for i, k := range seen {
		switch {
		case k > 0:
		case inWindow[i]:
			lostIn++
		default:
			lostOut++
		}
	}
	lost, dups := countSeen(t, seen)
	notes := fmt.Sprintf("%d rotations, one per 200 ms, 20k lines/s", rotations)
	if mode == "copytruncate" {
		notes += fmt.Sprintf("; %d lines fell in the copy->truncate windows, %d of them lost, %d lost outside them",
			len(w.win), lostIn, lostOut)
	}
	report(t, row{Scenario: "rotation storm: " + mode, Runs: 1, Lines: total, Lost: lost, Dups: dups,
		PeakRSSKiB: src.peak(), Notes: notes})
	assert.Zero(t, lostOut, "lines lost outside copytruncate's window")
}
