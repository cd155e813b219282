package stream

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/sink"
)

// runGroup is Run with --top: the batch loop feeds the group's windows and gives the
// windows this member merges to the kafka: sinks, while the answers of every window,
// whichever member merged it, go to the other sinks (stdout, jsonl) as they arrive.
func (s *Stream) runGroup(ctx context.Context, sinks []sink.Sink) error {
	sctx, cancel := context.WithTimeout(ctx, s.workTimeout())
	inputs, parts, err := groupTopics(sctx, s.cl, s.cfg.Group, s.cfg.Topics)
	cancel()
	if err != nil {
		return err
	}
	s.grp.inputs, s.grp.parts, s.grp.cl, s.grp.loc = inputs, parts, s.cl, s.loc
	s.cl.AddConsumeTopics(s.consumed()...)
	var kafka, local []sink.Sink
	for _, sk := range sinks {
		if _, ok := sk.(*sink.Kafka); ok {
			kafka = append(kafka, sk)
		} else {
			local = append(local, sk)
		}
	}
	ans, err := newAnswers(s.cfg, s.log, s.sums, local, s.loc)
	if err != nil {
		return err
	}
	loopCtx, stopLoop := context.WithCancelCause(ctx)
	defer stopLoop(nil)
	ansCtx, stopAnswers := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() {
		err := ans.run(ansCtx)
		if err != nil {
			stopLoop(fmt.Errorf("answers: %w", err))
		}
		done <- err
	}()
	err = s.loop(loopCtx, kafka)
	stopAnswers()
	return errors.Join(err, <-done)
}

// consumed is what the group member subscribes to: the input topics, and with --top the
// group's panes topic, whose partitions the group balancer spreads over the members as
// it does the inputs'.
func (s *Stream) consumed() []string {
	if s.grp == nil {
		return s.cfg.Topics
	}
	return append(append([]string(nil), s.cfg.Topics...), s.grp.panesT)
}

// groupOpts are the client options of --top: the group's own records go to the
// partitions chosen for them, and a panes partition the group never committed is read
// from its start, whatever --from-beginning says of the inputs: its deltas were written
// for whoever merges them.
func (s *Stream) groupOpts() []kgo.Opt {
	if s.grp == nil {
		return nil
	}
	panes := s.grp.panesT
	return []kgo.Opt{
		kgo.RecordPartitioner(groupPartitioner{
			manual: map[string]bool{panes: true, s.grp.answersT: true},
			def:    kgo.StickyKeyPartitioner(nil),
		}),
		kgo.AdjustFetchOffsetsFn(func(_ context.Context, m map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
			for p, o := range m[panes] {
				if o.EpochOffset().Offset < 0 {
					m[panes][p] = kgo.NewOffset().AtStart()
				}
			}
			return m, nil
		}),
	}
}
