package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/connectvalue"
)

const (
	// warmLines are written first and waited for, so that start-up (JVM, group join, the
	// first 2 s batch) is not counted as latency.
	warmLines   = 10
	warmTimeout = 2 * time.Minute
	// drainTimeout bounds the wait for the last lines after the writer stopped.
	drainTimeout = 30 * time.Second
)

// latencyRow is one distribution: append -> broker ack, or append -> sink.
type latencyRow struct {
	tool, stage    string
	rate           int
	sent, got      int
	p50, p99, pmax time.Duration
	err            string
}

// latencyPhase runs a writer appending lines at each rate, one write(2) per line as
// `tshark -l` does, with bridge source + bridge stream, then with Connect's source.
func (b *bench) latencyPhase(ctx context.Context) {
	for _, kind := range []string{"bridge", "connect"} {
		for _, rate := range b.cfg.rates {
			if ctx.Err() != nil {
				return
			}
			rows := b.runLatency(ctx, kind, rate)
			for _, r := range rows {
				b.log.Info("latency", "tool", r.tool, "stage", r.stage, "rate", r.rate, "p50", r.p50, "p99", r.p99, "max", r.pmax, "got", r.got, "err", r.err)
			}
			b.rep.lat = append(b.rep.lat, rows...)
		}
	}
}

// latRun is the state of one latency run.
type latRun struct {
	b      *bench
	kind   string
	rate   int
	dir    string
	topic  string
	file   string
	procs  []*proc
	col    *collector
	tail   *sinkTail
	writer *writer
}

func (b *bench) runLatency(ctx context.Context, kind string, rate int) []latencyRow {
	lr := &latRun{b: b, kind: kind, rate: rate, dir: filepath.Join(b.cfg.out, fmt.Sprintf("latency-%s-%d", kind, rate))}
	fail := func(err error) []latencyRow {
		return []latencyRow{{tool: lr.sourceLabel(), stage: "append→ack", rate: rate, err: err.Error()}}
	}
	var err error
	if lr.topic, err = b.prepare(ctx, lr.dir, fmt.Sprintf("lat-%s-%d", kind, rate), true); err != nil {
		return fail(err)
	}
	defer lr.stop()
	if err := lr.start(ctx); err != nil {
		return fail(err)
	}
	if err := lr.warmUp(ctx); err != nil {
		return fail(err)
	}
	total := rate * int(b.cfg.latFor/time.Millisecond) / 1000
	took := lr.writer.pace(ctx, rate, total)
	lr.drain(ctx, warmLines+total)
	rows := lr.results(total)
	// A writer that fell behind (a busy machine) offered less than the rate: say so.
	if got := float64(total) / took.Seconds(); got < 0.95*float64(rate) {
		for i := range rows {
			rows[i].err = strings.TrimPrefix(rows[i].err+fmt.Sprintf("; writer reached only %.0f lines/s", got), "; ")
		}
	}
	return rows
}

func (lr *latRun) sourceLabel() string {
	if lr.kind == "bridge" {
		return "bridge source"
	}
	return "connect-standalone FileStreamSource"
}

// start creates the empty log, the source (and for bridge the stream), and the readers.
func (lr *latRun) start(ctx context.Context) error {
	b := lr.b
	lr.file = filepath.Join(lr.dir, "en0.log")
	var err error
	if lr.writer, err = newWriter(lr.file, b.data.templates); err != nil {
		return err
	}
	var p *proc
	if lr.kind == "bridge" {
		p, err = bridgeSourceProc(b, lr.file, lr.topic, lr.dir)
	} else {
		p, err = connectProc(b, lr.file, lr.topic, lr.dir)
	}
	if err != nil {
		return err
	}
	lr.procs = append(lr.procs, p)
	if lr.kind == "bridge" {
		sinkPath := filepath.Join(lr.dir, "pairs.jsonl")
		p, err = startProc(spec{name: "bridge stream", log: filepath.Join(lr.dir, "bridge-stream.log"), argv: []string{
			b.cfg.bridge, "stream", lr.topic, "--brokers", b.cfg.brokers, "--group", "bench-" + lr.topic,
			"--from-beginning", "--sink", "jsonl:" + sinkPath, "--parser", "tshark", "--log-level", "warn"}})
		if err != nil {
			return err
		}
		lr.procs = append(lr.procs, p)
		lr.tail = startSinkTail(ctx, sinkPath)
	}
	lr.col, err = startCollector(ctx, b.cfg.brokers, lr.topic)
	return err
}

