package connector

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
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

// run is the producing half of one Source run: the ack tracker, the pump, and the context its
// Produce calls use, which a stop cancels only after ShutdownTimeout.
type run struct {
	src   *Source
	cl    *kgo.Client
	acks  *acks
	pump  *pump
	pctx  context.Context // cancelled only ShutdownTimeout after a stop
	hard  context.CancelFunc
	done  chan struct{}
	wg    sync.WaitGroup
	close sync.Once
}

func (s *Source) newRun(ctx context.Context, cl *kgo.Client, t *tailer, limit int) *run {
	pctx, hard := context.WithCancel(context.WithoutCancel(ctx))
	a := newAcks(s.cfg.MaxBufferedRecords, mark{t.gen, t.pos()}, &s.stats)
	r := &run{src: s, cl: cl, acks: a, pctx: pctx, hard: hard, done: make(chan struct{})}
	r.pump = &pump{
		cl: cl, topic: s.cfg.Topic, format: s.cfg.Format, limit: limit, policy: s.cfg.Oversize,
		acks: a, pctx: pctx, log: s.log, stats: &s.stats, gen: t.gen,
	}
	// A Produce blocked on a full buffer (broker down) would hold a stop forever: give it
	// ShutdownTimeout after the stop, then cancel it. Its line is simply not acknowledged.
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		select {
		case <-r.done:
			return
		case <-ctx.Done():
		}
		timer := time.NewTimer(s.cfg.ShutdownTimeout)
		defer timer.Stop()
		select {
		case <-r.done:
		case <-timer.C:
			hard()
		}
	}()
	return r
}

// drain waits up to ShutdownTimeout for every produced line to be acknowledged.
func (r *run) drain(ctx context.Context) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.src.cfg.ShutdownTimeout)
	defer cancel()
	if err := r.cl.Flush(fctx); err != nil || !r.acks.idle() {
		r.src.log.Warn("stopping with lines not acknowledged; they will be read again on restart",
			"in_flight", r.acks.tail.Load()-r.acks.head.Load(), "err", cmp.Or(err, r.acks.failure()))
	}
}

// hardStop ends the run's goroutine and cancels any Produce still waiting.
func (r *run) hardStop() {
	r.close.Do(func() {
		close(r.done)
		r.hard()
		r.wg.Wait()
	})
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
