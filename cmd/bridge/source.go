package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bridge-project/bridge/connector"
	"github.com/bridge-project/bridge/metrics"
)

func newSourceCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "source [WORKER.properties CONNECTOR.properties]",
		Short: "Tail a log into a Kafka topic, as Connect's FileStreamSource would, without losing a line",
		Long: `Follow a log file (tshark's output) and produce every complete line to a Kafka topic,
with the record value Kafka Connect's FileStreamSource and JsonConverter would write:
{"schema":{"type":"string","optional":false},"payload":"<line>"} (--format json-schema),
a bare JSON string (json) or the raw line (string). Lines end at \n, \r\n or a lone \r;
a line is produced only once it is complete.

At-least-once by default: the position (byte offset plus the file's identity) is saved
to --offsets, atomically, only after Kafka acknowledged every line before it. With
--exactly-once the lines and the position are written in one Kafka transaction (the
position to the compacted --offsets-topic), so read_committed consumers see each line
once, across crashes.

Rotation by rename+create is followed after the old file is read to its end;
copytruncate and "> file" are detected and the file is read again from its start
(finishing copytruncate's copy first when it lies beside the file).

Given Kafka's connect-standalone.properties and connect-file-source.properties, it
reads them as Connect would (bootstrap.servers, value.converter, name, file, topic,
batch.size, offset.flush.interval.ms, ...); flags and BRIDGE_* variables override
them. If the worker's offset.storage.file.filename holds Connect's offset for this
connector and bridge has none yet, it resumes where Connect stopped.`,
		Example: `  bridge source --file /tmp/en0.log --topic demo2
  bridge source config/connect-standalone.properties config/connect-file-source.properties
  bridge source --exactly-once --file /var/log/en0.log`,
		Args: usageArgs(func(_ *cobra.Command, args []string) error {
			if len(args) != 0 && len(args) != 2 {
				return errors.New("want no arguments, or WORKER.properties CONNECTOR.properties")
			}
			return nil
		}),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			watch, err := readWatchOpts(a, s, true, false)
			if err != nil {
				return err
			}
			log, err := watch.prog.logger(a, s)
			if err != nil {
				return err
			}
			cfg, err := sourceConfig(cmd, s, args, log)
			if err != nil {
				return err
			}
			if err := secureSource(cmd, s, args, &cfg, log); err != nil {
				return err
			}
			latency := watch.produceLatency(&cfg)
			src, err := connector.New(cfg, log)
			if err != nil {
				return usageError{err}
			}

			w := startWatchers(ctx, log)
			defer w.stop()
			status, err := serveSourceMetrics(w, watch.addr, cfg, src, latency)
			if err != nil {
				return err
			}
			w.goRun("progress", watch.prog.sourceReporter(log, cfg.File, src.Stats()))
			if err := src.Run(ctx); err != nil {
				sourceFailed(ctx, log, status, watch.linger, err)
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.String("file", connector.DefaultFile, "log file to follow")
	f.String("topic", connector.DefaultTopic, "topic to produce to")
	f.StringSlice("brokers", []string{connector.DefaultBrokers}, "Kafka bootstrap brokers, host:port, comma-separated")
	f.String("name", connector.DefaultName, "connector name (Connect's name=): keys the offsets")
	f.String("format", connector.FormatJSONSchema.String(), "record value: json-schema (JsonConverter with schemas), json (without) or string (StringConverter)")
	f.String("offsets", "", "bridge's offsets file (default: under $XDG_STATE_HOME/bridge, named after the log)")
	f.Duration("flush-interval", connector.DefaultFlushInterval, "how often the position is saved (or, with --exactly-once, a transaction committed)")
	f.String("connect-offsets", "", "a Connect standalone offsets file to resume from when bridge has no offsets yet (default: the worker's offset.storage.file.filename)")
	f.Bool("exactly-once", false, "write lines and position in one Kafka transaction")
	f.String("offsets-topic", connector.DefaultOffsetsTopic, "with --exactly-once: compacted topic for the position")
	f.String("transactional-id", "", "with --exactly-once: transactional id (default: derived from --name and --file)")
	f.Duration("transaction-timeout", connector.DefaultTransactionTimeout, "with --exactly-once: transaction timeout")
	f.String("oversize", connector.OversizeTruncate.String(), "a line over --max-record-bytes: truncate, skip or fail")
	f.Int("max-record-bytes", connector.DefaultMaxRecordBytes, "largest record value (also capped by the topic's max.message.bytes)")
	f.Int("batch-size", connector.DefaultBatchLines, "most lines handed to the producer at once (Connect's batch.size)")
	f.Int("max-buffered-records", connector.DefaultMaxBufferedRecords, "lines in flight; reading pauses beyond it")
	f.Int("max-buffered-bytes", connector.DefaultMaxBufferedBytes, "record bytes in flight; reading pauses beyond it")
	f.Bool("poll", false, "poll the file for changes instead of using inotify")
	f.Duration("poll-interval", connector.DefaultPollInterval, "how often the file is looked at without a change event")
	f.Duration("rotate-wait", connector.DefaultRotateWait, "how long a rotated file must stay idle before bridge leaves it while the new file is still empty")
	f.Duration("shutdown-timeout", connector.DefaultShutdownTimeout, "how long a stop waits for Kafka to acknowledge lines in flight")
	f.String("compression", connector.DefaultCompression, "record batch compression: none, gzip, snappy, lz4 or zstd (Connect's producer.compression.type)")
	addSecurityFlags(f)
	addWatchFlags(f, true)
	return cmd
}

