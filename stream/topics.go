package stream

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// topicCheckEvery is how often the stream asks whether its topics exist. A consumer of a
// missing topic gets no records and no error (franz-go logs UNKNOWN_TOPIC_OR_PARTITION at
// debug level only), so without this a typo'd topic prints empty batches in silence.
const topicCheckEvery = 5 * time.Second

// startupCheckTimeout bounds the one check made before the first poll.
const startupCheckTimeout = 5 * time.Second

// watchTopics logs at info level, once, each consumed topic that does not exist, and again
// when it appears (or goes away again), until ctx ends. The returned func stops the
// watcher and waits for it.
func (s *Stream) watchTopics(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		adm := kadm.NewClient(s.cl)
		missing := make(map[string]bool)
		t := time.NewTicker(s.topicEvery)
		defer t.Stop()
		for {
			s.checkTopics(ctx, adm, missing)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// checkTopics asks for the topics' metadata and logs each change of their existence;
// missing holds the topics last seen missing. A failed request says nothing: the
// client's own retries and warnings cover an unreachable broker.
func (s *Stream) checkTopics(ctx context.Context, adm *kadm.Client, missing map[string]bool) {
	details, err := adm.ListTopics(ctx, s.cfg.Topics...)
	if err != nil {
		return
	}
	for _, topic := range s.cfg.Topics {
		d, ok := details[topic]
		gone := !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition)
		switch {
		case gone && !missing[topic]:
			missing[topic] = true
			s.log.Info("topic does not exist; waiting for it to be created", "topic", topic)
		case !gone && missing[topic]:
			delete(missing, topic)
			s.log.Info("topic exists now; consuming it", "topic", topic)
		}
	}
}

// checkFromBeginning says, once at start, that FromBeginning will do nothing because the
// group already has committed offsets for the topics: the group resumes from them, as
// Kafka's auto.offset.reset applies only to partitions without one.
func (s *Stream) checkFromBeginning(ctx context.Context) {
	if !s.cfg.FromBeginning {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, startupCheckTimeout)
	defer cancel()
	offs, err := kadm.NewClient(s.cl).FetchOffsets(ctx, s.cfg.Group)
	if err != nil {
		return
	}
	committed := 0
	for _, topic := range s.cfg.Topics {
		for _, o := range offs[topic] {
			if o.Err == nil && o.At >= 0 {
				committed++
			}
		}
	}
	if committed > 0 {
		s.log.Info("--from-beginning does nothing: the group has committed offsets and resumes from them "+
			"(a new --group starts at the earliest record)", "group", s.cfg.Group, "partitions", committed)
	}
}
