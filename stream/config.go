package stream

import (
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/talkers"
)

// Defaults, as the blog's Spark job ran.
const (
	DefaultBrokers       = "localhost:9092"
	DefaultGroup         = "raw-event-streaming-consumer-group"
	DefaultInterval      = 2 * time.Second
	DefaultParseMode     = ParseTshark
	DefaultMaxValueBytes = 1 << 20
	DefaultStatsEvery    = 30 * time.Second
	// DefaultMaxBatchRecords bounds a batch's memory (about 90 bytes a tuple) when a
	// large backlog is consumed: 64Ki tuples are about 6 MB. A full batch is written at
	// once and the next one starts, so the cap costs a commit per 64Ki records, not
	// throughput. A million-tuple batch kept the stream at 300 to 400 MB of RSS.
	DefaultMaxBatchRecords = 1 << 16
	// DefaultSessionTimeout is Kafka's: a member that stops heartbeating (killed, not
	// stopped) keeps its partitions this long before the group moves them.
	DefaultSessionTimeout = 45 * time.Second
	// DefaultIdleAfter is how long a record-time input partition that was read to its end
	// must have had no record before it stops holding the group's windows back. Longer
	// than a partition leader's failover (KRaft's broker session timeout is 9 s), during
	// which a partition gets no record and its producers' records wait.
	DefaultIdleAfter = 10 * time.Second
	// MaxWindowSlides caps --window ÷ --slide. With --top every pane (a slide of counts)
	// is sent to, and merged into, each window it belongs to, so a batch costs and a merger
	// holds up to this many summaries of --top-capacity keys: 120 keeps a flood's worst
	// case near a hundred MB. A longer window wants a longer slide (24h by 12m, 1h by 30s).
	// A window of 8760h by 2s would ask for 15,768,000 of them.
	MaxWindowSlides = 120
	// MinSessionTimeout and MaxSessionTimeout are the broker's default bounds
	// (group.min.session.timeout.ms, group.max.session.timeout.ms): a join outside them
	// fails with INVALID_SESSION_TIMEOUT, and the client would retry it forever.
	MinSessionTimeout = 6 * time.Second
	MaxSessionTimeout = 30 * time.Minute
)

// Config configures a Stream.
type Config struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string
	// Topics are consumed together; a batch holds records of all of them.
	Topics []string
	// Group is the consumer group; committed offsets live there.
	Group string
	// Interval is the batch interval. Batch times are its multiples since the epoch, as
	// Spark's batch times are. It must be a whole number of milliseconds.
	Interval time.Duration
	// FromBeginning starts a group without committed offsets at the earliest record;
	// otherwise it sees only records produced after it joined, as Spark's receiver did.
	FromBeginning bool
	// Parser is ParseTshark or ParseSeed.
	Parser ParseMode
	// Top, when > 0, replaces the tuples of each batch by the Top most frequent pairs.
	Top int
	// Key is what --top counts under: pairs (the default), conversations or hosts.
	Key talkers.KeyKind
	// By is what ranks the keys: packets (the default) or bytes.
	By talkers.Measure
	// Prefix rolls addresses up to their networks; the zero value keeps them whole.
	Prefix talkers.Prefix
	// TopCapacity is how many keys a window's summary keeps (0: talkers.DefaultCapacity):
	// while a window holds no more distinct keys, every count is exact.
	TopCapacity int
	// Window is the span Top counts over (like reduceByKeyAndWindow); 0 means one
	// interval. It must be a multiple of Interval.
	Window time.Duration
	// Slide is how often a windowed count is output; 0 means every interval. It must be a
	// multiple of Interval and at most Window.
	Slide time.Duration
	// Time says which clock puts a record in a --top window: TimeProcessing (the batch's
	// tick, as Spark does) or TimeRecord (the record's Kafka timestamp).
	Time TimeMode
	// Grace is how long after a record-time window's end its records may still arrive;
	// the window's answer waits for it.
	Grace time.Duration
	// IdleAfter is how long a record-time input partition read to its end must be quiet
	// before its watermark follows the clock (0: DefaultIdleAfter, or Grace when longer).
	IdleAfter time.Duration
	// ExactlyOnce consumes, produces to the Kafka sink and commits offsets in one Kafka
	// transaction per batch.
	ExactlyOnce bool
	// TransactionalID is the producer's transactional id with ExactlyOnce; empty picks a
	// unique one. A stable id per instance lets a restart fence its crashed predecessor's
	// open transaction at once instead of after the transaction timeout.
	TransactionalID string
	// SessionTimeout is how long the group waits for a silent member before moving its
	// partitions away; brokers accept 6s to 30m by default.
	SessionTimeout time.Duration
	// MaxBatchRecords is the most records one batch takes. A batch that fills before
	// its tick is written at once, stamped with that tick's time, and the next batch
	// starts (with the same time) without waiting for the tick. The last batch of a
	// backlog is likewise written as soon as the backlog is read to its end.
	MaxBatchRecords int
	// MaxValueBytes: larger record values are counted and skipped.
	MaxValueBytes int
	// StatsEvery is how often skipped-input counters are logged when they changed.
	StatsEvery time.Duration
	// Location is the time zone of batch times; nil means time.Local.
	Location *time.Location
	// BatchObserver, when set, is told of every poll and batch (metrics, progress).
	BatchObserver BatchObserver
	// ClientOpts are extra franz-go options for the group client (TLS, SASL).
	ClientOpts []kgo.Opt
}

