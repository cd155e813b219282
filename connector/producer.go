package connector

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
)

// slabBytes is the size of the arenas record values are encoded into: one allocation per slab
// instead of one per line. A slab is garbage once every record in it was acknowledged.
const slabBytes = 1 << 20

// Slot states of pending.
const (
	inFlight uint32 = iota
	acked
	failed
)

// pending is one line on its way to Kafka. It is its record's Context, so the one shared promise
// finds it without a closure per record; the embedded Context is Background, never cancelled, so
// kgo never fails a record on its account.
type pending struct {
	context.Context
	rec   kgo.Record
	gen   *generation
	end   int64
	state atomic.Uint32
}

// mark is a watermark: every line up to off in gen is acknowledged.
type mark struct {
	gen *generation
	off int64
}

// acks tracks lines in the order they were read and the watermark over them. Records of
// different partitions complete out of order; the watermark only moves over a contiguous run
// of acknowledged lines. The ring also bounds how many lines are in flight.
type acks struct {
	ring  []pending
	head  atomic.Uint64 // oldest slot the watermark has not passed
	tail  atomic.Uint64 // next free slot; only the reader moves it
	space chan struct{} // signalled when head moves
	stats *Stats

	mu   sync.Mutex // serializes advance; guards wm and err
	wm   mark
	err  error
	errs atomic.Bool

	promise func(*kgo.Record, error) // bound once: a method value allocates
}

func newAcks(size int, start mark, stats *Stats) *acks {
	a := &acks{ring: make([]pending, size), space: make(chan struct{}, 1), stats: stats, wm: start}
	for i := range a.ring {
		a.ring[i].Context = context.Background()
	}
	a.promise = a.onPromise
	return a
}

// reserve returns the next free slot, waiting while the ring is full.
func (a *acks) reserve(ctx context.Context) (*pending, error) {
	for {
		tail := a.tail.Load()
		if tail-a.head.Load() < uint64(len(a.ring)) {
			return &a.ring[tail%uint64(len(a.ring))], nil
		}
		if err := a.failure(); err != nil {
			return nil, err // the watermark is stuck behind a failed line: no space will come
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-a.space:
		}
	}
}

// publish makes the slot returned by reserve part of the sequence.
func (a *acks) publish() { a.tail.Add(1) }

// skip records a position reached without a record (a skipped line, a new file): it counts as
// acknowledged once every line before it is.
func (a *acks) skip(p *pending, gen *generation, off int64) {
	p.gen, p.end = gen, off
	p.state.Store(acked)
	a.publish()
	a.advance()
}

func (a *acks) onPromise(r *kgo.Record, err error) {
	p := r.Context.(*pending)
	if err != nil {
		a.stats.ProduceErrors.Add(1)
		a.mu.Lock()
		if a.err == nil {
			a.err = fmt.Errorf("produce to topic %s: line ending at offset %d: %w", r.Topic, p.end, err)
			a.errs.Store(true)
		}
		a.mu.Unlock()
		p.state.Store(failed)
		a.signal()
		return
	}
	a.stats.RecordsProduced.Add(1)
	p.state.Store(acked)
	a.advance()
}

// advance moves the watermark over acknowledged slots and frees them.
func (a *acks) advance() {
	a.mu.Lock()
	head, tail := a.head.Load(), a.tail.Load()
	start := head
	for ; head < tail; head++ {
		p := &a.ring[head%uint64(len(a.ring))]
		if p.state.Load() != acked {
			break
		}
		a.wm = mark{p.gen, p.end}
		p.rec, p.gen = kgo.Record{}, nil // let the value's slab go
		p.state.Store(inFlight)
	}
	a.head.Store(head)
	a.mu.Unlock()
	if head != start {
		a.signal()
	}
}

func (a *acks) signal() {
	select {
	case a.space <- struct{}{}:
	default:
	}
}

// watermark returns the position after the last line of the contiguous acknowledged run.
func (a *acks) watermark() mark {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.wm
}

