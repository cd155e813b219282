package connector

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bridge-project/bridge/internal/kgolog"
)

// maxTxnBackoff caps the wait between two attempts after a failed transaction.
const maxTxnBackoff = 5 * time.Second

// runExactlyOnce runs transactional attempts until ctx is done or a fatal error. A failed
// transaction is aborted and the next attempt resumes from the last committed offset, which
// is exactly where the aborted lines began: read_committed consumers see each line once.
func (s *Source) runExactlyOnce(ctx context.Context) error {
	backoff := time.Second
	for {
		err := s.transactOnce(ctx)
		if ctx.Err() != nil || err == nil {
			return s.stopped(ctx, err)
		}
		if !retryable(err) {
			return err
		}
		s.stats.Aborts.Add(1)
		s.log.Warn("transaction failed; resuming from the last committed offset", "err", err,
			"retry_in", backoff)
		select {
		case <-ctx.Done():
			return s.stopped(ctx, nil)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxTxnBackoff)
	}
}

// retryable tells a failed attempt worth another try from one that would fail the same way.
func retryable(err error) bool {
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr), errors.Is(err, ErrOversizeLine), errors.Is(err, ErrInvalidConfig),
		errors.Is(err, ErrTakenOver),
		errors.Is(err, kerr.ProducerFenced), errors.Is(err, kerr.TransactionalIDAuthorizationFailed),
		errors.Is(err, kerr.TopicAuthorizationFailed), errors.Is(err, kerr.ClusterAuthorizationFailed),
		errors.Is(err, kerr.InvalidTopicException):
		return false
	}
	return true
}

// transactOnce is one exactly-once attempt: fence, load, then read and commit until stopped.
func (s *Source) transactOnce(ctx context.Context) error {
	cl, err := kgo.NewClient(append(s.clientOpts(),
		kgo.TransactionalID(s.cfg.TransactionalID),
		kgo.TransactionTimeout(s.cfg.TransactionTimeout))...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	store := &TopicStore{Client: cl, Topic: s.cfg.OffsetsTopic, Key: OffsetKey(s.cfg.Name, s.absFile()),
		ConsumerOpts: s.consumerOpts(), Log: s.log}
	if err := store.Ensure(ctx); err != nil {
		return err
	}
	if s.lastSeen != nil {
		// A retry looks before it fences: an instance that took over since would be
		// fenced by the retry, and stop, while this one stops too on seeing its offsets.
		if err := s.takenOver(ctx, store); err != nil {
			return err
		}
	}
	// Initializing the producer ID under our transactional ID bumps its epoch: a previous run
	// that is still alive is fenced, and its open transaction is aborted, before we read the
	// offsets it committed.
	if _, _, err := cl.ProducerID(ctx); err != nil {
		return fmt.Errorf("fence previous producer: %w", err)
	}
	saved, err := s.loadPosition(ctx, store)
	if err != nil {
		return err
	}
	if err := s.checkTakeover(saved); err != nil {
		return err
	}
	t := newTailer(s.tailConfig(), s.log, &s.stats)
	defer t.close()
	if err := t.open(ctx, saved); err != nil {
		return err
	}
	r := s.newProducerRun(ctx, cl, t, s.recordLimit(ctx, cl))
	defer r.hardStop()
	tx := &txn{src: s, cl: cl, store: store, acks: r.acks, due: time.Now().Add(s.cfg.FlushInterval)}
	if saved != nil {
		tx.last = *saved
	}
	r.pump.begin = tx.begin
	// Commits run under the produce context: a stop lets a commit under way finish (for up to
	// ShutdownTimeout) instead of cutting it off with an unknown outcome.
	err = s.loop(ctx, t, r.pump, func() error { return tx.maybeCommit(r.pctx) })
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) && !tx.failed {
		err = tx.commit(r.pctx)
	}
	if err != nil {
		if aerr := tx.abort(context.WithoutCancel(ctx)); errors.Is(aerr, kerr.ProducerFenced) {
			// A produce that another instance fenced fails as INVALID_PRODUCER_EPOCH, which
			// a transaction timed out by the broker gives too; the coordinator tells them
			// apart (KIP-588). Fenced, this run must stop rather than fence the other back.
			return fmt.Errorf("%w (after: %v)", aerr, err)
		}
	}
	return err
}

