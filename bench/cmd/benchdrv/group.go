package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/connector"
)

// groupPartitions is the partitions of the group runs' input (issue 14 point 5's topic).
const groupPartitions = 6

// groupMembers are the group sizes compared: one member alone, and three together.
var groupMembers = []int{1, 3}

// groupRate is the input rate of the live run that measures the delay from a window's
// end to its answer.
const groupRate = 100_000

// groupRow is one group run: M members answering the same --top over the same records.
type groupRow struct {
	members       int
	seconds, cpu  float64
	peak          int64
	internalBytes int64 // the group's internal topics' log sizes after the run
	summaryBytes  int64 // bridge_stream_summary_bytes_total, over the members
	records       int64
	err           string
	delay         delayStats // the live run at groupRate
	liveRate      float64    // records/s the driver reached in it
}

// delayStats is the answer-delay histogram summed over the members.
type delayStats struct {
	count        int64
	sum          float64
	p50, p99     float64 // upper bounds of the buckets holding them
	haveQuantile bool
}

// groupPhase measures issue 14's group-wide answer: M members of one group against one
// member on a 6-partition copy of the flood, then the answer delay at 100k records/s.
func (b *bench) groupPhase(ctx context.Context, envelopes string) {
	topic, err := b.fillTopic(ctx, "talkers-group", envelopes, groupPartitions)
	if err != nil {
		b.rep.groups = append(b.rep.groups, groupRow{err: "no input topic: " + err.Error()})
		return
	}
	for _, m := range groupMembers {
		if ctx.Err() != nil {
			return
		}
		row := b.groupRun(ctx, topic, m)
		row.delay, row.liveRate = b.groupLive(ctx, m)
		b.log.Info("group", "members", m, "s", fmt.Sprintf("%.2f", row.seconds), "cpu", fmt.Sprintf("%.2f", row.cpu),
			"internal_bytes", row.internalBytes, "delay_mean", row.delay.mean(), "err", row.err)
		b.rep.groups = append(b.rep.groups, row)
	}
}

func (d delayStats) mean() float64 {
	if d.count == 0 {
		return 0
	}
	return d.sum / float64(d.count)
}

// member is one bridge stream --top of a group run.
type member struct {
	p       *proc
	watch   *answerWatch
	metrics string
}

// startMembers starts m members of one fresh group on topic.
func (b *bench) startMembers(topic, dir string, m int) (string, []member, error) {
	group := b.group(filepath.Base(dir))
	var ms []member
	for i := range m {
		port, err := freePort()
		if err != nil {
			stopMembers(ms)
			return "", nil, err
		}
		out := filepath.Join(dir, fmt.Sprintf("top-%d.jsonl", i+1))
		url := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
		p, err := startProc(spec{name: fmt.Sprintf("bridge stream --top (member %d)", i+1),
			log: filepath.Join(dir, fmt.Sprintf("bridge-%d.log", i+1)), argv: topArgv(b, topic, group, out, port, nil)})
		if err != nil {
			stopMembers(ms)
			return "", nil, err
		}
		ms = append(ms, member{p: p, metrics: url, watch: newTopWatch(out, url, int64(b.cfg.lines), false)})
	}
	return group, ms, nil
}

func stopMembers(ms []member) {
	for _, m := range ms {
		m.p.stop(15 * time.Second)
	}
}

