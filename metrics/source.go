package metrics

import (
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/connector"
)

// sourceCounter is one counter of connector.Stats exposed as a Prometheus counter.
type sourceCounter struct {
	desc *prometheus.Desc
	read func(*connector.Stats) int64
}

func newSourceCounter(name, help string, read func(*connector.Stats) int64) sourceCounter {
	return sourceCounter{prometheus.NewDesc(prometheus.BuildFQName(namespace, "source", name), help, nil, nil), read}
}

var sourceCounters = []sourceCounter{
	newSourceCounter("lines_read_total", "Complete lines read from the log.",
		func(s *connector.Stats) int64 { return s.LinesRead.Load() }),
	newSourceCounter("read_bytes_total", "Bytes of the lines read, terminators included.",
		func(s *connector.Stats) int64 { return s.BytesRead.Load() }),
	newSourceCounter("records_produced_total", "Records Kafka acknowledged.",
		func(s *connector.Stats) int64 { return s.RecordsProduced.Load() }),
	newSourceCounter("produce_errors_total", "Records Kafka failed (the source stops on the first).",
		func(s *connector.Stats) int64 { return s.ProduceErrors.Load() }),
	newSourceCounter("offsets_saved_total", "Positions saved: offsets-file writes, or committed transactions with --exactly-once.",
		func(s *connector.Stats) int64 { return s.OffsetsSaved.Load() }),
	newSourceCounter("rotations_total", "Rename+create rotations followed.",
		func(s *connector.Stats) int64 { return s.Rotations.Load() }),
	newSourceCounter("truncations_total", "Truncations detected (copytruncate, \"> file\"); the file is read again from its start.",
		func(s *connector.Stats) int64 { return s.Truncations.Load() }),
	newSourceCounter("oversize_lines_total", "Lines over the record size limit: truncated, skipped or failed per --oversize.",
		func(s *connector.Stats) int64 { return s.OversizeLines.Load() }),
	newSourceCounter("nul_lines_total", "Lines holding NUL bytes (produced as \\u0000, as Connect does).",
		func(s *connector.Stats) int64 { return s.NULLines.Load() }),
	newSourceCounter("invalid_utf8_lines_total", "Lines with malformed UTF-8 (produced with U+FFFD, as Connect does).",
		func(s *connector.Stats) int64 { return s.InvalidUTF8.Load() }),
	newSourceCounter("dropped_bytes_total", "Bytes of unterminated last lines of rotated or truncated files, never produced.",
		func(s *connector.Stats) int64 { return s.DroppedBytes.Load() }),
	newSourceCounter("transaction_aborts_total", "With --exactly-once: transactions given up and retried.",
		func(s *connector.Stats) int64 { return s.Aborts.Load() }),
}

var (
	sourceInfoDesc = prometheus.NewDesc(prometheus.BuildFQName(namespace, "source", "info"),
		"The source's connector name, file and topic; always 1.", []string{"connector", "file", "topic"}, nil)
	positionDesc = prometheus.NewDesc(prometheus.BuildFQName(namespace, "source", "file_position_bytes"),
		"Offset in the file being read after the last line read.", nil, nil)
	sizeDesc = prometheus.NewDesc(prometheus.BuildFQName(namespace, "source", "file_size_bytes"),
		"Size of the file now at the path (absent while there is none).", nil, nil)
	behindDesc = prometheus.NewDesc(prometheus.BuildFQName(namespace, "source", "behind_bytes"),
		"Bytes between the read position and the end of the file now at the path.", nil, nil)
)

// Source is a collector of a connector.Source's counters, read at every scrape, and of how
// far it is behind the end of its file.
type Source struct {
	name, file, topic string
	stats             *connector.Stats
}

var _ prometheus.Collector = (*Source)(nil)

// NewSource returns the collector of the source named name that follows file into topic
// and counts in stats.
func NewSource(name, file, topic string, stats *connector.Stats) *Source {
	return &Source{name: name, file: file, topic: topic, stats: stats}
}

// Describe sends every metric's description.
func (s *Source) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range sourceCounters {
		ch <- c.desc
	}
	ch <- sourceInfoDesc
	ch <- positionDesc
	ch <- sizeDesc
	ch <- behindDesc
}

// Collect reads the counters and the file's size.
func (s *Source) Collect(ch chan<- prometheus.Metric) {
	for _, c := range sourceCounters {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(c.read(s.stats)))
	}
	ch <- prometheus.MustNewConstMetric(sourceInfoDesc, prometheus.GaugeValue, 1, s.name, s.file, s.topic)
	pos := s.stats.Position.Load()
	ch <- prometheus.MustNewConstMetric(positionDesc, prometheus.GaugeValue, float64(pos))
	if size, ok := fileSize(s.file); ok {
		ch <- prometheus.MustNewConstMetric(sizeDesc, prometheus.GaugeValue, float64(size))
	}
	behind, _ := BytesBehind(s.file, s.stats)
	ch <- prometheus.MustNewConstMetric(behindDesc, prometheus.GaugeValue, float64(behind))
}

// BytesBehind returns how many bytes of the file now at path lie past the source's read
// position, and whether there is a file. While a rotated file is being finished the
// position is in the old file, so the figure is rough until the source moves on.
func BytesBehind(path string, stats *connector.Stats) (int64, bool) {
	size, ok := fileSize(path)
	if !ok {
		return 0, false
	}
	return max(size-stats.Position.Load(), 0), true
}

func fileSize(path string) (int64, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return fi.Size(), true
}

// ProduceLatency is a franz-go hook and a collector: a histogram of the time from Produce
// to Kafka's acknowledgement of each record of one topic. Give it to the source with
// kgo.WithHooks through connector.Config.ClientOpts.
type ProduceLatency struct {
	topic string
	hist  prometheus.Histogram
}

var (
	_ prometheus.Collector            = (*ProduceLatency)(nil)
	_ kgo.HookProduceRecordUnbuffered = (*ProduceLatency)(nil)
)

// NewProduceLatency returns the hook for records of topic (the exactly-once source also
// produces its offsets, to another topic, through the same client).
func NewProduceLatency(topic string) *ProduceLatency {
	return &ProduceLatency{topic: topic, hist: prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "source", Name: "produce_latency_seconds",
		Help: "Time from handing a record to the producer to Kafka's acknowledgement " +
			"(millisecond resolution: franz-go stamps records in milliseconds).",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16), // 0.5ms .. 16s
	})}
}

// OnProduceRecordUnbuffered observes an acknowledged record. franz-go stamps a record's
// Timestamp when Produce is called, and the source leaves it zero so it does.
func (p *ProduceLatency) OnProduceRecordUnbuffered(r *kgo.Record, err error) {
	if err != nil || r.Topic != p.topic {
		return
	}
	p.hist.Observe(time.Since(r.Timestamp).Seconds())
}

// Describe sends the histogram's description.
func (p *ProduceLatency) Describe(ch chan<- *prometheus.Desc) { p.hist.Describe(ch) }

// Collect sends the histogram.
func (p *ProduceLatency) Collect(ch chan<- prometheus.Metric) { p.hist.Collect(ch) }
