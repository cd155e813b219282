package metrics

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/stream"
)

// lagTTL is how long a partition's lag is kept without news of it. The stream gives no
// word when a partition is revoked, and an idle partition it still owns is not heard of
// at every poll: after a minute of silence its last figure is dropped rather than kept
// up to date by guesswork.
const lagTTL = time.Minute

func streamDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "stream", name), help, labels, nil)
}

var (
	streamInfoDesc = streamDesc("info", "The stream's consumer group and topics; always 1.", "group", "topics")
	recordsDesc    = streamDesc("records_total", "Records consumed.")
	tuplesDesc     = streamDesc("tuples_total", "(src, dst) tuples handed to the sinks.")
	skippedDesc    = streamDesc("skipped_records_total",
		"Records that gave no tuple (parse failures): not_packet (not a tshark packet line), "+
			"malformed (a broken Connect envelope), too_large (over the value limit).", "reason")
	batchesDesc = streamDesc("batches_total", "Batches written and committed, empty ones included.")
	abortedDesc = streamDesc("aborted_batches_total",
		"With --exactly-once: batches whose transaction aborted; their records are processed again.")
	lateDesc = streamDesc("late_records_total",
		"With --top: records whose window was already answered when they came (later than "+
			"--grace); counted here and in no window.")
	windowsOpenDesc = streamDesc("windows_open",
		"With --top: windows this member merges (it owns their panes partition) not yet answered.")
	windowsClosedDesc = streamDesc("windows_closed_total", "With --top: windows this member answered.")
	summaryBytesDesc  = streamDesc("summary_bytes_total",
		"With --top: bytes of pane summaries this member produced to the group's panes topic.")
	lagDesc = streamDesc("consumer_lag",
		"Records of a partition after the last one polled: the high watermark (counting "+
			"transaction markers) as of the last fetch minus the next offset to poll.", "topic", "partition")
)

// StreamStats is a collector of a stream's counters, read at every scrape.
type StreamStats struct {
	group, topics string
	stats         func() stream.Stats
}

var _ prometheus.Collector = (*StreamStats)(nil)

// NewStreamStats returns the collector of the stream of group on topics whose counters
// stats returns (stream.Stream.Stats).
func NewStreamStats(group string, topics []string, stats func() stream.Stats) *StreamStats {
	return &StreamStats{group: group, topics: strings.Join(topics, ","), stats: stats}
}

// Describe sends every metric's description.
func (s *StreamStats) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{streamInfoDesc, recordsDesc, tuplesDesc, skippedDesc, batchesDesc, abortedDesc,
		lateDesc, windowsOpenDesc, windowsClosedDesc, summaryBytesDesc} {
		ch <- d
	}
}

// Collect reads the counters.
func (s *StreamStats) Collect(ch chan<- prometheus.Metric) {
	st := s.stats()
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	ch <- prometheus.MustNewConstMetric(streamInfoDesc, prometheus.GaugeValue, 1, s.group, s.topics)
	counter(recordsDesc, st.Records)
	counter(tuplesDesc, st.Tuples)
	counter(skippedDesc, st.NotPacket, "not_packet")
	counter(skippedDesc, st.Malformed, "malformed")
	counter(skippedDesc, st.TooLarge, "too_large")
	counter(batchesDesc, st.Batches)
	counter(abortedDesc, st.Aborted)
	counter(lateDesc, st.LateRecords)
	ch <- prometheus.MustNewConstMetric(windowsOpenDesc, prometheus.GaugeValue, float64(st.WindowsOpen))
	counter(windowsClosedDesc, st.WindowsClosed)
	counter(summaryBytesDesc, st.SummaryBytes)
}

type topicPartition struct {
	topic     string
	partition int32
}

type lagEntry struct {
	lag  int64
	seen time.Time
}

// StreamBatches is a stream.BatchObserver and a collector: records per batch, batch duration
// and consumer lag per partition. Lag also serves progress reports.
type StreamBatches struct {
	records  prometheus.Histogram
	duration prometheus.Histogram
	answered prometheus.Histogram
	windows  atomic.Int64 // windows answered
	now      func() time.Time

	mu  sync.Mutex
	lag map[topicPartition]lagEntry
}

var (
	_ prometheus.Collector  = (*StreamBatches)(nil)
	_ stream.BatchObserver  = (*StreamBatches)(nil)
	_ stream.WindowObserver = (*StreamBatches)(nil)
)

// NewStreamBatches returns an observer to set as stream.Config.BatchObserver.
func NewStreamBatches() *StreamBatches {
	return &StreamBatches{
		records: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "stream", Name: "batch_records",
			Help:    "Records per batch, empty batches included.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 11), // 1 .. 1M (MaxBatchRecords)
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "stream", Name: "batch_duration_seconds",
			Help:    "Time to write a batch to every sink and commit it.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12), // 1ms .. 60s
		}),
		answered: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "stream", Name: "window_answer_delay_seconds",
			Help:    "With --top: time from a window's end to its answer, for the windows this member answered.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14), // 10ms .. 80s
		}),
		now: time.Now,
		lag: make(map[topicPartition]lagEntry),
	}
}

// Polled records each partition's lag after the records of fs. A partition without
// records or error was fetched with nothing left to read: franz-go fetches a partition
// again only once the records of its previous fetch were all polled.
func (o *StreamBatches) Polled(fs kgo.Fetches) {
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		if p.Err != nil {
			return
		}
		var lag int64
		if n := len(p.Records); n > 0 {
			lag = max(p.HighWatermark-(p.Records[n-1].Offset+1), 0)
		}
		o.lag[topicPartition{p.Topic, p.Partition}] = lagEntry{lag: lag, seen: now}
	})
}

// BatchDone observes a finished batch.
func (o *StreamBatches) BatchDone(records int, took time.Duration) {
	o.records.Observe(float64(records))
	o.duration.Observe(took.Seconds())
}

// WindowAnswered observes how long after its end a window was answered.
func (o *StreamBatches) WindowAnswered(delay time.Duration) {
	o.windows.Add(1)
	o.answered.Observe(delay.Seconds())
}

// Lag returns the records after the last polled one, over every partition heard of lately.
func (o *StreamBatches) Lag() int64 {
	var total int64
	o.eachLag(func(_ topicPartition, lag int64) { total += lag })
	return total
}

// eachLag calls fn for every partition heard of within lagTTL and forgets the others.
func (o *StreamBatches) eachLag(fn func(topicPartition, int64)) {
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	for tp, e := range o.lag {
		if now.Sub(e.seen) > lagTTL {
			delete(o.lag, tp)
			continue
		}
		fn(tp, e.lag)
	}
}

// Describe sends every metric's description.
func (o *StreamBatches) Describe(ch chan<- *prometheus.Desc) {
	o.records.Describe(ch)
	o.duration.Describe(ch)
	o.answered.Describe(ch)
	ch <- lagDesc
}

// Collect sends the histograms and the lag of every partition.
func (o *StreamBatches) Collect(ch chan<- prometheus.Metric) {
	o.records.Collect(ch)
	o.duration.Collect(ch)
	if o.windows.Load() > 0 { // only a --top stream answers windows
		o.answered.Collect(ch)
	}
	o.eachLag(func(tp topicPartition, lag int64) {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(lag),
			tp.topic, strconv.Itoa(int(tp.partition)))
	})
}
