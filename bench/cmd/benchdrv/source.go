package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// sourceTimeout bounds one source run; a tool still short of N records then is reported
// with the rate it had reached.
const sourceTimeout = 4 * time.Minute

// sourceTool is one way of getting the N lines into a topic.
type sourceTool struct {
	key, label string
	// exits: the tool stops by itself once it sent everything (kcat, ProducerPerformance);
	// the others keep following the file and are stopped once the topic is full.
	exits bool
	start func(b *bench, topic, dir string) ([]*proc, error)
}

var sourceTools = []sourceTool{
	{key: "bridge", label: "bridge source", start: startBridgeSource},
	{key: "connect", label: "connect-standalone FileStreamSource", start: startConnect},
	{key: "kcat", label: "kcat -P -l (envelopes)", exits: true, start: startKcatProducer()},
	{key: "kcat-snappy", label: "kcat -P -l, snappy (as bridge's producer)", exits: true,
		start: startKcatProducer("-X", "compression.codec=snappy")},
	{key: "perf", label: "ProducerPerformance acks=all", exits: true, start: startProducerPerf()},
	{key: "perf-tuned", label: "ProducerPerformance acks=all, snappy, 1 MB batches, linger 10 ms (as bridge's producer)",
		exits: true, start: startProducerPerf("compression.type=snappy", "batch.size=1000000", "linger.ms=10")},
}

func (b *bench) sourcePhase(ctx context.Context) {
	var tools []sourceTool
	for _, t := range sourceTools {
		if len(b.cfg.srcTools) == 0 || b.cfg.srcTools[t.key] {
			tools = append(tools, t)
		}
	}
	rs := b.interleaved(len(tools), func(i int, limit time.Duration) result {
		if ctx.Err() != nil {
			return result{section: "source", key: tools[i].key, tool: tools[i].label, err: ctx.Err().Error()}
		}
		return b.runSource(ctx, tools[i], limit)
	})
	for i, r := range rs {
		t := tools[i]
		b.log.Info("source", "tool", t.label, "s", fmt.Sprintf("%.2f", r.seconds), "records", r.records, "runs", len(r.all), "err", r.err)
		if t.key == "bridge" && r.err == "" {
			b.streamTopic = r.topic
		}
		b.rep.add(r)
	}
}

// runSource starts the tool on a fresh topic and times it from launch until the topic's end
// offset reaches N, or until limit (0: sourceTimeout).
func (b *bench) runSource(ctx context.Context, t sourceTool, limit time.Duration) result {
	r := result{section: "source", key: t.key, tool: t.label}
	dir := filepath.Join(b.cfg.out, "source-"+t.key)
	topic, err := b.prepare(ctx, dir, "src-"+t.key, false)
	if err != nil {
		return r.fail(err)
	}
	r.topic = topic
	procs, err := t.start(b, topic, dir)
	if err != nil {
		return r.fail(err)
	}
	n := int64(b.cfg.lines)
	w := watch{procs: procs, timeout: cmp.Or(limit, sourceTimeout), exits: t.exits, progress: func() (int64, error) {
		return b.k.end(ctx, topic)
	}}
	w.run(ctx, n, &r)
	r.bytes = int64(float64(r.records) * b.data.meanValue())
	r.use = finish(procs, t.exits)
	return r
}

// prepare makes the run's directory and a fresh topic named after the run.
func (b *bench) prepare(ctx context.Context, dir, name string, logAppend bool) (string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return b.k.topic(ctx, "bench-"+b.cfg.runID+"-"+name, logAppend)
}

func startBridgeSource(b *bench, topic, dir string) ([]*proc, error) {
	p, err := bridgeSourceProc(b, b.data.log, topic, dir)
	return []*proc{p}, err
}

func bridgeSourceProc(b *bench, file, topic, dir string) (*proc, error) {
	return startProc(spec{name: "bridge source", log: filepath.Join(dir, "bridge-source.log"), argv: []string{
		b.cfg.bridge, "source", "--file", file, "--topic", topic, "--brokers", b.cfg.brokers,
		"--offsets", filepath.Join(dir, "offsets"), "--log-level", "warn"}})
}