// warmUp writes warmLines lines and waits until they went all the way through.
func (lr *latRun) warmUp(ctx context.Context) error {
	for i := 0; i < warmLines; i++ {
		if err := lr.writer.line(); err != nil {
			return err
		}
	}
	if !lr.waitAll(ctx, warmLines, warmTimeout) {
		return fmt.Errorf("warm-up lines did not arrive within %s (%s)", warmTimeout, lr.procState())
	}
	return nil
}

func (lr *latRun) drain(ctx context.Context, n int) { lr.waitAll(ctx, n, drainTimeout) }

func (lr *latRun) waitAll(ctx context.Context, n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if lr.col.count() >= n && (lr.tail == nil || lr.tail.count() >= n) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func (lr *latRun) procState() string {
	for _, p := range lr.procs {
		if why := p.failed(); why != "" {
			return why
		}
	}
	return "processes running"
}

func (lr *latRun) stop() {
	for _, p := range lr.procs {
		p.stop(15 * time.Second)
	}
	if lr.col != nil {
		lr.col.stop()
	}
	if lr.tail != nil {
		lr.tail.stop()
	}
	if lr.writer != nil {
		lr.writer.f.Close()
	}
}

// results turns what the readers saw into distributions over the measured lines.
func (lr *latRun) results(total int) []latencyRow {
	app := lr.writer.appendAt
	recs := lr.col.snapshot()
	var ack []time.Duration
	seqOf := make(map[int64]int, len(recs))
	for _, r := range recs {
		seqOf[r.offset] = r.seq
		if r.seq > warmLines && r.seq < len(app) {
			ack = append(ack, time.Duration(r.ts-app[r.seq]))
		}
	}
	rows := []latencyRow{distribution(lr.sourceLabel(), "append→ack", lr.rate, total, ack)}
	if lr.tail != nil {
		var e2e []time.Duration
		for _, s := range lr.tail.snapshot() {
			if seq, ok := seqOf[s.offset]; ok && seq > warmLines && seq < len(app) {
				e2e = append(e2e, time.Duration(s.at-app[seq]))
			}
		}
		rows = append(rows, distribution("bridge source + bridge stream", "append→sink", lr.rate, total, e2e))
	}
	return rows
}

func distribution(tool, stage string, rate, sent int, d []time.Duration) latencyRow {
	r := latencyRow{tool: tool, stage: stage, rate: rate, sent: sent, got: len(d)}
	if len(d) == 0 {
		r.err = "no line arrived"
		return r
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[int(q*float64(len(d)-1))] }
	r.p50, r.p99, r.pmax = at(0.50), at(0.99), d[len(d)-1]
	if len(d) < sent {
		r.err = fmt.Sprintf("%d of %d lines arrived", len(d), sent)
	}
	return r
}

// writer appends tshark lines to the log, one write(2) per line like `tshark -l`. Line
// seq carries seq as its frame number and its append time as an epoch time (-t e).
type writer struct {
	f        *os.File
	tpl      []template
	buf      []byte
	appendAt []int64 // unix ns, by seq; index 0 unused
}

func newWriter(path string, tpl []template) (*writer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &writer{f: f, tpl: tpl, appendAt: []int64{0}}, nil
}

func (w *writer) line() error {
	seq := int64(len(w.appendAt))
	now := time.Now().UnixNano()
	w.buf = append(appendLine(w.buf[:0], w.tpl[int(seq)%len(w.tpl)], seq, now), '\n')
	w.appendAt = append(w.appendAt, now)
	_, err := w.f.Write(w.buf)
	return err
}

// pace writes total lines at rate lines/s, catching up in small bursts after each sleep,
// and returns how long it took.
func (w *writer) pace(ctx context.Context, rate, total int) time.Duration {
	w.appendAt = slices.Grow(w.appendAt, total)
	start := time.Now()
	for i := 0; i < total && ctx.Err() == nil; {
		due := min(total, int(time.Since(start).Seconds()*float64(rate)))
		for ; i < due; i++ {
			if err := w.line(); err != nil {
				return time.Since(start)
			}
		}
		time.Sleep(100 * time.Microsecond)
	}
	return time.Since(start)
}

// seen is one record as the collector read it.
type seen struct {
	offset int64
	seq    int
	ts     int64 // the broker's LogAppendTime, unix ns (ms resolution)
}

// collector reads the topic from the start and notes each record's broker timestamp.
type collector struct {
	cl     *kgo.Client
	mu     sync.Mutex
	recs   []seen
	cancel context.CancelFunc
	done   chan struct{}
}

func startCollector(ctx context.Context, brokers, topic string) (*collector, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(50*time.Millisecond))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &collector{cl: cl, cancel: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c, nil
}

func (c *collector) run(ctx context.Context) {
	defer close(c.done)
	for ctx.Err() == nil {
		fs := c.cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			line, err := connectvalue.DecodeValue(r.Value)
			if err != nil {
				return
			}
			seq, ok := frameNumber(line)
			if !ok {
				return
			}
			c.mu.Lock()
			c.recs = append(c.recs, seen{offset: r.Offset, seq: seq, ts: r.Timestamp.UnixNano()})
			c.mu.Unlock()
		})
	}
}