// sourceFailed shows a failed source's FAILED status, when metrics are on, for linger (or
// until a signal) before the command exits.
func sourceFailed(ctx context.Context, log *slog.Logger, status *metrics.Status, linger time.Duration, err error) {
	if status == nil {
		return
	}
	status.Failed(err)
	if linger <= 0 {
		return
	}
	log.Error("source failed; serving its FAILED status before exiting", "err", err, "for", linger)
	t := time.NewTimer(linger)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// sourceConfig lays the settings over each other, weakest first: the defaults, the Connect
// properties files (if given), then each flag the user set (as a flag, a BRIDGE_*
// variable or a --config key), as resolveSecurity does for the security settings.
func sourceConfig(cmd *cobra.Command, s *settings, args []string, log *slog.Logger) (connector.Config, error) {
	cfg := connector.DefaultConfig()
	if len(args) == 2 {
		var err error
		if cfg, err = connectConfig(cfg, args[0], args[1], log); err != nil {
			return cfg, usageError{err}
		}
	}
	overlaySourceFlags(cmd, s, &cfg)
	from := "--brokers"
	if len(args) == 2 && !s.Changed(cmd, "brokers") {
		from = "bootstrap.servers"
	}
	if err := checkBrokers(from, cfg.Brokers); err != nil {
		s.Fail(err)
	}
	if err := s.Err(); err != nil {
		return cfg, err
	}
	if cfg.OffsetsFile == "" {
		cfg.OffsetsFile = connector.DefaultOffsetsPath(stateDir(), cfg.Name, cfg.File)
	}
	if cfg.ConnectOffsetsFile != "" && sameFile(cfg.OffsetsFile, cfg.ConnectOffsetsFile) {
		return cfg, usageError{fmt.Errorf("--offsets %s is Connect's offsets file: bridge reads it to migrate, "+
			"but never writes it; pick another", cfg.OffsetsFile)}
	}
	return cfg, nil
}

// sourceFlags set each field of a source's config from its flag, when the user set it.
var sourceFlags = []struct {
	flag string
	set  func(*settings, *connector.Config)
}{
	{"name", func(s *settings, c *connector.Config) { c.Name = s.NonEmpty("name") }},
	{"file", func(s *settings, c *connector.Config) { c.File = s.NonEmpty("file") }},
	{"topic", func(s *settings, c *connector.Config) { c.Topic = s.NonEmpty("topic") }},
	{"brokers", func(s *settings, c *connector.Config) { c.Brokers = s.StringSlice("brokers") }},
	{"format", setFormat},
	{"offsets", func(s *settings, c *connector.Config) { c.OffsetsFile = s.String("offsets") }},
	{"connect-offsets", func(s *settings, c *connector.Config) { c.ConnectOffsetsFile = s.String("connect-offsets") }},
	{"flush-interval", func(s *settings, c *connector.Config) { c.FlushInterval = s.PositiveDuration("flush-interval") }},
	{"exactly-once", func(s *settings, c *connector.Config) { c.ExactlyOnce = s.Bool("exactly-once") }},
	{"offsets-topic", func(s *settings, c *connector.Config) { c.OffsetsTopic = s.String("offsets-topic") }},
	{"transactional-id", func(s *settings, c *connector.Config) { c.TransactionalID = s.String("transactional-id") }},
	{"transaction-timeout", func(s *settings, c *connector.Config) {
		c.TransactionTimeout = s.PositiveDuration("transaction-timeout")
	}},
	{"oversize", setOversize},
	{"max-record-bytes", func(s *settings, c *connector.Config) { c.MaxRecordBytes = s.PositiveInt("max-record-bytes") }},
	{"batch-size", func(s *settings, c *connector.Config) { c.BatchLines = s.PositiveInt("batch-size") }},
	{"max-buffered-records", func(s *settings, c *connector.Config) { c.MaxBufferedRecords = s.PositiveInt("max-buffered-records") }},
	{"max-buffered-bytes", func(s *settings, c *connector.Config) { c.MaxBufferedBytes = s.PositiveInt("max-buffered-bytes") }},
	{"poll", func(s *settings, c *connector.Config) { c.Poll = s.Bool("poll") }},
	{"poll-interval", func(s *settings, c *connector.Config) { c.PollInterval = s.PositiveDuration("poll-interval") }},
	{"rotate-wait", func(s *settings, c *connector.Config) { c.RotateWait = s.Duration("rotate-wait") }},
	{"shutdown-timeout", func(s *settings, c *connector.Config) { c.ShutdownTimeout = s.PositiveDuration("shutdown-timeout") }},
	{"compression", func(s *settings, c *connector.Config) { c.Compression = s.String("compression") }},
}

func overlaySourceFlags(cmd *cobra.Command, s *settings, c *connector.Config) {
	for _, f := range sourceFlags {
		if s.Changed(cmd, f.flag) {
			f.set(s, c)
		}
	}
}

func setFormat(s *settings, c *connector.Config) {
	f, err := connector.ParseFormat(s.String("format"))
	if err != nil {
		s.Fail(fmt.Errorf("invalid value for --format: %q: want json-schema, json or string", s.String("format")))
	}
	c.Format = f
}

func setOversize(s *settings, c *connector.Config) {
	o, err := connector.ParseOversize(s.String("oversize"))
	if err != nil {
		s.Fail(fmt.Errorf("invalid value for --oversize: %q: want truncate, skip or fail", s.String("oversize")))
	}
	c.Oversize = o
}

// stateDir is where bridge keeps state: $XDG_STATE_HOME/bridge, ~/.local/state/bridge, or
// the temp dir when there is no home.
func stateDir() string {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "bridge")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "bridge")
	}
	return filepath.Join(os.TempDir(), "bridge")
}

