package kafkatest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
)

// WaitGroupStable waits until the consumer group is stable with n members that all own
// partitions: a test that kills or feeds members before that tests the join protocol.
func (c *Cluster) WaitGroupStable(t testing.TB, group string, n int) {
	t.Helper()
	adm := kadm.NewClient(c.Client(t))
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		gs, err := adm.DescribeGroups(ctx, group)
		if err != nil {
			return false
		}
		g := gs[group]
		if g.State != "Stable" || len(g.Members) != n {
			return false
		}
		for _, m := range g.Members {
			if a, ok := m.Assigned.AsConsumer(); !ok || len(a.Topics) == 0 {
				return false
			}
		}
		return true
	}, 60*time.Second, 100*time.Millisecond, "group %s stable with %d members", group, n)
}

// DeleteAtEnd deletes topics a test did not create through Topic (a program under test
// made them) when the test ends.
func (c *Cluster) DeleteAtEnd(t testing.TB, topics ...string) {
	t.Helper()
	adm := kadm.NewClient(c.Client(t))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = adm.DeleteTopics(ctx, topics...)
	})
}
