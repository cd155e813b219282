package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// streamTimeout bounds one stream run (Spark's JVM start included).
const streamTimeout = 4 * time.Minute

// sparkConfig says where the Spark peer lives; an empty python means it is not run.
type sparkConfig struct {
	python string
	jars   string
	skip   string
}

// streamTool is one way of turning the N records into (src, dst) output.
type streamTool struct {
	key, label string
	exits      bool
	start      func(b *bench, topic, dir string) ([]*proc, func() (int64, error), error)
}

// blogAWK is the blog's parse in awk: split the envelope's payload on whitespace, fields
// 2 and 4 (0-based), ("None", "None") when there are fewer.
const blogAWK = `BEGIN { FS = "\"payload\":\"" } { n = split($2, f, " "); if (n >= 5) print f[3], f[5]; else print "None", "None" }`

var streamTools = []streamTool{
	{key: "bridge-tshark", label: "bridge stream --parser tshark", start: bridgeStream("tshark", "")},
	{key: "bridge-seed", label: "bridge stream --parser seed", start: bridgeStream("seed", "")},
	{key: "bridge-tshark-100ms", label: "bridge stream --parser tshark --interval 100ms", start: bridgeStream("tshark", "100ms")},
	{key: "kcat-awk", label: "kcat -C -e | awk '{print $3, $5}'", exits: true, start: kcatAwk("{print $3, $5}")},
	{key: "kcat-awk-blog", label: "kcat -C -e | awk (payload split, fields 2 and 4)", exits: true, start: kcatAwk(blogAWK)},
	{key: "spark", label: "Spark Structured Streaming (pyspark), 2 s trigger", start: startSpark},
}

func (b *bench) streamPhase(ctx context.Context) {
	if b.streamTopic == "" {
		if err := b.fillStreamTopic(ctx); err != nil {
			b.rep.add(result{section: "stream", tool: "all", err: "no input topic: " + err.Error()})
			return
		}
	}
	tools := append(slices.Clone(streamTools), uiStreamTools...)
	if len(b.cfg.streamTools) > 0 {
		tools = slices.DeleteFunc(tools, func(t streamTool) bool { return !b.cfg.streamTools[t.key] })
	}
	if b.cfg.spark.python == "" {
		tools = slices.DeleteFunc(tools, func(t streamTool) bool { return t.key == "spark" })
	}
	rs := b.interleaved(len(tools), func(i int, limit time.Duration) result {
		if ctx.Err() != nil {
			return result{section: "stream", key: tools[i].key, tool: tools[i].label, err: ctx.Err().Error()}
		}
		return b.runStream(ctx, tools[i], limit)
	})
	for i, r := range rs {
		b.log.Info("stream", "tool", tools[i].label, "s", fmt.Sprintf("%.2f", r.seconds), "records", r.records, "runs", len(r.all), "err", r.err)
		b.rep.add(r)
	}
	if b.cfg.spark.python == "" {
		for _, t := range streamTools {
			if t.key == "spark" {
				b.rep.add(result{section: "stream", key: t.key, tool: t.label, err: "not run: " + b.cfg.spark.skip})
			}
		}
	}
}

// fillStreamTopic makes the stream phase's input when the source phase did not: kcat
// writes the envelopes to a fresh topic.
func (b *bench) fillStreamTopic(ctx context.Context) error {
	r := b.runSource(ctx, sourceTool{key: "stream-input", label: "kcat -P", exits: true, start: startKcatProducer()}, 0)
	if r.err != "" {
		return fmt.Errorf("%s", r.err)
	}
	b.streamTopic = r.topic
	return nil
}

