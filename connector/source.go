package connector

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Defaults of Config, as Kafka's stock connect-file-source.properties and the blog set them
// where Connect has an equivalent.
const (
	DefaultName               = "local-file-source"
	DefaultFile               = "/tmp/en0.log"
	DefaultTopic              = "demo2"
	DefaultBrokers            = "localhost:9092"
	DefaultBatchLines         = 2000 // Connect's batch.size
	DefaultMaxRecordBytes     = 1000000
	DefaultOffsetsTopic       = "bridge-offsets"
	DefaultFlushInterval      = time.Second
	DefaultPollInterval       = 250 * time.Millisecond
	DefaultRotateWait         = 5 * time.Second
	DefaultMaxBufferedRecords = 50000
	DefaultMaxBufferedBytes   = 64 << 20
	DefaultCompression        = "snappy"
	DefaultShutdownTimeout    = 5 * time.Second
	DefaultTransactionTimeout = time.Minute
	defaultBufferBytes        = 1 << 20
)

// saveFailLimit is how many flush intervals in a row the offsets file may fail to be
// written before the source stops: one bad write is retried, a full disk is not hidden.
const saveFailLimit = 3

// Oversize is what happens to a line whose record would be over the size limit.
type Oversize int

const (
	OversizeTruncate Oversize = iota // produce its longest prefix that fits
	OversizeSkip                     // produce nothing for it
	OversizeFail                     // stop with ErrOversizeLine, its offset not passed
)

var oversizeNames = [...]string{OversizeTruncate: "truncate", OversizeSkip: "skip", OversizeFail: "fail"}

func (o Oversize) String() string {
	if o < 0 || int(o) >= len(oversizeNames) {
		return fmt.Sprintf("Oversize(%d)", int(o))
	}
	return oversizeNames[o]
}

// ParseOversize returns the policy named s: truncate, skip or fail.
func ParseOversize(s string) (Oversize, error) {
	for o, name := range oversizeNames {
		if strings.EqualFold(s, name) {
			return Oversize(o), nil
		}
	}
	return 0, fmt.Errorf("parse oversize %q: %w", s, ErrUnknownOversize)
}

// Config configures a Source. Start from DefaultConfig(): New fills in nothing but the
// transactional ID, and Validate refuses zero sizes and durations.
type Config struct {
	Name    string // connector name: part of the offsets key and the transactional ID
	File    string // the log to follow
	Topic   string
	Brokers []string
	Format  Format

	BatchLines     int // most lines handed to the producer at once (Connect's batch.size)
	MaxRecordBytes int // largest record value; also capped by the topic's max.message.bytes
	Oversize       Oversize

	OffsetsFile        string // at-least-once: bridge's own offsets file (never Connect's)
	ConnectOffsetsFile string // a Connect standalone offsets file to migrate from, or ""
	FlushInterval      time.Duration

	ExactlyOnce        bool
	OffsetsTopic       string // exactly-once: compacted topic holding the offsets
	TransactionalID    string // exactly-once: default derived from Name and File
	TransactionTimeout time.Duration

	PollInterval       time.Duration // how often files are looked at without a change event
	RotateWait         time.Duration // how long a rotated file must stay idle while the new one is empty
	Poll               bool          // poll for changes instead of inotify
	HeadBytes          int           // leading bytes in a file's identity
	MaxBufferedRecords int           // lines in flight; reading pauses beyond it
	MaxBufferedBytes   int           // record bytes in flight; reading pauses beyond it
	ShutdownTimeout    time.Duration // how long a stop waits for in-flight lines
	Compression        string        // record batch codec: none, gzip, snappy, lz4 or zstd

	ClientOpts []kgo.Opt // extra franz-go options (logging, TLS, tests)
}

// Validate reports every bad value of c, joined, each wrapping ErrInvalidConfig. Nothing is
// filled in: a Config starts from DefaultConfig().
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	if c.Name == "" {
		bad("no connector name")
	}
	if c.File == "" {
		bad("no file to follow")
	}
	if c.Topic == "" {
		bad("no topic")
	}
	if len(c.Brokers) == 0 {
		bad("no brokers")
	}
	if c.Format < FormatJSONSchema || c.Format > FormatString {
		bad("format %d", c.Format)
	}
	if c.Oversize < OversizeTruncate || c.Oversize > OversizeFail {
		bad("oversize policy %d", c.Oversize)
	}
	c.validateOffsets(bad)
	c.validateSizes(bad)
	if !validCompression(c.Compression) {
		bad("compression %q: want none, gzip, snappy, lz4 or zstd", c.Compression)
	}
	return errors.Join(errs...)
}

func (c Config) validateOffsets(bad func(string, ...any)) {
	switch {
	case !c.ExactlyOnce && c.OffsetsFile == "":
		bad("no offsets file")
	case c.ExactlyOnce && c.OffsetsTopic == "":
		bad("no offsets topic")
	case c.ExactlyOnce && c.OffsetsTopic == c.Topic:
		bad("the offsets topic must not be the data topic")
	case c.ExactlyOnce && c.TransactionTimeout <= 0:
		bad("transaction timeout %s: must be positive", c.TransactionTimeout)
	}
}

