package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kgolog"
)

// connect creates the group member: a client, or with ExactlyOnce a transact session
// whose client also produces the Kafka sink's records.
func (s *Stream) connect() error {
	opts := s.clientOpts()
	if !s.cfg.ExactlyOnce {
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return fmt.Errorf("kafka client: %w", err)
		}
		s.cl = cl
		return nil
	}
	sess, err := kgo.NewGroupTransactSession(opts...)
	if err != nil {
		return fmt.Errorf("kafka transact session: %w", err)
	}
	s.sess, s.cl = sess, sess.Client()
	return nil
}

// clientOpts configures the group member. Rebalances are blocked from the first record
// of a batch until the batch is committed, so a batch never straddles two owners.
func (s *Stream) clientOpts() []kgo.Opt {
	reset := kgo.NewOffset().AtEnd()
	if s.cfg.FromBeginning {
		reset = kgo.NewOffset().AtStart()
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.cfg.Brokers...),
		kgo.ClientID("bridge-stream"),
		kgo.ConsumerGroup(s.cfg.Group),
		kgo.ConsumeResetOffset(reset),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		// A blocked rebalance waits for at most one batch; give it that and some.
		kgo.RebalanceTimeout(max(60*time.Second, 2*s.cfg.Interval+30*time.Second)),
		kgo.SessionTimeout(s.cfg.SessionTimeout),
		kgo.HeartbeatInterval(min(3*time.Second, s.cfg.SessionTimeout/3)),
		kgo.WithLogger(kgolog.New(s.log)),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			s.log.Info("partitions assigned", "partitions", m)
			if s.grp != nil {
				s.grp.owned(m, true)
			}
		}),
	}
	if s.grp == nil {
		// With --top the group's own topics may not exist yet: runGroup subscribes once
		// it made them, as a member that joined without them would rejoin at once.
		opts = append(opts, kgo.ConsumeTopics(s.consumed()...))
	}
	opts = append(opts, s.groupOpts()...)
	opts = append(opts, s.cfg.ClientOpts...)
	if s.cfg.ExactlyOnce {
		return append(opts,
			kgo.TransactionalID(s.transactionalID()),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				s.log.Info("partitions revoked", "partitions", m)
				if s.grp != nil {
					s.grp.owned(m, false)
				}
			}),
		)
	}
	return append(opts,
		kgo.OnPartitionsRevoked(s.onRevoked),
		kgo.OnPartitionsLost(s.onLost),
	)
}
