package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kgolog"
	"github.com/bridge-project/bridge/sink"
	"github.com/bridge-project/bridge/stream/internal/group"
)

// answers reads the group's answers topic (directly, outside the group: every member
// reads all of it) and writes each window's answer to this member's own sinks, so every
// member shows the same group-wide answer.
type answers struct {
	cl    *kgo.Client
	log   *slog.Logger
	sums  summaries
	sinks []sink.Sink
	loc   *time.Location
	seen  map[int64]struct{} // window ends written lately: a crash can repeat an answer
}

// seenWindows bounds the windows remembered against repeats.
const seenWindows = 4096

// newAnswers returns the reader of the answers topic. It starts at the topic's end, so a
// member shows the windows answered from its start on, or with --from-beginning at its
// start: every window the group still keeps an answer of.
func newAnswers(cfg Config, log *slog.Logger, sums summaries, sinks []sink.Sink, loc *time.Location) (*answers, error) {
	from := kgo.NewOffset().AtEnd()
	if cfg.FromBeginning {
		from = kgo.NewOffset().AtStart()
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID("bridge-stream-answers"),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{AnswersTopic(cfg.Group): {0: from}}),
		kgo.WithLogger(kgolog.New(log)),
	}
	if cfg.ExactlyOnce {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(append(opts, cfg.ClientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("answers client: %w", err)
	}
	return &answers{cl: cl, log: log, sums: sums, sinks: sinks, loc: loc, seen: make(map[int64]struct{})}, nil
}

// run writes answers until ctx ends or a sink fails, then closes the client.
func (a *answers) run(ctx context.Context) error {
	defer a.cl.Close()
	for {
		fs := a.cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(fs.Err0(), kgo.ErrClientClosed) {
			return nil
		}
		fs.EachError(func(t string, p int32, err error) {
			a.log.Warn("answers fetch error", "topic", t, "partition", p, "err", err)
		})
		var err error
		fs.EachRecord(func(r *kgo.Record) {
			if err == nil {
				err = a.write(ctx, r)
			}
		})
		if err != nil {
			return err
		}
	}
}

func (a *answers) write(ctx context.Context, r *kgo.Record) error {
	ans, err := group.DecodeAnswer(r.Value)
	if err != nil {
		a.log.Warn("skipping a bad answer", "offset", r.Offset, "err", err)
		return nil
	}
	if _, ok := a.seen[ans.End]; ok {
		return nil
	}
	if len(a.seen) >= seenWindows {
		clear(a.seen)
	}
	a.seen[ans.End] = struct{}{}
	sum := a.sums.new()
	if err := sum.MergeBinary(ans.Summary); err != nil {
		a.log.Warn("skipping a bad answer", "offset", r.Offset, "err", err)
		return nil
	}
	b := a.sums.batch(sum, time.UnixMilli(ans.Start).In(a.loc), time.UnixMilli(ans.End).In(a.loc))
	return writeAll(ctx, a.sinks, b)
}

// WindowObserver, when the BatchObserver also is one, hears of every window this member
// answers: how long after the window's end the answer was produced.
type WindowObserver interface {
	WindowAnswered(delay time.Duration)
}

// groupPartitioner places the group's own records on the partitions chosen for them and
// leaves every other topic (a kafka: sink's) to franz-go's default, which hashes keys.
type groupPartitioner struct {
	manual map[string]bool
	def    kgo.Partitioner
}

func (p groupPartitioner) ForTopic(t string) kgo.TopicPartitioner {
	if p.manual[t] {
		return kgo.ManualPartitioner().ForTopic(t)
	}
	return p.def.ForTopic(t)
}
