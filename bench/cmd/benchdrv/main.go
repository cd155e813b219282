// Command benchdrv is the driver of `make bench`: it measures bridge against the peers it
// replaces (Kafka Connect's FileStreamSource, Spark Structured Streaming) and the fastest
// plain tools (kcat, Kafka's ProducerPerformance) on one real broker, with the same
// generated tshark log, and prints one table with the ratios bridge ÷ peer from that run.
//
// bench/run.sh builds bridge, installs the peers and calls it; see BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is everything one run needs; run.sh sets it from the BENCH_* variables.
type config struct {
	root        string // repository root
	bridge      string // the bridge binary under test
	brokers     string
	lines       int
	out         string // per-run output: logs, sinks, profiles, results
	data        string // generated logs, cached across runs
	sample      string // the real tshark capture whose lines make up the generated log
	phases      map[string]bool
	srcTools    map[string]bool // empty: every source tool
	streamTools map[string]bool // empty: every stream tool
	spark       sparkConfig
	rates       []int
	latFor      time.Duration
	micro       string // go test -bench output to fold into the report, if any
	keep        bool   // keep the topics after the run
	repeat      int    // runs per tool (fast tools only)
	startedAt   time.Time
	loadStart   string
	runID       string

	// talkersVariants: the talkers phase's --top runs, ";"-separated extra flags each.
	talkersVariants string
	talkersGroup    bool // run the group-wide --top (issue 14) when the binary has it
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchdrv:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(ctx, cfg, log, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchdrv:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	var phases, rates, sparkJars, srcTools, streamTools string
	fs := flag.NewFlagSet("benchdrv", flag.ContinueOnError)
	fs.StringVar(&cfg.root, "root", ".", "repository root")
	fs.StringVar(&cfg.bridge, "bridge", "bin/bridge", "bridge binary")
	fs.StringVar(&cfg.brokers, "brokers", "127.0.0.1:9092", "Kafka bootstrap broker")
	fs.IntVar(&cfg.lines, "lines", 1_000_000, "lines in the generated log")
	fs.StringVar(&cfg.out, "out", "bench/out", "output directory")
	fs.StringVar(&cfg.data, "data", ".cache/bench/data", "cache of generated logs")
	fs.StringVar(&cfg.sample, "sample", "testdata/demo/en0.log", "real tshark text whose lines are repeated")
	fs.StringVar(&phases, "phases", "source,stream,latency,profile,talkers", "phases to run")
	fs.StringVar(&srcTools, "source-tools", "", "source tools to run, by key (empty: all)")
	fs.StringVar(&streamTools, "stream-tools", "", "stream tools to run, by key (empty: all)")
	fs.StringVar(&cfg.spark.python, "spark-python", "", "python of the venv with pyspark; empty skips Spark")
	fs.StringVar(&sparkJars, "spark-jars", "", "directory of the extra Spark Kafka jars")
	fs.StringVar(&cfg.spark.skip, "spark-skip", "", "why Spark is not run (printed in the table)")
	fs.StringVar(&rates, "rates", "10000,100000", "latency writer rates, lines/s")
	fs.DurationVar(&cfg.latFor, "latency-for", 10*time.Second, "how long the latency writer writes at each rate")
	fs.StringVar(&cfg.micro, "micro", "", "go test -bench output to include")
	fs.BoolVar(&cfg.keep, "keep-topics", false, "do not delete the benchmark topics")
	fs.StringVar(&cfg.talkersVariants, "talkers-variants", defaultTalkersVariants,
		"talkers phase: the --top runs, extra flags of each after --top 10 --window 60s, separated by ;")
	fs.BoolVar(&cfg.talkersGroup, "talkers-group", true, "talkers phase: 3 members against 1 of a group-wide --top, when bin/bridge has --time")
	fs.IntVar(&cfg.repeat, "repeat", 5, "runs per tool whose first run is short; the median is reported")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.spark.jars = sparkJars
	cfg.srcTools, cfg.streamTools = keySet(srcTools), keySet(streamTools)
	cfg.phases = map[string]bool{}
	for _, p := range strings.Split(phases, ",") {
		cfg.phases[strings.TrimSpace(p)] = true
	}
	var err error
	if cfg.rates, err = parseInts(rates); err != nil {
		return cfg, fmt.Errorf("-rates: %w", err)
	}
	if cfg.repeat < 1 {
		cfg.repeat = 1
	}
	if cfg.lines < 1 {
		return cfg, fmt.Errorf("-lines %d: want at least 1", cfg.lines)
	}
	return cfg, absPaths(&cfg)
}

// keySet reads a comma-separated list of tool keys.
func keySet(list string) map[string]bool {
	set := map[string]bool{}
	for _, k := range strings.Split(list, ",") {
		if k = strings.TrimSpace(k); k != "" {
			set[k] = true
		}
	}
	return set
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(f, "%d", &n); err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// absPaths makes every path absolute: the tools run in other working directories.
func absPaths(cfg *config) error {
	for _, p := range []*string{&cfg.root, &cfg.bridge, &cfg.out, &cfg.data, &cfg.sample, &cfg.spark.python, &cfg.spark.jars, &cfg.micro} {
		if *p == "" {
			continue
		}
		a, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = a
	}
	return nil
}

// run does the phases in order and prints the report. A failing tool becomes a row that
// says so; only a broken setup (no broker, no data) fails the run.
func run(ctx context.Context, cfg config, log *slog.Logger, w io.Writer) error {
	cfg.startedAt, cfg.loadStart = time.Now(), loadAvg()
	cfg.runID = cfg.startedAt.Format("20060102-150405")
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	k, err := newKafka(ctx, cfg.brokers, log)
	if err != nil {
		return err
	}
	defer k.close(ctx, cfg.keep)
	data, err := generate(cfg, log)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	rep := &report{cfg: cfg, data: data}
	b := &bench{cfg: cfg, k: k, log: log, data: data, rep: rep}
	b.runPhases(ctx)
	if cfg.micro != "" {
		rep.micro, err = readMicro(cfg.micro)
		if err != nil {
			log.Warn("micro-benchmarks", "err", err)
		}
	}
	return rep.write(w, cfg.out)
}

// bench carries the shared state of the phases.
type bench struct {
	cfg    config
	k      *kafka
	log    *slog.Logger
	data   dataset
	rep    *report
	groups int // consumer groups made so far: each run gets a new one
	// streamTopic holds the N records the stream phase reads: the topic bridge source
	// filled, or another source's when bridge's failed.
	streamTopic string
}

func (b *bench) runPhases(ctx context.Context) {
	steps := []struct {
		name string
		fn   func(context.Context)
	}{
		{"source", b.sourcePhase},
		{"stream", b.streamPhase},
		{"latency", b.latencyPhase},
		{"profile", b.profilePhase},
		{"talkers", b.talkersPhase},
	}
	for _, s := range steps {
		if !b.cfg.phases[s.name] || ctx.Err() != nil {
			continue
		}
		t0 := time.Now()
		b.log.Info("phase start", "phase", s.name)
		s.fn(ctx)
		b.log.Info("phase done", "phase", s.name, "took", time.Since(t0).Round(time.Second))
	}
}

// group names a fresh consumer group: a repeat must not resume where the last run committed.
func (b *bench) group(name string) string {
	b.groups++
	return fmt.Sprintf("bench-%s-%s-%d", b.cfg.runID, name, b.groups)
}
