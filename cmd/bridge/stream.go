package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream"
	"github.com/bridge-project/bridge/talkers"
)

func newStreamCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stream TOPIC [TOPIC...]",
		Short: "Read topics in micro-batches and print (src, dst) like the blog's Spark job",
		Long: `Consume the topics in a consumer group, cut the records into batches on a fixed
time grid (multiples of --interval since the epoch, like Spark's batch times), turn each
record into a (src, dst) tuple and write every batch to the sinks:

  stdout        pyspark's DStream.pprint(num) layout, byte for byte (the default)
  jsonl:PATH    one JSON object per tuple; PATH "-" is stdout
  kafka:TOPIC   one JSON record per tuple, key "src dst"

A batch's offsets are committed only after every sink has written it, so a crash
re-reads at most the batches not yet committed (at-least-once). With --exactly-once and
a kafka: sink, each batch's output and offsets commit in one Kafka transaction.

With --top N the output is instead, per window, the N top talkers (--key pair,
conversation or host, ranked --by packets or bytes) over the records of every member of
the group: members exchange mergeable summaries through the topic <group>-talkers-panes
and every member prints each window's answer, read from <group>-talkers-answers; a
kafka: sink gets each window once. --time record puts a record in the window of its
Kafka timestamp instead of the batch that read it.

Record values may be Connect JsonConverter envelopes (with or without schema) or plain
lines. --parser tshark finds tshark's Source and Destination columns on any default
layout and counts and skips lines that are not packets; --parser seed is the blog's
Python (fields 2 and 4 of payload.split(), ('None', 'None') when missing).`,
		Example: `  bridge stream demo2
  bridge stream demo2 --from-beginning --sink stdout --sink jsonl:pairs.jsonl
  bridge stream demo2 --top 5 --window 60s --slide 10s
  bridge stream demo2 --top 10 --key conversation --by bytes --time record --grace 5s
  bridge stream demo2 --sink kafka:pairs --exactly-once`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			cfg, specs, num := streamConfig(s, args)
			if err := s.Err(); err != nil {
				return err
			}
			if err := checkStreamConfig(cfg, specs); err != nil {
				return usageError{err}
			}
			watch, err := readWatchOpts(a, s, false, printsToStdout(specs))
			if err != nil {
				return err
			}
			ui, err := readUIOpts(s, false)
			if err != nil {
				return err
			}
			log, err := watch.prog.logger(a, s)
			if err != nil {
				return err
			}
			if err := secureStream(cmd, s, &cfg, log); err != nil {
				return err
			}
			obs := ui.observe(&cfg, watch.streamBatches(&cfg)) // nil when nothing watches
			st, err := stream.New(cfg, log)
			if err != nil {
				return err
			}
			defer st.Close()
			sinks, err := openSinks(ctx, a, st, specs, cfg.Top, num)
			defer func() { closeSinks(log, sinks) }()
			if err != nil {
				return err
			}

			w := startWatchers(ctx, log)
			defer w.stop()
			if err := serveStreamMetrics(w, watch.addr, cfg, st, obs); err != nil {
				return err
			}
			if sinks, err = ui.serveStream(w, cfg, st, obs, sinks); err != nil {
				return err
			}
			if obs != nil {
				w.goRun("progress", watch.prog.streamReporter(log, obs.Lag, st.Stats))
			}
			return st.Run(ctx, sinks)
		},
	}
	f := cmd.Flags()
	f.StringSlice("brokers", []string{stream.DefaultBrokers}, "Kafka bootstrap brokers, host:port, comma-separated")
	f.String("group", stream.DefaultGroup, "consumer group")
	f.Duration("interval", stream.DefaultInterval, "batch interval")
	f.Bool("from-beginning", false, "start a group with no committed offsets at the earliest record (default: only new records)")
	f.Int("num", sink.DefaultNum, "records pprint shows per batch")
	f.String("parser", string(stream.DefaultParseMode), "line parser: tshark or seed")
	f.StringArray("sink", []string{"stdout"}, "output, repeatable: stdout, jsonl:PATH (- for stdout) or kafka:TOPIC")
	f.Int("top", 0, "print the N top talkers per window instead of the tuples: the group's answer over all its members")
	f.Duration("window", 0, "with --top: count over this sliding window, a multiple of --interval and at most 120 slides (default: one interval)")
	f.Duration("slide", 0, "with --window: output every this long, a multiple of --interval (default: --interval)")
	addTalkerFlags(f, talkers.Pair.String(), "with --top: what to count under")
	f.String("time", string(stream.DefaultTime), "with --top: what puts a record in a window: processing (the batch that reads it) or record (its Kafka timestamp)")
	f.Duration("grace", 0, "with --time record: how long after a window's end its records may still come; later ones are counted as late")
	f.Int("top-capacity", talkers.DefaultCapacity, "with --top: keys a window's summary keeps; counts are exact while a window holds no more")
	f.Bool("exactly-once", false, "produce to the kafka: sink and commit offsets in one transaction per batch")
	f.Duration("session-timeout", stream.DefaultSessionTimeout, "how long the group waits for a killed member before moving its partitions (broker bounds: 6s-30m)")
	f.String("transactional-id", "", "with --exactly-once: a stable per-instance transactional id (default: unique per run)")
	addSecurityFlags(f)
	addWatchFlags(f, false)
	addUIFlags(f, "")
	return cmd
}

