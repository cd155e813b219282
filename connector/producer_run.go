package connector

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// producerRun is the producing half of one Source run: the ack tracker, the pump, and the context
// its Produce calls use, which a stop cancels only after ShutdownTimeout.
type producerRun struct {
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

func (s *Source) newProducerRun(ctx context.Context, cl *kgo.Client, t *tailer, limit int) *producerRun {
	pctx, hard := context.WithCancel(context.WithoutCancel(ctx))
	a := newAcks(s.cfg.MaxBufferedRecords, mark{t.gen, t.pos()}, &s.stats)
	r := &producerRun{src: s, cl: cl, acks: a, pctx: pctx, hard: hard, done: make(chan struct{})}
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
func (r *producerRun) drain(ctx context.Context) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.src.cfg.ShutdownTimeout)
	defer cancel()
	if err := r.cl.Flush(fctx); err != nil || !r.acks.idle() {
		r.src.log.Warn("stopping with lines not acknowledged; they will be read again on restart",
			"in_flight", r.acks.tail.Load()-r.acks.head.Load(), "err", err)
	}
}

// hardStop ends the run's goroutine and cancels any Produce still waiting.
func (r *producerRun) hardStop() {
	r.close.Do(func() {
		close(r.done)
		r.hard()
		r.wg.Wait()
	})
}
