package e2e

// These tests drive the real bridge binary: they kill it with SIGKILL mid-stream and
// restart it, and run three of them in one group, against the cluster kafkatest gives
// (real Kafka with BRIDGE_TEST_BROKERS, else in-process kfake, which the binary reaches
// over loopback).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/harness"
	"github.com/bridge-project/bridge/internal/kafkatest"
)

// proc is one running bridge process; its stderr goes to a log file (kept in
// BRIDGE_TEST_LOGDIR, when set, for a post-mortem).
type proc struct {
	*harness.Proc
	name string
	logf string
}

func startBridge(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	return startBridgeEnv(t, name, nil, args...)
}

func startBridgeEnv(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	dir := os.Getenv("BRIDGE_TEST_LOGDIR")
	if dir == "" {
		dir = t.TempDir()
	}
	logf := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.log", strings.ReplaceAll(t.Name(), "/", "_"), name, time.Now().UnixNano()))
	lf, err := os.Create(logf)
	require.NoError(t, err)
	p := &proc{Proc: harness.Start(t, harness.Bridge(t), harness.Options{Env: env, Stderr: lf}, args...), name: name, logf: logf}
	t.Cleanup(func() {
		p.Kill()
		lf.Close()
		if t.Failed() {
			raw, _ := os.ReadFile(logf)
			t.Logf("%s log:\n%s", name, tail(string(raw), 40))
		}
	})
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// kill9 kills the process with SIGKILL, as a crash would.
func (p *proc) kill9(t *testing.T) {
	t.Helper()
	p.Kill()
}

// term sends SIGTERM and returns the exit code. It first waits for the process to say it
// started: before that, Go has not yet installed its signal handler.
func (p *proc) term(t *testing.T) int {
	t.Helper()
	waitFor(t, p.name+" to start", 30*time.Second, func() bool {
		raw, _ := os.ReadFile(p.logf)
		return bytes.Contains(raw, []byte("stream starting"))
	})
	return p.Term(t, 60*time.Second)
}

// jsonlRefs reads the (partition, offset) of every whole line of a jsonl sink file and
// counts them; torn lines (a crash mid-write) are skipped.
func jsonlRefs(t *testing.T, path string) map[ref]int {
	t.Helper()
	out := map[ref]int{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out
	}
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var obj struct {
			Partition int32 `json:"partition"`
			Offset    int64 `json:"offset"`
		}
		if json.Unmarshal(sc.Bytes(), &obj) == nil {
			out[ref{obj.Partition, obj.Offset}]++
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// producer produces packet records in the background until stopped, and remembers
// where each one landed.
type producer struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	refs   map[ref]bool
	n      int
}

func startProducer(t *testing.T, c *kafkatest.Cluster, topic string, perTick int, tick time.Duration, total int) *producer {
	t.Helper()
	cl := c.Client(t, kgo.RecordPartitioner(kgo.RoundRobinPartitioner()), kgo.DefaultProduceTopic(topic))
	ctx, cancel := context.WithCancel(context.Background())
	p := &producer{cancel: cancel, done: make(chan struct{}), refs: map[ref]bool{}}
	go func() {
		defer close(p.done)
		tk := time.NewTicker(tick)
		defer tk.Stop()
		for p.count() < total {
			var recs []*kgo.Record
			for i := 0; i < perTick; i++ {
				recs = append(recs, &kgo.Record{Value: envelope(packetLine(p.count() + i))})
			}
			// Records acknowledged while the stop cancels the call are in the topic too:
			// count them before returning, or the stream's output looks like duplicates.
			res := cl.ProduceSync(ctx, recs...)
			p.mu.Lock()
			for _, r := range res {
				if r.Err == nil {
					p.refs[ref{r.Record.Partition, r.Record.Offset}] = true
					p.n++
				}
			}
			p.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			select {
			case <-tk.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { p.stop() })
	return p
}

func (p *producer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func (p *producer) stop() map[ref]bool {
	p.cancel()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refs
}

func (p *producer) wait() map[ref]bool {
	<-p.done
	return p.stop()
}

func missing(want map[ref]bool, got map[ref]int) []ref {
	var out []ref
	for r := range want {
		if got[r] == 0 {
			out = append(out, r)
		}
	}
	return out
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	harness.Eventually(t, timeout, cond, "waiting for %s", what)
}

func streamArgs(c *kafkatest.Cluster, topic, group string, extra ...string) []string {
	return append([]string{"stream", topic, "--brokers", strings.Join(c.Brokers, ","),
		"--group", group, "--from-beginning", "--interval", "200ms", "--log-level", "debug",
		// The broker's minimum: a killed member's partitions move after 6s, not 45s.
		"--session-timeout", "6s"}, extra...)
}

// consuming waits until p has joined and completed a batch with records: killing it
// earlier would test the group's join protocol, not the stream.
func (p *proc) consuming(t *testing.T) {
	t.Helper()
	done := regexp.MustCompile(`msg="batch done".* records=[1-9]`)
	waitFor(t, p.name+" to complete a batch", 90*time.Second, func() bool {
		raw, _ := os.ReadFile(p.logf)
		return done.Match(raw)
	})
}

// TestKill9AtLeastOnce: SIGKILL while records flow (twice), restart: every record
// reaches the jsonl sink at least once.
func TestKill9AtLeastOnce(t *testing.T) {
	harness.Bridge(t)
	c := kafkatest.New(t)
	topic := newTopic(t, c, 3)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	args := streamArgs(c, topic, topic+"-g", "--sink", "jsonl:"+out)
	prod := startProducer(t, c, topic, 20, 20*time.Millisecond, 1<<30)
	for round := 0; round < 2; round++ {
		p := startBridge(t, fmt.Sprintf("stream-%d", round), args...)
		p.consuming(t)
		time.Sleep(time.Duration(50+100*round) * time.Millisecond) // into the next batch
		p.kill9(t)
	}
	p := startBridge(t, "stream-final", args...)
	p.consuming(t)
	want := prod.stop()
	waitFor(t, "every record in the sink", 90*time.Second, func() bool { return len(missing(want, jsonlRefs(t, out))) == 0 })
	assert.Equal(t, 0, p.term(t), "SIGTERM exits 0")

	got := jsonlRefs(t, out)
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	t.Logf("%d records, %d delivered twice or more after two SIGKILLs", len(want), dups)
	assert.Empty(t, missing(want, got))
}

// TestKill9ExactlyOnce: with --exactly-once and a kafka: sink, SIGKILL mid-stream and a
// restart with the same transactional id leave every record exactly once in the output
// topic as a read_committed consumer sees it.
func TestKill9ExactlyOnce(t *testing.T) {
	harness.Bridge(t)
	c := kafkatest.New(t)
	in, outTopic := newTopic(t, c, 3), newTopic(t, c, 3)
	args := streamArgs(c, in, in+"-g", "--sink", "kafka:"+outTopic, "--exactly-once",
		"--transactional-id", in+"-txn")
	prod := startProducer(t, c, in, 20, 20*time.Millisecond, 1<<30)
	p := startBridge(t, "stream-0", args...)
	p.consuming(t)
	time.Sleep(100 * time.Millisecond)
	p.kill9(t)
	p = startBridge(t, "stream-1", args...)
	p.consuming(t)
	time.Sleep(500 * time.Millisecond)
	want := prod.stop()
	total := len(want)

	recs := c.ReadAll(t, outTopic, total, 90*time.Second, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	require.Len(t, recs, total)
	time.Sleep(time.Second) // let a duplicate, if any, be committed
	assert.Equal(t, 0, p.term(t))

	recs = c.ReadAll(t, outTopic, total+1, 5*time.Second, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	got := map[ref]int{}
	for _, r := range recs {
		var obj struct {
			Partition int32 `json:"partition"`
			Offset    int64 `json:"offset"`
		}
		require.NoError(t, json.Unmarshal(r.Value, &obj))
		got[ref{obj.Partition, obj.Offset}]++
	}
	assert.Len(t, recs, total, "no record twice")
	assert.Empty(t, missing(want, got))
	for r, n := range got {
		assert.Equal(t, 1, n, "input %v", r)
	}
	uncommitted := c.ReadAll(t, outTopic, 2*total, 3*time.Second)
	t.Logf("output topic: %d committed records, %d including aborted ones", len(recs), len(uncommitted))
}

// TestThreeInstancesShareAGroup: three bridge stream processes in one group split a
// 6-partition topic; stopping one moves its partitions to the other two, and no record
// is lost or (since every stop commits) delivered twice.
func TestThreeInstancesShareAGroup(t *testing.T) {
	harness.Bridge(t)
	c := kafkatest.New(t)
	topic := newTopic(t, c, 6)
	dir := t.TempDir()
	group := topic + "-g"
	var procs []*proc
	var files []string
	for i := 0; i < 3; i++ {
		f := filepath.Join(dir, fmt.Sprintf("out-%d.jsonl", i))
		files = append(files, f)
		procs = append(procs, startBridge(t, fmt.Sprintf("member-%d", i), streamArgs(c, topic, group, "--sink", "jsonl:"+f)...))
	}
	prod := startProducer(t, c, topic, 30, 20*time.Millisecond, 1<<30)
	partsOf := func(path string, since map[ref]int) map[int32]bool {
		out := map[int32]bool{}
		for r := range jsonlRefs(t, path) {
			if since[r] == 0 {
				out[r.partition] = true
			}
		}
		return out
	}
	waitFor(t, "all three members to consume", 90*time.Second, func() bool {
		n := 0
		for _, f := range files {
			if len(partsOf(f, nil)) > 0 {
				n++
			}
		}
		return n == 3
	})
	require.Equal(t, 0, procs[0].term(t), "member-0 stops cleanly on SIGTERM")
	before := map[ref]int{}
	for _, f := range files {
		for r, n := range jsonlRefs(t, f) {
			before[r] += n
		}
	}
	waitFor(t, "the other two members to take over all six partitions", 90*time.Second, func() bool {
		parts := partsOf(files[1], before)
		for p := range partsOf(files[2], before) {
			parts[p] = true
		}
		return len(parts) == 6
	})
	want := prod.stop()
	union := func() map[ref]int {
		all := map[ref]int{}
		for _, f := range files {
			for r, n := range jsonlRefs(t, f) {
				all[r] += n
			}
		}
		return all
	}
	waitFor(t, "every record in some member's output", 60*time.Second, func() bool { return len(missing(want, union())) == 0 })
	for _, p := range procs[1:] {
		assert.Equal(t, 0, p.term(t))
	}
	all := union()
	assert.Empty(t, missing(want, all))
	for r, n := range all {
		assert.Equal(t, 1, n, "record %v delivered once: rebalances happen only between committed batches", r)
	}
	t.Logf("%d records over 3 then 2 members", len(want))
}

// fifoReader reads jsonl lines from a named pipe the stream writes to. It stops after
// `keep` lines, so the pipe fills up and the stream blocks inside a sink Write: mid-batch,
// before the commit. After the kill, drain reads what the pipe still holds: those lines
// were written (and maybe committed) before the kill, so they count as delivered.
type fifoReader struct {
	resume chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	refs   map[ref]int
	n      int
}

func readFIFO(t *testing.T, path string, keep int) *fifoReader {
	t.Helper()
	r := &fifoReader{resume: make(chan struct{}), done: make(chan struct{}), refs: map[ref]int{}}
	go func() {
		defer close(r.done)
		f, err := os.Open(path) // blocks until the stream opens it
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var obj struct {
				Partition int32 `json:"partition"`
				Offset    int64 `json:"offset"`
			}
			r.mu.Lock()
			if json.Unmarshal(sc.Bytes(), &obj) == nil { // a torn last line does not count
				r.refs[ref{obj.Partition, obj.Offset}]++
			}
			r.n++
			n := r.n
			r.mu.Unlock()
			if n == keep {
				<-r.resume
			}
		}
	}()
	t.Cleanup(func() {
		select {
		case <-r.resume:
		default:
			close(r.resume)
		}
	})
	return r
}

func (r *fifoReader) lines() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// drain reads the rest of the pipe, up to EOF once the writer is dead.
func (r *fifoReader) drain(t *testing.T) map[ref]int {
	t.Helper()
	close(r.resume)
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the pipe did not reach EOF after the kill")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.refs)
}

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sink.fifo")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	return path
}

// TestKill9InsideSinkWrite kills the stream while a sink Write is blocked (the pipe it
// writes to is full and nobody reads it): the batch was polled and partly written but
// not committed, so after a restart every record the reader never got comes again.
// Committing before writing would lose them.
func TestKill9InsideSinkWrite(t *testing.T) {
	harness.Bridge(t)
	c := kafkatest.New(t)
	topic := newTopic(t, c, 3)
	group := topic + "-g"
	fifo := mkfifo(t)
	const total = 2000
	prod := startProducer(t, c, topic, 50, 20*time.Millisecond, total)
	reader := readFIFO(t, fifo, 200)
	p := startBridge(t, "stream-0", streamArgs(c, topic, group, "--sink", "jsonl:"+fifo)...)
	waitFor(t, "the reader to stop", 60*time.Second, func() bool { return reader.lines() >= 200 })
	time.Sleep(1500 * time.Millisecond) // the pipe fills up; the stream blocks in Write
	p.kill9(t)
	seen := reader.drain(t)

	out := filepath.Join(t.TempDir(), "out.jsonl")
	want := prod.wait()
	p = startBridge(t, "stream-1", streamArgs(c, topic, group, "--sink", "jsonl:"+out)...)
	union := func() map[ref]int {
		all := maps.Clone(seen)
		for r, n := range jsonlRefs(t, out) {
			all[r] += n
		}
		return all
	}
	waitFor(t, "every record in the sinks", 90*time.Second, func() bool { return len(missing(want, union())) == 0 })
	assert.Equal(t, 0, p.term(t))
	assert.Empty(t, missing(want, union()))
	after, again := jsonlRefs(t, out), 0
	for r := range seen {
		if after[r] > 0 {
			again++
		}
	}
	t.Logf("%d records; %d reached the pipe before the kill, %d of them came again after it",
		total, len(seen), again)
}

// TestKill9InsideTransaction: with --exactly-once the Kafka sink is written first, then a
// blocked jsonl sink holds the stream inside the open transaction, where it is killed.
// The restart (same transactional id) fences and aborts that transaction: a
// read_committed reader sees every record exactly once, while the aborted records are
// visible to a read_uncommitted one.
func TestKill9InsideTransaction(t *testing.T) {
	harness.Bridge(t)
	c := kafkatest.New(t)
	in, outTopic := newTopic(t, c, 3), newTopic(t, c, 3)
	group, txn := in+"-g", in+"-txn"
	fifo := mkfifo(t)
	const total = 2000
	prod := startProducer(t, c, in, 50, 20*time.Millisecond, total)
	reader := readFIFO(t, fifo, 100)
	p := startBridge(t, "stream-0", streamArgs(c, in, group, "--exactly-once", "--transactional-id", txn,
		"--sink", "kafka:"+outTopic, "--sink", "jsonl:"+fifo)...)
	waitFor(t, "the reader to stop", 60*time.Second, func() bool { return reader.lines() >= 100 })
	time.Sleep(1500 * time.Millisecond)
	p.kill9(t)
	reader.drain(t)
	want := prod.wait()

	p = startBridge(t, "stream-1", streamArgs(c, in, group, "--exactly-once", "--transactional-id", txn,
		"--sink", "kafka:"+outTopic)...)
	recs := c.ReadAll(t, outTopic, total, 90*time.Second, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	require.Len(t, recs, total)
	time.Sleep(time.Second) // a duplicate, if any, would be committed by now
	assert.Equal(t, 0, p.term(t))

	recs = c.ReadAll(t, outTopic, total+1, 5*time.Second, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	got := map[ref]int{}
	for _, r := range recs {
		var obj struct {
			Partition int32 `json:"partition"`
			Offset    int64 `json:"offset"`
		}
		require.NoError(t, json.Unmarshal(r.Value, &obj))
		got[ref{obj.Partition, obj.Offset}]++
	}
	assert.Len(t, recs, total, "no record twice")
	assert.Empty(t, missing(want, got))
	all := c.ReadAll(t, outTopic, 2*total, 5*time.Second)
	assert.Greater(t, len(all), total, "the killed transaction had produced records, and they were aborted")
	t.Logf("output: %d committed records, %d including the aborted transaction's", len(recs), len(all))
}

var pprintHeader = regexp.MustCompile(`^-{43}\nTime: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?)\n-{43}\n$`)

// TestCLIStreamPprint: the default stdout sink prints pyspark's layout, with batch times
// on the interval grid in local time (TZ), the first --num tuples and "...".
func TestCLIStreamPprint(t *testing.T) {
	c := kafkatest.New(t)
	topic := newTopic(t, c, 1)
	produce(t, c, topic, packetValues(0, 5)...)
	p := startBridgeEnv(t, "pprint", []string{"TZ=Asia/Kolkata"}, "stream", topic, "--brokers", strings.Join(c.Brokers, ","),
		"--group", topic+"-g", "--from-beginning", "--interval", "500ms", "--num", "3", "--parser", "seed")
	waitFor(t, "a batch with records", 60*time.Second, func() bool { return strings.Contains(p.Stdout.String(), "...\n") })
	require.Equal(t, 0, p.term(t))

	loc, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	blocks := strings.SplitAfter(p.Stdout.String(), "\n\n")
	require.Empty(t, blocks[len(blocks)-1], "output ends with a blank line")
	withRecords := 0
	for _, b := range blocks[:len(blocks)-1] {
		lines := strings.SplitAfterN(b, "\n", 4)
		require.GreaterOrEqual(t, len(lines), 4, "block %q", b)
		m := pprintHeader.FindStringSubmatch(lines[0] + lines[1] + lines[2])
		require.NotNil(t, m, "header of %q", b)
		at, err := time.ParseInLocation("2006-01-02 15:04:05.999999", m[1], loc)
		require.NoError(t, err)
		assert.Zero(t, at.UnixMilli()%500, "batch time %s on the 500ms grid", m[1])
		if lines[3] == "\n" {
			continue // an empty batch: header and blank line
		}
		withRecords++
		assert.Equal(t, "('10.0.0.0', '192.168.0.1')\n('10.0.0.1', '192.168.0.1')\n('10.0.0.2', '192.168.0.1')\n...\n\n", lines[3])
	}
	assert.Equal(t, 1, withRecords)
}

type ref struct {
	partition int32
	offset    int64
}

// envelope is line as Connect's JsonConverter (schemas on) writes it.
func envelope(line string) []byte {
	b, _ := json.Marshal(line)
	return []byte(`{"schema":{"type":"string","optional":false},"payload":` + string(b) + "}")
}

// packetLine is a tshark line whose Source names i, so every record is recognisable.
func packetLine(i int) string {
	return fmt.Sprintf("%5d 0.%06d    10.%d.%d.%d → 192.168.0.1  TCP %d x", i+1, i, i>>16&255, i>>8&255, i&255, 60+i%10)
}

func packetValues(from, to int) [][]byte {
	var out [][]byte
	for i := from; i < to; i++ {
		out = append(out, envelope(packetLine(i)))
	}
	return out
}

// produce writes values round-robin over the topic's partitions.
func produce(t *testing.T, c *kafkatest.Cluster, topic string, values ...[]byte) {
	t.Helper()
	c.Produce(t, topic, values...)
}

func newTopic(t *testing.T, c *kafkatest.Cluster, partitions int32) string {
	t.Helper()
	return c.Topic(t, partitions)
}