func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// connectConfig lays a Connect standalone worker's and FileStreamSource connector's
// settings over base, and logs what bridge leaves out of them.
func connectConfig(base connector.Config, worker, conn string, log *slog.Logger) (connector.Config, error) {
	props := map[string]string{}
	for _, name := range []string{worker, conn} {
		p, err := readProps(name)
		if err != nil {
			return base, err
		}
		maps.Copy(props, p)
	}
	cfg, err := connector.FromProperties(base, props)
	if errors.Is(err, connector.ErrNotFileSource) {
		return cfg, fmt.Errorf("%s: %w", conn, err)
	}
	if err != nil {
		return cfg, err
	}
	ignored, unknown := connector.SplitUnused(connector.UnusedProperties(props, isSecurityProp))
	if len(ignored) > 0 {
		log.Info("ignoring Connect settings bridge has no use for", "keys", strings.Join(ignored, ","))
	}
	for _, u := range unknown {
		log.Warn("unknown setting in the properties files; a typo?", "key", u.Key, "nearest", u.Nearest)
	}
	if err := connector.MissingProperties(props); err != nil {
		return cfg, fmt.Errorf("%s, %s: %w", worker, conn, err)
	}
	if tm := props["tasks.max"]; tm != "" && tm != "1" {
		log.Info("tasks.max ignored: FileStreamSource runs one task per file anyway", "tasks.max", tm)
	}
	return cfg, nil
}

func readProps(name string) (map[string]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := connector.ParseProperties(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}