// takenOver is checkTakeover on the offsets committed now, read without fencing anyone.
func (s *Source) takenOver(ctx context.Context, store *TopicStore) error {
	pos, ok, err := store.Load(ctx)
	if err != nil || !ok {
		return err
	}
	return s.checkTakeover(&pos)
}

// checkTakeover stops a retrying run when the offsets were committed by another instance
// since this run last saw them: two instances would otherwise fence each other in turn.
func (s *Source) checkTakeover(saved *Position) error {
	prev := s.lastSeen
	s.lastSeen = saved
	if prev == nil || saved == nil || saved.Instance == s.instance || *saved == *prev {
		return nil
	}
	return fmt.Errorf("offsets committed by instance %s: %w", saved.Instance, ErrTakenOver)
}

func (s *Source) absFile() string {
	abs, err := filepath.Abs(s.cfg.File)
	if err != nil {
		return s.cfg.File
	}
	return abs
}

func (s *Source) consumerOpts() []kgo.Opt {
	opts := []kgo.Opt{kgo.SeedBrokers(s.cfg.Brokers...), kgo.WithLogger(kgolog.New(s.log))}
	return append(opts, s.cfg.ClientOpts...)
}

// txn commits the lines produced since the last commit together with the position after them.
type txn struct {
	src    *Source
	cl     *kgo.Client
	store  *TopicStore
	acks   *acks
	open   bool
	failed bool     // a commit failed: the transaction can only be aborted
	last   Position // last committed
	due    time.Time
}

func (x *txn) begin() error {
	if x.open {
		return nil
	}
	if err := x.cl.BeginTransaction(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	x.open = true
	return nil
}

func (x *txn) maybeCommit(ctx context.Context) error {
	if time.Now().Before(x.due) {
		return nil
	}
	return x.commit(ctx)
}

// commit waits for every produced line, then writes the position after the last one and
// commits both, unless nothing moved. It gives up after TransactionTimeout, when the broker
// would abort the transaction anyway.
func (x *txn) commit(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, x.src.cfg.TransactionTimeout)
	defer cancel()
	err := x.tryCommit(ctx)
	x.failed = err != nil
	return err
}

func (x *txn) tryCommit(ctx context.Context) error {
	x.due = time.Now().Add(x.src.cfg.FlushInterval)
	if err := x.cl.Flush(ctx); err != nil {
		return fmt.Errorf("flush transaction: %w", err)
	}
	if err := x.acks.failure(); err != nil {
		return err
	}
	pos := x.src.position(x.acks.watermark())
	pos.Instance = x.src.instance
	if pos == x.last && !x.open {
		return nil
	}
	if err := x.begin(); err != nil {
		return err
	}
	if err := x.store.Save(ctx, pos); err != nil {
		return err
	}
	if err := x.cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	x.open = false
	x.last = pos
	x.src.lastSeen = &pos
	x.src.stats.OffsetsSaved.Add(1)
	return nil
}

// abort gives up the open transaction, best effort: the next attempt fences it anyway. It
// returns the coordinator's answer to the abort.
func (x *txn) abort(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, x.src.cfg.ShutdownTimeout)
	defer cancel()
	if err := x.cl.AbortBufferedRecords(ctx); err != nil {
		x.src.log.Debug("abort buffered records", "err", err)
	}
	err := x.cl.EndTransaction(ctx, kgo.TryAbort)
	if err != nil {
		x.src.log.Debug("abort transaction", "err", err)
	}
	return err
}
