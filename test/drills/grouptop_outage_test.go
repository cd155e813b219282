//go:build drills

package drills

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Two --top groups of two members each read one 6-partition topic fed records stamped with
// the time they are made: one group in record time, one in processing time. Every member is
// SIGKILLed and all stay down 30 s while the records keep coming, then they return. In
// record time the windows of the outage must be the ones the records' timestamps say, each
// with exactly the packets per pair of the records produced into it, not one catch-up
// window; in processing time the backlog lands in "now", which the row reports as a figure.
func TestGroupTopOutage(t *testing.T) {
	const (
		width  = 2 * time.Second
		outage = 30 * time.Second
		rate   = 2000
	)
	seeds := upCluster(t, 1)
	adm, _ := admin(t, seeds)
	in := "drill-outage-top-in"
	createTopic(t, adm, in, 6, 1, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	truth := newWindowTruth(width)
	produced := produceTimed(ctx, t, seeds, in, truth, rate)
	bin := bridgeBin(t)
	began := time.Now()
	record := startOutageGroup(t, bin, seeds, in, "record", width)
	processing := startOutageGroup(t, bin, seeds, in, "processing", width)
	groups := []*outageGroup{record, processing}
	for _, g := range groups {
		waitConsuming(t, adm, g.group, "", true, g.procs[len(g.procs)-1])
	}

	time.Sleep(10 * time.Second)
	stopped := time.Now()
	for _, g := range groups {
		g.kill()
	}
	time.Sleep(outage)
	returned := time.Now()
	for _, g := range groups {
		g.restart(t)
	}
	for _, g := range groups {
		waitConsuming(t, adm, g.group, "", true, g.procs[len(g.procs)-1])
	}
	time.Sleep(10 * time.Second)
	cancel()
	n := <-produced
	want := truth.snapshot()

	awaitAnswers(t, seeds, record.out, len(want))
	var peak int64
	for _, g := range groups { // processing time answers every tick: stop it to read its topic to the end
		for _, p := range g.procs {
			assert.Equal(t, 0, p.Term(t, 30*time.Second), "log:\n%s", p.Stderr.String())
			peak = max(peak, p.PeakKiB())
		}
		peak = max(peak, g.peak)
	}
	got, answers := readTop(t, seeds, record.out)
	procRows, _ := readTop(t, seeds, processing.out)

	twice, wrong, inOutage, exactInOutage := checkWindows(t, want, got, answers, width, stopped, returned)
	if wrong > 0 || len(answers) < len(want) {
		record.logs(t)
	}
	steady := medianPackets(want)
	b := backlogOf(procRows, width, stopped, returned, steady)
	t.Logf("members started %s, outage %s..%s; record time: %d windows inside it, %d exact; processing time: %+v (steady window %d)",
		began.Format(time.TimeOnly), stopped.Format(time.TimeOnly), returned.Format(time.TimeOnly), inOutage, exactInOutage, b, steady)

	report(t, row{Scenario: "two members, --top --time record --exactly-once, all killed (kill -9) and down 30 s while records come",
		Runs: 2 * (len(record.procs) + len(processing.procs)), Lines: n, Lost: len(want) - len(answers) + wrong, Dups: twice, PeakRSSKiB: peak,
		Notes: fmt.Sprintf("6 partitions, 2k records/s, 2 s windows: %d windows, %d of them inside the outage, %d of those exact (steady window %d packets); "+
			"--time processing beside it: %d windows inside the outage, the backlog in \"now\": %d window(s) after the return over 2x steady, the biggest ending %.1f s after the return with %d packets (%.1fx steady)",
			len(want), inOutage, exactInOutage, steady, b.Inside, b.Swollen, b.After.Seconds(), b.Biggest, float64(b.Biggest)/float64(max(steady, 1)))})
	assert.Len(t, answers, len(want))
	assert.Zero(t, twice, "windows answered twice")
	assert.GreaterOrEqual(t, inOutage, int(outage/width)-2, "the outage's records in windows of their own")
}

// checkWindows compares every answered window with the truth and counts the windows answered
// twice, the wrong ones, and those wholly inside the outage and how many of them are exact.
func checkWindows(t *testing.T, want, got map[int64]map[string]int64, answers map[int64]int, width time.Duration,
	stopped, returned time.Time) (twice, wrong, inOutage, exactInOutage int) {
	t.Helper()
	for end, k := range answers {
		twice += k - 1
		ok := assert.Equal(t, want[end], got[end], "window %v", time.UnixMilli(end))
		if !ok {
			wrong++
			t.Logf("window %v: %d packets, want %d", time.UnixMilli(end), packets(got[end]), packets(want[end]))
		}
		if within(end, width, stopped, returned) {
			inOutage++
			if ok {
				exactInOutage++
			}
		}
	}
	return twice, wrong, inOutage, exactInOutage
}

// backlog is where a group's windows put the records of an outage.
type backlog struct {
	Inside  int           // windows wholly inside the outage
	Swollen int           // windows after the return with over twice the steady packets
	Biggest int64         // packets of the biggest window after the return
	After   time.Duration // from the return to that window's end
}

// backlogOf reads the windows (packets per key per window end) of a group down from stopped
// to returned.
func backlogOf(windows map[int64]map[string]int64, width time.Duration, stopped, returned time.Time, steady int64) backlog {
	var b backlog
	var biggestEnd int64
	for end, rows := range windows {
		if within(end, width, stopped, returned) {
			b.Inside++
		}
		if end <= returned.UnixMilli() {
			continue
		}
		p := packets(rows)
		if p > 2*steady {
			b.Swollen++
		}
		if p > b.Biggest {
			b.Biggest, biggestEnd = p, end
		}
	}
	b.After = time.UnixMilli(biggestEnd).Sub(returned)
	return b
}

// outageGroup is two --top members of one group with a kafka: sink of their own.
type outageGroup struct {
	bin, group, out string
	procs, killed   []*proc
	args            func(i int) []string
	peak            int64
}

// startOutageGroup starts two members with --time mode, tumbling windows of width and
// --exactly-once into a new output topic.
func startOutageGroup(t *testing.T, bin string, seeds []string, in, mode string, width time.Duration) *outageGroup {
	t.Helper()
	adm, _ := admin(t, seeds)
	g := &outageGroup{bin: bin, group: "drill-outage-" + mode, out: "drill-outage-" + mode + "-out"}
	createTopic(t, adm, g.out, 3, 1, nil)
	g.args = func(i int) []string {
		return streamArgs(seeds, in, g.group, "--top", "1000", "--time", mode, "--window", width.String(), "--slide", width.String(),
			"--sink", "kafka:"+g.out, "--exactly-once", "--transactional-id", g.group+"-"+strconv.Itoa(i))
	}
	for i := range 2 {
		g.procs = append(g.procs, start(t, bin, g.args(i)...))
	}
	return g
}

func (g *outageGroup) kill() {
	for _, p := range g.procs {
		p.Kill()
		g.peak = max(g.peak, p.PeakKiB())
	}
	g.killed = append(g.killed, g.procs...)
}

// logs logs what every member of the group, killed ones included, wrote to stderr.
func (g *outageGroup) logs(t *testing.T) {
	t.Helper()
	for i, p := range append(append([]*proc(nil), g.killed...), g.procs...) {
		t.Logf("%s member run %d stderr:\n%s", g.group, i, lastLines(p.Stderr.String(), 40))
	}
}

// restart starts every member again with its transactional id.
func (g *outageGroup) restart(t *testing.T) {
	t.Helper()
	for i := range g.procs {
		g.procs[i] = start(t, g.bin, g.args(i)...)
	}
}

// within says whether the window ending at end (ms) lies wholly in [from, to].
func within(end int64, width time.Duration, from, to time.Time) bool {
	return end-width.Milliseconds() >= from.UnixMilli() && end <= to.UnixMilli()
}

func packets(rows map[string]int64) int64 {
	var n int64
	for _, k := range rows {
		n += k
	}
	return n
}

// medianPackets is the packets of the median window of m.
func medianPackets(m map[int64]map[string]int64) int64 {
	var all []int64
	for _, rows := range m {
		all = append(all, packets(rows))
	}
	if len(all) == 0 {
		return 0
	}
	slices.Sort(all)
	return all[len(all)/2]
}
