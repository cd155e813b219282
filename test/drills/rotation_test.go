//go:build drills

package drills

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/harness"
)

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
	w, err := harness.NewLogrotate(filepath.Join(dir, "en0.log"), nil)
	require.NoError(t, err)
	defer w.Close()
	src := start(t, bridgeBin(t), sourceArgs(seeds, dir, w.Path, topic)...)

	ctx, cancel := context.WithCancel(t.Context())
	writerDone := make(chan error, 1)
	go func() { // 200-line writes every 10 ms: 20k lines/s
		tick := time.NewTicker(time.Second * chunk / rate)
		defer tick.Stop()
		for ctx.Err() == nil {
			if err := w.Write(chunk); err != nil {
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
			require.NoError(t, w.RenameCreate(i))
		} else {
			_, err := w.CopyTruncate(i)
			require.NoError(t, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	cancel()
	require.NoError(t, <-writerDone)
	total := w.Written()

	seen := tallySeen(t, seeds, topic, total, false, 3*time.Minute, 20*time.Second)
	assert.Equal(t, 0, src.Term(t, 30*time.Second), "log:\n%s", src.Stderr.String())
	inWindow := map[int]bool{}
	window := w.Window()
	for _, k := range window {
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
			len(window), lostIn, lostOut)
	}
	report(t, row{Scenario: "rotation storm: " + mode, Runs: 1, Lines: total, Lost: lost, Dups: dups,
		PeakRSSKiB: src.PeakKiB(), Notes: notes})
	assert.Zero(t, lostOut, "lines lost outside copytruncate's window")
}