func (c Config) validateSizes(bad func(string, ...any)) {
	if c.BatchLines < 1 || c.MaxRecordBytes < 64 || c.HeadBytes < 1 || c.MaxBufferedRecords < 1 ||
		c.MaxBufferedBytes < 1 {
		bad("batch size, record limit, head bytes and buffers must be positive (record limit at least 64)")
	} else if c.MaxBufferedBytes <= c.MaxRecordBytes+recordOverhead {
		bad("the buffer (%d bytes) must hold a record of the largest size (%d)", c.MaxBufferedBytes, c.MaxRecordBytes)
	}
	if c.FlushInterval <= 0 || c.PollInterval <= 0 || c.ShutdownTimeout <= 0 {
		bad("flush interval, poll interval and shutdown timeout must be positive")
	}
	if c.RotateWait < 0 {
		bad("rotate wait %s: must not be negative", c.RotateWait)
	}
}

// TransactionalID is the default transactional ID of the exactly-once source for connector
// name following file: stable across restarts, so a new run fences the previous one.
func transactionalID(name, file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	return "bridge-source-" + name + "-" + shortHash(abs)
}

// Stats counts what a Source did; every field may be read while it runs.
type Stats struct {
	LinesRead       atomic.Int64 // complete lines read from the file
	BytesRead       atomic.Int64 // bytes of those lines, terminators included
	RecordsProduced atomic.Int64 // records Kafka acknowledged
	ProduceErrors   atomic.Int64 // records that failed
	OffsetsSaved    atomic.Int64 // positions saved: offsets-file writes or committed transactions
	Rotations       atomic.Int64 // rename+create rotations followed
	Truncations     atomic.Int64 // truncations detected (copytruncate, "> file")
	OversizeLines   atomic.Int64 // lines over the record limit (truncated, skipped or failed)
	NULLines        atomic.Int64 // lines holding NUL bytes (produced as \u0000, as Connect does)
	InvalidUTF8     atomic.Int64 // lines with malformed UTF-8 (produced with U+FFFD, as Connect does)
	DroppedBytes    atomic.Int64 // bytes of incomplete last lines of files that ended
	Aborts          atomic.Int64 // exactly-once: transactions given up and restarted
	Position        atomic.Int64 // offset in the file being read after the last line handed out
}

// Source follows a file and produces each complete line to Kafka.
type Source struct {
	cfg      Config
	log      *slog.Logger
	stats    Stats
	limit    atomic.Int32 // producer batch limit, from the topic's max.message.bytes when known
	instance string       // names this run in exactly-once offsets
	lastSeen *Position    // exactly-once: the offsets last loaded or committed by this run
}

// New returns a Source for cfg; it does nothing until Run.
func New(cfg Config, log *slog.Logger) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// A file that exists must be one with offsets: a FIFO or a directory never works. One
	// that does not exist yet is waited for.
	if fi, err := os.Stat(cfg.File); err == nil {
		if err := checkRegular(cfg.File, fi); err != nil {
			return nil, err
		}
	}
	if cfg.TransactionalID == "" { // derived, not a default: it names this connector and file
		cfg.TransactionalID = transactionalID(cfg.Name, cfg.File)
	}
	s := &Source{cfg: cfg, log: log, instance: rand.Text()}
	s.limit.Store(defaultBatchMax)
	return s, nil
}

// Stats returns the source's live counters.
func (s *Source) Stats() *Stats { return &s.stats }

// Run follows the file until ctx is cancelled or a fatal error. On cancellation it stops
// reading, waits up to ShutdownTimeout for Kafka to acknowledge what was sent, saves the
// position and returns nil.
func (s *Source) Run(ctx context.Context) error {
	s.log.Info("source starting", "file", s.cfg.File, "topic", s.cfg.Topic, "brokers", s.cfg.Brokers,
		"format", s.cfg.Format.String(), "exactly_once", s.cfg.ExactlyOnce, "offsets", s.offsetsName())
	if s.cfg.ExactlyOnce {
		return s.runExactlyOnce(ctx)
	}
	return s.runAtLeastOnce(ctx)
}

