package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kgolog"
)

const (
	// defaultBatchMax is franz-go's default batch limit, below every broker's default
	// message.max.bytes; used until the topic's own limit is known.
	defaultBatchMax = 1000012
	// recordOverhead bounds what a batch of one record adds to its value: the batch header
	// (61 bytes) and the record's varints and attributes.
	recordOverhead = 128
	// describeTimeout bounds the look at the topic's config, so a broker that is down at
	// start delays nothing: the defaults hold until it is back.
	describeTimeout = 5 * time.Second
)

// clientOpts are the producer options: acks from all in-sync replicas and idempotence (both
// franz-go defaults, which Connect's worker also uses), unlimited retries with no delivery
// timeout (a broker that is down is waited for), and a bounded buffer so reading pauses
// rather than memory growing.
func (s *Source) clientOpts() []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.cfg.Brokers...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.AllowAutoTopicCreation(), // as Connect's producer: the broker decides
		kgo.MaxBufferedRecords(s.cfg.MaxBufferedRecords),
		kgo.MaxBufferedBytes(s.cfg.MaxBufferedBytes),
		kgo.ProducerBatchMaxBytesFn(func(string) int32 { return s.limit.Load() }),
		kgo.ProducerBatchCompression(codecs[s.cfg.Compression]),
		kgo.WithLogger(kgolog.New(s.log)),
	}
	return append(opts, s.cfg.ClientOpts...)
}

// codecs are the record batch compressions, by the names of Kafka's compression.type.
var codecs = map[string]kgo.CompressionCodec{
	"none":   kgo.NoCompression(),
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

func validCompression(name string) bool {
	_, ok := codecs[name]
	return ok
}

// recordLimit returns the largest record value to produce: MaxRecordBytes, lowered to fit the
// topic's max.message.bytes when the broker tells it in time.
func (s *Source) recordLimit(ctx context.Context, cl *kgo.Client) int {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	if n, ok := topicMaxMessageBytes(ctx, cl, s.cfg.Topic); ok {
		s.limit.Store(n)
	} else {
		s.log.Debug("topic max.message.bytes unknown; using the defaults", "topic", s.cfg.Topic)
	}
	limit := min(s.cfg.MaxRecordBytes, int(s.limit.Load())-recordOverhead)
	s.log.Debug("record limit", "value_bytes", limit, "batch_bytes", s.limit.Load())
	return limit
}

func topicMaxMessageBytes(ctx context.Context, cl *kgo.Client, topic string) (int32, bool) {
	rcs, err := kadm.NewClient(cl).DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return 0, false
	}
	for _, rc := range rcs {
		if rc.Err != nil {
			return 0, false
		}
		for _, c := range rc.Configs {
			if c.Key != "max.message.bytes" || c.Value == nil {
				continue
			}
			n, err := strconv.ParseInt(*c.Value, 10, 32)
			if err == nil && n > recordOverhead {
				return int32(n), true
			}
		}
	}
	return 0, false
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