// groupRun times m members from the first launch until every member's sink shows the
// window holding all N records, and weighs what the group wrote to its internal topics.
func (b *bench) groupRun(ctx context.Context, topic string, m int) groupRow {
	row := groupRow{members: m}
	dir := filepath.Join(b.cfg.out, fmt.Sprintf("talkers-group-%d", m))
	if err := resetDir(dir); err != nil {
		row.err = err.Error()
		return row
	}
	group, ms, err := b.startMembers(topic, dir, m)
	if err != nil {
		row.err = err.Error()
		return row
	}
	b.k.own(group+"-talkers-panes", group+"-talkers-answers")
	var procs []*proc
	for _, x := range ms {
		procs = append(procs, x.p)
	}
	var r result
	n := int64(b.cfg.lines)
	w := watch{procs: procs, timeout: talkersTimeout, poll: 100 * time.Millisecond, progress: func() (int64, error) {
		least := n
		for _, x := range ms {
			got, err := x.watch.progress()
			if err != nil {
				return 0, err
			}
			least = min(least, got)
		}
		return least, nil
	}}
	w.run(ctx, n, &r)
	row.seconds, row.records, row.err = r.seconds, r.records, r.err
	for _, x := range ms {
		if v, err := scrape(x.metrics, counter("bridge_stream_summary_bytes_total")); err == nil {
			row.summaryBytes += v
		}
	}
	u := finish(procs, false)
	row.cpu, row.peak = u.cpu, u.peak
	row.internalBytes, err = b.k.logBytes(ctx, group+"-talkers-panes", group+"-talkers-answers")
	if err != nil && row.err == "" {
		row.err = "internal topics' size: " + err.Error()
	}
	return row
}

// groupLive runs m members on an empty 6-partition topic while the driver produces flood
// records to it at groupRate for the latency phase's duration, then reads the members'
// answer-delay histograms. It returns them and the rate actually produced.
func (b *bench) groupLive(ctx context.Context, m int) (delayStats, float64) {
	dir := filepath.Join(b.cfg.out, fmt.Sprintf("talkers-group-live-%d", m))
	if err := resetDir(dir); err != nil {
		return delayStats{}, 0
	}
	topic, err := b.k.topicParts(ctx, "bench-"+b.cfg.runID+"-talkers-live", groupPartitions)
	if err != nil {
		b.log.Warn("group live", "err", err)
		return delayStats{}, 0
	}
	group, ms, err := b.startMembers(topic, dir, m)
	if err != nil {
		b.log.Warn("group live", "err", err)
		return delayStats{}, 0
	}
	b.k.own(group+"-talkers-panes", group+"-talkers-answers")
	defer stopMembers(ms)
	sleep(ctx, 5*time.Second) // the members join and get their partitions
	sent, took := b.produceAt(ctx, topic, groupRate, b.cfg.latFor)
	// The last windows end a slide after the last record; give their answers time to come.
	sleep(ctx, 6*time.Second)
	var d delayStats
	var buckets []bucket
	for _, x := range ms {
		h, err := scrape(x.metrics, func(r io.Reader) (histogram, error) {
			return parseHistogram(r, "bridge_stream_window_answer_delay_seconds")
		})
		if err != nil {
			continue
		}
		d.count += h.count
		d.sum += h.sum
		buckets = mergeBuckets(buckets, h.buckets)
	}
	d.p50, d.p99, d.haveQuantile = quantile(buckets, d.count, 0.5), quantile(buckets, d.count, 0.99), d.count > 0
	return d, float64(sent) / took.Seconds()
}

// produceAt sends flood records (new spoofed sources) at rate records/s for d, in 10 ms
// steps, and returns how many were acknowledged and how long that took.
func (b *bench) produceAt(ctx context.Context, topic string, rate int, d time.Duration) (int64, time.Duration) {
	var mu sync.Mutex
	var acked int64
	done := func(_ *kgo.Record, err error) {
		if err == nil {
			mu.Lock()
			acked++
			mu.Unlock()
		}
	}
	const step = 10 * time.Millisecond
	per := rate * int(step) / int(time.Second)
	start := time.Now()
	tick := time.NewTicker(step)
	defer tick.Stop()
	var line []byte
	i := 0
	for time.Since(start) < d && ctx.Err() == nil {
		for range per {
			line = floodLine(line[:0], b.data.templates, i)
			b.k.cl.Produce(ctx, &kgo.Record{Topic: topic, Value: connector.FormatJSONSchema.AppendValue(nil, line)}, done)
			i++
		}
		<-tick.C
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	b.k.cl.Flush(fctx)
	took := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	return acked, took
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func resetDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}