// failure returns the first produce error, if any.
func (a *acks) failure() error {
	if !a.errs.Load() {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// idle reports whether every published slot was passed by the watermark.
func (a *acks) idle() bool { return a.head.Load() == a.tail.Load() }

// pump turns batches of lines into records, in file order.
type pump struct {
	cl     *kgo.Client
	topic  string
	format Format
	limit  int // largest record value
	policy Oversize
	acks   *acks
	pctx   context.Context // for Produce: outlives the first signal, so buffered lines still flush
	begin  func() error    // called before producing a batch (starts a transaction), or nil
	log    *slog.Logger
	stats  *Stats
	slab   []byte
	gen    *generation
	warned time.Time
	odd    oddLines
}

// send produces b's lines. A new generation is recorded first, so the watermark moves to the
// new file once the old one's lines are all acknowledged.
func (p *pump) send(ctx context.Context, b *batch) error {
	if b.gen != p.gen {
		slot, err := p.acks.reserve(ctx)
		if err != nil {
			return err
		}
		p.acks.skip(slot, b.gen, b.start)
		p.gen = b.gen
	}
	if len(b.lines) > 0 && p.begin != nil {
		if err := p.begin(); err != nil {
			return err
		}
	}
	// One clock read per batch, not per record (franz-go stamps records with a zero time
	// itself): the lines of a batch were read together, and on some machines the clock is
	// a tenth of the producer's CPU.
	now := time.Now().Truncate(time.Millisecond)
	for i, line := range b.lines {
		value, keep, err := p.value(line, b.oversize, b.lineLen, b.ends[i])
		if err != nil {
			return err
		}
		slot, err := p.acks.reserve(ctx)
		if err != nil {
			return err
		}
		if !keep {
			p.acks.skip(slot, b.gen, b.ends[i])
			continue
		}
		slot.rec = kgo.Record{Topic: p.topic, Value: value, Timestamp: now, Context: slot}
		slot.gen, slot.end = b.gen, b.ends[i]
		p.acks.publish()
		p.cl.Produce(p.pctx, &slot.rec, p.acks.promise)
	}
	return p.acks.failure()
}

// encode appends line's record value to the current slab and returns it.
func (p *pump) encode(line []byte) []byte {
	need := p.format.MaxValueLen(len(line))
	if cap(p.slab)-len(p.slab) < need {
		p.slab = make([]byte, 0, max(slabBytes, need))
	}
	start := len(p.slab)
	p.slab = p.format.AppendValue(p.slab, line)
	return p.slab[start:len(p.slab):len(p.slab)]
}

// value returns line's record value under the oversize policy; keep is false for a skipped line.
func (p *pump) value(line []byte, cut bool, lineLen, end int64) (v []byte, keep bool, err error) {
	v = p.encode(line)
	// Only lines the encoder escaped or replaced are looked at: a longer value, or one holding
	// 0xEF, the first byte of U+FFFD (a 3-byte malformed sequence keeps the length).
	if len(v) != p.format.PlainLen(len(line)) || bytes.IndexByte(v, 0xEF) >= 0 {
		p.odd.check(line, end, p.stats, p.log)
	}
	if !cut && len(v) <= p.limit {
		return v, true, nil
	}
	if !cut {
		lineLen = int64(len(line))
	}
	p.stats.OversizeLines.Add(1)
	switch p.policy {
	case OversizeSkip:
		p.warn("skipped a line over the record size limit", end, lineLen)
		return nil, false, nil
	case OversizeFail:
		return nil, false, fmt.Errorf("line ending at offset %d has %d bytes, limit %d: %w",
			end, lineLen, p.limit, ErrOversizeLine)
	}
	p.warn("truncated a line over the record size limit", end, lineLen)
	return p.truncate(line), true, nil
}

// truncate returns the value of the longest prefix of line, cut at a character boundary,
// whose value fits the limit.
func (p *pump) truncate(line []byte) []byte {
	k := min(len(line), p.limit)
	for k > 0 {
		for k > 0 && k < len(line) && !utf8.RuneStart(line[k]) {
			k--
		}
		n := len(p.format.AppendValue(nil, line[:k]))
		if n <= p.limit {
			break
		}
		// Escapes make a byte cost up to six: shrink in proportion, at least by one.
		k = min(k-1, k*p.limit/n)
	}
	return p.encode(line[:max(k, 0)])
}

// warn logs an oversize line, at most once a second: a flood of them must not flood the log.
func (p *pump) warn(msg string, end, lineLen int64) {
	if time.Since(p.warned) < time.Second {
		return
	}
	p.warned = time.Now()
	p.log.Warn(msg, "offset", end, "bytes", lineLen, "limit", p.limit,
		"oversize_total", p.stats.OversizeLines.Load())
}
