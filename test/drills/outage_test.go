//go:build drills

package drills

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/bridge-project/bridge/internal/harness"
)

type admClient = *kadm.Client

// The only broker of a 1-node cluster stops for 30 s while tshark keeps writing 20k lines/s:
// the source must hold its memory, lose nothing, and produce again soon after the broker is
// back, at least as fast as before.
func TestBrokerOutage(t *testing.T) {
	const (
		rate   = 20000
		n      = 1_000_000
		outage = 30 * time.Second
	)
	seeds := upCluster(t, 1)
	adm, _ := admin(t, seeds)
	topic := "drill-outage"
	createTopic(t, adm, topic, 1, 1, nil)
	dir := t.TempDir()
	file := filepath.Join(dir, "en0.log")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	written := writeLines(ctx, file, n, rate)
	p := start(t, bridgeBin(t), sourceArgs(seeds, dir, file, topic)...)

	var outagePeak atomic.Int64
	var inOutage atomic.Bool
	go func() { // sample the peak RSS while the broker is away
		for {
			select {
			case <-p.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			if inOutage.Load() {
				if m, ok := harness.ReadMemory(p.Cmd.Process.Pid); ok {
					outagePeak.Store(max(outagePeak.Load(), m.HWM))
				}
			}
		}
	}()

	time.Sleep(8 * time.Second)
	before := rateOver(t, adm, topic, 4*time.Second)
	inOutage.Store(true)
	require.NoError(t, kafkaSh(t, 1, "stop-node", "1"))
	stopped := time.Now()
	time.Sleep(outage - time.Since(stopped))
	restart := make(chan error, 1)
	go func() { restart <- kafkaSh(t, 1, "start-node", "1") }()

	answered, atAnswer := waitAnswer(t, adm, topic, 90*time.Second)
	inOutage.Store(false)
	flowing := waitMoved(t, adm, topic, atAnswer, 60*time.Second)
	resume := flowing.Sub(answered)
	require.NoError(t, <-restart)
	after := rateOver(t, adm, topic, 4*time.Second)
	t.Logf("broker away %s; answered again, records flowing %s later; %.0f records/s before, %.0f after",
		answered.Sub(stopped).Round(time.Millisecond), resume.Round(time.Millisecond), before, after)

	total := <-written
	require.Eventually(t, func() bool {
		off, err := endOffset(t.Context(), adm, topic)
		return err == nil && off >= int64(total)
	}, 3*time.Minute, 500*time.Millisecond, "the source never caught up; log:\n%s", p.Stderr.String())
	assert.Equal(t, 0, p.Term(t, 30*time.Second), "log:\n%s", p.Stderr.String())
	lost, dups := tally(t, seeds, topic, total, false, 2*time.Minute)

	report(t, row{Scenario: "broker stopped 30 s during a 20k lines/s ingest (1 node)", Runs: 1, Lines: total,
		Lost: lost, Dups: dups, PeakRSSKiB: max(p.PeakKiB(), outagePeak.Load()),
		Notes: fmt.Sprintf("peak RSS during the outage %.1f MiB; records flowing %.2f s after the broker answered; %.0f rec/s before, %.0f rec/s catching up",
			float64(outagePeak.Load())/1024, resume.Seconds(), before, after)})
	assert.Zero(t, lost, "lines lost")
	assert.LessOrEqual(t, resume, 5*time.Second, "records must flow within 5 s of the broker's return")
	assert.GreaterOrEqual(t, after, before*0.9, "back to full speed")
}

// rateOver measures how fast the topic's end offset grows over d.
func rateOver(t *testing.T, a admClient, topic string, d time.Duration) float64 {
	t.Helper()
	o1, err := endOffset(t.Context(), a, topic)
	require.NoError(t, err)
	t1 := time.Now()
	time.Sleep(d)
	o2, err := endOffset(t.Context(), a, topic)
	require.NoError(t, err)
	return float64(o2-o1) / time.Since(t1).Seconds()
}

// waitAnswer polls until the broker answers a ListOffsets again; it returns when, and the end offset.
func waitAnswer(t *testing.T, adm admClient, topic string, d time.Duration) (time.Time, int64) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if off, err := endOffset(t.Context(), adm, topic); err == nil {
			return time.Now(), off
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the broker did not answer within %s", d)
	return time.Time{}, 0
}

// waitMoved polls until the end offset passes from.
func waitMoved(t *testing.T, adm admClient, topic string, from int64, d time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if off, err := endOffset(t.Context(), adm, topic); err == nil && off > from {
			return time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no record reached the topic within %s of the broker's return", d)
	return time.Time{}
}
