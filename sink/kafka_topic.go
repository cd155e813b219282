package sink

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// EnsureTopic creates topic with the broker's default partitions and replication unless
// it exists, as bridge source does for its topic. The stream calls it before the first
// batch: a produce to a missing topic fails with UNKNOWN_TOPIC_OR_PARTITION (a group
// member's producer does not ask the broker to auto-create), after the batch's input was
// read. When the topic can be neither found nor created (no ACL to create, say), the
// error says to create it first.
func EnsureTopic(ctx context.Context, cl *kgo.Client, topic string) error {
	adm := kadm.NewClient(cl)
	resp, err := adm.CreateTopic(ctx, -1, -1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
		return nil
	}
	// Creating may be refused while the topic exists (CreateTopics needs more rights
	// than producing); look before failing.
	if md, mdErr := adm.ListTopics(ctx, topic); mdErr == nil && md.Has(topic) && md[topic].Err == nil {
		return nil
	}
	return fmt.Errorf("kafka sink: create topic %s first: %w", topic, err)
}
