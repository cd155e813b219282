package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// talkersTimeout bounds one talkers run: Spark over a million distinct pairs is slow.
const talkersTimeout = 8 * time.Minute

// topN and topWindow are issue 13's run: `--top 10 --window 60s`.
const (
	topN      = 10
	topWindow = "60s"
)

// defaultTalkersVariants are the --top runs besides the plain one, separated by ";":
// the extra flags of each after `--top 10 --window 60s`. A variant whose flags the binary
// does not offer is reported as skipped, so the list can name flags not yet in main.
const defaultTalkersVariants = ";--by bytes;--key host"

// talkersTopic is one input of the phase.
type talkersTopic struct {
	key, envelopes string
	exact          bool // at most exactPairs keys: --top must equal the driver's count
	topic          string
	counts         map[bool]*exactCounter // by host key; made on demand
}

// talkersRun is one tool run on one topic.
type talkersRun struct {
	key, label string
	variant    []string // for bridge --top: the extra flags
	start      func(b *bench, t *talkersTopic, dir string) ([]*proc, *answerWatch, error)
}

// talkersPhase runs, side by side and interleaved, the plain stream, bridge --top and
// its variants, Spark and the shell pipeline over a flood of distinct pairs, then the
// --top runs over the exact topic, checking their answers against the driver's count.
func (b *bench) talkersPhase(ctx context.Context) {
	data, err := generateTalkers(b.cfg, b.data.templates, b.log)
	if err != nil {
		b.rep.add(result{section: "talkers", tool: "all", err: "generate: " + err.Error()})
		return
	}
	topics := []*talkersTopic{
		{key: "flood", envelopes: data.flood},
		{key: "exact", envelopes: data.exact, exact: true},
	}
	for _, t := range topics {
		if t.topic, err = b.fillTopic(ctx, "talkers-"+t.key, t.envelopes, 1); err != nil {
			b.rep.add(result{section: "talkers", tool: "all", err: "no input topic: " + err.Error()})
			return
		}
	}
	have, helpErr := streamFlags(b.cfg.bridge)
	runs, skipped := b.talkersRuns(have, helpErr)
	b.rep.talkersSkipped = append(b.rep.talkersSkipped, skipped...)
	for _, t := range topics {
		rs := slices.DeleteFunc(slices.Clone(runs), func(r talkersRun) bool { return t.exact && r.key == "spark" })
		res := b.interleaved(len(rs), func(i int, limit time.Duration) result {
			if ctx.Err() != nil {
				return result{section: "talkers-" + t.key, key: rs[i].key, tool: rs[i].label, err: ctx.Err().Error()}
			}
			return b.runTalkers(ctx, t, rs[i], limit)
		})
		for i, r := range res {
			b.log.Info("talkers", "topic", t.key, "tool", rs[i].label, "s", fmt.Sprintf("%.2f", r.seconds),
				"cpu", fmt.Sprintf("%.2f", r.use.cpu), "peak_mb", fmt.Sprintf("%.0f", mb(r.use.peak)), "err", r.err)
			b.rep.add(r)
		}
	}
	if b.cfg.spark.python == "" {
		b.rep.add(result{section: "talkers-flood", key: "spark", tool: sparkTalkersLabel, err: "not run: " + cmp.Or(b.cfg.spark.skip, "no -spark-python")})
	}
	switch {
	case !b.cfg.talkersGroup:
		b.rep.groupSkipped = "not run (-talkers-group=false)"
	case helpErr != nil || !have["time"]:
		b.rep.groupSkipped = "not run: bin/bridge stream has no group-wide --top (no --time flag: issue 14 not in main yet)"
	default:
		b.groupPhase(ctx, data.flood)
	}
}

const sparkTalkersLabel = "Spark Structured Streaming: groupBy(window 60 s, src, dst).agg(count, sum(len)), top 10"

// pipelineLabel is the shell pipeline a user would type.
const pipelineLabel = "kcat -C -e | awk | sort | uniq -c | sort -rn | head"

