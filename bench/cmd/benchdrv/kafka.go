package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// endPoll is how often the end offset is read while a tool fills a topic: often enough that
// it adds under 1% to a run of a few seconds, rarely enough not to load the broker.
const endPoll = 20 * time.Millisecond

// kafka is the admin side of a run: fresh topics and their end offsets.
type kafka struct {
	brokers string
	cl      *kgo.Client
	adm     *kadm.Client
	log     *slog.Logger
	mu      sync.Mutex
	topics  []string
}

func newKafka(ctx context.Context, brokers string, log *slog.Logger) (*kafka, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		return nil, err
	}
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := adm.BrokerMetadata(ctx); err != nil {
		cl.Close()
		return nil, fmt.Errorf("no Kafka at %s (make kafka-up): %w", brokers, err)
	}
	return &kafka{brokers: brokers, cl: cl, adm: adm, log: log}, nil
}

// topic creates a fresh one-partition topic, named with a run-wide sequence number so that
// repeats never meet an old one; logAppend makes the broker stamp each batch
// with the time it appended it, which the latency phase reads as the ack time.
func (k *kafka) topic(ctx context.Context, name string, logAppend bool) (string, error) {
	var configs map[string]*string
	if logAppend {
		configs = map[string]*string{"message.timestamp.type": kadm.StringPtr("LogAppendTime")}
	}
	k.mu.Lock()
	name = fmt.Sprintf("%s-%d", name, len(k.topics)+1)
	k.topics = append(k.topics, name)
	k.mu.Unlock()
	if _, err := k.adm.CreateTopic(ctx, 1, 1, configs, name); err != nil {
		return "", fmt.Errorf("create topic %s: %w", name, err)
	}
	return name, nil
}

// end returns the topic's end offset (its one partition's high watermark).
func (k *kafka) end(ctx context.Context, topic string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	offs, err := k.adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, err
	}
	o, ok := offs.Lookup(topic, 0)
	if !ok {
		return 0, fmt.Errorf("topic %s: no partition 0", topic)
	}
	return o.Offset, o.Err
}

// close deletes the run's topics (they hold hundreds of MB) unless asked to keep them.
func (k *kafka) close(ctx context.Context, keep bool) {
	defer k.cl.Close()
	if keep || len(k.topics) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := k.adm.DeleteTopics(ctx, k.topics...); err != nil {
		k.log.Warn("delete benchmark topics", "err", err)
	}
}

// topicParts creates a fresh topic of parts partitions, deleted at the end of the run.
func (k *kafka) topicParts(ctx context.Context, name string, parts int) (string, error) {
	k.mu.Lock()
	name = fmt.Sprintf("%s-%d", name, len(k.topics)+1)
	k.topics = append(k.topics, name)
	k.mu.Unlock()
	if _, err := k.adm.CreateTopic(ctx, int32(parts), 1, nil, name); err != nil {
		return "", fmt.Errorf("create topic %s: %w", name, err)
	}
	return name, nil
}

// own marks topics others created (the group's internal ones) for deletion at the end.
func (k *kafka) own(topics ...string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.topics = append(k.topics, topics...)
}

// endAll returns the sum of the topic's partitions' end offsets.
func (k *kafka) endAll(ctx context.Context, topic string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	offs, err := k.adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, err
	}
	var n int64
	offs.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n, nil
}

// logBytes sums the log sizes of the topics' partitions on every broker (DescribeLogDirs).
func (k *kafka) logBytes(ctx context.Context, topics ...string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	dirs, err := k.adm.DescribeAllLogDirs(ctx, nil)
	if err != nil {
		return 0, err
	}
	var n int64
	dirs.Each(func(d kadm.DescribedLogDir) {
		d.Topics.Each(func(p kadm.DescribedLogDirPartition) {
			if slices.Contains(topics, p.Topic) {
				n += p.Size
			}
		})
	})
	return n, nil
}
