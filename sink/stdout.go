package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// DefaultNum is how many records pprint shows per batch, as pyspark's pprint(num=10).
const DefaultNum = 10

const dashes = "-------------------------------------------\n"

// StdoutConfig configures the pprint sink; start from DefaultStdoutConfig.
type StdoutConfig struct {
	// Num is how many tuples (or counts) to print per batch; "..." follows when there are more.
	Num int
	// Location is the time zone of the "Time:" line: time.Local by default, as Python's
	// datetime.fromtimestamp uses the local zone.
	Location *time.Location
}

// DefaultStdoutConfig returns pyspark's pprint() settings: DefaultNum tuples, local time.
func DefaultStdoutConfig() StdoutConfig {
	return StdoutConfig{Num: DefaultNum, Location: time.Local}
}

// Validate reports every bad field at once.
func (c StdoutConfig) Validate() error {
	var errs []error
	if c.Num < 0 {
		errs = append(errs, errors.New("num must not be negative"))
	}
	if c.Location == nil {
		errs = append(errs, errors.New("no time zone"))
	}
	return errors.Join(errs...)
}

// Stdout prints each batch exactly as pyspark's DStream.pprint(num) does.
type Stdout struct {
	w   *bufio.Writer
	cfg StdoutConfig
	buf []byte
}

var _ Sink = (*Stdout)(nil)

// NewStdout returns a pprint sink writing to w; it flushes w after every batch.
func NewStdout(w io.Writer, cfg StdoutConfig) (*Stdout, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("stdout sink: %w", err)
	}
	return &Stdout{w: bufio.NewWriterSize(w, 64<<10), cfg: cfg}, nil
}

// Write prints b: dashes, "Time: ...", dashes, up to Num records, "..." when there are
// more, and an empty line.
func (s *Stdout) Write(_ context.Context, b Batch) error {
	buf := append(s.buf[:0], dashes...)
	buf = append(buf, "Time: "...)
	buf = AppendPyDatetime(buf, b.Time.In(s.cfg.Location))
	buf = append(buf, '\n')
	buf = append(buf, dashes...)
	buf, more := s.appendRecords(buf, b)
	if more {
		buf = append(buf, "...\n"...)
	}
	buf = append(buf, '\n')
	s.buf = buf
	if _, err := s.w.Write(buf); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	return nil
}

// appendRecords appends up to Num records and reports whether there were more.
func (s *Stdout) appendRecords(buf []byte, b Batch) ([]byte, bool) {
	n := s.cfg.Num
	if b.Talkers != nil {
		return AppendTalkerRowsPprint(buf, b.Talkers, n)
	}
	if b.Aggregate {
		for i := 0; i < n && i < len(b.Counts); i++ {
			c := &b.Counts[i]
			buf = append(AppendPairCount(buf, c.Src, c.Dst, c.Count), '\n')
		}
		return buf, max(b.Distinct, len(b.Counts)) > n
	}
	for i := 0; i < n && i < len(b.Tuples); i++ {
		t := &b.Tuples[i]
		buf = append(AppendPair(buf, t.Src, t.Dst), '\n')
	}
	return buf, len(b.Tuples) > n
}

// Close flushes what is buffered.
func (s *Stdout) Close(context.Context) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	return nil
}

// String names the sink in logs.
func (s *Stdout) String() string { return "stdout(num=" + strconv.Itoa(s.cfg.Num) + ")" }