// talkersRuns lists the runs of the phase: the variants whose flags bin/bridge stream
// offers (have, or the error of asking it), and why the others are left out.
func (b *bench) talkersRuns(have map[string]bool, err error) ([]talkersRun, []string) {
	runs := []talkersRun{{key: "plain", label: "bridge stream --from-beginning (tuples, jsonl sink)", start: talkersPlain}}
	var skipped []string
	for _, v := range strings.Split(b.cfg.talkersVariants, ";") {
		extra := strings.Fields(v)
		label := strings.TrimSpace(fmt.Sprintf("bridge stream --top %d --window %s %s", topN, topWindow, strings.Join(extra, " ")))
		if missing := missingFlags(extra, have, err); missing != "" {
			skipped = append(skipped, fmt.Sprintf("`%s`: %s", label, missing))
			continue
		}
		key := "top"
		if len(extra) > 0 {
			key = "top " + strings.Join(extra, " ")
		}
		runs = append(runs, talkersRun{key: key, label: label, variant: extra, start: talkersTop(extra)})
	}
	runs = append(runs, talkersRun{key: "pipeline", label: pipelineLabel, start: talkersPipeline})
	if b.cfg.spark.python != "" {
		runs = append(runs, talkersRun{key: "spark", label: sparkTalkersLabel, start: talkersSpark})
	}
	return runs, skipped
}

// streamFlags lists the long flags `bridge stream --help` offers.
func streamFlags(bridge string) (map[string]bool, error) {
	out, err := exec.Command(bridge, "stream", "--help").Output()
	if err != nil {
		return nil, fmt.Errorf("%s stream --help: %w", bridge, err)
	}
	have := map[string]bool{}
	for _, f := range strings.Fields(string(out)) {
		if name, ok := strings.CutPrefix(f, "--"); ok && name != "" {
			have[name] = true
		}
	}
	return have, nil
}