func startConnect(b *bench, topic, dir string) ([]*proc, error) {
	p, err := connectProc(b, b.data.log, topic, dir)
	return []*proc{p}, err
}

// connectProc runs the real worker with Kafka's stock worker and connector properties,
// changing only what must differ per run: the broker address, where offsets are kept,
// the REST port, the file and the topic.
func connectProc(b *bench, file, topic, dir string) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	stock := filepath.Join(b.cfg.root, "testdata", "connect")
	worker, conn := filepath.Join(dir, "worker.properties"), filepath.Join(dir, "connector.properties")
	if err := rewriteProps(filepath.Join(stock, "connect-standalone.properties"), worker, [][2]string{
		{"bootstrap.servers", b.cfg.brokers},
		{"offset.storage.file.filename", filepath.Join(dir, "connect.offsets")},
		{"listeners", "http://127.0.0.1:" + strconv.Itoa(port)},
	}); err != nil {
		return nil, err
	}
	if err := rewriteProps(filepath.Join(stock, "connect-file-source.properties"), conn, [][2]string{
		{"file", file}, {"topic", topic},
	}); err != nil {
		return nil, err
	}
	return startProc(spec{name: "connect-standalone", log: filepath.Join(dir, "connect.log"), argv: []string{
		filepath.Join(b.cfg.root, "scripts", "kafka.sh"), "connect-standalone", worker, conn}})
}

// startKcatProducer sends the ready-made envelopes, one record per line: the same bytes
// bridge and Connect put on the wire, with librdkafka doing nothing but produce.
func startKcatProducer(extra ...string) func(b *bench, topic, dir string) ([]*proc, error) {
	return func(b *bench, topic, dir string) ([]*proc, error) {
		argv := append([]string{"kcat", "-P", "-b", b.cfg.brokers, "-t", topic, "-X", "acks=all"}, extra...)
		p, err := startProc(spec{name: "kcat -P", log: filepath.Join(dir, "kcat.log"),
			argv: append(argv, "-l", b.data.envelopes)})
		return []*proc{p}, err
	}
}

// startProducerPerf runs Kafka's own producer benchmark with acks=all, drawing its record
// values at random from real envelopes of the same log (so the same size distribution).
// Stock, it batches 16 KB uncompressed; props can set what bridge's franz-go producer uses.
func startProducerPerf(props ...string) func(b *bench, topic, dir string) ([]*proc, error) {
	return func(b *bench, topic, dir string) ([]*proc, error) {
		argv := []string{filepath.Join(b.cfg.root, "scripts", "kafka.sh"), "run-class",
			"org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
			"--num-records", strconv.Itoa(b.cfg.lines), "--throughput", "-1", "--payload-file", b.data.payloads,
			"--producer-props", "bootstrap.servers=" + b.cfg.brokers, "acks=all"}
		p, err := startProc(spec{name: "ProducerPerformance", log: filepath.Join(dir, "perf.log"),
			argv: append(argv, props...)})
		return []*proc{p}, err
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// rewriteProps copies a .properties file, dropping the keys it overrides and appending
// their new values, so the rest stays exactly the stock file.
func rewriteProps(src, dst string, set [][2]string) error {
	in, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(in)))
	for sc.Scan() {
		line := sc.Text()
		if !overridden(line, set) {
			out.WriteString(line + "\n")
		}
	}
	out.WriteString("\n# set by bench/cmd/benchdrv for this run\n")
	for _, kv := range set {
		out.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	return os.WriteFile(dst, []byte(out.String()), 0o644)
}

func overridden(line string, set [][2]string) bool {
	t := strings.TrimSpace(line)
	for _, kv := range set {
		if rest, ok := strings.CutPrefix(t, kv[0]); ok && (rest == "" || strings.ContainsAny(rest[:1], "=: \t")) {
			return true
		}
	}
	return false
}
