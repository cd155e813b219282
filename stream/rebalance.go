package stream

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// onRevoked commits what the sinks have written before the partitions go, so their new
// owner starts after it, then forgets the revoked partitions: committing them later
// could rewind the new owner's commits.
func (s *Stream) onRevoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	s.log.Info("partitions revoked", "partitions", revoked)
	if err := s.offs.commit(ctx, cl); err != nil {
		s.log.Warn("commit on revoke failed; the new owner will see some records again", "err", err)
	}
	s.offs.forget(revoked)
	if s.grp != nil {
		s.grp.owned(revoked, false)
	}
}

// onLost forgets lost partitions: the group has moved on, a commit would fail or rewind.
func (s *Stream) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	s.log.Warn("partitions lost; their uncommitted batches will be processed again", "partitions", lost)
	s.offs.forget(lost)
	if s.grp != nil {
		s.grp.owned(lost, false)
	}
}
