package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// JSONL writes one JSON object per line: per tuple
// {"src","dst","proto","len","batch_time","topic","partition","offset"}, or in aggregate
// mode per counted pair {"src","dst","count","batch_time"}; a talkers window writes its
// rows and then its totals (see talkers.go). Empty batches write nothing.
type JSONL struct {
	w    *bufio.Writer
	file *os.File // owned; nil for an injected writer
	sync bool     // fsync file after every batch (a regular file, not a pipe)
	name string
	buf  []byte
	bt   []byte
	ws   []byte
}

var _ Sink = (*JSONL)(nil)

// NewJSONL returns a sink writing to w, flushed after every batch. It does not close w.
func NewJSONL(w io.Writer) *JSONL {
	return &JSONL{w: bufio.NewWriterSize(w, 64<<10), name: "jsonl:-"}
}

// CreateJSONL opens path for appending (creating it) and returns a sink that fsyncs the
// file after every batch, so a committed offset never points past data a crash could
// lose. path may also be a named pipe. Close closes the file.
func CreateJSONL(path string) (*JSONL, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	if err := endTornLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("jsonl %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	s := NewJSONL(f)
	s.file, s.name, s.sync = f, "jsonl:"+path, st.Mode().IsRegular()
	return s, nil
}

// endTornLine ends the file with a newline if a crash left its last line half written,
// so that line stays one bad line and does not swallow the first line written now.
func endTornLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil {
		return err
	}
	if last[0] != '\n' {
		_, err = f.Write([]byte{'\n'})
	}
	return err
}

// flushAt bounds the line buffer before it is handed to the bufio.Writer.
const flushAt = 32 << 10

// Write appends the batch's lines and makes them durable before it returns.
func (s *JSONL) Write(_ context.Context, b Batch) error {
	s.bt = AppendJSONTime(s.bt[:0], b.Time)
	buf := s.buf[:0]
	var err error
	if b.Talkers != nil {
		buf, err = s.appendTalkers(buf, b)
		if err != nil {
			return err
		}
	} else if b.Aggregate {
		for i := range b.Counts {
			buf = append(AppendCountJSON(buf, &b.Counts[i], s.bt), '\n')
			if buf, err = s.spill(buf, flushAt); err != nil {
				return err
			}
		}
	} else {
		for i := range b.Tuples {
			buf = append(AppendTupleJSON(buf, &b.Tuples[i], s.bt), '\n')
			if buf, err = s.spill(buf, flushAt); err != nil {
				return err
			}
		}
	}
	if buf, err = s.spill(buf, 0); err != nil {
		return err
	}
	s.buf = buf
	return s.flush()
}

// appendTalkers appends a window's rows and its totals line.
func (s *JSONL) appendTalkers(buf []byte, b Batch) ([]byte, error) {
	r := b.Talkers
	s.ws = AppendJSONTime(s.ws[:0], r.Start.In(b.Time.Location()))
	var err error
	for i := range r.Rows {
		buf = append(AppendTalkerRowJSON(buf, r, &r.Rows[i], s.ws, s.bt), '\n')
		if buf, err = s.spill(buf, flushAt); err != nil {
			return buf, err
		}
	}
	return append(AppendWindowTotalsJSON(buf, r, s.ws, s.bt), '\n'), nil
}

// spill hands buf to the writer once it holds at least limit bytes.
func (s *JSONL) spill(buf []byte, limit int) ([]byte, error) {
	if len(buf) < limit || len(buf) == 0 {
		return buf, nil
	}
	if _, err := s.w.Write(buf); err != nil {
		return buf[:0], fmt.Errorf("%s: %w", s.name, err)
	}
	return buf[:0], nil
}

func (s *JSONL) flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	if s.sync {
		if err := s.file.Sync(); err != nil {
			return fmt.Errorf("%s: sync: %w", s.name, err)
		}
	}
	return nil
}

// Close flushes and, for a file the sink opened, closes it.
func (s *JSONL) Close(context.Context) error {
	err := s.flush()
	if s.file != nil {
		err = errors.Join(err, s.file.Close())
		s.file, s.sync = nil, false
	}
	return err
}

// String names the sink in logs.
func (s *JSONL) String() string { return s.name }