func frameNumber(line []byte) (int, bool) {
	f := bytes.Fields(line)
	if len(f) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(f[0]))
	return n, err == nil
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.recs)
}

func (c *collector) snapshot() []seen {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.recs)
}

func (c *collector) stop() {
	c.cancel()
	<-c.done
	c.cl.Close()
}

// sinkTail follows bridge stream's JSON-lines sink and notes when each record's output
// line became readable.
type sinkTail struct {
	mu     sync.Mutex
	got    []sinkSeen
	cancel context.CancelFunc
	done   chan struct{}
}

type sinkSeen struct{ offset, at int64 }

func startSinkTail(ctx context.Context, path string) *sinkTail {
	ctx, cancel := context.WithCancel(ctx)
	t := &sinkTail{cancel: cancel, done: make(chan struct{})}
	go t.run(ctx, path)
	return t
}

// run polls the file every millisecond: the resolution of the append→sink figures.
func (t *sinkTail) run(ctx context.Context, path string) {
	defer close(t.done)
	var f *os.File
	for f == nil && ctx.Err() == nil {
		f, _ = os.Open(path)
		time.Sleep(time.Millisecond)
	}
	if f == nil {
		return
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var part []byte
	for ctx.Err() == nil {
		chunk, err := r.ReadSlice('\n')
		part = append(part, chunk...)
		if err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		t.add(part, time.Now().UnixNano())
		part = part[:0]
	}
}

var offsetKey = []byte(`"offset":`)

func (t *sinkTail) add(line []byte, at int64) {
	i := bytes.Index(line, offsetKey)
	if i < 0 {
		return
	}
	rest := line[i+len(offsetKey):]
	end := bytes.IndexAny(rest, ",}")
	if end < 0 {
		return
	}
	off, err := strconv.ParseInt(string(bytes.TrimSpace(rest[:end])), 10, 64)
	if err != nil {
		return
	}
	t.mu.Lock()
	t.got = append(t.got, sinkSeen{offset: off, at: at})
	t.mu.Unlock()
}

func (t *sinkTail) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.got)
}

func (t *sinkTail) snapshot() []sinkSeen {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.got)
}

func (t *sinkTail) stop() {
	t.cancel()
	<-t.done
}