// runStream times the tool from launch until its output holds N results.
func (b *bench) runStream(ctx context.Context, t streamTool, limit time.Duration) result {
	r := result{section: "stream", key: t.key, tool: t.label, topic: b.streamTopic}
	dir := filepath.Join(b.cfg.out, "stream-"+t.key)
	if err := os.RemoveAll(dir); err != nil {
		return r.fail(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return r.fail(err)
	}
	procs, progress, err := t.start(b, b.streamTopic, dir)
	if err != nil {
		return r.fail(err)
	}
	w := watch{procs: procs, timeout: cmp.Or(limit, streamTimeout), exits: t.exits, progress: progress}
	w.run(ctx, int64(b.cfg.lines), &r)
	r.bytes = int64(float64(min(r.records, int64(b.cfg.lines))) * b.data.meanValue())
	r.use = finish(procs, t.exits)
	return r
}

// bridgeStream runs bin/bridge stream with a JSON-lines sink; interval "" keeps the
// default, the blog's 2 s batches.
func bridgeStream(parser, interval string) func(b *bench, topic, dir string) ([]*proc, func() (int64, error), error) {
	return func(b *bench, topic, dir string) ([]*proc, func() (int64, error), error) {
		out := filepath.Join(dir, "pairs.jsonl")
		argv := []string{b.cfg.bridge, "stream", topic, "--brokers", b.cfg.brokers,
			"--group", b.group(filepath.Base(dir)), "--from-beginning",
			"--sink", "jsonl:" + out, "--parser", parser, "--log-level", "warn"}
		if interval != "" {
			argv = append(argv, "--interval", interval)
		}
		p, err := startProc(spec{name: "bridge stream", log: filepath.Join(dir, "bridge.log"), argv: argv})
		if err != nil {
			return nil, nil, err
		}
		lc := &lineCounter{path: out}
		return []*proc{p}, lc.count, nil
	}
}

// kcatAwk is the shell pipeline a user would write: kcat reads the topic to its end, awk
// prints two fields of each value.
func kcatAwk(program string) func(b *bench, topic, dir string) ([]*proc, func() (int64, error), error) {
	return func(b *bench, topic, dir string) ([]*proc, func() (int64, error), error) {
		out := filepath.Join(dir, "pairs.txt")
		pr, pw, err := os.Pipe()
		if err != nil {
			return nil, nil, err
		}
		f, err := os.Create(out)
		if err != nil {
			return nil, nil, err
		}
		kc, err := startProc(spec{name: "kcat -C", log: filepath.Join(dir, "kcat.log"), stdout: pw, argv: []string{
			"kcat", "-C", "-b", b.cfg.brokers, "-t", topic, "-o", "beginning", "-e", "-q"}})
		pw.Close()
		if err != nil {
			pr.Close()
			f.Close()
			return nil, nil, err
		}
		awk, err := startProc(spec{name: "awk", log: filepath.Join(dir, "awk.log"), stdin: pr, stdout: f,
			argv: []string{"awk", program}})
		pr.Close()
		f.Close()
		if err != nil {
			kc.stop(time.Second)
			return nil, nil, err
		}
		lc := &lineCounter{path: out}
		return []*proc{kc, awk}, lc.count, nil
	}
}

// startSpark runs bench/spark_stream.py with the venv's pyspark on 2 local cores.
func startSpark(b *bench, topic, dir string) ([]*proc, func() (int64, error), error) {
	p, mk, err := b.startSparkJob(dir, "spark_stream.py", b.cfg.brokers, topic, filepath.Join(dir, "out"),
		filepath.Join(dir, "checkpoint"), strconv.Itoa(b.cfg.lines))
	if err != nil {
		return nil, nil, err
	}
	return []*proc{p}, mk.progress, nil
}

// startSparkJob runs a job file of bench/ with the venv's pyspark, its arguments then the
// Spark Kafka jars; its stdout goes through a marker.
func (b *bench) startSparkJob(dir, script string, args ...string) (*proc, *marker, error) {
	jars, err := filepath.Glob(filepath.Join(b.cfg.spark.jars, "*.jar"))
	if err != nil || len(jars) == 0 {
		return nil, nil, fmt.Errorf("no Spark Kafka jars in %s", b.cfg.spark.jars)
	}
	mk := &marker{log: filepath.Join(dir, "spark.stdout")}
	argv := append([]string{b.cfg.spark.python, filepath.Join(b.cfg.root, "bench", script)}, args...)
	p, err := startProc(spec{name: "spark", log: filepath.Join(dir, "spark.log"), stdout: mk,
		env:  []string{"PYSPARK_PYTHON=" + b.cfg.spark.python, "SPARK_LOCAL_IP=127.0.0.1"},
		argv: append(argv, strings.Join(jars, ","))})
	return p, mk, err
}

// lineCounter counts the lines of a file another process appends to.
type lineCounter struct {
	path string
	f    *os.File
	n    int64
	buf  []byte
}

func (c *lineCounter) count() (int64, error) {
	if c.f == nil {
		f, err := os.Open(c.path)
		if os.IsNotExist(err) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		c.f, c.buf = f, make([]byte, 1<<20)
	}
	for {
		n, err := c.f.Read(c.buf)
		c.n += int64(bytes.Count(c.buf[:n], []byte{'\n'}))
		if err == io.EOF || n == 0 {
			return c.n, nil
		}
		if err != nil {
			return c.n, err
		}
	}
}

// marker reads the Spark script's "BENCH rows N" lines, keeping a copy of its stdout.
type marker struct {
	log  string
	mu   sync.Mutex
	f    *os.File
	part []byte
	rows atomic.Int64
}

func (m *marker) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.f == nil {
		f, err := os.Create(m.log)
		if err != nil {
			return 0, err
		}
		m.f = f
	}
	m.f.Write(p)
	m.part = append(m.part, p...)
	for {
		i := bytes.IndexByte(m.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		if rest, ok := strings.CutPrefix(string(m.part[:i]), "BENCH rows "); ok {
			if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
				m.rows.Store(n)
			}
		}
		m.part = m.part[i+1:]
	}
}

func (m *marker) progress() (int64, error) { return m.rows.Load(), nil }
