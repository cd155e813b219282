package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// exitGrace is how long records may still land after a tool exited on its own.
const exitGrace = 3 * time.Second

// watch times a run: from the launch of its first process until progress reports n.
type watch struct {
	procs    []*proc
	timeout  time.Duration
	exits    bool // the tools end by themselves when done
	poll     time.Duration
	progress func() (int64, error)
}

func (w watch) run(ctx context.Context, n int64, r *result) {
	start := w.procs[0].start
	poll := w.poll
	if poll == 0 {
		poll = endPoll
	}
	var exitedAt time.Time
	for {
		got, err := w.progress()
		now := time.Now()
		if err == nil && got > 0 {
			if r.first == 0 {
				r.first, r.atFirst = now.Sub(start).Seconds(), got
			}
			r.records = got
		}
		r.seconds = now.Sub(start).Seconds()
		if got >= n {
			return
		}
		if exitedAt.IsZero() && w.anyExited() {
			exitedAt = now
		}
		switch {
		case ctx.Err() != nil:
			r.err = "interrupted"
			return
		case !exitedAt.IsZero() && now.Sub(exitedAt) > exitGrace:
			r.err = w.exitReason(r.records, n)
			return
		case now.Sub(start) > w.timeout:
			r.err = fmt.Sprintf("timeout: %d of %d after %.0f s", r.records, n, r.seconds)
			return
		}
		time.Sleep(poll)
	}
}

func (w watch) anyExited() bool {
	for _, p := range w.procs {
		if p.exited() {
			return true
		}
	}
	return false
}

func (w watch) exitReason(got, n int64) string {
	for _, p := range w.procs {
		if why := p.failed(); why != "" {
			return fmt.Sprintf("%s (%d of %d)", why, got, n)
		}
	}
	return fmt.Sprintf("exited with %d of %d done", got, n)
}

// finish measures the tools and stops what still runs. A tool that ends by itself is
// let finish and measured over its whole life; a follower is measured at the moment the
// work was done, then stopped.
func finish(procs []*proc, exits bool) usage {
	var u usage
	for _, p := range procs {
		if exits {
			select {
			case <-p.done:
			case <-time.After(60 * time.Second):
			}
		}
		u = u.add(p.usage())
		p.stop(15 * time.Second)
	}
	return u
}

// repeatUnder: a tool whose first run took longer than this runs once; its noise is small
// next to its time, and the run budget (make bench within 15 minutes) is spent on the
// fast tools, whose few seconds a busy machine disturbs most.
const repeatUnder = 10 * time.Second

// repeat runs one tool as interleaved does.
func (b *bench) repeat(once func(limit time.Duration) result) result {
	return b.interleaved(1, func(_ int, limit time.Duration) result { return once(limit) })[0]
}

// interleaved runs each of n tools once, then the fast ones (first run under repeatUnder)
// again, round after round, up to cfg.repeat runs each: a load change on the shared machine
// then falls on every tool of the round alike, not on whichever tool happened to run then.
// Each tool's result is its run with the median time, with every time kept for the spread.
// Repeats get a tighter time limit than the first run, so a stuck repeat costs little; a
// tool whose repeat fails keeps the runs it had.
func (b *bench) interleaved(n int, once func(i int, limit time.Duration) result) []result {
	runs := make([][]result, n)
	limits := make([]time.Duration, n) // 0: the phase's own
	done := make([]bool, n)
	out := make([]result, n)
	for round := 0; round < max(b.cfg.repeat, 1); round++ {
		for i := range n {
			if done[i] {
				continue
			}
			r := once(i, limits[i])
			limits[i] = max(30*time.Second, 3*time.Duration(r.seconds*float64(time.Second)))
			switch {
			case r.err != "" && len(runs[i]) == 0:
				out[i], done[i] = r, true
			case r.err != "":
				done[i] = true
			default:
				runs[i] = append(runs[i], r)
				done[i] = r.seconds > repeatUnder.Seconds()
			}
		}
	}
	for i, rs := range runs {
		if len(rs) > 0 {
			out[i] = median(rs)
		}
	}
	return out
}

func median(runs []result) result {
	slices.SortFunc(runs, func(x, y result) int { return cmp.Compare(x.seconds, y.seconds) })
	med := runs[(len(runs)-1)/2] // of two, the faster
	for _, r := range runs {
		med.all = append(med.all, r.seconds)
	}
	return med
}