// DefaultConfig returns the blog's settings for topics.
func DefaultConfig(topics ...string) Config {
	return Config{
		Brokers:         []string{DefaultBrokers},
		Topics:          topics,
		Group:           DefaultGroup,
		Interval:        DefaultInterval,
		Parser:          DefaultParseMode,
		Time:            DefaultTime,
		MaxValueBytes:   DefaultMaxValueBytes,
		MaxBatchRecords: DefaultMaxBatchRecords,
		StatsEvery:      DefaultStatsEvery,
		SessionTimeout:  DefaultSessionTimeout,
	}
}

// Validate reports every bad field at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Brokers) == 0 {
		bad("no brokers")
	}
	if len(c.Topics) == 0 {
		bad("no topics")
	}
	for _, t := range c.Topics {
		if t == "" {
			bad("empty topic name")
		}
	}
	if c.Group == "" {
		bad("empty group")
	}
	if c.Interval < time.Millisecond || c.Interval%time.Millisecond != 0 {
		bad("interval %v: want a positive whole number of milliseconds", c.Interval)
	}
	if err := c.Parser.validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Top < 0 {
		bad("top %d: must not be negative", c.Top)
	}
	if (c.Window != 0 || c.Slide != 0) && c.Top == 0 {
		bad("window and slide need top: they say what to count over")
	}
	if err := c.Time.validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Grace < 0 || c.Grace%time.Millisecond != 0 {
		bad("grace %v: want a non-negative whole number of milliseconds", c.Grace)
	}
	if c.Top > 0 {
		if err := c.talkConfig().Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if (c.Time == TimeRecord || c.Grace != 0) && c.Top == 0 {
		bad("record time and grace need top: they say when a window closes")
	}
	if c.Interval >= time.Millisecond {
		c.checkWindow(bad)
	}
	if c.MaxValueBytes <= 0 {
		bad("max value bytes %d: must be positive", c.MaxValueBytes)
	}
	if c.SessionTimeout < MinSessionTimeout || c.SessionTimeout > MaxSessionTimeout {
		bad("session timeout %v: want %v to %v (the broker's bounds)", c.SessionTimeout, MinSessionTimeout, MaxSessionTimeout)
	}
	if c.MaxBatchRecords <= 0 {
		bad("max batch records %d: must be positive", c.MaxBatchRecords)
	}
	if c.StatsEvery < 0 {
		bad("stats interval %v: must not be negative", c.StatsEvery)
	}
	return errors.Join(errs...)
}

func (c Config) checkWindow(bad func(string, ...any)) {
	win, slide := c.window(), c.slide()
	if win < 0 || win%c.Interval != 0 {
		bad("window %v: want a positive multiple of the interval %v", c.Window, c.Interval)
	}
	if slide < 0 || slide%c.Interval != 0 {
		bad("slide %v: want a positive multiple of the interval %v", c.Slide, c.Interval)
	}
	if slide > win {
		bad("slide %v is longer than the window %v", slide, win)
	}
	if slide > 0 && win/slide > MaxWindowSlides {
		bad("window %v is %d slides of %v: at most %d (every slide's counts go to each window it is in); take a longer --slide",
			win, win/slide, slide, MaxWindowSlides)
	}
}

// window and slide resolve the zero defaults.
func (c Config) window() time.Duration {
	if c.Window == 0 {
		return c.Interval
	}
	return c.Window
}

func (c Config) slide() time.Duration {
	if c.Slide == 0 {
		return c.Interval
	}
	return c.Slide
}