func (s *Source) runAtLeastOnce(ctx context.Context) error {
	lock, err := lockOffsets(s.cfg.OffsetsFile, s.log)
	if err != nil {
		return err
	}
	defer lock.release()
	store := &FileStore{Path: s.cfg.OffsetsFile}
	saved, err := s.loadPosition(ctx, store)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(s.clientOpts()...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	t := newTailer(s.tailConfig(), s.log, &s.stats)
	defer t.close()
	if err := t.open(ctx, saved); err != nil {
		return s.stopped(ctx, err)
	}
	limit := s.recordLimit(ctx, cl)
	r := s.newProducerRun(ctx, cl, t, limit)
	defer r.hardStop()

	saver := &saver{store: store, src: s, acks: r.acks}
	var wg sync.WaitGroup
	runCtx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	sctx, stopSaver := context.WithCancel(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := saver.loop(sctx, s.cfg.FlushInterval); err != nil {
			stopRun(err)
		}
	}()

	err = s.loop(runCtx, t, r.pump, nil)
	if cause := context.Cause(runCtx); ctx.Err() == nil && errors.Is(cause, ErrOffsetsUnsaved) {
		err = cause
	}
	r.drain(ctx)
	stopSaver()
	wg.Wait()
	if serr := saver.save(context.WithoutCancel(ctx)); serr != nil && (err == nil || errors.Is(err, context.Canceled)) {
		err = fmt.Errorf("%w: %w", ErrOffsetsUnsaved, serr)
	}
	return s.stopped(ctx, err)
}

// offsetsName says where the offsets live, for the log.
func (s *Source) offsetsName() string {
	if s.cfg.ExactlyOnce {
		return "topic " + s.cfg.OffsetsTopic
	}
	return s.cfg.OffsetsFile
}

// stopped maps the end of a run: a stop by ctx is not a failure.
func (s *Source) stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		s.log.Info("source stopped", "lines", s.stats.LinesRead.Load(),
			"records", s.stats.RecordsProduced.Load(), "offsets_saved", s.stats.OffsetsSaved.Load())
		return nil
	}
	return err
}

// loop moves batches from the tailer to the pump until ctx is done or an error. after, when
// set, runs after every batch (exactly-once commits).
func (s *Source) loop(ctx context.Context, t *tailer, p *pump, after func() error) error {
	for {
		b, err := t.next(ctx, s.cfg.FlushInterval)
		if err != nil {
			return err
		}
		s.stats.Position.Store(t.pos()) // for bytes-behind metrics and progress
		if err := p.send(ctx, b); err != nil {
			return err
		}
		if after != nil {
			if err := after(); err != nil {
				return err
			}
		}
	}
}

func (s *Source) tailConfig() tailConfig {
	abs, err := filepath.Abs(s.cfg.File)
	if err != nil {
		abs = s.cfg.File
	}
	return tailConfig{
		Path:         abs,
		HeadBytes:    s.cfg.HeadBytes,
		MaxLine:      s.cfg.MaxRecordBytes,
		BatchLines:   s.cfg.BatchLines,
		BufferBytes:  max(defaultBufferBytes, s.cfg.MaxRecordBytes+64<<10),
		PollInterval: s.cfg.PollInterval,
		RotateWait:   s.cfg.RotateWait,
		Poll:         s.cfg.Poll,
	}
}

// position is the Position of a watermark.
func (s *Source) position(m mark) Position {
	pos := Position{Connector: s.cfg.Name, File: s.cfg.File, Offset: m.off, ID: m.gen.id()}
	pos.BeforeLen, pos.Before = beforeOffset(m.gen.f, m.off, s.cfg.HeadBytes)
	return pos
}

// loadPosition returns where to resume: the saved position, else Connect's (migration), else
// nil for the start of the file.
func (s *Source) loadPosition(ctx context.Context, store OffsetStore) (*Position, error) {
	pos, ok, err := store.Load(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		s.log.Info("resuming", "file", s.cfg.File, "offset", pos.Offset)
		return &pos, nil
	}
	if s.cfg.ConnectOffsetsFile == "" {
		return nil, nil
	}
	return migrateConnect(s.cfg.ConnectOffsetsFile, s.cfg.Name, s.cfg.File, s.cfg.HeadBytes, s.log)
}

// saver writes the watermark to the offsets file every interval, when it moved.
type saver struct {
	store OffsetStore
	src   *Source
	acks  *acks
	last  Position
}

// loop returns ErrOffsetsUnsaved after saveFailLimit failed saves in a row, and nil when
// ctx ends.
func (v *saver) loop(ctx context.Context, every time.Duration) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	fails := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			err := v.save(ctx)
			if err == nil || ctx.Err() != nil {
				fails = 0
				continue
			}
			if fails++; fails >= saveFailLimit {
				return fmt.Errorf("%w (%d attempts, %s apart): %w", ErrOffsetsUnsaved, fails, every, err)
			}
			v.src.log.Error("cannot save offsets; will retry, then stop", "err", err, "attempt", fails, "limit", saveFailLimit)
		}
	}
}

func (v *saver) save(ctx context.Context) error {
	m := v.acks.watermark()
	if m.gen == nil {
		return nil
	}
	pos := v.src.position(m)
	if pos == v.last {
		return nil
	}
	if err := v.store.Save(ctx, pos); err != nil {
		return err
	}
	v.last = pos
	v.src.stats.OffsetsSaved.Add(1)
	return nil
}