// missingFlags says which of the flags in args the binary does not offer, or "".
func missingFlags(args []string, have map[string]bool, err error) string {
	if err != nil {
		return err.Error()
	}
	var missing []string
	for _, a := range args {
		if name, ok := strings.CutPrefix(a, "--"); ok && !have[strings.SplitN(name, "=", 2)[0]] {
			missing = append(missing, a)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "bin/bridge stream has no " + strings.Join(missing, ", ") + " (not in main yet)"
}

// fillTopic writes an envelope file to a fresh topic of parts partitions with kcat, one
// record per line (no key: librdkafka spreads them over the partitions), and waits until
// the topic holds them all.
func (b *bench) fillTopic(ctx context.Context, name, envelopes string, parts int) (string, error) {
	dir := filepath.Join(b.cfg.out, name+"-input")
	if err := resetDir(dir); err != nil {
		return "", err
	}
	topic, err := b.k.topicParts(ctx, "bench-"+b.cfg.runID+"-"+name, parts)
	if err != nil {
		return "", err
	}
	p, err := startProc(spec{name: "kcat -P", log: filepath.Join(dir, "kcat.log"), argv: []string{
		"kcat", "-P", "-b", b.cfg.brokers, "-t", topic, "-X", "acks=all", "-l", envelopes}})
	if err != nil {
		return "", err
	}
	var r result
	w := watch{procs: []*proc{p}, timeout: sourceTimeout, exits: true, progress: func() (int64, error) {
		return b.k.endAll(ctx, topic)
	}}
	w.run(ctx, int64(b.cfg.lines), &r)
	finish([]*proc{p}, true)
	if r.err != "" {
		return "", fmt.Errorf("fill %s: %s", topic, r.err)
	}
	return topic, nil
}

// runTalkers times one run from launch until its answer (or, plain, its N tuples) is out.
func (b *bench) runTalkers(ctx context.Context, t *talkersTopic, tr talkersRun, limit time.Duration) result {
	r := result{section: "talkers-" + t.key, key: tr.key, tool: tr.label, topic: t.topic}
	dir := filepath.Join(b.cfg.out, "talkers-"+t.key+"-"+strings.ReplaceAll(strings.ReplaceAll(tr.key, " ", "_"), "-", ""))
	if err := resetDir(dir); err != nil {
		return r.fail(err)
	}
	procs, aw, err := tr.start(b, t, dir)
	if err != nil {
		return r.fail(err)
	}
	w := watch{procs: procs, timeout: cmp.Or(limit, talkersTimeout), exits: aw.exits, poll: 100 * time.Millisecond, progress: aw.progress}
	w.run(ctx, int64(b.cfg.lines), &r)
	r.bytes = int64(float64(min(r.records, int64(b.cfg.lines))) * b.data.meanValue())
	// Peak RSS: the process tree's VmHWM sampled while it ran (proc.usage), not wait4's Maxrss.
	r.use = finish(procs, aw.exits)
	if t.exact && r.err == "" && aw.answer != nil {
		b.rep.addCheck(b.checkExact(t, tr, aw.answer()))
	}
	return r
}

// talkersPlain is the stream phase's bridge run on the talkers topic: every tuple to a
// jsonl file, done when it holds N lines.
func talkersPlain(b *bench, t *talkersTopic, dir string) ([]*proc, *answerWatch, error) {
	procs, progress, err := bridgeStream("tshark", "")(b, t.topic, dir)
	if err != nil {
		return nil, nil, err
	}
	return procs, &answerWatch{progress: progress}, nil
}

// talkersTop runs bridge stream --top 10 --window 60s with the extra flags, writing its
// windows to a jsonl file and serving its metrics, which say when all N were read.
func talkersTop(extra []string) func(b *bench, t *talkersTopic, dir string) ([]*proc, *answerWatch, error) {
	return func(b *bench, t *talkersTopic, dir string) ([]*proc, *answerWatch, error) {
		port, err := freePort()
		if err != nil {
			return nil, nil, err
		}
		out := filepath.Join(dir, "top.jsonl")
		group := b.group(filepath.Base(dir))
		b.k.own(group+"-talkers-panes", group+"-talkers-answers")
		p, err := startProc(spec{name: "bridge stream --top", log: filepath.Join(dir, "bridge.log"),
			argv: topArgv(b, t.topic, group, out, port, extra)})
		if err != nil {
			return nil, nil, err
		}
		aw := newTopWatch(out, fmt.Sprintf("http://127.0.0.1:%d/metrics", port), int64(b.cfg.lines), hasFlag(extra, "--key", "host"))
		return []*proc{p}, aw, nil
	}
}

// topArgv is bridge stream --top 10 --window 60s from the beginning of topic in group,
// its windows to the jsonl file out, its metrics on port, then the extra flags.
func topArgv(b *bench, topic, group, out string, port int, extra []string) []string {
	argv := []string{b.cfg.bridge, "stream", topic, "--brokers", b.cfg.brokers,
		"--group", group, "--from-beginning", "--top", strconv.Itoa(topN),
		"--window", topWindow, "--sink", "jsonl:" + out, "--log-level", "warn", "--progress", "off",
		"--metrics-addr", "127.0.0.1:" + strconv.Itoa(port)}
	return append(argv, extra...)
}

// hasFlag says whether args set flag name to value.
func hasFlag(args []string, name, value string) bool {
	for i, a := range args {
		if a == name+"="+value || a == name && i+1 < len(args) && args[i+1] == value {
			return true
		}
	}
	return false
}

// pipelineAWK prints Source and Destination of each envelope's payload: fields 3 and 5
// of the tshark line (awk counts from 1), as a user would pull them out.
const pipelineAWK = `BEGIN { FS = "\"payload\":\"" } { split($2, f, " "); print f[3], f[5] }`

// pipelineScript is the shell pipeline of the peer; sort runs in the C locale, its fastest.
func pipelineScript(brokers, topic string) string {
	return fmt.Sprintf("kcat -C -b %s -t %s -o beginning -e -q | awk '%s' | sort | uniq -c | sort -rn | head -n %d",
		brokers, topic, pipelineAWK, topN)
}

// talkersPipeline runs the shell pipeline; its answer is head's output, done once the
// shell exited well.
func talkersPipeline(b *bench, t *talkersTopic, dir string) ([]*proc, *answerWatch, error) {
	out := filepath.Join(dir, "top.txt")
	f, err := os.Create(out)
	if err != nil {
		return nil, nil, err
	}
	p, err := startProc(spec{name: "sh pipeline", log: filepath.Join(dir, "pipeline.log"), stdout: f,
		env:  []string{"LC_ALL=C"},
		argv: []string{"sh", "-c", pipelineScript(b.cfg.brokers, t.topic)}})
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	n := int64(b.cfg.lines)
	return []*proc{p}, &answerWatch{exits: true, progress: func() (int64, error) {
		if !p.exited() || p.err != nil {
			return 0, nil
		}
		return n, nil
	}, answer: func() []talker { return readUniqTop(out) }}, nil
}

// readUniqTop reads `uniq -c | sort -rn | head` output: "  COUNT SRC DST" lines.
func readUniqTop(path string) []talker {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []talker
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		out = append(out, talker{key: f[1] + " " + f[2], packets: n})
	}
	return out
}

// talkersSpark runs bench/spark_talkers.py with the venv's pyspark on 2 local cores.
func talkersSpark(b *bench, t *talkersTopic, dir string) ([]*proc, *answerWatch, error) {
	p, mk, err := b.startSparkJob(dir, "spark_talkers.py", b.cfg.brokers, t.topic, filepath.Join(dir, "checkpoint"),
		strconv.Itoa(b.cfg.lines), strconv.Itoa(topN))
	if err != nil {
		return nil, nil, err
	}
	return []*proc{p}, &answerWatch{progress: mk.progress}, nil
}