// sinkSpec is one parsed --sink value.
type sinkSpec struct{ kind, arg string }

func (s sinkSpec) String() string { return s.kind + ":" + s.arg }

func streamConfig(s *settings, topics []string) (stream.Config, []sinkSpec, int) {
	cfg := stream.DefaultConfig(topics...)
	cfg.Brokers = s.StringSlice("brokers")
	cfg.Group = s.String("group")
	cfg.Interval = s.Duration("interval")
	cfg.FromBeginning = s.Bool("from-beginning")
	cfg.Parser = stream.ParseMode(s.String("parser"))
	cfg.Top = s.Int("top")
	cfg.Window = s.Duration("window")
	cfg.Slide = s.Duration("slide")
	cfg.Key, cfg.By, cfg.Prefix = talkerSettings(s)
	cfg.Time = stream.TimeMode(s.String("time"))
	cfg.Grace = s.Duration("grace")
	cfg.TopCapacity = s.Int("top-capacity")
	cfg.ExactlyOnce = s.Bool("exactly-once")
	cfg.TransactionalID = s.String("transactional-id")
	cfg.SessionTimeout = s.Duration("session-timeout")
	num := s.Int("num")
	if err := checkBrokers("--brokers", cfg.Brokers); err != nil {
		s.Fail(err)
	}
	var specs []sinkSpec
	for _, v := range s.StringSlice("sink") {
		spec, err := parseSinkSpec(v)
		if err != nil {
			s.Fail(err)
			continue
		}
		specs = append(specs, spec)
	}
	if num < 0 {
		s.Fail(fmt.Errorf("invalid value for --num: %d must not be negative", num))
	}
	if cfg.TopCapacity < 1 {
		s.Fail(fmt.Errorf("invalid value for --top-capacity: %d must be positive", cfg.TopCapacity))
	}
	return cfg, specs, num
}

func parseSinkSpec(v string) (sinkSpec, error) {
	kind, arg, _ := strings.Cut(v, ":")
	switch {
	case kind == "stdout" && arg == "":
		return sinkSpec{kind: kind}, nil
	case (kind == "jsonl" || kind == "kafka") && arg != "":
		return sinkSpec{kind: kind, arg: arg}, nil
	}
	return sinkSpec{}, fmt.Errorf("invalid value for --sink: %q: want stdout, jsonl:PATH or kafka:TOPIC", v)
}

func checkStreamConfig(cfg stream.Config, specs []sinkSpec) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if len(specs) == 0 {
		return errors.New("no --sink")
	}
	if cfg.ExactlyOnce && !hasKind(specs, "kafka") {
		return errors.New("--exactly-once needs a kafka:TOPIC sink: only Kafka output can join the transaction")
	}
	if !cfg.ExactlyOnce && cfg.TransactionalID != "" {
		return errors.New("--transactional-id needs --exactly-once")
	}
	return nil
}

// printsToStdout reports whether a sink writes to stdout.
func printsToStdout(specs []sinkSpec) bool {
	for _, sp := range specs {
		if sp.kind == "stdout" || (sp.kind == "jsonl" && sp.arg == "-") {
			return true
		}
	}
	return false
}

func hasKind(specs []sinkSpec, kind string) bool {
	for _, s := range specs {
		if s.kind == kind {
			return true
		}
	}
	return false
}

func openSinks(ctx context.Context, a *app, st *stream.Stream, specs []sinkSpec, top, num int) ([]sink.Sink, error) {
	var sinks []sink.Sink
	for _, spec := range specs {
		var sk sink.Sink
		var err error
		switch {
		case spec.kind == "stdout":
			if top > 0 {
				num = top // --top N prints the N most frequent pairs
			}
			cfg := sink.DefaultStdoutConfig()
			cfg.Num = num
			sk, err = sink.NewStdout(a.stdout, cfg)
		case spec.kind == "jsonl" && spec.arg == "-":
			sk = sink.NewJSONL(a.stdout)
		case spec.kind == "jsonl":
			sk, err = sink.CreateJSONL(spec.arg)
		case spec.kind == "kafka":
			if err = st.EnsureTopic(ctx, spec.arg); err == nil {
				sk, err = sink.NewKafka(st.Producer(), spec.arg)
			}
		}
		if err != nil {
			return sinks, err
		}
		sinks = append(sinks, sk)
	}
	return sinks, nil
}

func closeSinks(log *slog.Logger, sinks []sink.Sink) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, sk := range sinks {
		if err := sk.Close(ctx); err != nil {
			log.Error("close sink", "sink", sk, "err", err)
		}
	}
}
