package stream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// PanesTopic is the internal topic of a group's talkers: pane deltas, watermarks and
// checkpoints. It is named after the group, as Kafka Streams names its repartition topics
// after the application.
func PanesTopic(group string) string { return group + "-talkers-panes" }

// AnswersTopic is the compacted topic of a group's window answers, keyed by window; retention ages them out.
func AnswersTopic(group string) string { return group + "-talkers-answers" }

// groupTopics learns the partitions of the input topics and makes the group's two
// internal topics unless they exist: the panes topic with as many partitions as the
// inputs have together (each merger then takes about as many windows as it reads
// partitions), the answers topic compacted (and aged out by retention) with one
// partition, so every member reads the answers in one order.
func groupTopics(ctx context.Context, cl *kgo.Client, group string, inputs []string) (map[string]int32, int32, error) {
	adm := kadm.NewClient(cl)
	md, err := adm.ListTopics(ctx, inputs...)
	if err != nil {
		return nil, 0, fmt.Errorf("input topics: %w", err)
	}
	counts := make(map[string]int32, len(inputs))
	var total int32
	for _, t := range inputs {
		td, ok := md[t]
		if !ok || td.Err != nil || len(td.Partitions) == 0 {
			return nil, 0, fmt.Errorf("input topic %s: not found (%v)", t, td.Err)
		}
		counts[t] = int32(len(td.Partitions))
		total += counts[t]
	}
	panes, err := ensureTopic(ctx, cl, adm, PanesTopic(group), total, nil)
	if err != nil {
		return nil, 0, err
	}
	// Every window has its own key, so compaction alone would keep them all: the broker's
	// retention ages old answers out as well.
	policy := "compact,delete"
	if _, err := ensureTopic(ctx, cl, adm, AnswersTopic(group), 1, map[string]*string{"cleanup.policy": &policy}); err != nil {
		return nil, 0, err
	}
	return counts, panes, nil
}

// ensureTopic creates topic unless it exists and returns its partition count.
func ensureTopic(ctx context.Context, cl *kgo.Client, adm *kadm.Client, topic string, partitions int32, configs map[string]*string) (int32, error) {
	resp, err := adm.CreateTopic(ctx, partitions, -1, configs, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return 0, fmt.Errorf("create topic %s: %w", topic, err)
	}
	return waitLeaders(ctx, cl, topic)
}

// waitLeaders waits until every partition of topic has a leader and returns how many
// there are: a broker answers CreateTopics before that, and a producer that first sees a
// partition without a leader waits out its metadata min age before it asks again. It
// asks the broker each time: kadm's ListTopics answers from the client's metadata cache,
// which would repeat a leaderless answer for that same min age (5 s).
func waitLeaders(ctx context.Context, cl *kgo.Client, topic string) (int32, error) {
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	for {
		resp, err := req.RequestWith(ctx, cl)
		if err == nil {
			if n := leaders(resp, topic); n > 0 {
				return n, nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("topic %s: not ready: %w", topic, errors.Join(err, ctx.Err()))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// leaders returns the partitions of topic in resp when every one has a leader, else 0.
func leaders(resp *kmsg.MetadataResponse, topic string) int32 {
	for _, t := range resp.Topics {
		if t.Topic == nil || *t.Topic != topic {
			continue
		}
		if t.ErrorCode != 0 {
			return 0
		}
		for _, p := range t.Partitions {
			if p.ErrorCode != 0 || p.Leader < 0 {
				return 0
			}
		}
		return int32(len(t.Partitions))
	}
	return 0
}
